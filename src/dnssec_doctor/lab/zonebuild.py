"""Zone content as data: RRsets keyed by owner and type, zone cuts, master-file text.

The lab builds every zone copy as a ``ZoneContent`` (immutable), signs it with
``lab.signer`` and hands the master-file text to the backends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdatatype import RdataType

RRsetKey = tuple[dns.name.Name, RdataType, RdataType]
"""Owner, type, and covered type (``NONE`` except for RRSIG)."""


def rrset_key(rrset: dns.rrset.RRset) -> RRsetKey:
    """The key ``ZoneContent`` stores an RRset under."""
    return (rrset.name, RdataType(rrset.rdtype), RdataType(rrset.covers))


@dataclass(frozen=True, slots=True)
class ZoneContent:
    """All RRsets of one zone copy; never mutated (builders return new objects)."""

    origin: dns.name.Name
    rrsets: tuple[dns.rrset.RRset, ...]

    def get(
        self, name: dns.name.Name, rdtype: RdataType, covers: RdataType = RdataType.NONE
    ) -> dns.rrset.RRset | None:
        """The RRset at ``name`` of ``rdtype`` (``covers`` for RRSIG), or None."""
        for rrset in self.rrsets:
            if rrset_key(rrset) == (name, rdtype, covers):
                return rrset
        return None

    def types_by_name(self) -> dict[dns.name.Name, frozenset[RdataType]]:
        """Every owner name with the types it holds (RRSIG included when present)."""
        found: dict[dns.name.Name, set[RdataType]] = {}
        for rrset in self.rrsets:
            found.setdefault(rrset.name, set()).add(RdataType(rrset.rdtype))
        return {name: frozenset(types) for name, types in found.items()}

    def replace(self, *rrsets: dns.rrset.RRset) -> ZoneContent:
        """A copy with these RRsets added, replacing RRsets of the same key."""
        new = {rrset_key(r): r for r in rrsets}
        kept = [r for r in self.rrsets if rrset_key(r) not in new]
        return ZoneContent(self.origin, (*kept, *new.values()))

    def without(self, *keys: RRsetKey) -> ZoneContent:
        """A copy without the RRsets of these keys."""
        drop = set(keys)
        return ZoneContent(self.origin, tuple(r for r in self.rrsets if rrset_key(r) not in drop))

    def soa_ttl_and_minimum(self) -> tuple[int, int]:
        """The apex SOA's TTL and MINIMUM field (RFC 2308 §4)."""
        soa = self.get(self.origin, RdataType.SOA)
        if soa is None:
            raise ValueError(f"zone {self.origin} has no SOA")
        return int(soa.ttl), int(soa[0].minimum)

    def to_text(self, comment: str = "") -> str:
        """RFC 1035 master-file text: absolute names, SOA first, canonical order.

        Records are sorted (owner in RFC 4034 §6.1 order, then type, then RDATA in
        §6.3 order), so the same content always gives the same text.
        """
        lines = [f"; {line}" for line in comment.splitlines()]
        lines.append(f"$ORIGIN {self.origin.to_text()}")
        for rrset in sorted(self.rrsets, key=lambda r: _sort_key(r, self.origin)):
            rdatas = sorted(rrset, key=lambda rd: rd.to_digestable(self.origin))
            for rdata in rdatas:
                lines.append(
                    f"{rrset.name.to_text()} {rrset.ttl} IN "
                    f"{dns.rdatatype.to_text(rrset.rdtype)} {rdata.to_text(origin=None)}"
                )
        return "\n".join(lines) + "\n"


def _sort_key(rrset: dns.rrset.RRset, origin: dns.name.Name) -> tuple[int, dns.name.Name, int, int]:
    is_soa = rrset.name == origin and rrset.rdtype == RdataType.SOA
    return (0 if is_soa else 1, rrset.name, int(rrset.rdtype), int(rrset.covers))


class ZoneBuilder:
    """Collects records by text; names may be relative to the origin."""

    def __init__(self, origin: str | dns.name.Name) -> None:
        self.origin = dns.name.from_text(origin) if isinstance(origin, str) else origin
        self._rrsets: dict[RRsetKey, dns.rrset.RRset] = {}

    def name(self, owner: str) -> dns.name.Name:
        """``@`` is the origin; names without a final dot are relative to it."""
        if owner == "@":
            return self.origin
        return dns.name.from_text(owner, origin=self.origin)

    def add(self, owner: str, ttl: int, rdtype: str, *rdata: str) -> ZoneBuilder:
        """Add records (presentation format RDATA); returns self for chaining."""
        name = self.name(owner)
        type_ = dns.rdatatype.from_text(rdtype)
        for text in rdata:
            rd = dns.rdata.from_text(
                dns.rdataclass.IN, type_, text, origin=self.origin, relativize=False
            )
            self.add_rdata(name, ttl, rd)
        return self

    def add_rdata(self, name: dns.name.Name, ttl: int, rdata: dns.rdata.Rdata) -> ZoneBuilder:
        """Add one record given as RDATA."""
        key = (name, RdataType(rdata.rdtype), RdataType(rdata.covers()))
        rrset = self._rrsets.get(key)
        if rrset is None:
            rrset = dns.rrset.RRset(name, dns.rdataclass.IN, rdata.rdtype, rdata.covers())
            self._rrsets[key] = rrset
        rrset.add(rdata, ttl)
        return self

    def build(self) -> ZoneContent:
        """The immutable content (copies the RRsets, so the builder may go on)."""
        copies = tuple(
            dns.rrset.from_rdata_list(r.name, r.ttl, list(r)) for r in self._rrsets.values()
        )
        return ZoneContent(self.origin, copies)


@dataclass(frozen=True, slots=True)
class ZoneCuts:
    """Which names of a zone are authoritative, delegations, or occluded (RFC 4034 §6.2)."""

    origin: dns.name.Name
    authoritative: Mapping[dns.name.Name, frozenset[RdataType]]
    """Names at or above every zone cut (the apex, data names and delegation points)."""
    delegations: frozenset[dns.name.Name]
    """Delegation points: names other than the apex that own an NS RRset."""

    @classmethod
    def of(
        cls, origin: dns.name.Name, types_by_name: Mapping[dns.name.Name, Iterable[RdataType]]
    ) -> ZoneCuts:
        """Split the names of a zone; names below a delegation point are occluded (glue)."""
        cuts = {
            name
            for name, types in types_by_name.items()
            if name != origin and RdataType.NS in set(types)
        }
        authoritative: dict[dns.name.Name, frozenset[RdataType]] = {}
        for name, types in types_by_name.items():
            if not name.is_subdomain(origin):
                continue
            if any(name != cut and name.is_subdomain(cut) for cut in cuts):
                continue
            authoritative[name] = frozenset(types)
        return cls(origin, authoritative, frozenset(cuts))

    def is_insecure_delegation(self, name: dns.name.Name) -> bool:
        """A delegation point without DS (RFC 4035 §2.4: its NS set stays unsigned)."""
        return name in self.delegations and RdataType.DS not in self.authoritative[name]
