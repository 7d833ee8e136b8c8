"""RFC5011_HOLDDOWN_RISK: a trust anchor's KSK taken away before its successor is trusted.

Pure. A resolver that keeps a zone's key as a managed trust anchor (RFC 5011) accepts a
new KSK only after it has seen it for the add hold-down: 30 days, or the original TTL of
the DNSKEY RRset that first held it when that is longer (RFC 5011 §2.4.1). A KSK removed
or revoked before its successor has been served that long leaves such resolvers with no
trusted key: every name under the zone fails for them. History knows when each KSK was
first served, and each observation records the zones its check was anchored at (the
owners of its trust anchors: the root by default, or what ``--trust-anchor`` gave). The
rule judges every zone the newest observation was anchored at: whoever monitors a zone
with its own anchor stands for the resolvers configured alike.

Only a successor history saw appear counts: a key served since the first observation kept
may have been published long before it, so nothing is claimed about it. The rule reads
every state served within the add hold-down before the newest observation
(``holddown_window``), however many re-signings that is: a signer that re-signs daily
serves thirty states in one hold-down. A key first seen earlier has been trusted since;
a DNSKEY TTL above 30 days is therefore judged over 30 days of history only (a key older
than that is not claimed, never the reverse).
"""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.history.facts import KeyFact, ObservationFacts
from dnssec_doctor.history.records import StateRun
from dnssec_doctor.history.rollover import Segment
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.timefmt import duration, iso

CODE = Code.RFC5011_HOLDDOWN_RISK
ADD_HOLDDOWN = 30 * 86400
"""RFC 5011 §2.4.1: the add hold-down, at least 30 days."""


def _trusted_ksks(facts: ObservationFacts, zone: str) -> dict[str, KeyFact]:
    """The zone's KSKs without the REVOKE bit, by key identity (tags change on revocation)."""
    return {k.key_id: k for k in facts.keys if k.zone == zone and k.role == "KSK" and not k.revoked}


def holddown_window(runs: Sequence[StateRun], now: int) -> list[StateRun]:
    """The runs ``holddown_findings`` reads at ``now``: every state still served within the
    add hold-down before it (the first of them started before, or is history's first)."""
    return [r for r in runs if r.last_at >= now - ADD_HOLDDOWN]


def settled(first: ObservationFacts, newest: ObservationFacts, anchor_zones: Sequence[str]) -> bool:
    """True when ``holddown_findings`` can find nothing: in every zone of ``anchor_zones``
    a KSK trusted now was already served in ``first``, the window's first state (so it is
    older than the hold-down, and resolvers trust it). Lets ``check --db`` read one state
    instead of the window's while no anchor zone's key set is younger than the hold-down."""
    anchored = {zone.lower() for zone in anchor_zones}
    for zone in newest.zones:
        if zone.lower() not in anchored:
            continue
        trusted = _trusted_ksks(newest, zone)
        if trusted and not trusted.keys() & _trusted_ksks(first, zone).keys():
            return False
    return True


def holddown_findings(
    runs: Sequence[StateRun],
    facts: dict[int, ObservationFacts],
    *,
    anchor_zones: Sequence[str],
) -> list[Finding]:
    """RFC5011_HOLDDOWN_RISK at the newest observation of ``runs`` (the served states of
    ``holddown_window``, or more), for each zone of ``anchor_zones`` (what the newest check was
    anchored at) on its chain: a KSK of that zone gone or revoked while every KSK left is
    younger than its add hold-down, so RFC 5011 resolvers trust none of them yet."""
    segs = sorted((Segment(r.first_at, r.last_at, r.state_id) for r in runs), key=lambda s: s.start)
    if len(segs) < 2:
        return []
    newest, now, began = facts[segs[-1].state_id], segs[-1].last, segs[0].start
    anchored = {zone.lower() for zone in anchor_zones}
    out = []
    for zone in newest.zones:  # chain order: the root first
        if zone.lower() not in anchored:
            continue
        first_seen: dict[str, tuple[int, KeyFact]] = {}
        for seg in segs:
            for key_id, key in _trusted_ksks(facts[seg.state_id], zone).items():
                first_seen.setdefault(key_id, (seg.start, key))
        trusted = _trusted_ksks(newest, zone)
        young = {
            key_id: (first_seen[key_id][0], key)
            for key_id, key in trusted.items()
            if began < first_seen[key_id][0] and now < _safe(first_seen[key_id][0], key)
        }
        # A KSK resolvers already trust still signs: they keep validating through it.
        if not young or len(young) < len(trusted):
            continue
        seen, successor = min(young.values(), key=lambda item: item[0])
        for key_id, (first, old) in sorted(first_seen.items()):
            if key_id in trusted or first >= seen:
                continue
            revoked = any(k.key_id == key_id for k in newest.keys if k.zone == zone)
            out.append(_finding(zone, old, successor, seen, _safe(seen, successor), now, revoked))
    return out


def _safe(seen: int, key: KeyFact) -> int:
    """When RFC 5011 resolvers trust ``key``, first served at ``seen`` (§2.4.1)."""
    return seen + max(ADD_HOLDDOWN, key.ttl)


def _finding(
    zone: str, old: KeyFact, new: KeyFact, seen: int, safe: int, now: int, revoked: bool
) -> Finding:
    return catalog.finding(
        CODE,
        zone=zone,
        says="revoked" if revoked else "removed",
        params={
            "zone": zone,
            "old": old.key_tag,
            "new": new.key_tag,
            "seen": iso(seen),
            "age": duration(now - seen),
            "safe": iso(safe),
        },
        evidence={
            "old_ksk": old.key_tag,
            "new_ksk": new.key_tag,
            "new_first_seen": iso(seen),
            "safe_at": iso(safe),
        },
        subject=f"KSK {old.key_tag}",
    )
