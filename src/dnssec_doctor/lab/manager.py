"""Lab lifecycle: ``up`` starts a detached lab process, ``down`` stops it, ``status`` looks.

The embedded backend runs as ``python -m dnssec_doctor.lab.daemon DIR`` in its
own session, so it outlives the command that started it. ``up`` waits until
the process has written ``state.json`` (every server listening); if it exits
or takes too long instead, ``up`` kills it, removes what it wrote and raises
DoctorError with the process's last words. A lock file serialises concurrent
``up``/``down`` on one directory; ``up`` on a running lab returns its state.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import dnssec_doctor
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import open_stream
from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.state import (
    LOG_FILE,
    LabState,
    read_state,
    remove_state,
    state_for,
    write_anchor_files,
    write_plan,
    write_state,
)

DAEMON_MODULE = "dnssec_doctor.lab.daemon"
DIR_ENV = "DNSSEC_DOCTOR_LAB_DIR"
LOCK_FILE = ".lock"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
BACKENDS = ("embedded", "real")
BASES = {"embedded": "127.77", "real": "127.78"}
"""The first two octets of each backend's lab addresses unless ``--base`` says otherwise
(the tests serve their labs elsewhere, so a running lab does not break them)."""
DEMO_BASE = "127.76"
"""Where ``demo`` serves its private lab: not ``lab up``'s, so a demo runs while a lab is up."""
LAB_SEED = 20_261_206
"""The seed every lab built here derives its keys from (``lab.keys``): ``lab list``, ``lab
up`` and ``demo`` serve and describe the same keys (a scenario's description names key
tags). Lab keys protect nothing but a private tree on loopback, so a published seed is
harmless there; the lab's trust anchor must never be given to a resolver outside the lab."""
REAL_SUBDIR = "real"
"""Where ``lab.real`` keeps its configuration, zone files and process records."""


@dataclass(frozen=True, slots=True)
class UpResult:
    """What ``up`` did: the running lab, and whether it was already running."""

    state: LabState
    already_running: bool


def default_directory() -> Path:
    """``$DNSSEC_DOCTOR_LAB_DIR``, else ``.lab`` in the current directory."""
    return Path(os.environ.get(DIR_ENV) or ".lab")


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DoctorError(f"cannot use lab directory {directory}: {error.strerror}") from None
    with os.fdopen(open_stream(directory / LOCK_FILE, what="lab lock", truncate=False)) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _process_state(pid: int) -> str | None:
    """The /proc state letter of ``pid`` (``Z`` for a zombie), None when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[0]


def _reap(pid: int) -> None:
    """Collect ``pid`` if it is our exited child, so no zombie stays behind."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _alive(pid: int) -> bool:
    _reap(pid)
    state = _process_state(pid)
    return state is not None and state != "Z"


