"""Property: ``mismatch`` judges every datagram as its first form did (RFC 5452 §9.1).

``mismatch`` reads header and question from the cached full parse of an answer instead of
parsing them a second time; that is a saving only if no datagram — an answer, a mangled
answer, a hostile server's bytes — changes verdict. The reference here is the first form
(parse the question only, check, then parse in full), kept verbatim.
"""

from __future__ import annotations

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rrset
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_doctor.model.capture import parse_wire
from dnssec_doctor.model.mismatch import mismatch
from dnssec_doctor.model.query import QuerySpec

pytestmark = pytest.mark.timeout(120)

PROPERTY = settings(
    derandomize=True,
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

_QUESTIONLESS = frozenset(
    {dns.rcode.FORMERR, dns.rcode.SERVFAIL, dns.rcode.NOTIMP, dns.rcode.REFUSED}
)


def reference(query: dns.message.Message, data: bytes) -> str | None:
    """``mismatch`` as it was: the question parsed on its own, then the whole message."""
    try:
        head = dns.message.from_wire(data, question_only=True)
    except (dns.exception.DNSException, ValueError, IndexError):
        return "unparseable"
    if not head.flags & dns.flags.QR:
        return "not_response"
    if head.id != query.id:
        return "wrong_id"
    if dns.opcode.from_flags(head.flags) != dns.opcode.from_flags(query.flags):
        return "wrong_opcode"
    questionless = not head.question and head.rcode() in _QUESTIONLESS
    ours = [(q.name, q.rdtype, q.rdclass) for q in query.question]
    theirs = [(q.name, q.rdtype, q.rdclass) for q in head.question]
    if not questionless and ours != theirs:
        return "wrong_question"
    if head.flags & dns.flags.TC:
        return None
    return None if parse_wire(data) is not None else "unparseable"


SPECS = [
    QuerySpec("www.example.test.", "A"),
    QuerySpec("example.test.", "DNSKEY", cd=True),
    QuerySpec("Example.TEST.", "DS", edns=None),
    QuerySpec(".", "NS", rd=True, payload=512),
]


def answer_to(query: dns.message.Message, rcode: int, edns_rcode: bool) -> bytes:
    """A plausible answer: one A record, EDNS when asked (an extended RCODE too)."""
    response = dns.message.make_response(query)
    response.set_rcode(dns.rcode.Rcode(rcode))
    if edns_rcode:
        response.use_edns(0, 0, 1232)
        # BADVERS-style: the upper bits of the RCODE live in the OPT TTL
        response.set_rcode(dns.rcode.Rcode(rcode | 0x10))
    name = query.question[0].name
    response.answer.append(dns.rrset.from_text(name, 300, "IN", "A", "192.0.2.1"))
    return response.to_wire()


@st.composite
def datagrams(draw: st.DrawFn) -> tuple[dns.message.Message, bytes]:
    """A query and a datagram: its answer, mangled a little or a lot (header bits, ID,
    question octets, cut short, junk appended, or no question at all)."""
    spec = draw(st.sampled_from(SPECS))
    query = spec.to_message(draw(st.integers(0, 65535)))
    rcode = draw(st.sampled_from([0, 1, 2, 3, 4, 5, 9]))
    data = bytearray(answer_to(query, rcode, draw(st.booleans())))
    if draw(st.booleans()):  # no question section (old servers' FORMERR)
        qlen = len(query.question[0].name.to_wire() or b"") + 4
        data[4:6] = b"\x00\x00"
        del data[12 : 12 + qlen]
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.integers(0, len(data) - 1))
        data[where] ^= 1 << draw(st.integers(0, 7))
    if draw(st.booleans()):
        data[2] ^= draw(st.sampled_from([0x80, 0x02, 0x78, 0x82]))  # QR, TC, opcode
    cut = draw(st.none() | st.integers(0, len(data)))
    if cut is not None:
        data = data[:cut]
    data += draw(st.binary(max_size=4))
    return query, bytes(data)


@PROPERTY
@given(datagrams())
def test_mismatch_agrees_with_the_question_only_parse(
    case: tuple[dns.message.Message, bytes],
) -> None:
    query, data = case
    assert mismatch(query, data) == reference(query, data)


@PROPERTY
@given(st.binary(max_size=64), st.integers(0, 65535))
def test_mismatch_agrees_on_arbitrary_bytes(data: bytes, query_id: int) -> None:
    query = SPECS[0].to_message(query_id)
    if len(data) >= 2 and data[0] & 1:  # often the right ID, to get past the header checks
        data = query_id.to_bytes(2, "big") + data[2:]
    assert mismatch(query, data) == reference(query, data)


def test_each_verdict_is_reached() -> None:
    # The property is only as good as its cases: each verdict must occur among them.
    query = SPECS[0].to_message(77)
    good = answer_to(query, 0, True)
    flipped_id = (78).to_bytes(2, "big") + good[2:]
    no_qr = good[:2] + bytes([good[2] & 0x7F]) + good[3:]
    opcode = good[:2] + bytes([good[2] | 0x10]) + good[3:]
    other = answer_to(SPECS[1].to_message(77), 0, False)
    cut = good[:-3]
    cases = {"ok": good, "wrong_id": flipped_id, "not_response": no_qr,
             "wrong_opcode": opcode, "wrong_question": other, "unparseable": cut}  # fmt: skip
    for expected, data in cases.items():
        assert mismatch(query, data) == reference(query, data)
        assert (mismatch(query, data) or "ok") == expected
