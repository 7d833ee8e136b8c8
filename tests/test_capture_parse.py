"""``parse_wire``: one parse per answer body, each message keeping its own ID."""

from __future__ import annotations

import dns.message
import dns.rcode

from dnssec_doctor.model.capture import parse_wire


def _answer(query_id: int) -> bytes:
    query = dns.message.make_query("www.example.", "A", want_dnssec=True)
    query.id = query_id
    response = dns.message.make_response(query)
    response.set_rcode(dns.rcode.NXDOMAIN)
    return response.to_wire()


def test_answers_differing_only_in_id_keep_their_own_id() -> None:
    first, second = parse_wire(_answer(1)), parse_wire(_answer(2))
    assert first is not None and second is not None
    assert (first.id, second.id) == (1, 2)
    assert first.rcode() == second.rcode() == dns.rcode.NXDOMAIN
    assert first.question == second.question
    assert first.edns == 0 and second.edns == 0


def test_the_same_wire_gives_the_same_message() -> None:
    wire = _answer(3)
    assert parse_wire(wire) is parse_wire(wire)


def test_what_is_not_a_message_is_none() -> None:
    assert parse_wire(b"") is None
    assert parse_wire(b"\x00") is None
    assert parse_wire(b"\x00\x01garbage") is None
    assert parse_wire(_answer(4)[:-3]) is None  # cut inside the OPT record
