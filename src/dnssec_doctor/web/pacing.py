"""Rate limits of ``serve``: token buckets per client and per destination server.

Two resources need protecting on a public server. Its own capacity: each client
may start a limited number of checks per minute (``ClientLimiter``). And the DNS
servers it queries: many jobs about names under the same operator must not add
up to a flood towards one address, so every query of every job passes through
one shared bucket per destination address (``PacedWire``), which also counts
what the probe sends for the progress line ("asking 12 servers… 87 queries…").
Pacing is I/O only: the capture records what was sent, and the analysis, which
replays it, never sees the wrapper.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.transport.base import Wire

MAX_TRACKED = 10_000
"""Buckets kept per limiter (least recently used dropped first): memory stays bounded
however many clients or servers show up; a dropped bucket is a full one again."""
MIN_SEND_TIMEOUT = 0.05
"""The shortest timeout a query keeps after waiting for its destination's bucket."""


@dataclass(slots=True)
class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up (the classic token bucket)."""

    rate: float
    burst: float
    tokens: float
    stamp: float

    def take(self, now: float) -> float:
        """Take one token; 0 when one was there, else the seconds until it will be (the
        token is taken anyway: the caller waits that long, and later callers queue behind)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def try_take(self, now: float) -> float:
        """Take one token when one is there (0); else take nothing and return the wait."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class KeyedBuckets:
    """One token bucket per key (client address, server address), bounded in number."""

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    _buckets: OrderedDict[str, TokenBucket] = field(default_factory=OrderedDict)

    def bucket(self, key: str) -> TokenBucket:
        """The bucket of ``key`` (a full one when new)."""
        found = self._buckets.get(key)
        if found is None:
            found = TokenBucket(self.rate, self.burst, self.burst, self.clock())
            self._buckets[key] = found
            while len(self._buckets) > MAX_TRACKED:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return found


class ClientLimiter:
    """Checks a client may start: ``per_minute`` on average, bursts of ``burst``."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self._buckets = KeyedBuckets(per_minute / 60.0, float(burst), clock)
        self._clock = clock

    def admit(self, client: str) -> float:
        """0 when ``client`` may start a check now, else the seconds to wait (Retry-After)."""
        return self._buckets.bucket(client).try_take(self._clock())


class DestinationPacer:
    """Queries per second to each server address, shared by every job of the server."""

    def __init__(self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self._buckets = KeyedBuckets(per_second, float(burst), clock)
        self._clock = clock

    def delay(self, server: ServerAddress) -> float:
        """Seconds the next query to ``server`` must wait (its token is taken now)."""
        # Per address, not per port: a port is no different machine.
        return self._buckets.bucket(server.ip).take(self._clock())


@dataclass
class ProbeProgress:
    """What a running probe has sent so far (read by the progress line)."""

    queries: int = 0
    servers: set[str] = field(default_factory=set)


class PacedWire:
    """A ``Wire`` that waits for the destination's bucket before each attempt, and counts."""

    def __init__(self, inner: Wire, pacer: DestinationPacer, progress: ProbeProgress) -> None:
        self._inner, self._pacer, self.progress = inner, pacer, progress

    async def send(
        self,
        server: ServerAddress,
        spec: QuerySpec,
        transport: Literal["udp", "tcp"],
        timeout: float,
    ) -> Exchange:
        """One attempt after the pacing wait, which comes out of the attempt's timeout."""
        wait = min(self._pacer.delay(server), timeout)
        if wait > 0:
            await asyncio.sleep(wait)
        self.progress.queries += 1
        self.progress.servers.add(server.ip)
        return await self._inner.send(
            server, spec, transport, max(MIN_SEND_TIMEOUT, timeout - wait)
        )
