"""Transport evidence as findings: MALFORMED_RESPONSE and ANALYSIS_BUDGET_EXCEEDED."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from dnssec_doctor.analysis.budget import budget_finding
from dnssec_doctor.analysis.servers.malformed import malformed_findings
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.replay import ReplayWire
from dnssec_doctor.transport.sockets import SocketWire
from hostile_server import HostileServer, answer, query_id, silent_udp

pytestmark = [pytest.mark.timeout(20)]

Send = Callable[[bytes], None]
SPEC = QuerySpec("www.example.test.", "A")


def zone_of(exchange: Exchange) -> str:
    return "example.test."


@pytest.mark.asyncio
async def test_only_garbage_gives_malformed_response_naming_the_server() -> None:
    async def garbage(query: bytes, send: Send) -> None:
        send(b"\xde\xad\xbe\xef" * 4)
        send(answer(query, query_id=query_id(query) ^ 0x5555))

    async with HostileServer(udp=garbage) as bad, HostileServer() as good:
        c = Client(
            SocketWire(),
            limits=Limits(query_timeout=0.2, retries=0, deadline=10.0),
            policy=AddressPolicy.permissive(),
        )
        await asyncio.gather(c.query(bad.address, SPEC), c.query(good.address, SPEC))
    findings = malformed_findings(c.exchanges, zone_of)
    assert len(findings) == 1
    finding = findings[0]
    assert finding.code == "MALFORMED_RESPONSE"
    assert finding.severity == Severity.ERROR
    assert finding.servers == (str(bad.address),)
    assert finding.zone == "example.test."
    assert finding.evidence["unparseable"] == 1
    assert finding.evidence["wrong_id"] == 1
    assert finding.evidence["no_answer"] == 1
    assert finding.evidence["example_hex"] == "deadbeef" * 4
    assert str(bad.address) in finding.detail


def test_malformed_findings_group_by_zone_and_server() -> None:
    query = SPEC.to_message(7)
    good = answer(query.to_wire())
    wrong_question = answer(query.to_wire(), qname="evil.test.")
    exchanges = [
        Exchange("127.0.0.2", SPEC, "udp", "response", wire=good, stray=(b"x",), query_id=7),
        Exchange(
            "127.0.0.2", SPEC, "udp", "response", wire=good, stray=(wrong_question,), query_id=7
        ),
        Exchange("127.0.0.3", SPEC, "udp", "response", wire=b"\x00\x07\x81\x80", query_id=7),
        Exchange("127.0.0.4", SPEC, "udp", "response", wire=good, query_id=7),
        Exchange("127.0.0.4", SPEC, "udp", "timeout", query_id=7),
    ]
    findings = malformed_findings(exchanges, zone_of)
    assert [f.servers for f in findings] == [("127.0.0.2",), ("127.0.0.3",)]
    first, second = findings
    assert first.evidence["unparseable"] == 1 and first.evidence["wrong_question"] == 1
    assert first.evidence["queries"] == 1
    assert second.evidence["unparseable"] == 1  # the accepted answer itself is broken
    assert len({f.key for f in findings}) == 2


def test_truncated_accepted_answer_is_not_malformed() -> None:
    query = SPEC.to_message(9).to_wire()
    cut = bytearray(answer(query))
    cut[2] |= 0x02
    exchange = Exchange("127.0.0.2", SPEC, "udp", "response", wire=bytes(cut[:-2]), query_id=9)
    assert malformed_findings([exchange], zone_of) == []


@pytest.mark.asyncio
async def test_budget_exceeded_finding_says_which_limit_and_how_many() -> None:
    limits = Limits(query_timeout=1.0, retries=0, max_queries=2, deadline=10.0)
    async with HostileServer() as server:
        c = Client(SocketWire(), limits=limits, policy=AddressPolicy.permissive())
        for i in range(5):
            await c.query(server.address, SPEC.with_(qname=f"q{i}.example.test."))
    assert c.budget_exhausted
    assert [e.outcome for e in c.exchanges].count("budget") == 3
    finding = budget_finding(c.exchanges, "q4.example.test.", "example.test.", limits)
    assert finding is not None and finding.code == "ANALYSIS_BUDGET_EXCEEDED"
    assert finding.severity == Severity.WARNING
    assert finding.evidence["sent"] == 2 and finding.evidence["not_sent"] == 3
    assert finding.evidence["limits"] == ["max_queries=2"]
    assert "questions about q4.example.test. itself were not asked" in finding.detail

    # The same finding comes back from a replay of the capture.
    replayer = Client(
        ReplayWire(c.exchanges),
        limits=Limits(),
        policy=AddressPolicy.permissive(),
        enforce_budget=False,
    )
    for i in range(5):
        await replayer.query(server.address, SPEC.with_(qname=f"q{i}.example.test."))
    again = budget_finding(replayer.exchanges, "q4.example.test.", "example.test.", limits)
    assert again == finding


@pytest.mark.asyncio
async def test_deadline_finding() -> None:
    limits = Limits(query_timeout=1.0, retries=2, deadline=0.3)
    async with HostileServer(udp=silent_udp) as server:
        c = Client(SocketWire(), limits=limits, policy=AddressPolicy.permissive())
        await c.query(server.address, SPEC)
    finding = budget_finding(c.exchanges, SPEC.qname, "example.test.", limits)
    assert finding is not None
    assert finding.evidence["not_sent"] == 1
    assert any(limit.startswith("deadline") for limit in finding.evidence["limits"])


def test_no_budget_trouble_no_finding() -> None:
    c = Client(ReplayWire([]), limits=Limits(), policy=AddressPolicy.permissive())
    assert budget_finding(c.exchanges, "example.test.", "example.test.", Limits()) is None
    assert not c.budget_exhausted
