"""One machine: an asyncio loop probing a bounded window of names, analysis in processes.

The loop reads items as it goes (never the whole input), keeps at most ``window``
names between "read" and "written", probes up to ``config.concurrency`` of them at
once through one :class:`SharedWire` (shared answers, a per-server pace, a global
cap on attempts in flight), and hands each capture to ``analyse`` (a process pool:
the analysis is CPU-bound and would otherwise stall the probes). Records come out
in input order (a finished name waits for the ones read before it, within the
window) or, ``ordered=False``, as they finish.

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
"""Capture and input line → record (in a process pool, or inline)."""


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


async def scan_items(
    items: Iterable[InputItem],
    config: ScanConfig,
    emit: Callable[[Record], None],
    analyse: Analyse,
    *,
    ordered: bool = True,
    wire: Wire | None = None,
    keep_capture: Callable[[Capture, int], None] | None = None,
) -> ScanStats:
    """Probe and analyse every item, calling ``emit`` with each record (and
    ``keep_capture`` with each name's capture and input line)."""
    started = time.monotonic()
    limiter = DestinationLimiter(config.rate)
    shared = SharedWire(SocketWire() if wire is None else wire, limiter)
    probing = asyncio.Semaphore(config.concurrency)
    gate = LoopGate()
    gate.start()
    window = max(2, 2 * config.concurrency)
    pending: deque[asyncio.Future[Record]] = deque()
    stats = ScanStats()

    async def one(item: InputItem, name: str) -> Record:
        async with probing:
            await gate.admit()
            view = shared.view()
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
        if keep_capture is not None:
            keep_capture(capture, item.line)
        record = await analyse(capture, item.line)
        timing = record.setdefault("timing", {})
        timing["probe_seconds"] = round(probe_seconds, 4)
        timing["shared_answers"] = view.reused
        return record

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
                stats.names += 1
                ready = item_record(item)
                future: asyncio.Future[Record]
                if ready is not None:
                    future = asyncio.get_running_loop().create_future()
                    future.set_result(ready)
                else:
                    assert item.name is not None
                    future = asyncio.ensure_future(one(item, item.name))
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
        await gate.stop()
        stats.gate_wait = gate.held
        stats.sent = shared.sent
        stats.reused = shared.reused
        stats.rate_wait = limiter.waited
        stats.seconds = time.monotonic() - started
    return stats
