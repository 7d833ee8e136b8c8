"""The checks of the web UI and API: a bounded queue and a bounded store, in memory.

A check is a job: queued, then running (at most ``max_running`` at once), then done
or failed. At most ``max_queued`` wait; one more is refused (HTTP 503) rather than
queued without bound. Finished jobs are kept for ``reuse_seconds`` as the answer to
the same request (same name, servers, DS and resolvers), so a page that many people
reload, or a script that polls by re-submitting, costs one check. The store keeps
at most ``max_stored`` jobs and ``max_bytes`` of results; the oldest finished ones
go first. Nothing is written to disk and no HTML from a user is ever stored: the
report is rendered from the diagnosis, which escapes every DNS string.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from dnssec_doctor.escape import terminal
from dnssec_doctor.web.pacing import ProbeProgress

State = Literal["queued", "running", "done", "failed"]


class QueueFullError(RuntimeError):
    """Too many checks are waiting (HTTP 503)."""


@dataclass(frozen=True, slots=True)
class CheckInput:
    """One check request, validated and in canonical form (the reuse key)."""

    name: str
    ns: tuple[str, ...] = ()
    ds: str = ""
    resolvers: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, tuple[str, ...], str, tuple[str, ...]]:
        """Requests with the same key get the same result within the reuse window."""
        return (self.name.lower(), tuple(sorted(self.ns)), self.ds, tuple(sorted(self.resolvers)))


@dataclass
class CheckResult:
    """What a finished check produced (all of it generated here; DNS data escaped)."""

    diagnosis: dict[str, Any]
    report_html: str
    capture_gz: bytes
    exit_status: int
    notice: str | None = None
    """Servers the address policy refused while others answered."""

    @property
    def size(self) -> int:
        """Bytes this result holds, roughly (for the store's bound)."""
        return len(self.report_html) + len(self.capture_gz) + len(str(self.diagnosis))


@dataclass
class Job:
    """One check and where it stands."""

    id: str
    input: CheckInput
    created: float
    state: State = "queued"
    phase: str = "waiting for a free slot"
    progress: ProbeProgress = field(default_factory=ProbeProgress)
    finished: float | None = None
    result: CheckResult | None = None
    error: str | None = None

    @property
    def over(self) -> bool:
        """Done or failed."""
        return self.state in ("done", "failed")

    def progress_text(self) -> str:
        """The one-line progress ("asking 12 servers… 87 queries…")."""
        if self.state == "queued":
            return "queued: waiting for a free slot…"
        if self.over:
            return "finished" if self.state == "done" else "failed"
        servers, queries = len(self.progress.servers), self.progress.queries
        counts = (
            f"asking {servers} server{'s' if servers != 1 else ''}… "
            f"{queries} quer{'ies' if queries != 1 else 'y'}…"
        )
        return counts if self.phase == "probing" else f"{counts} {self.phase}…"


Runner = Callable[[Job], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class StoreLimits:
    """The bounds of the job store and queue (``serve`` options)."""

    max_running: int = 8
    max_queued: int = 100
    max_stored: int = 500
    max_bytes: int = 256 * 1024 * 1024
    reuse_seconds: float = 300.0


class JobStore:
    """The jobs of one server: submit, look up, run within the bounds, evict."""

    def __init__(
        self, limits: StoreLimits, runner: Runner, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self._runner = runner
        self._clock = clock
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._by_key: dict[tuple[str, tuple[str, ...], str, tuple[str, ...]], str] = {}
        self._slots = asyncio.Semaphore(limits.max_running)
        self._tasks: set[asyncio.Task[None]] = set()
        self.submitted = 0

    def get(self, job_id: str) -> Job | None:
        """The job with this id, if it is still kept."""
        return self._jobs.get(job_id)

    def reusable(self, check: CheckInput) -> Job | None:
        """A job for the same request that is pending, or done within the reuse window."""
        job = self._jobs.get(self._by_key.get(check.key, ""))
        if job is None or job.state == "failed":
            return None
        if job.finished is not None and self._clock() - job.finished > self.limits.reuse_seconds:
            return None
        return job

    @property
    def waiting(self) -> int:
        """Jobs that will have to wait for a slot (a job just submitted to a free slot is
        still ``queued`` until its task starts, but does not wait)."""
        states = [j.state for j in self._jobs.values()]
        free = self.limits.max_running - states.count("running")
        return max(0, states.count("queued") - free)

    def submit(self, check: CheckInput) -> Job:
        """A new job for ``check``, started as soon as a slot frees; QueueFullError when
        ``max_queued`` already wait."""
        if self.waiting >= self.limits.max_queued:
            raise QueueFullError("too many checks are waiting; try again in a minute")
        job = Job(secrets.token_urlsafe(12), check, self._clock())
        self._jobs[job.id] = job
        self._by_key[check.key] = job.id
        self.submitted += 1
        task = asyncio.get_running_loop().create_task(self._run(job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._evict()
        return job

    async def _run(self, job: Job) -> None:
        async with self._slots:
            job.state, job.phase = "running", "probing"
            try:
                await self._runner(job)
            except Exception as exc:  # a bug must fail the job, not leave it running
                job.state, job.error = "failed", f"internal error: {type(exc).__name__}"
                # One line for the operator (the name escaped: it may hold anything).
                print(
                    terminal(f"dnssec-doctor: check of {job.input.name} failed: {exc!r}"),
                    file=sys.stderr,
                )
            finally:
                if not job.over:
                    job.state = "failed"
                    job.error = job.error or "the check was stopped"
                job.finished = self._clock()
        self._evict()

    def _evict(self) -> None:
        """Drop the oldest finished jobs while over the count or byte bound."""
        total = sum(j.result.size for j in self._jobs.values() if j.result is not None)
        for job_id in [j.id for j in self._jobs.values() if j.over]:
            if len(self._jobs) <= self.limits.max_stored and total <= self.limits.max_bytes:
                break
            job = self._jobs.pop(job_id)
            if job.result is not None:
                total -= job.result.size
            if self._by_key.get(job.input.key) == job_id:
                del self._by_key[job.input.key]

    async def close(self) -> None:
        """Cancel the running jobs (server shutdown)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
