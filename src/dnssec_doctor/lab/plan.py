"""A lab described as data: which server serves which zone copy, with which faults.

The embedded backend (``lab.embedded``) and the real-server backend
(``lab.real``) both start servers from a ``LabPlan``; the scenario builder
(``lab.scenarios``) produces it. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dnssec_doctor.addresses import ServerAddress

FAULTS: dict[str, str] = {
    "timeout": "never answers (lame server)",
    "refused": "answers every query with REFUSED",
    "drop-udp-over-512": "drops UDP answers larger than 512 bytes (old firewall); TCP is blocked",
    "drop-do": "drops queries with the DO bit set (DNSSEC-unaware middlebox)",
    "strip-denial": "answers negatives with the SOA only, no NSEC/NSEC3 (pre-NSEC3 server)",
    "no-tcp": "TCP/53 closed",
    "delay-50ms": "every answer delayed by 50 ms",
}
"""Fault names the embedded backend injects → what they imitate."""


@dataclass(frozen=True, slots=True)
class ServedZone:
    """One copy of one zone, as a master file, served by one server."""

    origin: str
    text: str


@dataclass(frozen=True, slots=True)
class LabServer:
    """One authoritative server address and the zone copies it serves."""

    hostname: str
    address: ServerAddress
    zones: tuple[ServedZone, ...]
    faults: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """One scenario: its zone, what it shows and the diagnosis we expect."""

    name: str
    zone: str
    description: str
    expected_status: str
    expected_codes: tuple[str, ...] = ()
    """The complete set of root-cause codes (nothing else may be a root cause)."""
    faulty_servers: tuple[str, ...] = ()
    """Addresses the expected findings must name (empty: the zone data everywhere)."""
    query_name: str = ""
    """The name to check (defaults to the zone apex)."""
    query_type: str = ""
    """The type to check at ``query_name`` (empty: the checker's default)."""
    embedded_only: bool = False
    """True when the fault needs the embedded backend's fault injection."""
    consequences: tuple[tuple[str, str], ...] = ()
    """(code, code of its cause): the findings that must be linked to a root cause, and
    every finding that is not a root cause must be one of them."""
    forbidden_codes: tuple[str, ...] = ()
    """Codes that must not appear at all: the plausible wrong diagnoses of the scenario."""


@dataclass(frozen=True, slots=True)
class LabPlan:
    """Everything needed to start a lab and to point tools at it."""

    servers: tuple[LabServer, ...]
    root_hints: tuple[ServerAddress, ...]
    trust_anchor_ds: tuple[str, ...]
    """Root DS records in presentation format (``. 3600 IN DS …``)."""
    trust_anchor_dnskey: tuple[str, ...]
    """Root KSK DNSKEY records in presentation format."""
    scenarios: tuple[ScenarioInfo, ...]
    built_at: int
    """POSIX time the keys and signatures were made relative to."""
    extra: dict[str, str] = field(default_factory=dict)
