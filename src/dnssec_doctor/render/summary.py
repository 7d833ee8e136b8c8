"""Summaries several renderers share: root causes vs the rest, finding counts per zone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from dnssec_doctor.model.findings import Finding, JsonValue
from dnssec_doctor.model.severity import Severity

STATUSES = ("secure", "insecure", "bogus", "indeterminate")
"""The RFC 4035 §4.3 states, the only values renderers use as class names or colours."""

ROOT_MIN = Severity.NOTICE
"""Root causes below this are facts, not problems, and go with the other findings."""


def split_findings(findings: Sequence[Finding]) -> tuple[list[Finding], list[Finding]]:
    """Root causes worth reading first (worst first, otherwise in order), and the rest."""
    roots = [f for f in findings if f.is_root_cause and f.severity >= ROOT_MIN]
    roots.sort(key=lambda f: -f.severity)
    chosen = {id(f) for f in roots}
    return roots, [f for f in findings if id(f) not in chosen]


def zone_key(name: str) -> str:
    """A zone name for comparison: DNS names are case-insensitive (RFC 4343)."""
    return name.rstrip(".").casefold() + "."


def findings_by_zone(findings: Iterable[Finding]) -> dict[str, Counter[Severity]]:
    """Severity counts per zone, keyed by ``zone_key``."""
    counts: dict[str, Counter[Severity]] = {}
    for f in findings:
        counts.setdefault(zone_key(f.zone), Counter())[f.severity] += 1
    return counts


def count_text(counts: Counter[Severity] | None) -> str:
    """``3 findings: 1 critical, 2 warning`` or ``no findings``."""
    if not counts:
        return "no findings"
    total = sum(counts.values())
    parts = [f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True)]
    return f"{total} finding{'s' if total != 1 else ''}: {', '.join(parts)}"


def compact(value: JsonValue) -> str:
    """Evidence as one line: strings as they are, lists joined, mappings as ``k=v``."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={compact(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(compact(v) for v in value)
    return str(value)


def known_status(status: str) -> str:
    """A status safe to use as a class name or colour key (unknown → indeterminate)."""
    return status if status in STATUSES else "indeterminate"
