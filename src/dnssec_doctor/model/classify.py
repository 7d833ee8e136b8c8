"""What kind of answer a response is (RFC 4035 §2 / RFC 2308 terms), from its sections."""

from __future__ import annotations

import enum

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from dnssec_doctor.model.capture import Exchange


class Kind(enum.Enum):
    """The shape of a response to a query."""

    ANSWER = "answer"
    CNAME = "cname"
    NODATA = "nodata"
    NXDOMAIN = "nxdomain"
    REFERRAL = "referral"
    UPWARD_REFERRAL = "upward-referral"
    NOT_AUTHORITATIVE = "not-authoritative"
    REFUSED = "refused"
    SERVFAIL = "servfail"
    OTHER_RCODE = "other-rcode"
    NO_RESPONSE = "no-response"
    MALFORMED = "malformed"


def classify(exchange: Exchange, zone: dns.name.Name) -> Kind:
    """Classify ``exchange`` as answered by a server that should be authoritative for ``zone``."""
    if exchange.outcome != "response":
        return Kind.MALFORMED if exchange.outcome == "malformed" else Kind.NO_RESPONSE
    msg = exchange.message()
    if msg is None:
        return Kind.MALFORMED
    return classify_message(msg, zone)


def classify_message(msg: dns.message.Message, zone: dns.name.Name) -> Kind:
    """Classify a parsed response for a server expected to be authoritative for ``zone``."""
    rcode = msg.rcode()
    if rcode == dns.rcode.REFUSED:
        return Kind.REFUSED
    if rcode == dns.rcode.SERVFAIL:
        return Kind.SERVFAIL
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return Kind.OTHER_RCODE
    ns_owner = referral_owner(msg)
    aa = bool(msg.flags & dns.flags.AA)
    if not aa and ns_owner is not None and not _has_answer(msg):
        if ns_owner.is_subdomain(zone) and ns_owner != zone:
            return Kind.REFERRAL
        return Kind.UPWARD_REFERRAL
    if not aa:
        return Kind.NOT_AUTHORITATIVE
    if rcode == dns.rcode.NXDOMAIN:
        return Kind.NXDOMAIN
    if _has_answer(msg):
        qtype = msg.question[0].rdtype if msg.question else dns.rdatatype.NONE
        types = {rrset.rdtype for rrset in msg.answer}
        if qtype not in types and dns.rdatatype.CNAME in types:
            return Kind.CNAME
        return Kind.ANSWER
    return Kind.NODATA


def referral_owner(msg: dns.message.Message) -> dns.name.Name | None:
    """The owner of the NS RRset in the authority section, if any."""
    for rrset in msg.authority:
        if rrset.rdtype == dns.rdatatype.NS:
            owner: dns.name.Name = rrset.name
            return owner
    return None


def _has_answer(msg: dns.message.Message) -> bool:
    return any(rrset.rdtype != dns.rdatatype.RRSIG for rrset in msg.answer)
