"""Whether a datagram is an acceptable response to a query (RFC 5452 §9.1).

The transport uses this to pick the answer among what arrives; the analysis
uses it again on the stray datagrams a capture keeps, to say what was wrong
with each (MALFORMED_RESPONSE).
"""

from __future__ import annotations

import dns.exception
import dns.flags
import dns.message
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


def mismatch(query: dns.message.Message, data: bytes) -> str | None:
    """None when ``data`` is an acceptable response to ``query``, else why not
    (a key of ``MISMATCH_KINDS``).

    RFC 5452 §9.1: the ID and the question (name compared case-insensitively,
    type, class) must match, and the QR bit must be set. A response with TC=1
    whose records are cut off is still acceptable: the header and question are
    all a truncated answer needs to say "ask again over TCP".
    """
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
    questionless = not head.question and head.rcode() in _QUESTIONLESS_RCODES
    if not questionless and not _same_question(query, head):
        return "wrong_question"
    if head.flags & dns.flags.TC:
        return None
    # The cached parse: the analysis reads this same answer later.
    return None if parse_wire(data) is not None else "unparseable"


def _same_question(query: dns.message.Message, response: dns.message.Message) -> bool:
    # dns.name.Name equality is case-insensitive (RFC 4343), so a resolver
    # using 0x20 case randomisation still matches.
    ours = [(q.name, q.rdtype, q.rdclass) for q in query.question]
    theirs = [(q.name, q.rdtype, q.rdclass) for q in response.question]
    return ours == theirs
