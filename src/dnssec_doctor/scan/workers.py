"""The analysis process pool: the CPU-bound half of a scan on every core.

Workers are started with ``spawn`` (a fork of a process running an event loop and
threads is unsafe), ignore SIGINT (Ctrl-C is the scanning process's to handle: it
stops, writes what is done and exits; workers printing their own tracebacks would
bury that), and receive each capture pickled. With ``--save-captures`` the worker
also writes the capture it analyses: gzip, JSON and the safe writer's fsync cost
more CPU than the probing of a name, and belong off the probing loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.model.capture import Capture
from dnssec_doctor.scan.analyse import analyse_capture
from dnssec_doctor.scan.captures import CaptureSaver
from dnssec_doctor.scan.config import ScanConfig
from dnssec_doctor.scan.records import Record, error_record
from dnssec_doctor.scan.runner import Analyse


def _quiet_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def analysis_pool(workers: int) -> Iterator[Executor | None]:
    """A process pool of ``workers`` processes (None for 0: analyse in a thread of this
    process, as a Dask worker does)."""
    if workers <= 0:
        yield None
        return
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_quiet_worker,
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def pooled(pool: Executor | None, config: ScanConfig, keep: CaptureSaver | None = None) -> Analyse:
    """The runner's ``analyse``: in ``pool``, or inline when it is None (saving each
    capture first with ``keep``)."""

    async def analyse(capture: Capture, line: int) -> Record:
        args = (keep, capture, line, config.now, config.expiry_warning, config.history)
        try:
            if pool is None:
                # A thread, not this loop: the analysis replays the capture with asyncio.run.
                return await asyncio.to_thread(keep_and_analyse, *args)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(pool, keep_and_analyse, *args)
        except DoctorError:
            raise  # a capture that cannot be written: the scan stops with that one line
        except Exception as exc:  # a bug of ours: a record for this name, not a dead scan
            return error_record(line, capture.name, f"internal error ({type(exc).__name__}: {exc})")

    return analyse


def keep_and_analyse(
    keep: CaptureSaver | None,
    capture: Capture,
    line: int,
    now: int,
    expiry_warning: int,
    history: bool = False,
) -> Record:
    """Save ``capture`` (when asked) and analyse it (in a worker process or thread)."""
    if keep is not None:
        keep(capture, line)
    return analyse_capture(capture, line, now, expiry_warning, history=history)
