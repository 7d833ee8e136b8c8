"""A progress bar with names/s and ETA on a terminal; nothing at all otherwise."""

from __future__ import annotations

import os
import sys
from typing import Any


class Progress:
    """Counts finished names; draws a rich progress bar when stderr is a terminal.

    The total is known when the input is a regular file (its size: progress is by
    bytes read), otherwise the bar shows counts and rate only.
    """

    def __init__(self, total_bytes: int | None) -> None:
        self._bar: Any = None
        self._task: Any = None
        self.done = 0
        if not sys.stderr.isatty():
            return
        from rich.progress import (
            BarColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import (
            Progress as RichProgress,
        )

        self._bar = RichProgress(
            TextColumn("scan"),
            BarColumn(),
            TextColumn("{task.fields[names]} names, {task.fields[rate]}/s"),
            TimeRemainingColumn(),
            transient=True,
        )
        self._task = self._bar.add_task("scan", total=total_bytes, rate="-", names=0)

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, position: int | None, elapsed: float) -> None:
        """One more name written; ``position`` is the input offset reached, if known."""
        self.done += 1
        if self._bar is None:
            return
        rate = f"{self.done / elapsed:.1f}" if elapsed > 0 else "-"
        if position is not None:
            self._bar.update(self._task, completed=position, rate=rate, names=self.done)
        else:
            self._bar.update(self._task, rate=rate, names=self.done)


def input_size(handle: Any) -> int | None:
    """The size of a regular input file (for the bar's ETA), else None."""
    import stat

    try:
        info = os.fstat(handle.fileno())
    except (OSError, ValueError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None
