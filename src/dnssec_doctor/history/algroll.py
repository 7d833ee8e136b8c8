"""ALGORITHM_ROLL_ORDER_VIOLATION from history: a new algorithm's DNSKEY published before
signatures with that algorithm could be in every cache, or an old algorithm's signatures
removed while its DNSKEY could still be.

Pure. In an algorithm rollover the signatures with the new algorithm come first, and
the new DNSKEY only once they have been served for the data's TTL; at the end the old
DNSKEY goes first, and its signatures only once the DNSKEY RRset without it has been
served for the DNSKEY TTL (RFC 6781 §4.1.4). A validator that requires a signature
for every algorithm of the DNSKEY RRset (RFC 4035 §2.2) fails on a cached RRset signed
only with the old algorithm, or on a cached DNSKEY RRset with an algorithm the data is
no longer signed with. History judges both against the sets that may still be cached;
a published algorithm that signs nothing now is reported by the live analysis too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.history.facts import ObservationFacts
from dnssec_doctor.history.records import StoredObservation
from dnssec_doctor.history.rollover import (
    MAX_EXAMPLES,
    Served,
    ZoneSets,
    cacheable,
    safe_time,
    segments_of,
    zone_sets,
)
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.timefmt import iso

CODE = Code.ALGORITHM_ROLL_ORDER_VIOLATION


Algorithms = Callable[[set[int]], bool]
"""Whether a set signed with (or holding keys of) these algorithms is at risk."""


def algorithm_order_findings(
    history: Sequence[StoredObservation],
    facts: dict[int, ObservationFacts],
    *,
    current_only: bool = False,
) -> list[Finding]:
    """One finding per algorithm whose DNSKEY appeared while RRsets signed without it
    could still be cached, and one per algorithm whose signatures went while a DNSKEY
    RRset with it could still be (``current_only``: only while that risk lasts)."""
    segs = segments_of(history)
    if len(segs) < 2:
        return []
    now = segs[-1].last
    out: list[Finding] = []
    zones = list(dict.fromkeys(z for s in segs for z in facts[s.state_id].zones))
    for zone in zones:
        sets = [zone_sets(facts[s.state_id], zone) for s in segs]
        reported: set[tuple[str, int]] = set()
        for k in range(1, len(segs)):
            if not sets[k - 1].dnskey:
                continue  # a first signing is no rollover
            steps = [(alg, "added", "rrsig", _lacks(alg)) for alg in _new(sets, k, "dnskey")]
            if any(r.keys for r in sets[k].rrsig):  # not the zone unsigned: no rollover
                steps += [(alg, "removed", "dnskey", _has(alg)) for alg in _gone(sets, k)]
            for alg, step, kind, risky in steps:
                if (step, alg) in reported:
                    continue
                stale = [
                    item
                    for item, _ in cacheable(segs, sets, k, kind)
                    if item.consistent and risky({a for _, a in item.keys})
                ]
                if not stale:
                    continue
                times = [safe_time(segs, sets, k, item)[0] for item in stale]
                safe = None if None in times else max(t for t in times if t is not None)
                over = safe is not None and now >= safe
                if current_only and over:
                    continue
                reported.add((step, alg))
                labels = [i.label or f"{zone} DNSKEY" for i in stale]
                out.append(_finding(zone, alg, step, segs[k].start, safe, labels, over=over))
    return out


def _algorithms(served: Sequence[Served]) -> set[int]:
    return {alg for item in served for _, alg in item.keys}


def _new(sets: Sequence[ZoneSets], k: int, kind: str) -> list[int]:
    """Algorithms of ``kind`` sets served in segment ``k`` and not in the one before."""
    return sorted(_algorithms(getattr(sets[k], kind)) - _algorithms(getattr(sets[k - 1], kind)))


def _gone(sets: Sequence[ZoneSets], k: int) -> list[int]:
    """Algorithms the data was signed with in the segment before ``k`` and is not in ``k``."""
    return sorted(_algorithms(sets[k - 1].rrsig) - _algorithms(sets[k].rrsig))


def _lacks(alg: int) -> Algorithms:
    return lambda algorithms: alg not in algorithms


def _has(alg: int) -> Algorithms:
    return lambda algorithms: alg in algorithms


def _finding(
    zone: str, alg: int, step: str, at: int, safe: int | None, labels: list[str], *, over: bool
) -> Finding:
    """The finding for ``step`` (``added``: the DNSKEY came too early; ``removed``: the
    signatures went too early); ``over``: the risk has passed (history), a warning as in
    ``rollover``."""
    params: dict[str, object] = {
        "algorithm": alg,
        "zone": zone,
        "at": iso(at),
        "rrsets": ", ".join(sorted(set(labels))[:MAX_EXAMPLES]),
    }
    if safe is not None:
        params["safe"] = iso(safe)
    prefix = "" if step == "added" else "removed_"
    return catalog.finding(
        CODE,
        zone=zone,
        says=f"{prefix}safe_at" if safe is not None else f"{prefix}safe_unknown",
        params=params,
        evidence={
            "algorithm": alg,
            "step": step,
            "at": iso(at),
            "safe_at": iso(safe) if safe is not None else None,
            "rrsets": sorted(set(labels))[:MAX_EXAMPLES],
        },
        subject=f"algorithm {alg}" if step == "added" else f"algorithm {alg} removed",
        severity=Severity.WARNING if over else None,
    )
