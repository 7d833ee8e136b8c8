"""Run an embedded lab in a background thread for the duration of a test module."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path

from dnssec_doctor.lab.embedded import EmbeddedLab
from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.scenarios import build_lab


class LabThread:
    """An EmbeddedLab serving from its own event loop in a daemon thread."""

    def __init__(self, plan: LabPlan) -> None:
        self.plan = plan
        self._loop = asyncio.new_event_loop()
        self._lab = EmbeddedLab(plan)
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> LabThread:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._lab.start(), self._loop).result(timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._lab.close(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def anchor_file(self, directory: Path) -> Path:
        """The lab's root DS written to a file (the --trust-anchor input)."""
        path = directory / "root-anchor.ds"
        path.write_text("\n".join(self.plan.trust_anchor_ds) + "\n", encoding="utf-8")
        return path

    @property
    def root_hints(self) -> str:
        """The lab's root hints as a --root-hints value."""
        return ",".join(str(a) for a in self.plan.root_hints)


LAB_NOW = 1_800_000_000
"""The lab's build time in tests (2027-01-15): signatures are relative to it."""


def start_lab(names: Sequence[str] | None = None, base: str = "127.77") -> LabThread:
    """A lab of the given scenarios (all by default), built at LAB_NOW with fixed keys."""
    return LabThread(build_lab(LAB_NOW, base=base, seed=7, names=names))
