"""A dead server costs one timeout: parallel queries that all time out are not retried."""

from __future__ import annotations

import asyncio

import pytest

from dnssec_doctor.limits import Limits
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.sockets import SocketWire
from hostile_server import HostileServer, answer, silent_udp

LIMITS = Limits(query_timeout=0.3, retries=2, deadline=10.0)
SPECS = [QuerySpec("a.test.", t) for t in ("A", "AAAA", "TXT", "MX")]


def client() -> Client:
    return Client(SocketWire(), limits=LIMITS, policy=AddressPolicy.permissive())


@pytest.mark.asyncio
async def test_parallel_queries_to_a_silent_server_are_not_retried() -> None:
    async with HostileServer(udp=silent_udp) as server:
        c = client()
        results = await asyncio.gather(*(c.query(server.address, s) for s in SPECS))
    assert [r.outcome for r in results] == ["timeout"] * len(SPECS)
    assert len(server.udp_queries) == len(SPECS)  # one attempt each, no retries


@pytest.mark.asyncio
async def test_a_lone_lost_query_is_still_retried() -> None:
    async with HostileServer(udp=silent_udp) as server:
        c = client()
        result = await c.query(server.address, SPECS[0])
    assert result.outcome == "timeout"
    assert len(server.udp_queries) == 1 + LIMITS.retries


@pytest.mark.asyncio
async def test_a_server_that_answered_keeps_its_retries() -> None:
    async def answer_first_only(query: bytes, send) -> None:  # type: ignore[no-untyped-def]
        if len(server.udp_queries) == 1:
            send(answer(query))

    server = HostileServer(udp=answer_first_only)
    async with server:
        c = client()
        first = await c.query(server.address, SPECS[0])
        rest = await asyncio.gather(*(c.query(server.address, s) for s in SPECS[1:]))
    assert first.outcome == "response"
    assert all(r.outcome == "timeout" for r in rest)
    assert len(server.udp_queries) == 1 + len(SPECS[1:]) * (1 + LIMITS.retries)
