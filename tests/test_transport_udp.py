"""SocketWire and Client over UDP against a scripted hostile server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import dns.flags
import dns.message
import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.sockets import MAX_STRAY, SocketWire
from hostile_server import HostileServer, answer, closed_port, query_id, silent_udp

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(20)]

SPEC = QuerySpec("www.example.test.", "A")
FAST = Limits(query_timeout=0.3, retries=0, deadline=10.0)

Send = Callable[[bytes], None]


def client(limits: Limits = FAST) -> Client:
    return Client(SocketWire(), limits=limits, policy=AddressPolicy.permissive())


async def test_answer_is_accepted_and_kept_raw() -> None:
    async with HostileServer() as server:
        c = client()
        exchange = await c.query(server.address, SPEC)
    assert exchange.outcome == "response"
    assert exchange.transport == "udp"
    assert exchange.server == str(server.address)
    assert exchange.stray == ()
    msg = exchange.message()
    assert msg is not None
    assert msg.id == exchange.query_id == query_id(server.udp_queries[0])
    assert exchange.wire is not None and exchange.wire[:2] == server.udp_queries[0][:2]
    assert c.exchanges == [exchange]
    assert 0 < exchange.elapsed < FAST.query_timeout


async def test_query_flags_and_edns_reach_the_server() -> None:
    spec = QuerySpec("a.example.test.", "A", rd=True, cd=True, do=True, payload=1400)
    plain = QuerySpec("b.example.test.", "A", do=False, edns=None)
    async with HostileServer() as server:
        c = client()
        await c.query(server.address, spec)
        await c.query(server.address, plain)
    first = dns.message.from_wire(server.udp_queries[0])
    assert first.flags & dns.flags.RD and first.flags & dns.flags.CD
    assert first.edns == 0 and first.ednsflags & dns.flags.DO and first.payload == 1400
    second = dns.message.from_wire(server.udp_queries[1])
    assert second.edns == -1
    assert not second.flags & dns.flags.RD


async def test_ids_are_random_per_attempt() -> None:
    async with HostileServer(udp=silent_udp) as server:
        c = client(Limits(query_timeout=0.05, retries=7, deadline=10.0))
        await c.query(server.address, SPEC)
    ids = {query_id(q) for q in server.udp_queries}
    assert len(server.udp_queries) == 8
    assert len(ids) >= 6  # 8 draws from 65536 values: collisions are rare


async def test_no_answer_times_out_with_retries_counted() -> None:
    limits = Limits(query_timeout=0.2, retries=2, deadline=10.0)
    async with HostileServer(udp=silent_udp) as server:
        c = client(limits)
        exchange = await asyncio.wait_for(c.query(server.address, SPEC), 5)
    assert exchange.outcome == "timeout"
    assert [e.outcome for e in c.exchanges] == ["timeout"] * 3
    assert len(server.udp_queries) == 3
    assert c.sent == 3
    assert all(0.15 < e.elapsed < 1.0 for e in c.exchanges)


async def test_answer_after_the_timeout_is_not_taken() -> None:
    async def late_then_prompt(query: bytes, send: Send) -> None:
        if len(server.udp_queries) == 1:
            await asyncio.sleep(0.5)  # after the 0.2 s timeout of attempt 1
        send(answer(query, address="192.0.2.99"))

    limits = Limits(query_timeout=0.2, retries=1, deadline=10.0)
    server = HostileServer(udp=late_then_prompt)
    async with server:
        c = client(limits)
        exchange = await c.query(server.address, SPEC)
        await asyncio.sleep(0.4)  # let the late answer arrive at the old socket
    assert [e.outcome for e in c.exchanges] == ["timeout", "response"]
    assert exchange is c.exchanges[1]
    # Each attempt has its own socket: the late answer is nobody's stray.
    assert all(e.stray == () for e in c.exchanges)
    assert exchange.query_id == query_id(server.udp_queries[1])


async def test_wrong_id_then_right_id() -> None:
    async def wrong_then_right(query: bytes, send: Send) -> None:
        send(answer(query, query_id=(query_id(query) + 1) % 65536, address="192.0.2.66"))
        await asyncio.sleep(0.02)
        send(answer(query))

    async with HostileServer(udp=wrong_then_right) as server:
        exchange = await client().query(server.address, SPEC)
    assert exchange.outcome == "response"
    msg = exchange.message()
    assert msg is not None and msg.answer[0][0].to_text() == "192.0.2.1"
    assert len(exchange.stray) == 1
    assert int.from_bytes(exchange.stray[0][:2], "big") != exchange.query_id


async def test_wrong_question_then_right_and_0x20_case_is_accepted() -> None:
    async def wrong_then_right(query: bytes, send: Send) -> None:
        send(answer(query, qname="evil.example.test."))
        send(answer(query, qname="WWW.EXAMPLE.TEST."))

    async with HostileServer(udp=wrong_then_right) as server:
        exchange = await client().query(server.address, SPEC)
    assert exchange.outcome == "response"
    msg = exchange.message()
    assert msg is not None and msg.question[0].name.to_text() == "WWW.EXAMPLE.TEST."
    assert len(exchange.stray) == 1


async def test_echoed_query_without_qr_is_stray() -> None:
    async def echo_then_answer(query: bytes, send: Send) -> None:
        send(query)
        send(answer(query, qr=False))
        send(answer(query))

    async with HostileServer(udp=echo_then_answer) as server:
        exchange = await client().query(server.address, SPEC)
    assert exchange.outcome == "response"
    assert len(exchange.stray) == 2


async def test_garbage_then_right_answer() -> None:
    garbage = [b"\x00", b"\xff" * 11, b"not a dns message at all, just bytes"]

    async def garbage_then_right(query: bytes, send: Send) -> None:
        for g in garbage:
            send(g)
        send(query[:2] + b"\x81\x80" + b"\x00\x01" + b"\xff" * 20)  # right ID, broken body
        send(answer(query))

    async with HostileServer(udp=garbage_then_right) as server:
        exchange = await client().query(server.address, SPEC)
    assert exchange.outcome == "response"
    assert exchange.message() is not None
    assert len(exchange.stray) == 4
    assert exchange.stray[:3] == tuple(garbage)


async def test_only_garbage_is_malformed_after_the_timeout() -> None:
    async def only_garbage(query: bytes, send: Send) -> None:
        send(b"\xde\xad\xbe\xef")
        await asyncio.sleep(0.05)
        send(answer(query, query_id=(query_id(query) + 7) % 65536))

    limits = Limits(query_timeout=0.3, retries=1, deadline=10.0)
    async with HostileServer(udp=only_garbage) as server:
        c = client(limits)
        exchange = await c.query(server.address, SPEC)
    assert exchange.outcome == "malformed"
    assert exchange.wire is None
    assert len(exchange.stray) == 2
    assert "wrong ID" in exchange.error and "unparseable" in exchange.error
    # Retries are for silence only: a server that answers garbage was heard.
    assert len(c.exchanges) == 1
    assert exchange.elapsed >= 0.25  # the garbage did not end the wait


async def test_truncated_answer_cut_mid_record_is_accepted() -> None:
    async def cut(query: bytes, send: Send) -> None:
        full = bytearray(answer(query))
        full[2] |= 0x02  # TC
        send(bytes(full[:-3]))

    async with HostileServer(udp=cut) as server:
        c = client()
        exchange = await c.query(server.address, SPEC)
    # The UDP answer was accepted as truncated, so the client went to TCP.
    assert [e.transport for e in c.exchanges] == ["udp", "tcp"]
    assert c.exchanges[0].outcome == "response" and c.exchanges[0].message() is None
    assert exchange.outcome == "response"


async def test_icmp_port_unreachable_is_refused() -> None:
    target = ServerAddress("127.0.0.1", closed_port())
    c = client(Limits(query_timeout=2.0, retries=1, deadline=10.0))
    exchange = await asyncio.wait_for(c.query(target, SPEC), 5)
    assert exchange.outcome == "refused"
    assert len(c.exchanges) == 1  # refused is an answer: no retry
    assert exchange.elapsed < 1.0


async def test_ipv6_loopback_and_bad_query_do_not_raise() -> None:
    wire = SocketWire()
    bad = QuerySpec("www.example.test.", "NOTATYPE")
    exchange = await wire.send(ServerAddress("127.0.0.1", closed_port()), bad, "udp", 0.2)
    assert exchange.outcome == "error"
    assert "cannot build the query" in exchange.error
    try:
        async with HostileServer(host="::1") as server:
            ok = await wire.send(server.address, SPEC, "udp", 1.0)
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    assert ok.outcome == "response"
    assert ok.server == f"[::1]:{server.port}"


async def test_a_flood_of_garbage_is_bounded_and_does_not_end_the_wait() -> None:
    async def flood(query: bytes, send: Send) -> None:
        for i in range(200):
            send(bytes([i % 256]) * 5)
        await asyncio.sleep(0.05)
        send(answer(query))

    async with HostileServer(udp=flood) as server:
        exchange = await client(Limits(query_timeout=2.0, retries=0)).query(server.address, SPEC)
    assert exchange.outcome == "response"
    assert len(exchange.stray) == MAX_STRAY
