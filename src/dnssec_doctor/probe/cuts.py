"""Zone cuts found by asking at every label, not only where a referral shows one.

A server that serves a zone *and* its child answers for the child directly: it
never refers to it, so a walk that only follows referrals takes the child's data
for the parent's. Resolvers that minimise the QNAME (RFC 9156 §3) ask at each
label below the last known cut and learn every cut on the way; a validator finds
the cut the same way before it asks for the DS (RFC 4035 §5: the DS RRset is
the parent's). The walk asks NS at every label between the cut it stands on and
the name, all in the same round as the question about the name itself, and reads
each answer with this module:

- a referral (NS in authority, AA clear) whose owner lies on the way: a cut
  the parent shows (RFC 1034 §4.3.2);
- an authoritative NS answer owned by the label asked: the label is the apex of
  a zone this server serves too (the child's NS RRset is in the answer);
- an authoritative NODATA or NXDOMAIN whose SOA (RFC 2308 §3) is owned by a name
  below the cut: the zone that answered starts there;
- anything else (an NS-less NODATA from the cut's own SOA, a CNAME, silence):
  no cut at that label. An empty non-terminal gives exactly that, so it is
  never taken for a cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.rrset

from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.classify import Kind, classify, referral_owner

MAX_LABELS_ASKED = 12
"""Labels between a cut and the name asked at once (a 127-label name must not fan out)."""
LABEL_SERVERS = 3
"""Servers of a zone asked about the labels above the name (the name itself goes to all):
either a referral or an answer from the child shows a cut, so a few servers suffice."""


@dataclass(frozen=True, slots=True)
class CutSighting:
    """What one server's answer to one label question says about a zone cut."""

    owner: dns.name.Name
    server: str
    how: Literal["referral", "apex"]
    ns: tuple[str, ...] = ()
    """The NS names the answer lists (the parent's, or the child's own apex NS RRset)."""
    addresses: dict[str, list[str]] = field(default_factory=dict)
    """NS name → A/AAAA from the additional section (glue, for a referral)."""


def labels_to_ask(zone: dns.name.Name, target: dns.name.Name) -> list[dns.name.Name]:
    """The names below ``zone`` down to ``target``, shallowest first (RFC 9156 §3).

    Bounded by :data:`MAX_LABELS_ASKED`: the shallowest ones, and always ``target``.
    """
    if not target.is_subdomain(zone) or target == zone:
        return []
    names: list[dns.name.Name] = []
    for depth in range(len(zone.labels) + 1, len(target.labels) + 1):
        names.append(dns.name.Name(target.labels[-depth:]))
    if len(names) > MAX_LABELS_ASKED:
        names = [*names[: MAX_LABELS_ASKED - 1], target]
    return names


def sighting(exchange: Exchange, zone: dns.name.Name, asked: dns.name.Name) -> CutSighting | None:
    """The cut below ``zone`` on the way to ``asked`` that this answer shows, if any."""
    kind = classify(exchange, zone)
    msg = exchange.message()
    if msg is None:
        return None
    if kind == Kind.REFERRAL:
        owner = referral_owner(msg)
        if owner is None or not asked.is_subdomain(owner):
            return None  # sideways: the walk reports it as a bad referral
        ns = _ns(msg.authority, owner)
        return CutSighting(owner, exchange.server, "referral", ns, _extra(msg))
    if not msg.flags & dns.flags.AA:
        return None
    if kind == Kind.ANSWER:
        ns = _ns(msg.answer, asked)
        if ns:
            return CutSighting(asked, exchange.server, "apex", ns, _extra(msg))
        return None
    if kind in (Kind.NODATA, Kind.NXDOMAIN):
        owner = _soa_owner(msg)
        below = owner is not None and owner != zone and owner.is_subdomain(zone)
        if owner is not None and below and asked.is_subdomain(owner):
            return CutSighting(owner, exchange.server, "apex")
    return None


def nearest_cut(sightings: list[CutSighting]) -> dns.name.Name | None:
    """The cut closest to the zone the walk stands on: the next one on the way down."""
    if not sightings:
        return None
    return min((s.owner for s in sightings), key=lambda n: len(n.labels))


def _ns(section: list[dns.rrset.RRset], owner: dns.name.Name) -> tuple[str, ...]:
    return tuple(
        sorted(
            {
                r.target.to_text()
                for rrset in section
                if rrset.rdtype == dns.rdatatype.NS and rrset.name == owner
                for r in rrset
            }
        )
    )


def _extra(msg: dns.message.Message) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for rrset in msg.additional:
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            found.setdefault(rrset.name.to_text(), []).extend(r.address for r in rrset)
    return found


def _soa_owner(msg: dns.message.Message) -> dns.name.Name | None:
    for rrset in msg.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            owner: dns.name.Name = rrset.name
            return owner
    return None
