"""NSEC3 chains built by hand (RFC 5155 §7.1), since dnspython signs with NSEC only.

Steps: choose the names that need an NSEC3 (authoritative names and empty
non-terminals, minus insecure delegations under opt-out), hash them, sort by
hash, link each to the next (the last to the first), and give each a type bitmap
of its original owner name's types.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rrset
from dns.rdatatype import RdataType
from dns.rdtypes.ANY.NSEC3PARAM import NSEC3PARAM

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.lab.nsecchain import type_list
from dnssec_doctor.lab.zonebuild import ZoneCuts

SHA1 = 1
"""The only NSEC3 hash algorithm (RFC 5155 §11)."""
OPT_OUT_FLAG = 0x01
"""NSEC3 flags bit 7 (RFC 5155 §3.1.2.1)."""


@dataclass(frozen=True, slots=True)
class NSEC3Params:
    """Chain parameters; the defaults are RFC 9276 §3.1's (0 extra iterations, no salt)."""

    iterations: int = 0
    salt: bytes = b""
    opt_out: bool = False
    algorithm: int = SHA1

    @property
    def flags(self) -> int:
        """The NSEC3 RR flags field (opt-out is the only defined flag)."""
        return OPT_OUT_FLAG if self.opt_out else 0

    def nsec3param(self) -> NSEC3PARAM:
        """The apex NSEC3PARAM; its flags field is always 0 (RFC 5155 §4.1.2)."""
        text = f"{self.algorithm} 0 {self.iterations} {self.salt.hex() or '-'}"
        rdata = dns.rdata.from_text(dns.rdataclass.IN, RdataType.NSEC3PARAM, text)
        assert isinstance(rdata, NSEC3PARAM)
        return rdata

    def hash(self, name: dns.name.Name) -> str:
        """The base32hex hash label of ``name``, lower case (RFC 5155 §5)."""
        return dnspython_dnssec.nsec3_hash(name, self.salt, self.iterations, self.algorithm).lower()

    def owner(self, name: dns.name.Name, origin: dns.name.Name) -> dns.name.Name:
        """The NSEC3 owner name for ``name``: its hash as a label under the apex."""
        return dns.name.Name((self.hash(name).encode(), *origin.labels))


def nsec3_names(cuts: ZoneCuts, params: NSEC3Params) -> dict[dns.name.Name, frozenset[RdataType]]:
    """The original owner names that get an NSEC3, each with the types its bitmap lists.

    RFC 5155 §7.1: every authoritative name and every empty non-terminal has one;
    with opt-out, insecure delegations (and empty non-terminals that exist only
    because of them) may be left out, and we leave them out. The bitmap holds the
    types at the original name plus RRSIG where that name has signed RRsets (an
    insecure delegation has none; an empty non-terminal has no types at all).
    """
    chosen: dict[dns.name.Name, frozenset[RdataType]] = {}
    for name, types in cuts.authoritative.items():
        insecure = cuts.is_insecure_delegation(name)
        if insecure and params.opt_out:
            continue
        bitmap = set(types) - {RdataType.NSEC, RdataType.NSEC3, RdataType.RRSIG}
        if not insecure:
            bitmap.add(RdataType.RRSIG)
        chosen[name] = frozenset(bitmap)
    for name in list(chosen):
        parent = name
        while parent != cuts.origin:
            parent = parent.parent()
            if parent not in chosen:
                chosen[parent] = frozenset()  # empty non-terminal (RFC 5155 §7.1)
    return chosen


def build_nsec3_chain(cuts: ZoneCuts, params: NSEC3Params, ttl: int) -> list[dns.rrset.RRset]:
    """The NSEC3 RRsets of a zone, in hash order (unsigned).

    ``cuts`` must already include the apex NSEC3PARAM type. ``ttl`` should be
    min(SOA TTL, SOA MINIMUM) (RFC 9077 §3).
    """
    entries = sorted(
        (params.hash(name), types) for name, types in nsec3_names(cuts, params).items()
    )
    chain: list[dns.rrset.RRset] = []
    for index, (label, types) in enumerate(entries):
        next_label = entries[(index + 1) % len(entries)][0]
        text = (
            f"{params.algorithm} {params.flags} {params.iterations} "
            f"{params.salt.hex() or '-'} {next_label} {type_list(types)}"
        )
        rdata = dns.rdata.from_text(dns.rdataclass.IN, RdataType.NSEC3, text)
        owner = dns.name.Name((label.encode(), *cuts.origin.labels))
        chain.append(dns.rrset.from_rdata(owner, ttl, rdata))
    return chain
