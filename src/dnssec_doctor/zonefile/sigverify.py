"""Bulk RRSIG verification for a zone, in parallel across processes.

Each RRset with signatures becomes a :data:`SigJob`, a tuple of plain bytes and
ints (cheap to pickle); jobs are verified in chunks by :func:`verify_chunk`. A
signature whose fields, validity window, TTL and crypto all check out (with the
keys ``check_signature`` would try, in its order) is counted as valid right there;
any other signature is handed to the shared
:func:`dnssec_doctor.dnssec.signatures.check_signature`, which gives the verdict
and its reason. The shortcut only ever concludes "valid", which is
exactly when ``check_signature`` would. Only problems come back (plus counts and
the earliest expiration), so memory stays proportional to the chunk, not the zone.
With ``jobs == 1`` everything runs in-process.
"""

from __future__ import annotations

import concurrent.futures
import pickle
import struct
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import dns.name
import dns.rdatatype

from dnssec_doctor.dnssec import crypto
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

SigJob = tuple[bytes, int, int, int, tuple[bytes, ...], tuple[tuple[bytes, int, int], ...]]
"""(owner wire, lower case; type; class; TTL; canonical RDATA sorted and unique;
(RRSIG RDATA, RRSIG TTL, line) of each signature covering the RRset)."""

_FIXED = struct.Struct("!HBBIIIH")
_RR = struct.Struct("!HHI")
_LEN = struct.Struct("!H")
_DNSKEY = int(dns.rdatatype.DNSKEY)


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


class FastKeys:
    """Verification functions of the zone keys, by (key tag, algorithm, signs DNSKEY)."""

    def __init__(self, ring: KeyRing, limits: Limits) -> None:
        self.table: dict[tuple[int, int, bool], list[Callable[[bytes, bytes], bool]] | None] = {}
        """(key tag, algorithm, signs DNSKEY) → functions to try (None: use the shared path)."""
        for tag, algorithm in ring.tags():
            for dnskey in (False, True):
                keys = ring.keys_for(tag, algorithm, _DNSKEY if dnskey else 0)
                tried = keys[: limits.max_keys_per_tag]
                checks = [crypto.verifier(k.algorithm, k.key) for k in tried]
                usable = [c for c in checks if c is not None]
                # any unusable key: the shared path words the verdict
                self.table[(tag, algorithm, dnskey)] = (
                    usable if len(usable) == len(checks) else None
                )

    def get(self, tag: int, algorithm: int, dnskey: bool) -> list[Callable[[bytes, bytes], bool]]:
        """The functions to try, in order; empty when the shortcut does not apply."""
        return self.table.get((tag, algorithm, dnskey)) or []


@dataclass(frozen=True, slots=True)
class Context:
    """What every verifying process is given once: the keys, the zone, the time, the limits."""

    keys: tuple[AnyKey, ...]
    zone: dns.name.Name
    now: int
    limits: Limits


class Checker:
    """Everything one process needs to verify chunks."""

    def __init__(self, context: Context) -> None:
        self.ring = KeyRing(context.keys)
        self.fast = FastKeys(self.ring, context.limits)
        self.zone = context.zone
        self.zone_wire = context.zone.to_digestable()
        self.signature_start = 18 + len(self.zone_wire)
        self.now = context.now
        self.limits = context.limits


_WORKER: Checker | None = None


def _init_worker(context: Context) -> None:
    global _WORKER  # noqa: PLW0603 (per-process state set once by the pool initializer)
    _WORKER = Checker(context)


def _worker_chunk(data: bytes) -> SigTotals:
    assert _WORKER is not None
    chunk: list[SigJob] = pickle.loads(data)  # written by our own main process
    return verify_chunk(chunk, _WORKER)


def _labels(wire: bytes) -> tuple[int, bool]:
    """(RRSIG Labels count, is wildcard) of an owner in wire form (RFC 4034 §3.1.3)."""
    count = 0
    pos = 0
    while wire[pos]:
        count += 1
        pos += wire[pos] + 1
    wild = wire[:2] == b"\x01*"
    return count - wild, wild


