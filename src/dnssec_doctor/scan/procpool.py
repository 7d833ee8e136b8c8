"""One machine, every core: worker processes that each probe and analyse names.

The scanning process reads the input as it goes, hands each name to the worker with
the fewest names under way (``scan.procworker``: one asyncio loop per process, its own
shared answers and per-server pace), and writes the records in input order (or as they
come, ``ordered=False``). At most ``2 × concurrency`` names are under way per worker,
and at most :data:`WINDOW_FACTOR` times that wait to be written (behind a slow name,
in input order), so memory does not grow with the input.

- **Why processes that do both**: probing is CPU-bound on a fast network (building and
  parsing DNS messages in Python) and so is the analysis; one probing process feeding
  analysis processes left the probing process the bottleneck and parsed every answer
  twice (once per process). Each worker now parses an answer once for both.
- **Politeness stays global**: each worker paces every server at ``rate / workers``,
  and keeps its share of the shared answers (memory stays the scan's).
- **A worker that dies** (killed, out of memory) is replaced and its names are handed
  to the others again, each name at most :data:`TRIES` times; after that the name is an
  ``error`` record. Every name is reported exactly once.
- **Ctrl-C / a fatal error**: the workers are stopped; what was written stays valid.
  The workers never take Ctrl-C themselves (born with it blocked, then ignoring it).
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.scan.captures import CaptureSaver
from dnssec_doctor.scan.config import ScanConfig
from dnssec_doctor.scan.inputs import InputItem
from dnssec_doctor.scan.procworker import worker_main
from dnssec_doctor.scan.records import Record, error_record, item_record
from dnssec_doctor.scan.runner import ScanStats

TRIES = 2
"""Times a name is handed to a worker before a worker's death makes it an error record."""
RESTARTS_PER_WORKER = 3
"""Replacement processes per worker slot before the scan gives up on that slot."""
POLL_SECONDS = 1.0
"""How often, while waiting for records, the scanning process looks for dead workers."""
WINDOW_FACTOR = 4
"""Records held for the output order, as a multiple of the names under way."""


@dataclass(slots=True)
class _Slot:
    """One input line's place in the output order."""

    line: int
    name: str = ""
    record: Record | None = None
    tries: int = 0


@dataclass(slots=True)
class _Worker:
    """A worker slot: its process, inbox and the lines it holds."""

    number: int
    process: Any = None
    inbox: Any = None
    lines: set[int] = field(default_factory=set)
    restarts: int = 0
    closed: bool = False
    """Told that no more names come (it reads no more after that)."""
    finished: bool = False


def scan_in_processes(
    items: Iterable[InputItem],
    config: ScanConfig,
    emit: Callable[[Record], None],
    *,
    workers: int,
    ordered: bool = True,
    keep: CaptureSaver | None = None,
) -> ScanStats:
    """Scan ``items`` with ``workers`` worker processes; ``emit`` each record."""
    return _Pool(config.share(workers), workers, emit, ordered, keep).run(items)


