"""Admit a new name only while the event loop keeps up: a busy CPU must not become timeouts.

On a fast network the probing loop is CPU-bound (building, sending and parsing DNS
messages). Past what the CPU can serve, more names in flight only delay every answer's
processing: an answer that arrived in 1 ms is read 1 s later, and with a 2 s timeout a
busier moment turns healthy servers into "timed out" findings. So the loop's own lag
is measured (how late a short sleep wakes up) and a name starts only while the lag is
under :data:`MAX_LAG`; names already under way are never held.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

MAX_LAG = 0.1
"""Seconds the loop may run behind before new names wait (well under any timeout)."""
TICK = 0.05


class LoopGate:
    """Measures the running loop's lag; ``admit()`` waits while it is too high."""

    def __init__(self, max_lag: float = MAX_LAG) -> None:
        self._max_lag = max_lag
        self.lag = 0.0
        self.held = 0.0
        """Seconds names waited at the gate, in total (for the summary)."""
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start measuring (call from the running loop)."""
        self._task = asyncio.ensure_future(self._measure())

    async def stop(self) -> None:
        """Stop measuring."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def admit(self) -> None:
        """Return once a new name may start (one at a time, each checking the lag)."""
        async with self._lock:
            started = time.monotonic()
            while self.lag > self._max_lag:
                await asyncio.sleep(TICK)
            self.held += time.monotonic() - started

    async def _measure(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(TICK)
            self.lag = max(0.0, time.monotonic() - before - TICK)
