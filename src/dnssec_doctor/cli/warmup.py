"""Import the analysis while a live probe waits on the network.

A live ``check`` on a real network spends most of its wall time waiting for
answers, and importing the analysis (dnspython's DNSSEC code, cryptography, the
catalog, a renderer) costs about as much CPU as the probe itself. Importing it in a
background thread while the probe waits takes that off the critical path.

On a fast network (loopback, a LAN) the probe keeps the interpreter busy: a second
thread would only fight it for the interpreter lock and make both slower. So the
thread first watches the process's CPU time and starts importing only once the probe
is seen waiting (the process used less than a third of the last few milliseconds);
otherwise the analysis is imported after the probe, as without a warm-up.

Only modules the probe does not import are named here. Python's import locks make
two threads importing the same module safe (one waits for the other); a failed
import here is left for the main thread to hit again and report.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType

ANALYSIS_MODULES: tuple[str, ...] = ("dnssec_doctor.analysis.engine",)
RESOLVER_MODULES: tuple[str, ...] = ("dnssec_doctor.analysis.resolver.diagnosis",)
"""Imported by the analysis only when a resolver was asked."""
RENDERER_MODULES: dict[str, tuple[str, ...]] = {
    "text": ("dnssec_doctor.render.text",),
    "json": ("dnssec_doctor.model.diagnosis_json",),
    "html": ("dnssec_doctor.render.html", "dnssec_doctor.render.keydot"),
    "dot": ("dnssec_doctor.render.keydot",),
    "svg": ("dnssec_doctor.render.keydot", "dnssec_doctor.render.graphviz"),
    "nagios": ("dnssec_doctor.render.nagios",),
    "prometheus": ("dnssec_doctor.render.prometheus",),
}
POLL_SECONDS = 0.006
"""How often the thread looks at the process's CPU time before it starts importing."""
IDLE_SHARE = 0.3
"""The probe counts as waiting when the process used less than this share of a poll's
elapsed time."""
SWITCH_INTERVAL = 0.001
"""Seconds between the interpreter's thread switches while importing (default 0.005): an
answer waits at most about this long for the probe to run again."""


HISTORY_MODULES: tuple[str, ...] = ("dnssec_doctor.history.recorder",)
"""Imported when the check is recorded (``--db``): SQLAlchemy is most of it."""


def modules_for(fmt: str, *, resolvers: bool = False, history: bool = False) -> tuple[str, ...]:
    """What a check printing ``fmt`` (asking resolvers or not, recording or not) will import
    after its probe."""
    return (
        *ANALYSIS_MODULES,
        *(HISTORY_MODULES if history else ()),
        *(RESOLVER_MODULES if resolvers else ()),
        *RENDERER_MODULES.get(fmt, ()),
    )


class Warmup:
    """A context manager that imports ``modules`` in a daemon thread once the process is
    seen waiting; leaving it stops the watch and waits for imports under way."""

    def __init__(self, modules: Sequence[str], on_idle: Sequence[Callable[[], None]] = ()) -> None:
        self._modules = tuple(modules)
        self._on_idle = tuple(on_idle)
        """Called first, once the process is seen waiting (quick calls: they delay the
        imports; ``history.opener.Opening.start`` starts a thread)."""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import-warmup", daemon=True)
        self._interval = sys.getswitchinterval()
        self.started_importing = False
        """Whether the thread saw the probe waiting and imported (for tests and benchmarks)."""

    def _run(self) -> None:
        wall, cpu = time.monotonic(), time.process_time()
        while not self._done.wait(POLL_SECONDS):
            now_wall, now_cpu = time.monotonic(), time.process_time()
            if now_cpu - cpu < IDLE_SHARE * (now_wall - wall):
                self._import_all()
                return
            wall, cpu = now_wall, now_cpu

    def _import_all(self) -> None:
        self.started_importing = True
        for call in self._on_idle:
            call()
        sys.setswitchinterval(SWITCH_INTERVAL)
        for name in self._modules:
            try:
                importlib.import_module(name)
            except Exception:  # the main thread imports it again and reports
                continue

    def __enter__(self) -> Warmup:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()
        sys.setswitchinterval(self._interval)
