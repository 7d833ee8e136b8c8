"""The NSEC chain of a zone (RFC 4034 §4, RFC 4035 §2.3)."""

from __future__ import annotations

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdatatype import RdataType

from dnssec_doctor.lab.zonebuild import ZoneCuts


def build_nsec_chain(cuts: ZoneCuts, ttl: int) -> list[dns.rrset.RRset]:
    """One NSEC per authoritative name, in canonical order, the last pointing to the apex.

    Delegation points get an NSEC (their NS, DS if any, RRSIG and NSEC bits); glue
    below them does not (RFC 4035 §2.3). Every NSEC is signed, so RRSIG is always
    in the bitmap. ``ttl`` should be min(SOA TTL, SOA MINIMUM) (RFC 9077 §3).
    """
    names = sorted(cuts.authoritative)
    chain: list[dns.rrset.RRset] = []
    for index, name in enumerate(names):
        following = names[(index + 1) % len(names)]
        types = set(cuts.authoritative[name]) | {RdataType.NSEC, RdataType.RRSIG}
        types.discard(RdataType.NSEC3)
        text = f"{following.to_text()} {type_list(types)}"
        rdata = dns.rdata.from_text(dns.rdataclass.IN, RdataType.NSEC, text)
        chain.append(dns.rrset.from_rdata(name, ttl, rdata))
    return chain


def type_list(types: set[RdataType] | frozenset[RdataType]) -> str:
    """Types in presentation format, in type-number order (a type bitmap's text)."""
    return " ".join(dns.rdatatype.to_text(t) for t in sorted(types))
