"""A name that is an alias into another zone: its status is its target's too.

A validator answers a query for an alias with the whole chain: the CNAME (or the
DNAME it was synthesised from) validated with its zone's keys, and the target's
RRsets with theirs (RFC 4035 §5.3.3, RFC 6672 §5.3.3). So the name is only as
secure as the weaker of the two: secure needs both secure, a bogus link makes it
bogus. The target was collected with its own chain (``probe.aliases``); its
findings and zones join the name's diagnosis, and its zones join the key graph
where its chain leaves the name's (``ChainParts``), so that every finding the
target brings is drawn on some element.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from dnssec_doctor.analysis.chain.rrsigs import RRsetVerdict
from dnssec_doctor.analysis.chain.zonedata import ZoneData
from dnssec_doctor.analysis.chain.zones import ZoneEval
from dnssec_doctor.model.findings import Diagnosis, Finding, Status

WEAKNESS: dict[Status, int] = {"secure": 0, "insecure": 1, "indeterminate": 2, "bogus": 3}
"""How much a status weakens an answer that goes through it (the weakest link wins)."""


def with_alias(own: Diagnosis, target_name: str, target: Diagnosis) -> Diagnosis:
    """The diagnosis of a name whose answer continues at ``target_name``."""
    status = own.status
    reason = str(own.stats.get("status_reason", ""))
    if WEAKNESS[target.status] > WEAKNESS[own.status]:
        status = target.status
        target_reason = str(target.stats.get("status_reason", ""))
        reason = f"{own.name} is an alias of {target_name}, which is {target.status}" + (
            f": {target_reason}" if target_reason else ""
        )
    names = {z.name for z in own.zones}
    return replace(
        own,
        status=status,
        findings=_merged(own.findings, target.findings),
        zones=(*own.zones, *(z for z in target.zones if z.name not in names)),
        servers=tuple(sorted({*own.servers, *target.servers})),
        stats={**own.stats, "status_reason": reason},
    )


def _merged(first: tuple[Finding, ...], second: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Both sets of findings, each once (the exchanges the two chains share give the same)."""
    seen = {f.key for f in first}
    return (*first, *(f for f in second if f.key not in seen))


@dataclass(frozen=True, slots=True)
class ChainParts:
    """What the key graph is drawn from: the zones, root first, and their checks."""

    evals: tuple[ZoneEval, ...]
    data: tuple[ZoneData, ...]
    ds_verdicts: tuple[Sequence[RRsetVerdict], ...]
    parents: tuple[int, ...]
    """The index of each zone's parent in ``evals`` (-1: the root)."""

    @classmethod
    def linear(
        cls,
        evals: Sequence[ZoneEval],
        data: Sequence[ZoneData],
        ds_verdicts: Sequence[Sequence[RRsetVerdict]],
    ) -> ChainParts:
        """One chain: each zone's parent is the one before it."""
        parents = tuple(range(-1, len(evals) - 1))
        return cls(tuple(evals), tuple(data), tuple(ds_verdicts), parents)


def joined_parts(own: ChainParts, target: ChainParts) -> ChainParts:
    """The name's zones, then the target's zones the name's chain does not hold, each
    under its own parent (the target's chain shares the name's down to where it leaves)."""
    names = [ev.name for ev in own.evals]
    evals, data = list(own.evals), list(own.data)
    ds_verdicts, parents = list(own.ds_verdicts), list(own.parents)
    for k, ev in enumerate(target.evals):
        if ev.name in names:
            continue
        parent = target.parents[k]
        parents.append(names.index(target.evals[parent].name) if parent >= 0 else -1)
        names.append(ev.name)
        evals.append(ev)
        data.append(target.data[k])
        ds_verdicts.append(target.ds_verdicts[k])
    return ChainParts(tuple(evals), tuple(data), tuple(ds_verdicts), tuple(parents))
