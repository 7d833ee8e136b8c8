"""A scan's worker process: probes and analyses the names it is handed, one loop.

The scanning process (``scan.procpool``) sends lists of ``(line, name)`` pairs through
the worker's inbox and ``None`` when there are no more; the worker answers on the
shared outbox with one message per name and one at the end:

- ``("record", worker, line, record)`` — the name's record;
- ``("fatal", worker, line, message)`` — the scan must stop (a capture that cannot be
  written: ``DoctorError``), said in one line by the scanning process;
- ``("done", worker, stats)`` — no name left; its network figures (``ScanStats``).

Probing and analysis share this process: each answer is parsed once (the analysis
reads the probe's parse from ``model.capture.parse_wire``'s cache) and no capture is
pickled to another process. The analysis runs in a thread beside the probing loop,
which it would otherwise stall (the loop gate holds new names while it lags).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import signal
import threading
from typing import Any

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.scan.captures import CaptureSaver
from dnssec_doctor.scan.config import ScanConfig
from dnssec_doctor.scan.inputs import InputItem
from dnssec_doctor.scan.records import error_record
from dnssec_doctor.scan.runner import NameProber
from dnssec_doctor.scan.threaded import inline

GC_THRESHOLD = 50_000
"""Allocations between collections of the youngest generation in a worker."""
Names = list[tuple[int, str]]
"""(input line, name) pairs."""


def worker_main(
    worker: int, inbox: Any, outbox: Any, config: ScanConfig, keep: CaptureSaver | None
) -> None:
    """A worker process's entry point (``multiprocessing``, spawn)."""
    # Ctrl-C is the scanning process's to handle (it writes what is done and stops
    # the workers); a worker printing its own traceback would bury that one line. It
    # was blocked since the worker was born (``procpool``); ignored, a pending one
    # is dropped.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _end_with_the_parent()
    # The parse and verdict caches hold tens of thousands of objects that live as long
    # as the process; with the default threshold the collector walked them again and
    # again (about a tenth of the analysis). The imported modules are frozen out of its
    # way, and it runs every 50,000 allocations instead of every 700.
    import dnssec_doctor.analysis.engine  # noqa: F401  (imported before freezing)

    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    asyncio.run(_serve(worker, inbox, outbox, config, keep))


def _end_with_the_parent() -> None:
    """Exit as soon as the scanning process is gone (killed, SIGTERM): an orphan would
    wait for names forever (its own copy of the inbox keeps the pipe open) and keep
    probing the servers of names nobody will read."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns when the parent's sentinel closes: it has exited
        os._exit(1)

    threading.Thread(target=watch, name="scan-parent-watch", daemon=True).start()


async def _serve(
    worker: int, inbox: Any, outbox: Any, config: ScanConfig, keep: CaptureSaver | None
) -> None:
    loop = asyncio.get_running_loop()
    arrivals: asyncio.Queue[Names | None] = asyncio.Queue()

    def read_inbox() -> None:
        # A blocking read belongs in a thread: in the loop it would stall every probe.
        while True:
            names: Names | None = inbox.get()
            loop.call_soon_threadsafe(arrivals.put_nowait, names)
            if names is None:
                return

    threading.Thread(target=read_inbox, name="scan-inbox", daemon=True).start()
    prober = NameProber(config, inline(config, keep))
    prober.start()
    running: set[asyncio.Task[None]] = set()

    async def one(line: int, name: str) -> None:
        try:
            record = await prober.record(InputItem(line, name, name=name), name)
        except DoctorError as exc:
            outbox.put(("fatal", worker, line, str(exc)))
            return
        except Exception as exc:  # a bug of ours: a record for this name, not a dead scan
            record = error_record(line, name, f"internal error ({type(exc).__name__}: {exc})")
        outbox.put(("record", worker, line, record))

    while (names := await arrivals.get()) is not None:
        for line, name in names:
            task = asyncio.create_task(one(line, name))
            running.add(task)
            task.add_done_callback(running.discard)
    if running:
        await asyncio.wait(running)
    outbox.put(("done", worker, await prober.stop()))
