"""What one probe is asked to do: the name, where to start, and its limits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import dns.name

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import TrustAnchors

DEFAULT_TYPES: tuple[str, ...] = ("A", "AAAA", "TXT", "MX")
"""Types examined at the name by default (docs/contract.md: TXT included)."""

NODATA_PROBE_TYPE = "NULL"
"""A type almost no zone holds, asked for to get a NODATA proof (RFC 1035 NULL)."""


@dataclass(frozen=True, slots=True)
class ProbeRequest:
    """The inputs of one collection run (all of them are recorded in the capture)."""

    name: dns.name.Name
    root_hints: tuple[ServerAddress, ...]
    trust_anchors: TrustAnchors
    ns_override: tuple[ServerAddress, ...] = ()
    resolvers: tuple[ServerAddress, ...] = ()
    extra_types: tuple[str, ...] = ()
    seed: str = "0"
    limits: Limits = field(default_factory=Limits)

    @property
    def types(self) -> tuple[str, ...]:
        """Every type asked for at the name, without repeats."""
        return tuple(dict.fromkeys((*DEFAULT_TYPES, *(t.upper() for t in self.extra_types))))

    def nonexistent_label(self, zone: dns.name.Name) -> str:
        """A label that should not exist under ``zone``, stable for a given seed (for replay)."""
        digest = hashlib.sha256(f"{self.seed}|{zone.to_text()}".encode()).hexdigest()
        return f"dnssec-doctor-nx-{digest[:12]}"
