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

import dns.message
import dns.name
import dns.rdatatype

from dnssec_doctor.model.survey import ZoneCut
from dnssec_doctor.probe.walk import WALK_VARIANT


def alias_target(cut: ZoneCut, name: dns.name.Name) -> dns.name.Name | None:
    """The name where the answer for ``name`` goes on in another zone, if it does.

    The servers of ``cut`` answer the walk's last question with the part of the CNAME
    chain their zone holds (RFC 1034 §4.3.2). A link they answered themselves (the
    target's own CNAME is in the answer) is the zone's own data, as is a loop among
    such links, and so is a chain they stopped following on a limit of their own:
    ``probe.cnames`` follows those inside the zone, and ``analysis.cnames`` reports their
    loops and lengths, once, on the name's chain. The alias needs a walk of its own
    where the chain leaves the zone: at the first target outside it, or at a target
    inside it that the server could not answer (it lies below a cut: a referral to
    it, or the name's own CNAME left there, a DNAME onto a child say).
    """
    zone = dns.name.from_text(cut.zone)
    votes: Counter[dns.name.Name] = Counter()
    for key, exchange in cut.queries.items():
        if key.variant != WALK_VARIANT or key.qtype != "NS" or key.qname != name.to_text():
            continue
        msg = exchange.message()
        if msg is not None:
            target = _leaves_zone(msg, zone, name)
            if target is not None:
                votes[target] += 1
    if not votes:
        return None
    return max(votes, key=lambda t: (votes[t], t.to_text()))


def _leaves_zone(
    msg: dns.message.Message, zone: dns.name.Name, name: dns.name.Name
) -> dns.name.Name | None:
    """Where ``msg``'s CNAME chain from ``name`` leaves ``zone`` (None: it does not)."""
    finished = any(
        rrset.rdtype == dns.rdatatype.SOA and rrset.name == zone for rrset in msg.authority
    )
    seen = [name]
    owner = name
    while (target := _cname_target(msg, owner)) is not None:
        if not target.is_subdomain(zone):
            return target
        if target in seen:
            return None  # a loop inside the zone: the zone's own data
        if _cname_target(msg, target) is None:
            if finished:
                return None  # followed to the end of the zone (data or NODATA)
            if owner == name or _referred(msg, zone, target):
                return target
            return None  # the server stopped on a limit of its own: the chase goes on
        seen.append(target)
        owner = target
    return None


def _cname_target(msg: dns.message.Message, owner: dns.name.Name) -> dns.name.Name | None:
    for rrset in msg.answer:
        if rrset.rdtype == dns.rdatatype.CNAME and rrset.name == owner and len(rrset):
            target: dns.name.Name = next(iter(rrset)).target
            return target
    return None


def _referred(msg: dns.message.Message, zone: dns.name.Name, target: dns.name.Name) -> bool:
    """A referral in the authority section to a child zone holding ``target``."""
    return any(
        rrset.rdtype == dns.rdatatype.NS and rrset.name != zone and target.is_subdomain(rrset.name)
        for rrset in msg.authority
    )
