"""Client: address policy at send time, query budget, deadline, concurrency limit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.transport.client import OPTIONAL_LIMIT, Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.sockets import SocketWire
from fakewire import FakeWire, authoritative
from hostile_server import HostileServer, answer, silent_udp

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(20)]

Send = Callable[[bytes], None]


def spec(i: int = 0) -> QuerySpec:
    return QuerySpec(f"q{i}.example.test.", "A")


async def test_policy_refusal_is_recorded_and_nothing_is_sent() -> None:
    async with HostileServer() as server:
        c = Client(SocketWire(), limits=Limits(), policy=AddressPolicy.strict())
        exchange = await c.query(server.address, spec())
    assert exchange.outcome == "policy"
    assert "loopback" in exchange.error
    assert server.udp_queries == [] and server.tcp_queries == []
    assert c.exchanges == [exchange]
    assert c.sent == 0
    assert not c.budget_exhausted


async def test_query_budget_exceeded() -> None:
    limits = Limits(query_timeout=1.0, retries=0, max_queries=3, deadline=10.0)
    async with HostileServer() as server:
        c = Client(SocketWire(), limits=limits, policy=AddressPolicy.permissive())
        results = [await c.query(server.address, spec(i)) for i in range(5)]
    assert [e.outcome for e in results] == ["response"] * 3 + ["budget"] * 2
    assert len(server.udp_queries) == 3  # the budget stopped the rest before sending
    assert c.budget_exhausted
    assert "max_queries=3" in results[3].error
    assert [e.outcome for e in c.exchanges] == [e.outcome for e in results]


async def test_retries_and_tcp_fallback_count_against_the_budget() -> None:
    async def truncate(query: bytes, send: Send) -> None:
        send(answer(query, tc=True))

    limits = Limits(query_timeout=1.0, retries=0, max_queries=1, deadline=10.0)
    async with HostileServer(udp=truncate) as server:
        c = Client(SocketWire(), limits=limits, policy=AddressPolicy.permissive())
        final = await c.query(server.address, spec())
    assert [(e.transport, e.outcome) for e in c.exchanges] == [
        ("udp", "response"),
        ("tcp", "budget"),
    ]
    assert final.outcome == "budget"
    assert server.tcp_queries == []


async def test_deadline_exceeded_ends_the_query_in_time() -> None:
    # Attempts are cut to the deadline, and the retry after it is not sent.
    limits = Limits(query_timeout=5.0, retries=3, deadline=0.4)
    async with HostileServer(udp=silent_udp) as server:
        c = Client(SocketWire(), limits=limits, policy=AddressPolicy.permissive())
        final = await asyncio.wait_for(c.query(server.address, spec()), 3)
        later = await c.query(server.address, spec(1))
    assert [e.outcome for e in c.exchanges] == ["timeout", "budget", "budget"]
    assert final.outcome == "budget" and later.outcome == "budget"
    assert "deadline=0.4s" in final.error
    assert c.exchanges[0].elapsed < 1.0
    assert len(server.udp_queries) == 1


async def test_deadline_uses_the_given_clock() -> None:
    now = [100.0]
    limits = Limits(query_timeout=1.0, deadline=30.0)
    async with HostileServer() as server:
        c = Client(
            SocketWire(), limits=limits, policy=AddressPolicy.permissive(), clock=lambda: now[0]
        )
        first = await c.query(server.address, spec())
        now[0] = 130.0
        second = await c.query(server.address, spec(1))
    assert (first.outcome, second.outcome) == ("response", "budget")
    assert second.started == 30.0


async def test_concurrency_limit_is_respected() -> None:
    async def slow(query: bytes, send: Send) -> None:
        await asyncio.sleep(0.1)
        send(answer(query))

    limits = Limits(query_timeout=3.0, concurrency=3, deadline=10.0)
    async with HostileServer(udp=slow) as server:
        c = Client(SocketWire(), limits=limits, policy=AddressPolicy.permissive())
        results = await asyncio.gather(*(c.query(server.address, spec(i)) for i in range(12)))
    assert all(e.outcome == "response" for e in results)
    assert len(server.udp_queries) == 12
    assert server.max_in_flight == 3


async def test_unlimited_concurrency_runs_in_parallel() -> None:
    # The counterpart of the test above: the server can see more than 3 at once.
    async def slow(query: bytes, send: Send) -> None:
        await asyncio.sleep(0.1)
        send(answer(query))

    limits = Limits(query_timeout=3.0, concurrency=64, deadline=10.0)
    async with HostileServer(udp=slow) as server:
        c = Client(SocketWire(), limits=limits, policy=AddressPolicy.permissive())
        await asyncio.gather(*(c.query(server.address, spec(i)) for i in range(12)))
    assert server.max_in_flight > 3


async def test_private_target_refused_by_a_strict_private_policy_sends_nothing() -> None:
    policy = AddressPolicy(allow_loopback=True, allow_private=False)
    c = Client(SocketWire(), limits=Limits(query_timeout=0.2), policy=policy)
    exchange = await c.query(ServerAddress("10.1.2.3"), spec())
    assert exchange.outcome == "policy"
    assert "RFC 1918" in exchange.error


async def test_optional_queries_leave_a_quarter_of_the_budget() -> None:
    """NS address lookups (optional) stop at three quarters of max_queries; the questions
    about the name may still use the rest."""
    wire = FakeWire({"127.10.0.1": authoritative})
    client = Client(
        wire, limits=Limits(max_queries=8, retries=0), policy=AddressPolicy.permissive()
    )
    server = ServerAddress("127.10.0.1")

    outcomes: list[str] = []
    for i in range(8):
        e = await client.query(server, QuerySpec(f"ns{i}.example.", "A"), optional=True)
        outcomes.append(e.outcome)
    for _ in range(3):
        outcomes.append((await client.query(server, QuerySpec("www.example.", "A"))).outcome)
    assert outcomes[:6] == ["response"] * 6
    assert outcomes[6:8] == ["budget", "budget"]
    assert outcomes[8:] == ["response", "response", "budget"]
    refused = [e for e in client.exchanges if e.outcome == "budget"]
    assert OPTIONAL_LIMIT in refused[0].error and "max_queries" in refused[-1].error
