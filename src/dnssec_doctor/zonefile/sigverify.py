"""Bulk RRSIG verification for a zone, in parallel across processes.

Each RRset with signatures becomes a :class:`SigJob` (plain bytes, cheap to
pickle); jobs are verified in chunks by :func:`verify_chunk` with the shared
:func:`dnssec_doctor.dnssec.signatures.check_signature`. Only problems come back
(plus counts and the earliest expiration), so memory stays proportional to the
chunk, not the zone. With ``jobs == 1`` everything runs in-process.
"""

from __future__ import annotations

import concurrent.futures
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.name

from dnssec_doctor.dnssec.keys import AnyKey
from dnssec_doctor.dnssec.signatures import (
    KeyRing,
    RrsigFields,
    SigCheck,
    SignedRRset,
    SigStatus,
    check_signature,
)
from dnssec_doctor.limits import Limits


@dataclass(frozen=True, slots=True)
class SigJob:
    """One RRset and the RRSIGs that cover it."""

    owner: dns.name.Name
    rdtype: int
    rdclass: int
    ttl: int
    rdatas: tuple[bytes, ...]
    sigs: tuple[tuple[bytes, int, int], ...]
    """(RRSIG RDATA, RRSIG TTL, line) for each signature."""


@dataclass(frozen=True, slots=True)
class SigProblem:
    """One RRSIG that is not valid, with what a finding needs to say why."""

    owner: dns.name.Name
    rdtype: int
    line: int
    status: SigStatus
    key_tag: int
    algorithm: int
    inception: int
    expiration: int
    detail: str
    keys_skipped: int
    rrset_valid_algorithms: frozenset[int]
    """Algorithms with a fully valid signature over the same RRset."""


@dataclass(slots=True)
class SigTotals:
    """Everything verification learned, merged over all chunks."""

    checked: int = 0
    valid: int = 0
    problems: list[SigProblem] = field(default_factory=list)
    earliest_expiration: tuple[int, str, int] | None = None
    """(POSIX expiration, owner, type) of the valid signature that expires first."""
    ttl_outlives: list[tuple[str, int, int, int]] = field(default_factory=list)
    """(owner, type, TTL, expiration) where TTL reaches past expiration (first few)."""
    ttl_differs: list[tuple[str, int, int]] = field(default_factory=list)
    """(owner, type, line) where an RRSIG's own TTL differs from the RRset's."""
    ttl_differs_count: int = 0
    dropped: int = 0
    """Problems not kept because of ``keep`` (counted, not listed)."""

    def merge(self, other: SigTotals, keep: int) -> None:
        """Fold another chunk's totals in, keeping at most ``keep`` list items."""
        self.checked += other.checked
        self.valid += other.valid
        room = keep - len(self.problems)
        self.problems.extend(other.problems[: max(room, 0)])
        self.dropped += max(len(other.problems) - max(room, 0), 0)
        if other.earliest_expiration is not None and (
            self.earliest_expiration is None or other.earliest_expiration < self.earliest_expiration
        ):
            self.earliest_expiration = other.earliest_expiration
        self.ttl_outlives.extend(other.ttl_outlives[: max(20 - len(self.ttl_outlives), 0)])
        self.ttl_differs.extend(other.ttl_differs[: max(20 - len(self.ttl_differs), 0)])
        self.ttl_differs_count += other.ttl_differs_count
        self.dropped += other.dropped


@dataclass(frozen=True, slots=True)
class _Context:
    keys: tuple[AnyKey, ...]
    zone: dns.name.Name
    now: int
    limits: Limits


_WORKER: tuple[KeyRing, _Context] | None = None


def _init_worker(context: _Context) -> None:
    global _WORKER  # noqa: PLW0603 (per-process state set once by the pool initializer)
    _WORKER = (KeyRing(context.keys), context)


def _worker_chunk(chunk: list[SigJob]) -> SigTotals:
    assert _WORKER is not None
    return verify_chunk(chunk, _WORKER[0], _WORKER[1].zone, _WORKER[1].now, _WORKER[1].limits)


