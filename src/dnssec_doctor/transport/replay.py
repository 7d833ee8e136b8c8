"""Replay of a capture: the same exchanges again, without a single socket.

``check --replay FILE`` and the tests run the probe code unchanged against a
``ReplayWire``; each (server, query, transport) gets its recorded exchanges
back in the order they were recorded, so retries and the TC→TCP fallback
replay exactly. Use it with ``Client(enforce_budget=False)``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Literal

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import NOT_IN_CAPTURE, Capture, Exchange
from dnssec_doctor.model.query import QuerySpec

_Key = tuple[str, QuerySpec, str]


class ReplayWire:
    """A ``Wire`` that answers from recorded exchanges (implements ``base.Wire``).

    Recorded ``budget`` and ``policy`` exchanges are returned like any other.
    A query the capture does not hold gets an exchange with outcome
    ``timeout`` and error ``"not in capture"``: to the analysis it looks like a
    server that did not answer, which is all that can honestly be said.
    """

    def __init__(self, source: Capture | Iterable[Exchange]) -> None:
        exchanges = source.exchanges if isinstance(source, Capture) else source
        self._pending: dict[_Key, deque[Exchange]] = {}
        for exchange in exchanges:
            key = (exchange.server, exchange.query, exchange.transport)
            self._pending.setdefault(key, deque()).append(exchange)
        self.missing: list[tuple[str, QuerySpec, str]] = []
        """Queries asked of the replay that the capture did not hold."""

    async def send(
        self,
        server: ServerAddress,
        spec: QuerySpec,
        transport: Literal["udp", "tcp"],
        timeout: float,
    ) -> Exchange:
        """The next recorded exchange for this query, or a ``not in capture`` timeout."""
        key = (str(server), spec, transport)
        queue = self._pending.get(key)
        if queue:
            return queue.popleft()
        self.missing.append(key)
        # Not asked when the capture was made (an older probe plan): "not sent",
        # never a timeout, so the analysis does not read it as a dead server.
        return Exchange(
            server=str(server),
            query=spec,
            transport=transport,
            outcome="budget",
            error=NOT_IN_CAPTURE,
        )

    def unused(self) -> int:
        """Recorded exchanges nobody asked for (the replayed code diverged)."""
        return sum(len(q) for q in self._pending.values())
