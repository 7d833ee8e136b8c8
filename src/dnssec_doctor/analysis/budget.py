"""ANALYSIS_BUDGET_EXCEEDED for queries the budget stopped: exactly what was not asked.

The transport records every query it refused (outcome ``budget``, with the limit
in ``error``), so the finding can say which questions went unanswered — the
name's own, the address lookups of NS names, or other probes — rather than a
vague "some queries were not sent" (a reader must know which results are missing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.limits import OPTIONAL_LIMIT, Limits
from dnssec_doctor.model.capture import NOT_IN_CAPTURE, Exchange
from dnssec_doctor.model.findings import Finding

SHOWN = 4
"""Examples of unasked questions named per group."""


def budget_finding(
    exchanges: Sequence[Exchange], name: str, zone: str, limits: Limits
) -> Finding | None:
    """One finding naming the limits hit and the questions they left unasked."""
    refused = [e for e in exchanges if e.outcome == "budget" and e.error != NOT_IN_CAPTURE]
    if not refused:
        return None
    sent = sum(1 for e in exchanges if e.outcome not in ("budget", "policy"))
    limits_hit = sorted({_limit(e.error) for e in refused})
    groups: dict[str, Counter[str]] = {
        f"questions about {name}": Counter(),
        "NS address lookups": Counter(),
        "other probes": Counter(),
    }
    for e in refused:
        q = e.query
        label = f"{q.qname} {q.qtype}"
        if q.qname.lower() == name.lower():
            groups[f"questions about {name}"][label] += 1
        elif OPTIONAL_LIMIT in e.error or (q.qtype in ("A", "AAAA") and not q.do):
            groups["NS address lookups"][label] += 1
        else:
            groups["other probes"][label] += 1
    parts = []
    for title, counter in groups.items():
        if not counter:
            continue
        shown = ", ".join(list(counter)[:SHOWN])
        more = f" and {len(counter) - SHOWN} more" if len(counter) > SHOWN else ""
        parts.append(f"{sum(counter.values())} {title} ({shown}{more})")
    name_missed = bool(groups[f"questions about {name}"])
    return catalog.finding(
        Code.ANALYSIS_BUDGET_EXCEEDED,
        zone=zone,
        subject="queries",
        says="name_incomplete" if name_missed else "name_complete",
        params={
            "sent": sent,
            "limits": f"limit{'s' if len(limits_hit) > 1 else ''} {', '.join(limits_hit)}",
            "stopped": len(refused),
            "groups": "; ".join(parts),
            "name": name,
        },
        evidence={
            "sent": sent,
            "not_sent": len(refused),
            "limits": limits_hit,
            "max_queries": limits.max_queries,
            "deadline": limits.deadline,
            **{title: sum(c.values()) for title, c in groups.items()},
        },
    )


def _limit(error: str) -> str:
    """``max_queries=2000`` from ``not sent: max_queries=2000 reached``."""
    return error.removeprefix("not sent: ").removesuffix(" reached") or "a limit"
