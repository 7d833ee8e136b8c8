"""Which records of an answer actually answer the question: the CNAME chain from QNAME.

A resolver keeps only the answer-section RRsets on the chain that starts at
QNAME and follows CNAMEs (RFC 1034 §4.3.2 step 3a, RFC 2181 §5.4.1: data that
does not answer the question is not trusted); anything else a server adds is
scrubbed, so the analysis must ignore it too, or an unrelated unsigned RRset
would turn a validating answer bogus. The chase is bounded by
``Limits.max_cname_depth``: a loop or a chain longer than that is reported,
never followed forever.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset


@dataclass(frozen=True, slots=True)
class AnswerChain:
    """The part of one answer section that answers ``names[0]``."""

    names: tuple[dns.name.Name, ...]
    """QNAME, then every CNAME target followed, in order."""
    rrsets: tuple[dns.rrset.RRset, ...]
    """Answer RRsets of the question's type or CNAME (and RRSIGs) owned by a name of the
    chain; other types at those names do not answer the question either."""
    loop: bool = False
    """A CNAME pointed back to a name already on the chain."""
    cut_short: bool = False
    """More CNAMEs followed than the depth limit allows."""

    @property
    def links(self) -> int:
        """CNAME records followed."""
        return len(self.names) - 1

    def answers(self, qtype: int) -> bool:
        """True when the chain holds data for the question (not a negative answer).

        An RRSIG query is answered by RRSIG records (which are not signed
        themselves, RFC 4035 §2.2); any other question by an RRset of its
        type, or a CNAME (whose target may live elsewhere).
        """
        for rrset in self.rrsets:
            if rrset.rdtype == dns.rdatatype.RRSIG and qtype != dns.rdatatype.RRSIG:
                continue
            if rrset.rdtype in (qtype, dns.rdatatype.CNAME) or qtype == dns.rdatatype.ANY:
                return True
        return False


def answer_chain(
    msg: dns.message.Message, qname: dns.name.Name, qtype: int, max_depth: int
) -> AnswerChain:
    """Follow CNAMEs from ``qname`` through ``msg``'s answer section, at most ``max_depth``."""
    names = [qname]
    loop = cut_short = False
    if qtype not in (dns.rdatatype.CNAME, dns.rdatatype.ANY, dns.rdatatype.RRSIG):
        current = qname
        while True:
            target = _cname_target(msg, current)
            if target is None:
                break
            if target in names:
                loop = True
                break
            if len(names) - 1 >= max_depth:
                cut_short = True
                break
            names.append(target)
            current = target
    on_chain = set(names)
    wanted = {qtype, dns.rdatatype.CNAME, dns.rdatatype.RRSIG}
    rrsets = tuple(
        r
        for r in msg.answer
        if (r.name in on_chain and (r.rdtype in wanted or qtype == dns.rdatatype.ANY))
        or _dname_above(r, names)
    )
    return AnswerChain(tuple(names), rrsets, loop=loop, cut_short=cut_short)


def _dname_above(rrset: dns.rrset.RRset, names: list[dns.name.Name]) -> bool:
    """A DNAME (or its RRSIG) at an ancestor of a chain name: the source of a synthesized
    CNAME (RFC 6672 §3), part of the answer."""
    is_dname = rrset.rdtype == dns.rdatatype.DNAME or (
        rrset.rdtype == dns.rdatatype.RRSIG and rrset.covers == dns.rdatatype.DNAME
    )
    return is_dname and any(n != rrset.name and n.is_subdomain(rrset.name) for n in names)


def _cname_target(msg: dns.message.Message, owner: dns.name.Name) -> dns.name.Name | None:
    for rrset in msg.answer:
        if rrset.rdtype == dns.rdatatype.CNAME and rrset.name == owner and len(rrset):
            target: dns.name.Name = rrset[0].target
            return target
    return None
