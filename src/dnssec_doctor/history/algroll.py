"""ALGORITHM_ROLL_ORDER_VIOLATION from history: a new algorithm's DNSKEY published before
signatures with that algorithm could be in every cache.

Pure. In an algorithm rollover the signatures with the new algorithm come first, and
the new DNSKEY only once they have been served for the data's TTL (RFC 6781 §4.1.4):
a validator that requires a signature for every algorithm of the DNSKEY RRset (RFC
4035 §2.2) fails on a cached RRset signed only with the old algorithm. Only this
first step is judged here; the removal order is reported by the live analysis when a
published algorithm signs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.history.facts import ObservationFacts
from dnssec_doctor.history.records import StoredObservation
from dnssec_doctor.history.rollover import (
    MAX_EXAMPLES,
    cacheable,
    safe_time,
    segments_of,
    zone_sets,
)
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.timefmt import iso

CODE = Code.ALGORITHM_ROLL_ORDER_VIOLATION


def algorithm_order_findings(
    history: Sequence[StoredObservation],
    facts: dict[int, ObservationFacts],
    *,
    current_only: bool = False,
) -> list[Finding]:
    """One finding per algorithm whose DNSKEY appeared while RRsets signed without it
    could still be cached (``current_only``: only while that risk lasts)."""
    segs = segments_of(history)
    if len(segs) < 2:
        return []
    now = segs[-1].last
    out = []
    zones = list(dict.fromkeys(z for s in segs for z in facts[s.state_id].zones))
    for zone in zones:
        sets = [zone_sets(facts[s.state_id], zone) for s in segs]
        reported: set[int] = set()
        for k in range(1, len(segs)):
            before = {alg for d in sets[k - 1].dnskey for _, alg in d.keys}
            after = {alg for d in sets[k].dnskey for _, alg in d.keys}
            if not before:
                continue  # a first signing is no rollover
            for alg in sorted(after - before - reported):
                stale = [
                    (item, seen)
                    for item, seen in cacheable(segs, sets, k, "rrsig")
                    if item.consistent and all(a != alg for _, a in item.keys)
                ]
                if not stale:
                    continue
                times = [safe_time(segs, sets, k, item)[0] for item, _ in stale]
                safe = None if None in times else max(t for t in times if t is not None)
                if current_only and safe is not None and now >= safe:
                    continue
                reported.add(alg)
                labels = [i.label for i, _ in stale]
                over = safe is not None and now >= safe
                out.append(_finding(zone, alg, segs[k].start, safe, labels, over=over))
    return out


def _finding(
    zone: str, alg: int, at: int, safe: int | None, labels: list[str], *, over: bool
) -> Finding:
    """The finding; ``over``: the risk has passed (history), a warning as in ``rollover``."""
    params: dict[str, object] = {
        "algorithm": alg,
        "zone": zone,
        "at": iso(at),
        "rrsets": ", ".join(sorted(set(labels))[:MAX_EXAMPLES]),
    }
    if safe is not None:
        params["safe"] = iso(safe)
    return catalog.finding(
        CODE,
        zone=zone,
        says="safe_at" if safe is not None else "safe_unknown",
        params=params,
        evidence={
            "algorithm": alg,
            "at": iso(at),
            "safe_at": iso(safe) if safe is not None else None,
            "rrsets": sorted(set(labels))[:MAX_EXAMPLES],
        },
        subject=f"algorithm {alg}",
        severity=Severity.WARNING if over else None,
    )