class _Pool:
    def __init__(
        self,
        config: ScanConfig,
        count: int,
        emit: Callable[[Record], None],
        ordered: bool,
        keep: CaptureSaver | None,
    ) -> None:
        self._context = multiprocessing.get_context("spawn")  # a fork of threads is unsafe
        self._config = config
        self._emit = emit
        self._ordered = ordered
        self._keep = keep
        self._outbox = self._context.Queue()
        self._workers = [_Worker(n) for n in range(count)]
        self._slots: deque[_Slot] = deque()
        self._by_line: dict[int, _Slot] = {}
        self._limit = max(2, 2 * config.concurrency) * count
        self._closing = False
        self._checked = time.monotonic()
        self._stats = ScanStats()

    def run(self, items: Iterable[InputItem]) -> ScanStats:
        started = time.monotonic()
        for worker in self._workers:
            self._start(worker)
        try:
            for item in items:
                self._stats.names += 1
                ready = item_record(item)
                slot = _Slot(item.line, item.text, ready)
                self._slots.append(slot)
                if ready is None:
                    assert item.name is not None
                    slot.name = item.name
                    self._by_line[item.line] = slot
                    self._hand(slot)
                while (
                    self._under_way() >= self._limit
                    or len(self._slots) >= WINDOW_FACTOR * self._limit
                ):
                    self._receive()
                    self._write()
                self._write()
            self._closing = True
            for worker in self._live():
                self._finish(worker)
            while not all(w.finished for w in self._workers):
                self._receive()
                self._write()
            self._write()
        finally:
            self._stop_all()
        self._stats.seconds = time.monotonic() - started
        return self._stats

    # --- the workers ---------------------------------------------------------------

    def _start(self, worker: _Worker) -> None:
        worker.inbox = self._context.Queue()
        worker.process = self._context.Process(
            target=worker_main,
            args=(worker.number, worker.inbox, self._outbox, self._config, self._keep),
            name=f"dnssec-doctor scan worker {worker.number}",
            daemon=True,
        )
        # Born with SIGINT blocked (the mask survives fork and exec) until it ignores it
        # (``worker_main``): Ctrl-C in a terminal reaches the whole process group, and
        # a worker still importing would print its own traceback beside our one line.
        # Here the signal waits the few milliseconds of the start, then interrupts.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            worker.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def _finish(self, worker: _Worker) -> None:
        worker.inbox.put(None)
        worker.closed = True

    def _stop_all(self) -> None:
        for worker in self._workers:
            process = worker.process
            if process is None:
                continue
            if process.pid is not None:  # None: Ctrl-C came while it was being started
                if process.is_alive() and not worker.finished:
                    process.terminate()
                process.join(timeout=5)
                if process.is_alive():
                    process.kill()
                    process.join()
            worker.inbox.close()
            worker.inbox.join_thread()
        self._outbox.close()
        self._outbox.join_thread()

    def _live(self) -> list[_Worker]:
        """The workers that still take names."""
        return [w for w in self._workers if w.process is not None and not w.closed]

    def _under_way(self) -> int:
        return sum(len(w.lines) for w in self._workers)

    # --- names out -----------------------------------------------------------------

    def _hand(self, slot: _Slot) -> None:
        """Give ``slot``'s name to the live worker with the fewest names under way."""
        live = self._live()
        if not live:
            slot.record = error_record(slot.line, slot.name, "no scan worker is left to scan it")
            self._by_line.pop(slot.line, None)
            return
        worker = min(live, key=lambda w: len(w.lines))
        slot.tries += 1
        worker.lines.add(slot.line)
        # Sent at once, one name a message: a list read slowly from a pipe must not
        # leave names waiting here for company (a message costs microseconds).
        worker.inbox.put([(slot.line, slot.name)])

    # --- records in ----------------------------------------------------------------

    def _receive(self) -> None:
        """Take the next message from the workers (looking for dead ones meanwhile)."""
        if time.monotonic() - self._checked > POLL_SECONDS:
            self._bury_dead()
        try:
            message = self._outbox.get(timeout=POLL_SECONDS)
        except queue.Empty:
            self._bury_dead()
            return
        kind, number = message[0], message[1]
        worker = self._workers[number]
        if kind == "record":
            line, record = message[2], message[3]
            worker.lines.discard(line)
            slot = self._by_line.pop(line, None)
            if slot is not None:
                slot.record = record
        elif kind == "fatal":
            raise DoctorError(str(message[3]))
        elif kind == "done":
            worker.finished = True
            self._stats.add(message[2])

    def _bury_dead(self) -> None:
        """Replace each worker that died; hand its names to the living again."""
        self._checked = time.monotonic()
        for worker in self._workers:
            process = worker.process
            if process is None or worker.finished or process.is_alive():
                continue
            if process.exitcode == 0 and worker.closed:
                continue  # it ended as told; its last message is still on its way
            orphans = sorted(worker.lines)
            worker.lines.clear()
            worker.closed = False
            worker.inbox.close()
            if worker.restarts < RESTARTS_PER_WORKER:
                worker.restarts += 1
                self._start(worker)
            else:
                worker.process = None
                worker.finished = True
            for line in orphans:
                slot = self._by_line[line]
                if slot.tries >= TRIES:
                    del self._by_line[line]
                    slot.record = error_record(
                        line, slot.name, "the worker process scanning it died"
                    )
                else:
                    self._hand(slot)
            if worker.process is not None and self._closing:
                self._finish(worker)

    def _write(self) -> None:
        """Emit the records that may be written now (in order, or all that are done)."""
        if self._ordered:
            while self._slots and self._slots[0].record is not None:
                self._emit(self._slots.popleft().record)  # type: ignore[arg-type]
            return
        kept: deque[_Slot] = deque()
        for slot in self._slots:
            if slot.record is None:
                kept.append(slot)
            else:
                self._emit(slot.record)
        self._slots = kept
