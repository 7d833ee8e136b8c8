"""One machine: an asyncio loop probing a bounded window of names, analysis beside it.

The loop reads items as it goes (never the whole input), keeps at most ``window``
names between "read" and "written", probes up to ``config.concurrency`` of them at
once through one :class:`NameProber` (shared answers, a per-server pace, a global
cap on attempts in flight), and hands each capture to ``analyse``. Records come out
in input order (a finished name waits for the ones read before it, within the
window) or, ``ordered=False``, as they finish. This loop runs in each worker process
of a scan (``scan.procpool``), in a Dask task (``scan.dask_adapter``), or alone in the
scanning process (``--workers 0``).

A new name starts only while the loop keeps up (``loopgate``): past what the CPU
can serve, more names in flight would only turn late reads into false timeouts.

Each name has a deadline (``limits.deadline``, enforced query by query by its
``Client``) plus a grace period for the walk itself: a name whose servers all hang
ends as a record with its timeouts, never a stuck scan.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from dnssec_doctor.model.capture import Capture
from dnssec_doctor.scan.config import ScanConfig
from dnssec_doctor.scan.inputs import InputItem
from dnssec_doctor.scan.loopgate import LoopGate
from dnssec_doctor.scan.ratelimit import DestinationLimiter
from dnssec_doctor.scan.records import Record, error_record, item_record
from dnssec_doctor.scan.sharedwire import SharedWire
from dnssec_doctor.session import probe_live
from dnssec_doctor.transport.base import Wire
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.sockets import SocketWire

GRACE_SECONDS = 5.0
"""Beyond a name's deadline, how long its walk may take to wind down before it is cut."""

Analyse = Callable[[Capture, int], Awaitable[Record]]
"""Capture and input line → record (in a thread of this process, or inline)."""
KeepCapture = Callable[[Capture, int], None]


@dataclass(slots=True)
class ScanStats:
    """What the summary reports about the network side."""

    names: int = 0
    sent: int = 0
    reused: int = 0
    rate_wait: float = 0.0
    gate_wait: float = 0.0
    """Seconds names waited for the loop to catch up (``loopgate``)."""
    seconds: float = 0.0

    def add(self, other: ScanStats) -> None:
        """Count ``other``'s network figures in (a worker's, at the end of a scan)."""
        self.sent += other.sent
        self.reused += other.reused
        self.rate_wait += other.rate_wait
        self.gate_wait += other.gate_wait


class NameProber:
    """One process's probing of names: the shared wire, the per-server pace, the
    concurrency limit and the loop gate, and each name's record from its probe and
    ``analyse``. Use it inside one running event loop: ``start``, ``record``…, ``stop``."""

    def __init__(
        self,
        config: ScanConfig,
        analyse: Analyse,
        *,
        wire: Wire | None = None,
        keep_capture: KeepCapture | None = None,
    ) -> None:
        self._config = config
        self._analyse = analyse
        self._keep_capture = keep_capture
        self._limiter = DestinationLimiter(config.rate)
        self._shared = SharedWire(
            SocketWire() if wire is None else wire,
            self._limiter,
            max_entries=config.shared_answers,
        )
        self._probing = asyncio.Semaphore(config.concurrency)
        self._gate = LoopGate()

    def start(self) -> None:
        """Start watching the loop's lag (call inside the running loop)."""
        self._gate.start()

    async def stop(self) -> ScanStats:
        """Stop the gate; this prober's network figures."""
        await self._gate.stop()
        return ScanStats(
            sent=self._shared.sent,
            reused=self._shared.reused,
            rate_wait=self._limiter.waited,
            gate_wait=self._gate.held,
        )

    async def record(self, item: InputItem, name: str) -> Record:
        """Probe ``name`` (the item's) and analyse it: its record."""
        config = self._config
        async with self._probing:
            await self._gate.admit()
            view = self._shared.view()
            request = config.request(name)
            t0 = time.monotonic()
            try:
                capture = await asyncio.wait_for(
                    probe_live(request, AddressPolicy.permissive(), view),
                    config.limits.deadline + GRACE_SECONDS,
                )
            except TimeoutError:
                return error_record(item.line, name, "the name's deadline passed mid-walk")
            probe_seconds = time.monotonic() - t0
        if self._keep_capture is not None:
            self._keep_capture(capture, item.line)
        record = await self._analyse(capture, item.line)
        timing = record.setdefault("timing", {})
        timing["probe_seconds"] = round(probe_seconds, 4)
        timing["shared_answers"] = view.reused
        return record


async def scan_items(
    items: Iterable[InputItem],
    config: ScanConfig,
    emit: Callable[[Record], None],
    analyse: Analyse,
    *,
    ordered: bool = True,
    wire: Wire | None = None,
    keep_capture: KeepCapture | None = None,
) -> ScanStats:
    """Probe and analyse every item, calling ``emit`` with each record (and
    ``keep_capture`` with each name's capture and input line)."""
    started = time.monotonic()
    prober = NameProber(config, analyse, wire=wire, keep_capture=keep_capture)
    prober.start()
    window = max(2, 2 * config.concurrency)
    pending: deque[asyncio.Future[Record]] = deque()
    names = 0

    def drain(all_done: bool) -> None:
        while pending and (pending[0].done() or all_done):
            head = pending[0]
            if not head.done():
                return
            pending.popleft()
            emit(head.result())

    source = iter(items)
    exhausted = False
    try:
        while not exhausted or pending:
            while not exhausted and len(pending) < window:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    break
                names += 1
                ready = item_record(item)
                future: asyncio.Future[Record]
                if ready is not None:
                    future = asyncio.get_running_loop().create_future()
                    future.set_result(ready)
                else:
                    assert item.name is not None
                    future = asyncio.ensure_future(prober.record(item, item.name))
                pending.append(future)
            if ordered:
                drain(False)
            else:
                for future in [f for f in pending if f.done()]:
                    pending.remove(future)
                    emit(future.result())
            running = [f for f in pending if not f.done()]
            if running and (len(pending) >= window or exhausted):
                await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            elif not running and exhausted and not pending:
                break
            else:
                await asyncio.sleep(0)
    finally:
        for future in pending:
            future.cancel()
        stats = await prober.stop()
        stats.names = names
        stats.seconds = time.monotonic() - started
    return stats