def _signing_owner(wire: bytes, count: int, labels: int) -> bytes:
    """RFC 4035 §5.3.2: ``*.`` plus the rightmost ``labels`` labels for expansions."""
    pos = 0
    for _ in range(count - labels):
        pos += wire[pos] + 1
    return b"\x01*" + wire[pos:]


def _fast_valid(checker: Checker, job: SigJob, sig: bytes, count: int, wild: bool) -> int | None:
    """The POSIX expiration when the shortcut proves ``sig`` valid, else None.

    Valid means what :func:`check_signature` calls VALID: fields consistent with
    the RRset (type, signer, labels, TTL), inside the validity window, and the
    crypto verifies with one of the keys it would try, in its order.
    """
    zone = checker.zone_wire
    end = checker.signature_start
    if len(sig) <= end or (sig[18:end] != zone and sig[18:end].lower() != zone):
        return None
    owner, rdtype, rdclass, ttl, rdatas, _ = job
    covered, algorithm, labels, original_ttl, expiration, inception, tag = _FIXED.unpack_from(sig)
    now = checker.now
    # RFC 1982 serial arithmetic, as sigtime.is_expired / is_not_yet_valid
    until_expiration: int = (expiration - now) & 0xFFFFFFFF
    since_inception = (now - inception) & 0xFFFFFFFF
    if (
        covered != rdtype
        or labels > count
        or (wild and labels != count)
        or ttl > original_ttl
        or until_expiration >= 0x80000000
        or since_inception >= 0x80000000
    ):
        return None
    checks = checker.fast.table.get((tag, algorithm, rdtype == _DNSKEY))
    if not checks:
        return None
    signer = owner if labels == count else _signing_owner(owner, count, labels)
    prefix = signer + _RR.pack(rdtype, rdclass, original_ttl)
    if len(rdatas) == 1:
        rdata = rdatas[0]
        data = b"".join((sig[:18], zone, prefix, _LEN.pack(len(rdata)), rdata))
    else:
        parts = [sig[:18], zone]
        for rdata in rdatas:
            parts += (prefix, _LEN.pack(len(rdata)), rdata)
        data = b"".join(parts)
    signature = sig[end:]
    for check in checks:
        if check(signature, data):
            return now + until_expiration
    return None


def _shared_check(checker: Checker, job: SigJob, sig: bytes, sig_ttl: int) -> SigCheck:
    owner, rdtype, rdclass, ttl, rdatas, _ = job
    name = dns.name.from_wire(owner, 0)[0]
    try:
        fields = RrsigFields.from_wire(sig)
    except ValueError as exc:
        return _malformed(rdtype, str(exc))
    rrset = SignedRRset(name, rdtype, rdclass, ttl, rdatas)
    return check_signature(rrset, fields, sig_ttl, checker.ring, checker.zone, checker.now,
                           checker.limits)  # fmt: skip


def _text(wire: bytes) -> str:
    return dns.name.from_wire(wire, 0)[0].to_text()


def verify_chunk(chunk: Sequence[SigJob], checker: Checker) -> SigTotals:
    """Verify every signature of every job in ``chunk``."""
    totals = SigTotals()
    now = checker.now
    earliest: tuple[int, bytes, int] | None = None
    for job in chunk:
        owner, rdtype, _, ttl, _, sigs = job
        count, wild = _labels(owner)
        slow: list[tuple[SigCheck, int]] = []
        valid_algs: set[int] = set()
        for rdata, sig_ttl, line in sigs:
            totals.checked += 1
            if sig_ttl != ttl:
                totals.ttl_differs_count += 1
                if len(totals.ttl_differs) < 20:
                    totals.ttl_differs.append((_text(owner), rdtype, line))
            expiration = _fast_valid(checker, job, rdata, count, wild)
            if expiration is None:
                result = _shared_check(checker, job, rdata, sig_ttl)
                if not result.valid:
                    slow.append((result, line))
                    continue
                expiration = result.expiration
            totals.valid += 1
            valid_algs.add(rdata[2])
            if earliest is None or expiration < earliest[0]:
                earliest = (expiration, owner, rdtype)
            if now + ttl > expiration and len(totals.ttl_outlives) < 20:
                totals.ttl_outlives.append((_text(owner), rdtype, ttl, expiration))
        if slow:
            name = dns.name.from_wire(owner, 0)[0]
            algs = frozenset(valid_algs)
            for result, line in slow:
                totals.problems.append(
                    SigProblem(
                        name, rdtype, line, result.status, result.key_tag, result.algorithm,
                        result.inception, result.expiration, result.detail,
                        result.keys_skipped, algs,
                    )
                )  # fmt: skip
    if earliest is not None:
        totals.earliest_expiration = (earliest[0], _text(earliest[1]), earliest[2])
    return totals


