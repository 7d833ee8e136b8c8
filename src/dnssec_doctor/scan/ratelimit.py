"""A polite pace per destination: at most ``rate`` queries per second to one server address.

Scanning ten thousand zones hosted on the same four name servers must not look like
an attack on those servers (nor trip their response rate limiting, RFC-less but
universal: BIND's RRL, Knot's RRL, which would turn the scan's answers into
truncations and timeouts). Each destination gets its own schedule: a query waits
until its slot, slots are ``1 / rate`` seconds apart, and an idle destination may
send a burst of ``burst`` queries at once (a name's first round asks one server
five questions together).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

DEFAULT_RATE = 50.0
"""Queries per second per server address by default: polite for a public server."""
_PRUNE_EVERY = 4096


class DestinationLimiter:
    """Per-destination query pacing (one instance per scan process)."""

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 8,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / rate
        self._burst_span = self._interval * max(0, burst - 1)
        self._clock = clock
        self._next: dict[str, float] = {}
        self._calls = 0
        self.waited = 0.0
        """Seconds queries spent waiting for their slot, in total (for the summary)."""

    def delay(self, destination: str) -> float:
        """Reserve the next slot to ``destination``; seconds to wait for it."""
        now = self._clock()
        self._calls += 1
        if self._calls % _PRUNE_EVERY == 0:
            self._prune(now)
        earliest = now - self._burst_span
        slot = max(earliest, self._next.get(destination, earliest))
        self._next[destination] = slot + self._interval
        return max(0.0, slot - now)

    async def wait(self, destination: str) -> None:
        """Wait until a query to ``destination`` may be sent."""
        pause = self.delay(destination)
        if pause > 0:
            self.waited += pause
            await asyncio.sleep(pause)

    def _prune(self, now: float) -> None:
        """Forget destinations idle long enough to have their full burst back (memory)."""
        stale = [d for d, t in self._next.items() if t < now - self._burst_span]
        for destination in stale:
            del self._next[destination]
