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
    """The target of the CNAME the servers of ``cut`` give for ``name``, if it needs a
    walk of its own.

    A target outside ``cut``'s zone does. One inside it does when the server could not
    finish the lookup there (no SOA of the zone closing the answer): it lies below a
    cut of the zone, a DNAME onto a child say. An in-zone alias the server followed to
    the end (RFC 1034 §4.3.2) is the zone's own data, checked with the zone.
    """
    zone = dns.name.from_text(cut.zone)
    votes: Counter[dns.name.Name] = Counter()
    for key, exchange in cut.queries.items():
        if key.variant != WALK_VARIANT or key.qtype != "NS" or key.qname != name.to_text():
            continue
        msg = exchange.message()
        if msg is None:
            continue
        finished = any(
            rrset.rdtype == dns.rdatatype.SOA and rrset.name == zone for rrset in msg.authority
        )
        for rrset in msg.answer:
            if rrset.rdtype == dns.rdatatype.CNAME and rrset.name == name and len(rrset):
                target: dns.name.Name = next(iter(rrset)).target
                if finished and target.is_subdomain(zone):
                    continue
                votes[target] += 1
    if not votes:
        return None
    return max(votes, key=lambda t: (votes[t], t.to_text()))
