"""Whether a datagram is an acceptable response to a query (RFC 5452 §9.1).

The transport uses this to pick the answer among what arrives; the analysis
uses it again on the stray datagrams a capture keeps, to say what was wrong
with each (MALFORMED_RESPONSE).
"""

from __future__ import annotations

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode

from dnssec_doctor.model.capture import parse_wire

# Error rcodes after which an empty question section is tolerated (old
# servers answer FORMERR to EDNS without echoing the question).
_QUESTIONLESS_RCODES = frozenset(
    {dns.rcode.FORMERR, dns.rcode.SERVFAIL, dns.rcode.NOTIMP, dns.rcode.REFUSED}
)

MISMATCH_KINDS: dict[str, str] = {
    "unparseable": "unparseable",
    "not_response": "without the QR bit",
    "wrong_id": "with a wrong ID",
    "wrong_opcode": "with a wrong opcode",
    "wrong_question": "with a wrong question",
}
"""What ``mismatch`` may return, and how to say it in a sentence."""


Question = tuple[dns.name.Name, int, int]
"""One entry of a question section: name, type, class."""


def mismatch(query: dns.message.Message, data: bytes) -> str | None:
    """None when ``data`` is an acceptable response to ``query``, else why not
    (a key of ``MISMATCH_KINDS``).

    RFC 5452 §9.1: the ID and the question (name compared case-insensitively,
    type, class) must match, and the QR bit must be set. A response with TC=1
    whose records are cut off is still acceptable: the header and question are
    all a truncated answer needs to say "ask again over TCP".
    """
    question: list[Question] = [(q.name, q.rdtype, q.rdclass) for q in query.question]
    return answer_mismatch(query.id, dns.opcode.from_flags(query.flags), question, data)


def answer_mismatch(
    query_id: int, opcode: int, question: list[Question], data: bytes
) -> str | None:
    """``mismatch`` for the query with ``query_id``, ``opcode`` and ``question``
    (what the transport knows without building a message)."""
    if (
        len(data) >= _HEADER_OCTETS
        and data[2] & _QR_OCTET
        and not data[2] & _TC_OCTET
        and int.from_bytes(data[:2], "big") == query_id
    ):
        # The usual case, the answer itself: the cached full parse (the analysis reads
        # this same answer later) holds the header and question the checks below need,
        # so they are not parsed a second time. Anything else takes the long way.
        message = parse_wire(data)
        if message is not None:
            # The header's RCODE alone, as from a parse of the question only (no OPT).
            rcode = dns.rcode.from_flags(int(message.flags), 0)
            return _judged(message, rcode, query_id, opcode, question)
    try:
        head = dns.message.from_wire(data, question_only=True)
    except (dns.exception.DNSException, ValueError, IndexError):
        return "unparseable"
    reason = _judged(head, head.rcode(), query_id, opcode, question)
    if reason is not None or head.flags & dns.flags.TC:
        return reason
    # The cached parse: the analysis reads this same answer later.
    return None if parse_wire(data) is not None else "unparseable"


_HEADER_OCTETS = 12
_QR_OCTET = 0x80  # QR and TC in the third octet of the header (RFC 1035 §4.1.1)
_TC_OCTET = 0x02


def _judged(
    head: dns.message.Message, rcode: int, query_id: int, opcode: int, question: list[Question]
) -> str | None:
    """Why header and question of ``head`` do not answer the query, or None."""
    if not head.flags & dns.flags.QR:
        return "not_response"
    if head.id != query_id:
        return "wrong_id"
    if dns.opcode.from_flags(head.flags) != opcode:
        return "wrong_opcode"
    questionless = not head.question and rcode in _QUESTIONLESS_RCODES
    # dns.name.Name equality is case-insensitive (RFC 4343), so a resolver
    # using 0x20 case randomisation still matches.
    if not questionless and [(q.name, q.rdtype, q.rdclass) for q in head.question] != question:
        return "wrong_question"
    return None
