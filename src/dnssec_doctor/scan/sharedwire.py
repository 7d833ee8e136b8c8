"""Answers shared across the names of a scan: the same question to the same server, once.

Ten thousand names under ``.com`` all ask the root servers for the ``com`` DS and
referral, the ``com`` servers for their SOA, NS, DNSKEY and behaviour probes, and
(for names on the same hoster) the hoster's servers for the same NS addresses. The
DNS allows reusing those answers (they are cacheable data, RFC 2181 §5; a server's
answer to an identical question does not depend on who asks), so the scan asks each
once and hands the recorded exchange to every name that asks.

Sharing happens at the ``Wire`` level, below each name's ``Client``: the client still
applies its own budget, retries and TC→TCP fallback, and still records every exchange
in its capture. Each name sees its own :class:`NameWire` view, which numbers the
attempts of each (server, question, transport) like ``ReplayWire`` replays them: the
n-th attempt of a name is the scan's n-th attempt of that question. So a retry after
a shared timeout is a real second attempt (shared too), and ``check --replay`` of a
scan result's capture replays exactly what its analysis saw.

Entries expire after ``max_age`` seconds (answers are not kept beyond a scan's
moment) and the table is bounded (least recently used first out): memory does not
grow with the input.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import OrderedDict
from typing import Literal

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.scan.ratelimit import DestinationLimiter
from dnssec_doctor.transport.base import Wire

_Key = tuple[str, QuerySpec, str, int]
MAX_ENTRIES = 50_000
"""Shared exchanges kept at once (a few KB each at most: bounded memory)."""
MAX_AGE = 300.0
"""Seconds an exchange is reused (well under common TTLs; a scan is a snapshot)."""
MAX_IN_FLIGHT = 512
"""Attempts on the network at once across all names (each holds a socket)."""


@dataclasses.dataclass(slots=True)
class _Entry:
    born: float
    result: asyncio.Future[Exchange]


class SharedWire:
    """The scan's one wire: shared attempts, per-destination pace, a global cap."""

    def __init__(
        self,
        inner: Wire,
        limiter: DestinationLimiter,
        *,
        max_entries: int = MAX_ENTRIES,
        max_age: float = MAX_AGE,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self._inner = inner
        self._limiter = limiter
        self._entries: OrderedDict[_Key, _Entry] = OrderedDict()
        self._max_entries = max_entries
        self._max_age = max_age
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self.sent = 0
        """Attempts really sent (the scan's query count)."""
        self.reused = 0
        """Attempts answered from another name's exchange."""

    def view(self) -> NameWire:
        """A fresh per-name view (use one per name's ``Client``)."""
        return NameWire(self)

    async def attempt(
        self, key: _Key, server: ServerAddress, timeout: float
    ) -> tuple[Exchange, bool]:
        """The exchange for ``key`` (its n-th attempt), and whether it was reused."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and now - entry.born <= self._max_age:
            self._entries.move_to_end(key)
            self.reused += 1
            return await asyncio.shield(entry.result), True
        future: asyncio.Future[Exchange] = asyncio.get_running_loop().create_future()
        self._entries[key] = _Entry(now, future)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        try:
            exchange = await self._send(server, key, timeout)
        except BaseException as exc:
            # Whoever waits on this attempt must not hang: they retry it themselves.
            if self._entries.get(key) is not None and self._entries[key].result is future:
                del self._entries[key]
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        future.set_result(exchange)
        return exchange, False

    async def _send(self, server: ServerAddress, key: _Key, timeout: float) -> Exchange:
        _, spec, transport, _ = key
        async with self._in_flight:
            await self._limiter.wait(key[0])
            self.sent += 1
            return await self._inner.send(
                server, spec, "tcp" if transport == "tcp" else "udp", timeout
            )


class NameWire:
    """One name's view of the shared wire (implements ``base.Wire``)."""

    def __init__(self, shared: SharedWire) -> None:
        self._shared = shared
        self._attempts: dict[tuple[str, QuerySpec, str], int] = {}
        self._t0 = time.monotonic()
        self.reused = 0
        """Attempts of this name answered from another name's exchange."""

    async def send(
        self,
        server: ServerAddress,
        spec: QuerySpec,
        transport: Literal["udp", "tcp"],
        timeout: float,
    ) -> Exchange:
        """The shared attempt of this question (numbered per name), timed for this name."""
        base = (str(server), spec, transport)
        index = self._attempts.get(base, 0)
        self._attempts[base] = index + 1
        started = time.monotonic() - self._t0
        while True:
            try:
                exchange, reused = await self._shared.attempt((*base, index), server, timeout)
                break
            except asyncio.CancelledError:
                if _cancelling():
                    raise
                # The name that sent the attempt was cancelled, not this one: ask again.
        if reused:
            self.reused += 1
        # Timed from this name's start, as a probe of its own would have recorded it.
        return dataclasses.replace(exchange, started=started)


def _cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