def is_ours(state: LabState) -> bool:
    """True while ``state.pid`` is a lab daemon serving ``state.directory``.

    Checked on the command line, so a recycled pid is never mistaken for the lab.
    """
    if not _alive(state.pid):
        return False
    try:
        argv = Path(f"/proc/{state.pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    words = [a.decode("utf-8", "replace") for a in argv]
    return DAEMON_MODULE in words and any(
        Path(w).resolve() == Path(state.directory) for w in words[1:] if w.startswith("/")
    )


def _running(directory: Path) -> LabState | None:
    try:
        state = read_state(directory)
    except DoctorError:
        return None
    if state is None:
        return None
    if state.backend == "real":
        running: bool = _real_module().lab_running(_real_workdir(directory))
        return state if running else None
    return state if is_ours(state) else None


def status(directory: Path) -> LabState | None:
    """The running lab in ``directory``, or None."""
    return _running(directory)


def up(
    directory: Path,
    *,
    backend: str = "embedded",
    scenarios: Sequence[str] = (),
    plan: LabPlan | None = None,
    now: int | None = None,
    timeout: float = START_TIMEOUT,
    base: str | None = None,
    tied_to_caller: bool = False,
) -> UpResult:
    """Start a lab in ``directory`` (``plan``, or the scenarios' lab built at ``now`` on
    ``base``, by default the backend's ``BASES`` entry).

    Harmless when a lab is already running there: returns its state.
    ``tied_to_caller`` (embedded backend): the lab process stops by itself when this
    process ends, even when it ends without calling ``down`` (``lab.private``).
    """
    if backend not in BACKENDS:
        raise DoctorError(f"unknown lab backend {backend!r} (choose from {', '.join(BACKENDS)})")
    with _locked(directory):
        running = _running(directory)
        if running is not None:
            return UpResult(running, already_running=True)
        remove_state(directory)  # leftovers of a lab that died
        if plan is None:
            when = now if now is not None else int(time.time())
            plan = build_plan(when, scenarios, backend, base=base)
        if backend == "real":
            try:
                return UpResult(_real_up(directory, plan), already_running=False)
            except DoctorError:
                remove_state(directory)  # start_real already stopped what it started
                raise
            except Exception as error:  # a backend bug: still one line, not a traceback
                remove_state(directory)
                raise DoctorError(
                    f"the real-server lab did not start: {type(error).__name__}: {error}"
                ) from error
        write_plan(directory, plan)
        pid = _spawn(directory, os.getpid() if tied_to_caller else None)
        try:
            state = _wait_ready(directory, pid, timeout)
        except BaseException:
            _stop_pid(pid, STOP_TIMEOUT)
            remove_state(directory)
            raise
        return UpResult(state, already_running=False)


def down(directory: Path, *, timeout: float = STOP_TIMEOUT) -> LabState | None:
    """Stop the lab in ``directory`` and remove its files; the state it had, or None."""
    if not directory.is_dir():
        return None  # nothing was ever started here: do not create the directory
    with _locked(directory):
        try:
            state = read_state(directory)
        except DoctorError:
            state = None  # damaged: nothing we can stop safely, but clean up
        if state is not None and state.backend == "real":
            _real_module().stop_real(_real_workdir(directory))
        elif state is not None and is_ours(state):
            _stop_pid(state.pid, timeout)
        remove_state(directory, keep_log=False)
        return state


def build_plan(
    now: int, scenarios: Sequence[str] = (), backend: str = "embedded", *, base: str | None = None
) -> LabPlan:
    """The scenarios' lab built at ``now`` on ``base``.0.0/16, by default the backend's
    (127.77 embedded, 127.78 real), with the keys of ``LAB_SEED``; every scenario when
    none is named."""
    from dnssec_doctor.lab.scenarios import build_lab

    return build_lab(
        now, base=base or BASES[backend], seed=LAB_SEED, names=tuple(scenarios) or None
    )


def _real_module() -> Any:
    try:
        return importlib.import_module("dnssec_doctor.lab.real")
    except ImportError:
        raise DoctorError("the real-server lab backend is not available in this build") from None


def _real_workdir(directory: Path) -> Path:
    return directory.resolve() / REAL_SUBDIR


def _real_up(directory: Path, plan: LabPlan) -> LabState:
    """Start ``lab.real`` (BIND + Unbound) and record it like an embedded lab."""
    lab = _real_module().start_real(plan, _real_workdir(directory))
    write_anchor_files(directory, plan)
    extra = dict(plan.extra)
    extra.update({f"resolver.{r.role}": str(r.address) for r in lab.resolvers})
    extra.update({f"skipped.{s.address}": s.reason for s in lab.skipped})
    extra["real.workdir"] = str(lab.workdir)
    state = state_for(
        directory,
        replace(plan, extra=extra),
        pid=0,
        backend="real",
        started_at=int(time.time()),
    )
    write_state(directory, state)
    return state


def _spawn(directory: Path, parent: int | None = None) -> int:
    """Start the daemon in its own session, output to ``daemon.log``; its pid.

    ``parent``: the daemon stops once that process (its parent) is gone."""
    source_root = str(Path(dnssec_doctor.__file__).resolve().parent.parent)
    argv = [sys.executable, "-m", DAEMON_MODULE, str(directory.resolve())]
    if parent is not None:
        argv += ["--parent", str(parent)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source_root, env.get("PYTHONPATH")]))
    log = open_stream(directory / LOG_FILE, what="lab log", truncate=True)
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        return os.posix_spawn(
            sys.executable,
            argv,
            env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, null, 0),
                (os.POSIX_SPAWN_DUP2, log, 1),
                (os.POSIX_SPAWN_DUP2, log, 2),
            ],
            setsid=True,
        )
    except OSError as error:
        raise DoctorError(f"cannot start the lab process: {error.strerror}") from None
    finally:
        os.close(log)
        os.close(null)


def _wait_ready(directory: Path, pid: int, timeout: float) -> LabState:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = read_state(directory)
        except DoctorError:
            state = None  # being written
        if state is not None and state.pid == pid:
            return state
        if not _alive(pid):
            raise DoctorError(f"the lab did not start: {_last_words(directory)}")
        time.sleep(0.05)
    raise DoctorError(f"the lab did not start within {timeout:g} s (see {directory / LOG_FILE})")


def _last_words(directory: Path) -> str:
    try:
        lines = (directory / LOG_FILE).read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    said = [line.strip() for line in lines if line.strip()]
    return said[-1] if said else "the lab process exited without a word"


def _stop_pid(pid: int, timeout: float) -> None:
    """SIGTERM, then SIGKILL after ``timeout``; returns once the process is gone."""
    for signum, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.02)
    if _alive(pid):
        raise DoctorError(f"lab process {pid} does not stop")
