"""Names that lead into another zone: a CNAME at the name, or a DNAME above it.

An answer for an alias is only as secure as the answer for its target (RFC 4035
§5.3.3 validates each RRset of the chain with its own zone's keys; RFC 6672 §5.3.3
for DNAME), and the target may live in a zone of its own with a chain of its own.
The walk's last question (NS at the name, ``probe.cuts``) shows the alias: a CNAME
owned by the name, given directly or synthesised from a DNAME. Collection then
walks to the target too (``probe.collect``), bounded by ``limits.max_cname_depth``.
"""

from __future__ import annotations

from collections import Counter

import dns.name
import dns.rdatatype

from dnssec_doctor.probe.survey import ZoneCut
from dnssec_doctor.probe.walk import WALK_VARIANT


def alias_target(cut: ZoneCut, name: dns.name.Name) -> dns.name.Name | None:
    """The target of the CNAME the servers of ``cut`` give for ``name``, if any.

    Even a target inside ``cut``'s zone is followed: it may lie below a cut of it (a
    DNAME onto a child), which only a walk from ``cut`` shows; if not, that walk is
    one round of questions the zone's servers have mostly been asked already.
    """
    votes: Counter[dns.name.Name] = Counter()
    for key, exchange in cut.queries.items():
        if key.variant != WALK_VARIANT or key.qtype != "NS" or key.qname != name.to_text():
            continue
        msg = exchange.message()
        if msg is None:
            continue
        for rrset in msg.answer:
            if rrset.rdtype == dns.rdatatype.CNAME and rrset.name == name and len(rrset):
                votes[next(iter(rrset)).target] += 1
    if not votes:
        return None
    return max(votes, key=lambda t: (votes[t], t.to_text()))
