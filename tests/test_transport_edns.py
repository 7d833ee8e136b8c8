"""EDNS options on the wire and Extended DNS Errors parsing (RFC 6891, 8914)."""

from __future__ import annotations

from collections.abc import Callable

import dns.edns
import dns.message
import dns.rcode
import pytest

from dnssec_doctor.limits import Limits
from dnssec_doctor.model import edns
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.sockets import SocketWire
from hostile_server import HostileServer

pytestmark = pytest.mark.timeout(20)

Send = Callable[[bytes], None]
SERVER_COOKIE = bytes(range(16))


def response_with(*options: dns.edns.Option) -> dns.message.Message:
    query = dns.message.make_query("example.test.", "A", use_edns=0)
    response = dns.message.make_response(query)
    response.use_edns(0, 0, 1232, options=list(options))
    return response


def test_extended_errors_in_order_with_text() -> None:
    msg = response_with(
        dns.edns.EDEOption(dns.edns.EDECode.DNSKEY_MISSING, "no SEP matching the DS found"),
        dns.edns.EDEOption(dns.edns.EDECode.SIGNATURE_EXPIRED),
    )
    wire = msg.to_wire()
    parsed = dns.message.from_wire(wire)
    assert edns.extended_errors(parsed) == [(9, "no SEP matching the DS found"), (7, "")]
    assert edns.ede_name(9) == "DNSKEY Missing"
    assert edns.ede_name(7) == "Signature Expired"
    assert edns.ede_name(4711) == "EDE 4711"


def test_extended_errors_survive_bad_text_and_short_options() -> None:
    msg = response_with(
        dns.edns.GenericOption(dns.edns.OptionType.EDE, b"\x00\x06\xff\xfebogus\x00"),
        dns.edns.GenericOption(dns.edns.OptionType.EDE, b"\x01"),
    )
    assert edns.extended_errors(msg) == [(6, "\ufffd\ufffdbogus")]


def test_no_options_means_none() -> None:
    msg = response_with()
    assert edns.extended_errors(msg) == []
    no_edns = dns.message.make_response(dns.message.make_query("example.test.", "A"))
    assert edns.extended_errors(no_edns) == []


@pytest.mark.asyncio
async def test_query_options_and_extended_errors_round_trip_through_a_server() -> None:
    seen: list[dns.message.Message] = []

    async def identify(query: bytes, send: Send) -> None:
        msg = dns.message.from_wire(query)
        seen.append(msg)
        client = next(o for o in msg.options if o.otype == dns.edns.OptionType.COOKIE)
        response = dns.message.make_response(msg)
        response.use_edns(
            0,
            0,
            1232,
            options=[
                dns.edns.NSIDOption(b"ns1.lab"),
                dns.edns.CookieOption(client.to_wire()[:8], SERVER_COOKIE),
                dns.edns.EDEOption(dns.edns.EDECode.PROHIBITED, "go away"),
            ],
        )
        response.set_rcode(dns.rcode.REFUSED)
        send(response.to_wire())

    client_cookie = bytes(range(100, 108))
    spec = QuerySpec("example.test.", "SOA", options=((3, b""), (10, client_cookie)))
    async with HostileServer(udp=identify) as server:
        c = Client(
            SocketWire(), limits=Limits(query_timeout=1.0), policy=AddressPolicy.permissive()
        )
        exchange = await c.query(server.address, spec)
    sent = {int(o.otype): o.to_wire() for o in seen[0].options}
    assert sent == {3: b"", 10: client_cookie}
    msg = exchange.message()
    assert msg is not None
    answered = {int(o.otype): o.to_wire() for o in msg.options}
    assert answered[3] == b"ns1.lab" and answered[10] == client_cookie + SERVER_COOKIE
    assert edns.extended_errors(msg) == [(18, "go away")]
