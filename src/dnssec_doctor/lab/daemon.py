"""The lab process: ``python -m dnssec_doctor.lab.daemon STATEDIR [--parent PID]``.

Reads ``STATEDIR/plan.json``, starts the embedded servers, writes
``STATEDIR/state.json`` once every server listens (that file is the "ready"
signal ``lab.manager.up`` waits for) and serves until SIGTERM or SIGINT.

With ``--parent PID`` the lab belongs to that process (``demo``'s private lab,
``lab.private``): it also stops as soon as PID is no longer its parent, and then
removes its state directory itself, so a command killed without a chance to clean
up (SIGKILL) leaves neither servers nor files behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab.embedded import EmbeddedLab
from dnssec_doctor.lab.manager import LOCK_FILE
from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.state import (
    STATE_FILE,
    read_plan,
    read_state,
    remove_state,
    state_for,
    write_state,
)

PARENT_POLL_SECONDS = 0.5
"""How often a lab with ``--parent`` looks whether its parent still lives."""


async def serve(directory: Path, plan: LabPlan, parent: int | None = None) -> None:
    """Serve ``plan`` until SIGTERM/SIGINT (or, with ``parent``, until that process is
    gone), with ``state.json`` present while serving."""
    lab = EmbeddedLab(plan)
    await lab.start()
    orphaned = False
    try:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        watch = None if parent is None else asyncio.create_task(_watch_parent(parent, stop))
        state = state_for(
            directory,
            plan,
            pid=os.getpid(),
            backend="embedded",
            started_at=int(time.time()),
            bound=lab.bound(),
        )
        write_state(directory, state)
        print(f"lab: {len(lab.servers)} servers listening, pid {os.getpid()}", flush=True)
        await stop.wait()
        if watch is not None:
            orphaned = watch.done()
            watch.cancel()
    finally:
        await lab.close()
        _forget(directory)
    print("lab: stopped", flush=True)
    if orphaned:
        _remove_directory(directory)


async def _watch_parent(parent: int, stop: asyncio.Event) -> None:
    """Set ``stop`` once ``parent`` is no longer this process's parent (it died and
    the process was re-parented; a pid cannot come back as our parent)."""
    while os.getppid() == parent:
        await asyncio.sleep(PARENT_POLL_SECONDS)
    print(f"lab: parent process {parent} is gone", flush=True)
    stop.set()


def _remove_directory(directory: Path) -> None:
    """Remove what the lab's owner would have removed: the lab's files, the lock, and
    the directory when nothing else is in it."""
    remove_state(directory, keep_log=False)
    (directory / LOCK_FILE).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        directory.rmdir()


def _forget(directory: Path) -> None:
    """Remove ``state.json`` if it still describes this process."""
    try:
        state = read_state(directory)
    except DoctorError:
        return
    if state is not None and state.pid == os.getpid():
        (directory / STATE_FILE).unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; exit status 0 after a clean stop, 3 when the lab cannot start."""
    args = list(sys.argv[1:] if argv is None else argv)
    parent: int | None = None
    if len(args) == 3 and args[1] == "--parent" and args[2].isdigit():
        parent = int(args[2])
    elif len(args) != 1:
        print("usage: python -m dnssec_doctor.lab.daemon STATEDIR [--parent PID]", file=sys.stderr)
        return 2
    directory = Path(args[0])
    try:
        asyncio.run(serve(directory, read_plan(directory), parent))
    except DoctorError as error:
        print(f"lab: {error}", file=sys.stderr, flush=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