def _malformed(rdtype: int, detail: str) -> SigCheck:
    return SigCheck(
        status=SigStatus.LABELS_INVALID,
        key_tag=0,
        algorithm=0,
        signer=dns.name.root,
        type_covered=rdtype,
        inception=0,
        expiration=0,
        detail=f"RRSIG RDATA cannot be decoded: {detail}",
    )


class Verifier:
    """Collects jobs into chunks and verifies them, in worker processes if ``jobs > 1``.

    ``start`` must be called once the zone's keys are known; jobs submitted before
    that wait in memory. At most ``24 * jobs`` chunks are in flight, so a fast
    reader cannot queue the whole zone.
    """

    def __init__(
        self, *, jobs: int, zone: dns.name.Name, now: int, limits: Limits,
        chunk_size: int = 800, keep_problems: int = 100_000,
    ) -> None:  # fmt: skip
        self._jobs = max(1, jobs)
        self._zone = zone
        self._now = now
        self._limits = limits
        self._chunk_size = chunk_size
        self._keep = keep_problems
        self._chunk: list[SigJob] = []
        self._waiting: list[list[SigJob]] = []
        self._checker: Checker | None = None
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._inflight: deque[concurrent.futures.Future[SigTotals]] = deque()
        # The reader is several times faster than the workers; a queue of a couple
        # of seconds of work (a few MB) lets the whole-zone checks at the end run
        # while the workers finish, instead of after them.
        self._depth = 24 * self._jobs
        self.totals = SigTotals()

    def start(self, keys: Sequence[AnyKey]) -> None:
        """Keys are known: verify what waited, then everything as it comes."""
        context = Context(tuple(keys), self._zone, self._now, self._limits)
        self._checker = Checker(context)
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
        return self._checker is not None

    def submit(self, job: SigJob) -> None:
        """Queue one RRset for verification."""
        chunk = self._chunk
        chunk.append(job)
        if len(chunk) >= self._chunk_size:
            self._chunk = []
            if self._checker is None:
                self._waiting.append(chunk)
            else:
                self._dispatch(chunk)

    def _dispatch(self, chunk: list[SigJob]) -> None:
        assert self._checker is not None
        if self._pool is None:
            self.totals.merge(verify_chunk(chunk, self._checker), self._keep)
            return
        while len(self._inflight) >= self._depth:
            self.totals.merge(self._inflight.popleft().result(), self._keep)
        # pickled here rather than by the pool's feeder thread: that thread would take
        # the GIL from the reader for as long as each chunk takes to pickle
        data = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
        self._inflight.append(self._pool.submit(_worker_chunk, data))

    def flush(self) -> None:
        """No more jobs: send the last chunk (without waiting for the results)."""
        if self._checker is None:
            self.start(())
        if self._chunk:
            chunk, self._chunk = self._chunk, []
            self._dispatch(chunk)

    def finish(self) -> SigTotals:
        """Verify the rest and return the merged totals."""
        self.flush()
        while self._inflight:
            self.totals.merge(self._inflight.popleft().result(), self._keep)
        self.close()
        return self.totals

    def close(self) -> None:
        """Stop the worker processes (also on errors)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
