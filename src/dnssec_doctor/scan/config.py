"""What every name of a scan is probed and analysed with (picklable: it goes to workers)."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import dns.name

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.scan.ratelimit import DEFAULT_RATE
from dnssec_doctor.scan.sharedwire import MAX_ENTRIES

MIN_SHARED_ANSWERS = 2_000
"""Shared exchanges a worker keeps at least (its root, TLD and hosters' answers)."""
DEFAULT_CONCURRENCY = 64
"""Names probed at once on one machine (each asks tens of questions in parallel)."""


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """The common options of a scan, as plain values."""

    root_hints: tuple[str, ...]
    trust_anchors: tuple[str, ...]
    """Trust anchor records in presentation format."""
    now: int
    """The moment the analysis evaluates (``--at``), POSIX seconds."""
    seed: str
    """Seed of the denial probes' random labels (one per scan: shared answers stay shared)."""
    limits: Limits = dataclasses.field(default_factory=Limits)
    resolvers: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    expiry_warning: int = 7 * 86400
    rate: float = DEFAULT_RATE
    """Queries per second per server address (this process's share)."""
    concurrency: int = DEFAULT_CONCURRENCY
    history: bool = False
    """``--db``: the workers also prepare each name's history record (``analyse``)."""
    shared_answers: int = MAX_ENTRIES
    """Shared exchanges this process keeps (``SharedWire``: its share of the scan's)."""

    def with_rate(self, rate: float) -> ScanConfig:
        """A copy with another per-destination rate (a worker's share)."""
        return dataclasses.replace(self, rate=rate)

    def share(self, workers: int) -> ScanConfig:
        """One of ``workers`` processes' share: of the rate to each server (politeness
        stays global) and of the shared answers kept (memory stays the scan's)."""
        return dataclasses.replace(
            self,
            rate=self.rate / workers,
            shared_answers=max(MIN_SHARED_ANSWERS, self.shared_answers // workers),
        )

    def request(self, name: str) -> ProbeRequest:
        """The probe request for one (already validated) name."""
        base = _base_request(self.root_hints, self.trust_anchors, self.resolvers, self.types,
                             self.seed, self.limits)  # fmt: skip
        return dataclasses.replace(base, name=dns.name.from_text(name))


@functools.lru_cache(maxsize=4)
def _base_request(
    root_hints: tuple[str, ...],
    anchors: tuple[str, ...],
    resolvers: tuple[str, ...],
    types: tuple[str, ...],
    seed: str,
    limits: Limits,
) -> ProbeRequest:
    """Parsed once per process, not once per name."""
    return ProbeRequest(
        name=dns.name.root,
        root_hints=tuple(ServerAddress.parse(a) for a in root_hints),
        trust_anchors=anchors_from_lines(list(anchors), "trust anchors"),
        resolvers=tuple(ServerAddress.parse(a) for a in resolvers),
        extra_types=types,
        seed=seed,
        limits=limits,
    )
