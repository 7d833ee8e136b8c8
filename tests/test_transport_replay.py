"""Record with the real wire, save and load the capture, replay without a network."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.capture import Capture, Exchange, load_capture, save_capture
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.replay import ReplayWire
from dnssec_doctor.transport.sockets import SocketWire
from hostile_server import HostileServer, answer, query_id

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(20)]

Send = Callable[[bytes], None]
LIMITS = Limits(query_timeout=0.2, retries=1, max_queries=9, deadline=10.0)
OFF_LIMITS = ServerAddress("10.0.0.53")


async def scripted(query: bytes, send: Send) -> None:
    """Behaviour by query name: silent, truncating, noisy, or plain."""
    text = query.lower()
    if b"silent" in text:
        return
    if b"big" in text:
        send(answer(query, tc=True))
    elif b"noisy" in text:
        send(b"\x00garbage")
        send(answer(query, query_id=query_id(query) ^ 0xFFFF))
        send(answer(query))
    else:
        send(answer(query))


async def probe(client: Client, server: ServerAddress) -> list[Exchange]:
    """The same sequence of queries for recording and for replay."""
    names = ["plain", "silent", "big", "noisy"]
    results = [await client.query(server, QuerySpec(f"{n}.example.test.", "A")) for n in names]
    results.append(await client.query(server, QuerySpec("plain.example.test.", "DS", tcp=True)))
    results.append(await client.query(OFF_LIMITS, QuerySpec("plain.example.test.", "A")))
    results += await asyncio.gather(
        *(client.query(server, QuerySpec(f"c{i}.example.test.", "A")) for i in range(3))
    )
    return results


async def test_replay_round_trip(tmp_path: Path) -> None:
    async with HostileServer(udp=scripted) as server:
        recorder = Client(
            SocketWire(),
            limits=LIMITS,
            policy=AddressPolicy(allow_loopback=True, allow_private=False),
        )
        recorded_results = await probe(recorder, server.address)
    outcomes = [e.outcome for e in recorder.exchanges]
    # The capture holds every kind of exchange this test is about.
    assert {"response", "timeout", "policy", "budget"} <= set(outcomes)
    assert any(e.stray for e in recorder.exchanges)
    assert [e.transport for e in recorder.exchanges].count("tcp") == 2

    path = tmp_path / "probe.json"
    save_capture(
        Capture(name="example.test.", created="2024-01-01T00:00:00Z", exchanges=recorder.exchanges),
        path,
    )
    loaded = load_capture(path)
    assert [e.as_json() for e in loaded.exchanges] == [e.as_json() for e in recorder.exchanges]

    # The server is gone: replay cannot be using the network.
    wire = ReplayWire(loaded)
    replayer = Client(wire, limits=LIMITS, policy=AddressPolicy.permissive(), enforce_budget=False)
    replayed_results = await probe(replayer, server.address)
    assert replayer.exchanges == loaded.exchanges
    assert [e.as_json() for e in replayed_results] == [e.as_json() for e in recorded_results]
    assert wire.unused() == 0 and wire.missing == []
    assert replayer.budget_exhausted == recorder.budget_exhausted is True


async def test_replay_of_an_unrecorded_query_is_not_sent() -> None:
    recorded = Exchange(
        server="127.0.0.1:5300",
        query=QuerySpec("a.test.", "A"),
        transport="udp",
        outcome="response",
        wire=b"\x00" * 12,
    )
    wire = ReplayWire([recorded])
    server = ServerAddress("127.0.0.1", 5300)
    first = await wire.send(server, QuerySpec("a.test.", "A"), "udp", 1.0)
    again = await wire.send(server, QuerySpec("a.test.", "A"), "udp", 1.0)
    other = await wire.send(server, QuerySpec("a.test.", "A"), "tcp", 1.0)
    assert first is recorded
    assert (again.outcome, again.error) == ("budget", "not in capture")
    assert other.outcome == "budget" and other.transport == "tcp"
    assert len(wire.missing) == 2
