"""The lab process: ``python -m dnssec_doctor.lab.daemon STATEDIR``.

Reads ``STATEDIR/plan.json``, starts the embedded servers, writes
``STATEDIR/state.json`` once every server listens (that file is the "ready"
signal ``lab.manager.up`` waits for) and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab.embedded import EmbeddedLab
from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.state import STATE_FILE, read_plan, read_state, state_for, write_state


async def serve(directory: Path, plan: LabPlan) -> None:
    """Serve ``plan`` until SIGTERM/SIGINT, with ``state.json`` present while serving."""
    lab = EmbeddedLab(plan)
    await lab.start()
    try:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
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
    finally:
        await lab.close()
        _forget(directory)
    print("lab: stopped", flush=True)


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
    if len(args) != 1:
        print("usage: python -m dnssec_doctor.lab.daemon STATEDIR", file=sys.stderr)
        return 2
    directory = Path(args[0])
    try:
        asyncio.run(serve(directory, read_plan(directory)))
    except DoctorError as error:
        print(f"lab: {error}", file=sys.stderr, flush=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
