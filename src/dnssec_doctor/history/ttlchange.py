"""TTL_CHANGE_DURING_ROLL: a DNSKEY or DS TTL lowered while a rollover is under way.

Pure. Every wait of a rollover is expressed in TTLs (RFC 7583 §3), and caches keep
a record for the TTL it was served with: after a TTL is lowered, the old, larger
value still bounds what caches hold until it has passed since the old TTL was last
served. That moment lies between the last observation that showed the old TTL and
the first that showed the new one; the old TTL rules until the later of the two plus
the old TTL, the safe time ``rollover`` gives for the steps that depend on it (the
first observation without the older set plus its TTL). An operator computing the
next wait from the new TTL takes the step too early. The finding says which TTL, old
and new, and until when the old one rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.history.facts import ObservationFacts
from dnssec_doctor.history.records import StoredObservation
from dnssec_doctor.history.rollover import segments_of
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.timefmt import duration, iso

CODE = Code.TTL_CHANGE_DURING_ROLL


def _ttl(facts: ObservationFacts, zone: str, rrtype: str) -> int | None:
    if rrtype == "DNSKEY":
        values = [k.ttl for k in facts.keys if k.zone == zone]
    else:
        values = [d.ttl for d in facts.ds if d.zone == zone]
    return max(values) if values else None


def _rolling(facts: ObservationFacts, zone: str) -> bool:
    """More than one ZSK or KSK published, or a DS set naming more than one key."""
    keys = {(k.key_tag, k.algorithm, k.role) for k in facts.keys if k.zone == zone}
    zsks = sum(1 for k in keys if k[2] == "ZSK")
    ksks = sum(1 for k in keys if k[2] == "KSK")
    ds = {(d.key_tag, d.algorithm) for d in facts.ds if d.zone == zone}
    return zsks > 1 or ksks > 1 or len(ds) > 1


def ttl_change_findings(
    history: Sequence[StoredObservation],
    facts: dict[int, ObservationFacts],
    *,
    current_only: bool = False,
) -> list[Finding]:
    """One finding per lowered DNSKEY or DS TTL during a rollover in ``history``
    (``current_only``: only while the old TTL still bounds what caches hold)."""
    segs = segments_of(history)
    if len(segs) < 2:
        return []
    now = segs[-1].last
    out = []
    zones = list(dict.fromkeys(z for s in segs for z in facts[s.state_id].zones))
    for zone in zones:
        for before, after in pairwise(segs):
            old_facts, new_facts = facts[before.state_id], facts[after.state_id]
            if not (_rolling(old_facts, zone) or _rolling(new_facts, zone)):
                continue
            for rrtype in ("DNSKEY", "DS"):
                old, new = _ttl(old_facts, zone, rrtype), _ttl(new_facts, zone, rrtype)
                if old is None or new is None or new >= old:
                    continue
                # a cache may have fetched with the old TTL until the change was seen
                until = after.start + old
                if current_only and now >= until:
                    continue
                out.append(_finding(zone, rrtype, old, new, after.start, until))
    return out


def _finding(zone: str, rrtype: str, old: int, new: int, at: int, until: int) -> Finding:
    return catalog.finding(
        CODE,
        zone=zone,
        says="lowered",
        params={
            "rrtype": rrtype,
            "zone": zone,
            "old": duration(old),
            "old_seconds": old,
            "new": duration(new),
            "new_seconds": new,
            "at": iso(at),
            "until": iso(until),
        },
        evidence={
            "rrtype": rrtype,
            "old_ttl": old,
            "new_ttl": new,
            "at": iso(at),
            "old_ttl_rules_until": iso(until),
        },
        subject=f"{rrtype} TTL at {iso(at)}",
    )
