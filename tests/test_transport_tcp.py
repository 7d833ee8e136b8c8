"""SocketWire over TCP, and the TC=1 → TCP fallback, against a scripted server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.sockets import SocketWire
from hostile_server import HostileServer, answer, closed_port, frame, reset

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(20)]

SPEC = QuerySpec("www.example.test.", "A")
TCP_SPEC = SPEC.with_(tcp=True)
FAST = Limits(query_timeout=0.3, retries=2, deadline=10.0)

Send = Callable[[bytes], None]


def client(limits: Limits = FAST) -> Client:
    return Client(SocketWire(), limits=limits, policy=AddressPolicy.permissive())


async def test_tcp_answer_in_one_byte_pieces() -> None:
    async def dribble(query: bytes, writer: asyncio.StreamWriter) -> None:
        for byte in frame(answer(query)):
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.001)

    async with HostileServer(tcp=dribble) as server:
        c = client(Limits(query_timeout=5.0, deadline=10.0))
        exchange = await c.query(server.address, TCP_SPEC)
    assert exchange.outcome == "response"
    assert exchange.transport == "tcp"
    assert server.udp_queries == [] and len(server.tcp_queries) == 1
    msg = exchange.message()
    assert msg is not None and msg.answer[0][0].to_text() == "192.0.2.1"


async def test_tcp_mismatched_message_then_right_one_on_the_same_stream() -> None:
    async def wrong_then_right(query: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(frame(b"garbage!"))
        writer.write(frame(answer(query, qname="other.example.test.")))
        writer.write(frame(answer(query)))
        await writer.drain()

    async with HostileServer(tcp=wrong_then_right) as server:
        exchange = await client().query(server.address, TCP_SPEC)
    assert exchange.outcome == "response"
    assert exchange.stray[0] == b"garbage!"
    assert len(exchange.stray) == 2


async def test_tc_with_empty_answer_retries_over_tcp_as_its_own_exchange() -> None:
    async def truncate(query: bytes, send: Send) -> None:
        send(answer(query, tc=True))

    async with HostileServer(udp=truncate) as server:
        c = client()
        exchange = await c.query(server.address, SPEC)
    assert [(e.transport, e.outcome) for e in c.exchanges] == [
        ("udp", "response"),
        ("tcp", "response"),
    ]
    udp_msg = c.exchanges[0].message()
    assert udp_msg is not None and udp_msg.answer == []
    assert exchange is c.exchanges[1]
    tcp_msg = exchange.message()
    assert tcp_msg is not None and len(tcp_msg.answer) == 1
    assert len(server.udp_queries) == 1 and len(server.tcp_queries) == 1
    assert c.sent == 2


async def test_tcp_that_accepts_and_never_answers_times_out() -> None:
    async def mute(query: bytes, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(3600)

    async with HostileServer(tcp=mute) as server:
        c = client()
        exchange = await asyncio.wait_for(c.query(server.address, TCP_SPEC), 5)
    assert exchange.outcome == "timeout"
    assert len(c.exchanges) == 1  # TCP is tried once
    assert server.tcp_connections == 1
    assert 0.25 < exchange.elapsed < 2.0


async def test_tcp_closed_mid_answer_is_reset() -> None:
    async def half_then_close(query: bytes, writer: asyncio.StreamWriter) -> None:
        data = frame(answer(query))
        writer.write(data[: len(data) // 2])
        await writer.drain()
        writer.close()

    async with HostileServer(tcp=half_then_close) as server:
        exchange = await client().query(server.address, TCP_SPEC)
    assert exchange.outcome == "reset"
    assert "closed after" in exchange.error
    assert exchange.wire is None


async def test_tcp_reset_mid_answer_is_reset() -> None:
    async def half_then_rst(query: bytes, writer: asyncio.StreamWriter) -> None:
        data = frame(answer(query))
        writer.write(data[:7])
        await writer.drain()
        await asyncio.sleep(0.05)
        reset(writer)

    async with HostileServer(tcp=half_then_rst) as server:
        exchange = await asyncio.wait_for(client().query(server.address, TCP_SPEC), 5)
    assert exchange.outcome == "reset"
    assert exchange.elapsed < 1.0


async def test_tcp_closed_without_a_word_is_reset() -> None:
    async def hang_up(query: bytes, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async with HostileServer(tcp=hang_up) as server:
        exchange = await client().query(server.address, TCP_SPEC)
    assert exchange.outcome == "reset"
    assert "before an answer" in exchange.error


async def test_tcp_garbage_then_close_is_malformed() -> None:
    async def garbage(query: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(frame(b"\x00\x01\x02"))
        await writer.drain()
        writer.close()

    async with HostileServer(tcp=garbage) as server:
        exchange = await client().query(server.address, TCP_SPEC)
    assert exchange.outcome == "malformed"
    assert exchange.stray == (b"\x00\x01\x02",)


async def test_tcp_connection_refused() -> None:
    target = ServerAddress("127.0.0.1", closed_port())
    exchange = await asyncio.wait_for(client().query(target, TCP_SPEC), 5)
    assert exchange.outcome == "refused"
    assert exchange.transport == "tcp"
