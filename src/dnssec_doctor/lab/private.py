"""A lab for the length of one command: its own process, its own directory, gone afterwards.

``demo`` checks its scenarios against a lab it starts for itself. The servers run
in a separate process (``lab.daemon``, started by ``lab.manager.up``), so checks
that keep the command's interpreter busy cannot starve them: with the servers in
the checking process, a busy machine made every answer late and every zone look
unreachable. The lab keeps its state in a temporary directory, never the one of
``lab up``, so a lab started by ``lab up`` is left alone.

The lab is stopped on every way out of the ``with`` block: its end, an exception,
Ctrl-C, SIGTERM and SIGHUP (turned into ``KeyboardInterrupt`` while the block
runs, so the clean-up runs too), and SIGKILL (the lab process sees its parent
gone and stops itself, ``lab.daemon --parent``).
"""

from __future__ import annotations

import contextlib
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from dnssec_doctor.lab import manager
from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.state import LabState

DIRECTORY_PREFIX = "dnssec-doctor-lab-"
"""Name prefix of the temporary state directory."""
INTERRUPTING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals that end the command like Ctrl-C while a private lab runs."""


@contextlib.contextmanager
def private_lab(plan: LabPlan, *, timeout: float = manager.START_TIMEOUT) -> Iterator[LabState]:
    """Serve ``plan`` from a process of its own until the block ends; the running lab's
    state (root hints, trust anchor files, the server process's pid).

    DoctorError when the lab does not start (an address taken, port 53 not allowed).
    """
    with (
        _signals_interrupt(),
        tempfile.TemporaryDirectory(prefix=DIRECTORY_PREFIX) as temporary,
    ):
        directory = Path(temporary)
        try:
            yield manager.up(directory, plan=plan, timeout=timeout, tied_to_caller=True).state
        finally:
            manager.down(directory)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP raise KeyboardInterrupt in the main thread meanwhile (a
    signal left ignored, as by ``nohup``, stays ignored)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    changed = [s for s in INTERRUPTING_SIGNALS if signal.getsignal(s) == signal.SIG_DFL]
    for signum in changed:
        signal.signal(signum, _interrupt)
    try:
        yield
    finally:
        for signum in changed:
            signal.signal(signum, signal.SIG_DFL)
