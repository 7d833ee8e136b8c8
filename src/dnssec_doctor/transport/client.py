"""The client every probe uses: policy, budget, concurrency, retries, TC→TCP.

A ``Client`` wraps a ``Wire`` (real sockets or a capture replay) and records
every attempt in ``exchanges``, in the order they were sent (not the order the
network answered, so a replay lists them the same way): that list is the
capture's content. Nothing here raises for network trouble; refusals and
exhausted budgets are recorded as exchanges so the analysis can report them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.limits import OPTIONAL_LIMIT, Limits
from dnssec_doctor.model.capture import NOT_IN_CAPTURE, Exchange
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.transport.base import Wire
from dnssec_doctor.transport.policy import AddressPolicy

if TYPE_CHECKING:
    pass

# Budget exchanges say which limit stopped them in ``error``, in this form, so
# that a replayed capture reports the same limit without knowing the Limits.
_BUDGET_PREFIX = "not sent: "
SILENT_AFTER = 2
"""Other queries that timed out after which a server that never answered gets no retries."""
SETTLE_SECONDS = 0.02
"""Wait before deciding on a retry, so that timeouts of parallel queries are counted."""
_TC_BIT = 0x02  # in the third header octet (RFC 1035 §4.1.1)
RESERVED_SHARE = 4
"""One query in this many of ``max_queries`` is kept from optional queries (the address
lookups of glueless NS names), so that a hostile 500-name NS set cannot spend the budget
the questions about the name itself need."""


class Client:
    """Sends queries through ``wire`` within ``limits`` and ``policy``.

    ``enforce_budget=False`` is for replay: the capture already holds the
    budget refusals of the original run (the ``Wire`` returns them), so the
    query budget and deadline are not applied a second time. With a replay,
    pass the permissive policy too, so that recorded ``policy`` refusals come
    from the capture rather than being made up anew.
    """

    def __init__(
        self,
        wire: Wire,
        *,
        limits: Limits,
        policy: AddressPolicy,
        enforce_budget: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._slots: list[Exchange | None] = []
        self._wire = wire
        self._limits = limits
        self._policy = policy
        self._enforce = enforce_budget
        self._clock = clock
        self._t0 = clock()
        self._sent = 0
        self._semaphore = asyncio.Semaphore(max(1, limits.concurrency))
        self._timeouts: dict[str, set[QuerySpec]] = {}
        self._answered: set[str] = set()

    @property
    def exchanges(self) -> list[Exchange]:
        """Every finished attempt (and refusal), in the order it was sent."""
        return [e for e in self._slots if e is not None]

    @property
    def sent(self) -> int:
        """Attempts handed to the wire so far."""
        return self._sent

    async def query(
        self, server: ServerAddress, spec: QuerySpec, *, optional: bool = False
    ) -> Exchange:
        """Ask ``server`` for ``spec``; returns the final exchange.

        UDP is tried ``1 + limits.retries`` times while it times out; a UDP
        answer with TC=1 is followed by one TCP attempt (RFC 7766 §5), recorded
        as its own exchange. ``spec.tcp`` starts on TCP. An ``optional`` query
        (one that does not answer the user's question) may not use the last
        ``max_queries // RESERVED_SHARE`` queries of the budget.
        """
        transport: Literal["udp", "tcp"] = "tcp" if spec.tcp else "udp"
        reason = self._policy.refusal(server)
        if reason is not None:
            refused = Exchange(
                server=str(server),
                query=spec,
                transport=transport,
                outcome="policy",
                started=self._elapsed(),
                error=reason,
            )
            self._slots.append(refused)
            return refused
        exchange = await self._attempt(server, spec, transport, optional)
        if transport == "tcp":
            return exchange
        for _ in range(max(0, self._limits.retries)):
            if exchange.outcome != "timeout":
                break
            # Queries sent together time out together: let the others land first.
            await asyncio.sleep(SETTLE_SECONDS)
            if self._silent(server, spec):
                break
            retry = await self._attempt(server, spec, "udp", optional)
            if retry.outcome == "budget" and retry.error == NOT_IN_CAPTURE:
                break  # replaying a run that did not retry here: keep what it saw
            exchange = retry
        if exchange.outcome == "response" and _truncated(exchange.wire):
            exchange = await self._attempt(server, spec, "tcp", optional)
        return exchange

    @property
    def budget_exhausted(self) -> bool:
        """True once a query was not sent because of the budget or deadline."""
        return any(e.outcome == "budget" for e in self.exchanges)

    async def _attempt(
        self,
        server: ServerAddress,
        spec: QuerySpec,
        transport: Literal["udp", "tcp"],
        optional: bool = False,
    ) -> Exchange:
        """One attempt, unless the budget forbids it; recorded either way."""
        async with self._semaphore:
            # Checked after waiting for a slot: that is when it would be sent.
            timeout = self._limits.query_timeout
            if self._enforce:
                stop = self._budget_stop(optional)
                if stop is not None:
                    refused = Exchange(
                        server=str(server),
                        query=spec,
                        transport=transport,
                        outcome="budget",
                        started=self._elapsed(),
                        error=stop,
                    )
                    self._slots.append(refused)
                    return refused
                # No attempt may outlive the analysis deadline.
                timeout = min(timeout, self._limits.deadline - self._elapsed())
            self._sent += 1
            slot = len(self._slots)
            self._slots.append(None)
            exchange = await self._wire.send(server, spec, transport, timeout)
            self._slots[slot] = exchange
        key = str(server)
        if exchange.outcome == "timeout":
            self._timeouts.setdefault(key, set()).add(spec)
        elif exchange.outcome == "response":
            self._answered.add(key)
        return exchange

    def _silent(self, server: ServerAddress, spec: QuerySpec) -> bool:
        """True for a server that never answered and let other queries time out too.

        Retrying such a server only doubles the wait: a dead server should cost
        one timeout. A single lost packet (no other query timed out) is retried.
        """
        key = str(server)
        others = self._timeouts.get(key, set()) - {spec}
        return key not in self._answered and len(others) >= SILENT_AFTER

    def _budget_stop(self, optional: bool = False) -> str | None:
        cap = self._limits.max_queries - self._limits.max_queries // RESERVED_SHARE
        if optional and self._sent >= cap:
            return f"{_BUDGET_PREFIX}{OPTIONAL_LIMIT}={cap} reached"
        if self._sent >= self._limits.max_queries:
            return f"{_BUDGET_PREFIX}max_queries={self._limits.max_queries} reached"
        if self._elapsed() >= self._limits.deadline:
            return f"{_BUDGET_PREFIX}deadline={self._limits.deadline:g}s reached"
        return None

    def _elapsed(self) -> float:
        return self._clock() - self._t0


def _truncated(wire: bytes | None) -> bool:
    """TC=1 in the header of ``wire`` (read from the raw bytes: a truncated
    answer may not parse beyond its question)."""
    return wire is not None and len(wire) >= 4 and bool(wire[2] & _TC_BIT)
