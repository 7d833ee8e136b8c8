"""An embedded lab served from a background thread of the current process.

``demo`` and the tests use it: the lab's event loop runs in its own thread, so
the caller can run probes with ``asyncio.run`` while the lab answers.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from dnssec_doctor.fileio import write_file
from dnssec_doctor.lab.embedded import EmbeddedLab
from dnssec_doctor.lab.plan import LabPlan


class BackgroundLab:
    """An EmbeddedLab serving from its own event loop in a daemon thread."""

    def __init__(self, plan: LabPlan) -> None:
        self.plan = plan
        self._loop = asyncio.new_event_loop()
        self._lab = EmbeddedLab(plan)
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> BackgroundLab:
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._lab.start(), self._loop).result(timeout=60)
        except BaseException:
            self._stop_loop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._lab.close(), self._loop).result(timeout=30)
        self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def anchor_file(self, directory: Path) -> Path:
        """The lab's root DS written to a file (a ``--trust-anchor`` input)."""
        path = directory / "root-anchor.ds"
        data = ("\n".join(self.plan.trust_anchor_ds) + "\n").encode("utf-8")
        write_file(path, data, what="trust anchor file")
        return path

    @property
    def root_hints(self) -> str:
        """The lab's root hints as a ``--root-hints`` value."""
        return ",".join(str(a) for a in self.plan.root_hints)
