"""CDS_NOT_PICKED_UP: a CDS set the parent has not acted on for days.

Pure. A child asks its parent for a new DS set by publishing CDS/CDNSKEY (RFC 7344
§4; RFC 8078 §3); parents that support it scan their children regularly, commonly
daily. History tells how long the zone has asked: from the first observation of an
unbroken run that served the same CDS set while the parent's DS set differed.
Longer than ``CDS_PATIENCE`` means the parent is not reading it, rejects it, or
scans rarely; the rollover waits on the parent meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.history.facts import ObservationFacts
from dnssec_doctor.history.records import StateRun
from dnssec_doctor.history.rollover import Segment
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.timefmt import duration, iso

CODE = Code.CDS_NOT_PICKED_UP
CDS_PATIENCE = 3 * 86400
"""How long a parent that reads CDS takes at most, with margin (daily scans are common)."""
DELETE = ((0, 0),)
"""The delete request (RFC 8078 §4: algorithm 0): the parent should remove every DS."""


def _wanted(facts: ObservationFacts, zone: str) -> tuple[tuple[int, int], ...]:
    found = {(c.key_tag, c.algorithm) for c in facts.cds if c.zone == zone and c.rrtype == "CDS"}
    if any(alg == 0 for _, alg in found):
        return DELETE
    return tuple(sorted(found))


def _have(facts: ObservationFacts, zone: str) -> tuple[tuple[int, int], ...]:
    return tuple(sorted({(d.key_tag, d.algorithm) for d in facts.ds if d.zone == zone}))


def _pending(facts: ObservationFacts, zone: str) -> bool:
    wanted, have = _wanted(facts, zone), _have(facts, zone)
    if not wanted:
        return False
    return bool(have) if wanted == DELETE else wanted != have


def cds_waiting_findings(
    runs: Sequence[StateRun], facts: dict[int, ObservationFacts]
) -> list[Finding]:
    """CDS_NOT_PICKED_UP for each zone whose CDS set has waited longer than CDS_PATIENCE
    at the newest observation of ``runs`` (the served states, as the forecast reads them)."""
    segs = sorted((Segment(r.first_at, r.last_at, r.state_id) for r in runs), key=lambda s: s.last)
    if not segs:
        return []
    newest = facts[segs[-1].state_id]
    now = segs[-1].last
    out = []
    for zone in newest.zones:
        if not _pending(newest, zone):
            continue
        wanted = _wanted(newest, zone)
        since = segs[-1].start
        for seg in reversed(segs):
            state = facts[seg.state_id]
            if _wanted(state, zone) != wanted or not _pending(state, zone):
                break
            since = seg.start
        if now - since < CDS_PATIENCE:
            continue
        asked = "removal of every DS" if wanted == DELETE else _text(wanted)
        have = _text(_have(newest, zone)) or "none"
        out.append(
            catalog.finding(
                CODE,
                zone=zone,
                says="waiting",
                params={
                    "zone": zone,
                    "asked": asked,
                    "since": iso(since),
                    "observed": duration(now - since),
                    "have": have,
                },
                evidence={"cds": asked, "ds": have, "since": iso(since), "newest": iso(now)},
                subject="CDS",
            )
        )
    return out


def _text(keys: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"DS {tag} (algorithm {alg})" for tag, alg in keys)
