"""Collecting the zone verifier's findings, bounded per code.

A zone with a million expired signatures must not build a million findings in
memory: each code keeps its first ``cap`` instances, counts the rest, and
:meth:`Emitter.findings` adds one summary finding per code that overflowed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.findings import Finding, JsonValue
from dnssec_doctor.model.severity import Severity


class Emitter:
    """Builds findings for one zone through the catalog."""

    def __init__(self, zone: str, cap: int = 10_000) -> None:
        self.zone = zone
        self._cap = cap
        self._items: list[Finding] = []
        self._seen: set[str] = set()
        self.counts: Counter[Code] = Counter()
        self._overflow: Counter[Code] = Counter()

    def add(
        self,
        code: Code,
        says: str,
        params: Mapping[str, object],
        *,
        subject: str = "",
        line: int | None = None,
        severity: Severity | None = None,
        evidence: Mapping[str, JsonValue] | None = None,
    ) -> Finding | None:
        """Record one instance of ``code``, case ``says`` of its catalog templates filled
        from ``params``; None when it is over the cap or a repeat. The templates are filled
        only for the instances kept, so a million repeats cost a count each."""
        self.counts[code] += 1
        if self.counts[code] > self._cap:
            self._overflow[code] += 1
            return None
        item = catalog.finding(
            code,
            zone=self.zone,
            says=says,
            params=params,
            subject=subject,
            line=line,
            severity=severity,
            evidence=evidence,
        )
        if item.key in self._seen:
            return None
        self._seen.add(item.key)
        self._items.append(item)
        return item

    def findings(self) -> tuple[Finding, ...]:
        """Every finding kept, plus one "and N more" finding per capped code."""
        extra = []
        for code, more in self._overflow.items():
            worst = max(f.severity for f in self._items if f.code == code)
            extra.append(
                catalog.finding(
                    code,
                    zone=self.zone,
                    detail=f"{more:,} more instances of {code} were found but not listed "
                    f"(limit {self._cap:,} per code)",
                    subject="(more)",
                    severity=worst,
                    evidence={"unlisted": more},
                )
            )
        return (*self._items, *extra)
