"""Findings and the diagnosis that carries them: the analysis's output, as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from dnssec_doctor.model.graph import ChainGraph
from dnssec_doctor.model.severity import Severity

Status = Literal["secure", "insecure", "bogus", "indeterminate"]
"""RFC 4035 §4.3 validation state."""

JsonValue = Any
"""Anything json.dumps accepts (kept loose: evidence is built from many sources)."""


def finding_key(code: str, zone: str, subject: str = "") -> str:
    """The identity of the finding ``code`` at ``zone`` about ``subject`` (``Finding.key``):
    what a consequence names in ``caused_by`` before or without holding its cause."""
    base = f"{code}@{zone}"
    return f"{base}#{subject}" if subject else base


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or fact) with its evidence and fix.

    ``servers`` are the addresses that showed it (empty: the data everywhere);
    ``servers_ok`` the addresses asked that did not show it.
    ``caused_by`` holds the ``key`` of findings this one is a consequence of.
    """

    code: str
    severity: Severity
    zone: str
    title: str
    detail: str
    fix: str
    symptoms: tuple[str, ...] = ()
    servers: tuple[str, ...] = ()
    servers_ok: tuple[str, ...] = ()
    caused_by: tuple[str, ...] = ()
    evidence: Mapping[str, JsonValue] = field(default_factory=dict)
    line: int | None = None
    subject: str = ""
    """What exactly the finding is about (an RRset, a key tag, a name) within the zone."""

    @property
    def key(self) -> str:
        """A stable identifier within one diagnosis, used by ``caused_by``."""
        return finding_key(self.code, self.zone, self.subject)

    @property
    def is_root_cause(self) -> bool:
        """True when no other finding explains this one."""
        return not self.caused_by

    def with_cause(self, *keys: str) -> Finding:
        """A copy that points to the findings it is a consequence of."""
        merged = tuple(dict.fromkeys((*self.caused_by, *keys)))
        return replace(self, caused_by=merged)


@dataclass(frozen=True, slots=True)
class ZoneReport:
    """The state of one zone on the chain from the trust anchor to the name."""

    name: str
    status: Status
    servers: tuple[str, ...] = ()
    reason: str = ""
    valid_until: int | None = None
    """Earliest expiration (POSIX) among the zone's valid signatures: when it breaks."""


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What ``check`` or ``zone`` concluded about one name or file."""

    name: str
    at: int
    """POSIX seconds the analysis evaluated validity at."""
    status: Status
    findings: tuple[Finding, ...]
    zones: tuple[ZoneReport, ...] = ()
    servers: tuple[str, ...] = ()
    stats: Mapping[str, JsonValue] = field(default_factory=dict)
    graph: ChainGraph | None = None
    """The key-level chain-of-trust graph (``check``; None where no chain was walked)."""

    @property
    def worst(self) -> Severity:
        """The highest severity among the findings (INFO when there are none)."""
        return max((f.severity for f in self.findings), default=Severity.INFO)

    @property
    def valid_until(self) -> int | None:
        """The earliest expiration (POSIX) of a valid signature anywhere on the chain.

        The soonest a zone on the chain from the trust anchor to the name breaks
        unless it is re-signed (RFC 4034 §3.1.5); None when no signature validated.
        """
        return min((z.valid_until for z in self.zones if z.valid_until is not None), default=None)

    def root_causes(self) -> tuple[Finding, ...]:
        """Findings no other finding explains, worst first."""
        roots = [f for f in self.findings if f.is_root_cause]
        return tuple(sorted(roots, key=lambda f: -f.severity))
