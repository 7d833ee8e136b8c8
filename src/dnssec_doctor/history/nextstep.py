"""The earliest safe time for the next step of a rollover in progress, from history.

Pure. The live analysis names the stage a key set shows (ROLLOVER_IN_PROGRESS); history
adds when the next step becomes safe (RFC 7583 §3.2.1, §3.3.2), with the same rule as
``rollover``: a step is safe once every set it would break, if a resolver still cached
it, has gone from every server for its TTL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.history.facts import ObservationFacts
from dnssec_doctor.history.records import StoredObservation
from dnssec_doctor.history.rollover import (
    Key,
    Segment,
    ZoneSets,
    safe_time,
    segments_of,
    zone_sets,
)
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.timefmt import iso

Breaks = Callable[[frozenset[Key]], bool]


@dataclass(frozen=True, slots=True)
class NextStep:
    """The next step of a rollover in progress and the earliest time it is safe."""

    zone: str
    step: str
    safe_at: int | None
    """None: a server still serves a set the step would break."""
    waiting_on: tuple[str, ...] = ()


def next_steps(
    history: Sequence[StoredObservation], facts: dict[int, ObservationFacts]
) -> list[NextStep]:
    """For each rollover the newest observation shows, when its next step is safe
    (RFC 7583 §3.2.1 and §3.3.2): a pre-published ZSK may sign once no DNSKEY RRset
    without it can be cached; a retired ZSK may go once no signature made only by it
    can be; the DS may name a new KSK once no DNSKEY RRset not signed by it can be; an
    old KSK may go once no DS set naming only it can be."""
    segs = segments_of(history)
    if not segs:
        return []
    out: list[NextStep] = []
    newest = facts[segs[-1].state_id]
    for zone in newest.zones:
        sets = [zone_sets(facts[s.state_id], zone) for s in segs]
        now = sets[-1]
        published = set().union(*(d.keys for d in now.dnskey)) if now.dnskey else set()
        signing = set().union(*(r.keys for r in now.rrsig)) if now.rrsig else set()
        anchors = set().union(*(a.keys for a in now.anchors)) if now.anchors else set()
        ds = set().union(*(d.keys for d in now.ds)) if now.ds else set()
        ksks = {(k.key_tag, k.algorithm) for k in newest.keys if k.zone == zone and k.role == "KSK"}
        zsks = published - ksks
        ever = _ever_signing(sets)
        for key in sorted(zsks - signing - ever) if signing & zsks else ():
            step = f"sign the data with the new ZSK {key[0]}"
            out.append(_step(zone, segs, sets, "dnskey", _lacks(key), step))
        for key in sorted((zsks & ever) - signing) if signing else ():
            rest = frozenset(published - {key})
            step = f"remove the old ZSK {key[0]} from the DNSKEY RRset"
            out.append(_step(zone, segs, sets, "rrsig", _disjoint(rest), step))
        new = _newer(sets, anchors)
        if len(anchors) > 1 and ds and new and not ds & new:
            step = f"replace the DS at the parent with the DS of KSK {_tags(new)}"
            out.append(_step(zone, segs, sets, "anchors", _disjoint(new), step))
        if len(anchors) > 1 and ds and new and ds <= new:
            old = frozenset(anchors - new)
            step = f"remove the old KSK {_tags(old)}"
            out.append(_step(zone, segs, sets, "ds", _only(old), step))
    return out


def _newer(sets: Sequence[ZoneSets], anchors: set[Key]) -> frozenset[Key]:
    """The keys among ``anchors`` that began signing the DNSKEY RRset after the others."""
    first: dict[Key, int] = {}
    for j, served in enumerate(sets):
        for item in served.anchors:
            for key in item.keys & anchors:
                first.setdefault(key, j)
    oldest = min(first.values(), default=0)
    return frozenset(k for k, j in first.items() if j > oldest)


def _ever_signing(sets: Sequence[ZoneSets]) -> set[Key]:
    return {k for z in sets for r in z.rrsig for k in r.keys}


def _step(
    zone: str,
    segs: Sequence[Segment],
    sets: Sequence[ZoneSets],
    kind: str,
    breaks: Breaks,
    step: str,
) -> NextStep:
    """``step`` is safe once every set of ``kind`` it ``breaks`` is gone plus its TTL."""
    latest: int | None = 0
    waiting: set[str] = set()
    last = len(segs) - 1
    for j, served in enumerate(sets):
        for item in getattr(served, kind):
            if not item.keys or not breaks(item.keys):
                continue
            safe_at, servers = safe_time(segs, sets, j, item)
            if safe_at is None:
                waiting |= set(servers)
                latest = None
            elif latest is not None:
                latest = max(latest, safe_at)
    if latest == 0:
        # Nothing in the history would break: the state is older than the history, so
        # the wait certainly ended a TTL after the first observation.
        ttl = max((i.ttl for i in getattr(sets[last], kind)), default=0)
        latest = segs[0].start + ttl
    return NextStep(zone, step, latest, tuple(sorted(waiting)))


def _tags(keys: frozenset[Key]) -> str:
    return ", ".join(str(tag) for tag, _ in sorted(keys))


def _lacks(key: Key) -> Breaks:
    return lambda keys: key not in keys


def _disjoint(others: frozenset[Key]) -> Breaks:
    return lambda keys: not keys & others


def _only(old: frozenset[Key]) -> Breaks:
    return lambda keys: bool(keys) and keys <= old


def with_safe_times(diagnosis: Diagnosis, steps: Sequence[NextStep]) -> Diagnosis:
    """ROLLOVER_IN_PROGRESS findings with the safe time of each next step as evidence."""
    if not steps:
        return diagnosis
    findings = []
    for f in diagnosis.findings:
        mine = [s for s in steps if s.zone == f.zone]
        if f.code != Code.ROLLOVER_IN_PROGRESS or not mine:
            findings.append(f)
            continue
        text = "; ".join(_sentence(s) for s in mine)
        evidence = {
            **f.evidence,
            "next_steps": [
                {"step": s.step, "safe_at": iso(s.safe_at) if s.safe_at is not None else None,
                 "waiting_on": list(s.waiting_on)}
                for s in mine
            ],
        }  # fmt: skip
        findings.append(replace(f, detail=f"{f.detail} From history: {text}.", evidence=evidence))
    return replace(diagnosis, findings=tuple(findings))


def _sentence(step: NextStep) -> str:
    if step.safe_at is None:
        return f"{step.step} only after {', '.join(step.waiting_on)} serve the current set"
    return f"{step.step} from {iso(step.safe_at)}"