def verify_chunk(
    chunk: Sequence[SigJob], ring: KeyRing, zone: dns.name.Name, now: int, limits: Limits
) -> SigTotals:
    """Verify every signature of every job in ``chunk``."""
    totals = SigTotals()
    for job in chunk:
        rrset = SignedRRset(job.owner, job.rdtype, job.rdclass, job.ttl, job.rdatas)
        results: list[tuple[SigCheck, int]] = []
        for rdata, sig_ttl, line in job.sigs:
            try:
                fields = RrsigFields.from_wire(rdata)
            except ValueError as exc:
                results.append((_malformed(job, str(exc)), line))
                continue
            results.append((check_signature(rrset, fields, sig_ttl, ring, zone, now, limits), line))
        valid_algs = frozenset(r.algorithm for r, _ in results if r.valid)
        for result, line in results:
            totals.checked += 1
            if result.rrsig_ttl_differs:
                totals.ttl_differs_count += 1
                if len(totals.ttl_differs) < 20:
                    totals.ttl_differs.append((job.owner.to_text(), job.rdtype, line))
            if result.valid:
                totals.valid += 1
                earliest = totals.earliest_expiration
                if earliest is None or result.expiration < earliest[0]:
                    totals.earliest_expiration = (
                        result.expiration,
                        job.owner.to_text(),
                        job.rdtype,
                    )
                if now + job.ttl > result.expiration and len(totals.ttl_outlives) < 20:
                    totals.ttl_outlives.append(
                        (job.owner.to_text(), job.rdtype, job.ttl, result.expiration)
                    )
                continue
            totals.problems.append(
                SigProblem(
                    job.owner, job.rdtype, line, result.status, result.key_tag,
                    result.algorithm, result.inception, result.expiration, result.detail,
                    result.keys_skipped, valid_algs,
                )
            )  # fmt: skip
    return totals


def _malformed(job: SigJob, detail: str) -> SigCheck:
    return SigCheck(
        status=SigStatus.LABELS_INVALID,
        key_tag=0,
        algorithm=0,
        signer=dns.name.root,
        type_covered=job.rdtype,
        inception=0,
        expiration=0,
        detail=f"RRSIG RDATA cannot be decoded: {detail}",
    )


class Verifier:
    """Collects jobs into chunks and verifies them, in worker processes if ``jobs > 1``.

    ``start`` must be called once the zone's keys are known; jobs submitted before
    that wait in memory. At most ``2 * jobs`` chunks are in flight, so a fast
    reader cannot queue the whole zone.
    """

    def __init__(
        self, *, jobs: int, zone: dns.name.Name, now: int, limits: Limits,
        chunk_size: int = 400, keep_problems: int = 100_000,
    ) -> None:  # fmt: skip
        self._jobs = max(1, jobs)
        self._zone = zone
        self._now = now
        self._limits = limits
        self._chunk_size = chunk_size
        self._keep = keep_problems
        self._chunk: list[SigJob] = []
        self._waiting: list[list[SigJob]] = []
        self._ring: KeyRing | None = None
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._inflight: deque[concurrent.futures.Future[SigTotals]] = deque()
        self.totals = SigTotals()

    def start(self, keys: Sequence[AnyKey]) -> None:
        """Keys are known: verify what waited, then everything as it comes."""
        context = _Context(tuple(keys), self._zone, self._now, self._limits)
        self._ring = KeyRing(context.keys)
        if self._jobs > 1:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self._jobs, initializer=_init_worker, initargs=(context,)
            )
        waiting, self._waiting = self._waiting, []
        for chunk in waiting:
            self._dispatch(chunk)

    @property
    def started(self) -> bool:
        """True once :meth:`start` ran."""
        return self._ring is not None

    def submit(self, job: SigJob) -> None:
        """Queue one RRset for verification."""
        self._chunk.append(job)
        if len(self._chunk) >= self._chunk_size:
            chunk, self._chunk = self._chunk, []
            if self._ring is None:
                self._waiting.append(chunk)
            else:
                self._dispatch(chunk)

    def _dispatch(self, chunk: list[SigJob]) -> None:
        assert self._ring is not None
        if self._pool is None:
            self.totals.merge(
                verify_chunk(chunk, self._ring, self._zone, self._now, self._limits), self._keep
            )
            return
        while len(self._inflight) >= 2 * self._jobs:
            self.totals.merge(self._inflight.popleft().result(), self._keep)
        self._inflight.append(self._pool.submit(_worker_chunk, chunk))

    def finish(self) -> SigTotals:
        """Verify the rest and return the merged totals."""
        if self._ring is None:
            self.start(())
        if self._chunk:
            chunk, self._chunk = self._chunk, []
            self._dispatch(chunk)
        while self._inflight:
            self.totals.merge(self._inflight.popleft().result(), self._keep)
        self.close()
        return self.totals

    def close(self) -> None:
        """Stop the worker processes (also on errors)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
