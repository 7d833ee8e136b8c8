"""Collecting findings: the same problem seen on several servers becomes one finding."""

from __future__ import annotations

from dataclasses import replace

from dnssec_doctor.model.findings import Finding


class FindingSet:
    """Findings keyed by (code, zone, subject); repeats merge their servers and details."""

    def __init__(self) -> None:
        self._items: dict[str, Finding] = {}

    def add(self, finding: Finding) -> Finding:
        """Add ``finding``, merging it into an existing one with the same key."""
        old = self._items.get(finding.key)
        if old is None:
            self._items[finding.key] = finding
            return finding
        servers = tuple(sorted(set(old.servers) | set(finding.servers)))
        servers_ok = tuple(sorted((set(old.servers_ok) | set(finding.servers_ok)) - set(servers)))
        merged = replace(
            old,
            servers=servers,
            servers_ok=servers_ok,
            severity=max(old.severity, finding.severity),
            caused_by=tuple(dict.fromkeys((*old.caused_by, *finding.caused_by))),
        )
        self._items[finding.key] = merged
        return merged

    def extend(self, findings: list[Finding]) -> None:
        """Add several findings."""
        for f in findings:
            self.add(f)

    def replace(self, finding: Finding) -> None:
        """Overwrite the finding with the same key."""
        self._items[finding.key] = finding

    def get(self, key: str) -> Finding | None:
        """The finding with ``key``, if any."""
        return self._items.get(key)

    def all(self) -> list[Finding]:
        """Every finding, in insertion order."""
        return list(self._items.values())

    def codes(self) -> set[str]:
        """The codes present."""
        return {f.code for f in self._items.values()}
