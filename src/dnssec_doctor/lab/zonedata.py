"""A served zone copy, parsed leniently and indexed for answering.

The lab serves deliberately broken zones, so nothing is checked on load:
whatever the master file holds is served. The indexes are what an
authoritative server needs for RFC 1034 §4.3.2 lookups and for the denial
proofs of RFC 4035 §3.1.3 (NSEC chain) and RFC 5155 §7.2 (NSEC3 hashes).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.zone

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.errors import DoctorError

IN = dns.rdataclass.IN
T = dns.rdatatype.RdataType


def wildcard_of(name: dns.name.Name) -> dns.name.Name:
    """``*.name`` (RFC 4592 §2.1.1)."""
    return dns.name.Name((b"*", *name.labels))


@dataclass(frozen=True, slots=True)
class Nsec3Chain:
    """A zone's NSEC3 records indexed by owner hash (RFC 5155 §7.2)."""

    origin: dns.name.Name
    salt: bytes
    iterations: int
    hashes: tuple[str, ...]
    """Owner hashes (upper-case base32hex), sorted: base32hex keeps the hash order."""
    owners: dict[str, dns.name.Name]
    _cache: dict[dns.name.Name, str] = field(default_factory=dict)

    def hash(self, name: dns.name.Name) -> str:
        """The NSEC3 hash of ``name`` with the zone's parameters (RFC 5155 §5)."""
        found = self._cache.get(name)
        if found is None:
            found = dnspython_dnssec.nsec3_hash(name, self.salt, self.iterations, 1)
            self._cache[name] = found
        return found

    def matching(self, name: dns.name.Name) -> dns.name.Name | None:
        """The owner of the NSEC3 record matching ``name``, if any."""
        return self.owners.get(self.hash(name))

    def covering(self, name: dns.name.Name) -> dns.name.Name | None:
        """The owner of the NSEC3 record covering ``name`` (hash strictly inside, wrapping)."""
        digest = self.hash(name)
        index = bisect.bisect_left(self.hashes, digest)
        if index < len(self.hashes) and self.hashes[index] == digest:
            return None
        return self.owners[self.hashes[index - 1]]


@dataclass(frozen=True, slots=True)
class ZoneData:
    """One zone copy, parsed, with the indexes the answer logic needs."""

    origin: dns.name.Name
    zone: dns.zone.Zone
    names: frozenset[dns.name.Name]
    """Names that exist (RFC 4592 §2.2.2): owners of data and empty non-terminals."""
    nsec_owners: tuple[dns.name.Name, ...]
    """Owners of NSEC records in canonical order (RFC 4034 §6.1)."""
    nsec3: Nsec3Chain | None

    def rdataset(
        self, name: dns.name.Name, rdtype: T, covers: T = T.NONE
    ) -> dns.rdataset.Rdataset | None:
        """The rdataset at ``name``, or None."""
        node = self.zone.get_node(name)
        if node is None:
            return None
        return node.get_rdataset(IN, rdtype, covers)

    def closest_encloser(self, name: dns.name.Name) -> dns.name.Name:
        """The longest existing ancestor of ``name`` (RFC 4592 §3.3.1)."""
        while name not in self.names and name != self.origin:
            name = name.parent()
        return name

    def cut_above(self, qname: dns.name.Name, qtype: T) -> dns.name.Name | None:
        """The highest zone cut between the apex (excluded) and ``qname``.

        A DS query for the cut itself is not sent below it (RFC 4035 §3.1.4.1).
        """
        depth = len(self.origin.labels)
        for count in range(depth + 1, len(qname.labels) + 1):
            name = dns.name.Name(qname.labels[-count:])
            if self.rdataset(name, T.NS) is None:
                continue
            if name == qname and qtype == T.DS:
                return None
            return name
        return None

    def dname_above(self, qname: dns.name.Name) -> dns.name.Name | None:
        """The highest DNAME owner from the apex down to above ``qname`` (RFC 6672 §3.2)."""
        depth = len(self.origin.labels)
        for count in range(depth, len(qname.labels)):
            name = dns.name.Name(qname.labels[-count:])
            if self.rdataset(name, T.DNAME) is not None:
                return name
        return None


def load_zone(origin: str, text: str) -> ZoneData:
    """Parse a master file leniently and index it; DoctorError when it cannot be read."""
    try:
        apex = dns.name.from_text(origin)
        zone = dns.zone.from_text(text, apex, relativize=False, check_origin=False)
    except (dns.exception.DNSException, ValueError, KeyError) as error:
        raise DoctorError(f"cannot load lab zone {origin!r}: {error}") from None
    names: set[dns.name.Name] = {apex}
    nsec_owners: list[dns.name.Name] = []
    hashes: dict[str, dns.name.Name] = {}
    for owner, node in zone.nodes.items():
        types = {rds.rdtype for rds in node.rdatasets}
        covered = {rds.covers for rds in node.rdatasets if rds.rdtype == T.RRSIG}
        if T.NSEC3 in types and types <= {T.NSEC3, T.RRSIG} and covered <= {T.NSEC3}:
            # NSEC3 owners live outside the name tree (RFC 5155 §7.1): not "existing" names.
            hashes[owner.labels[0].decode("ascii", "replace").upper()] = owner
            continue
        if T.NSEC in types:
            nsec_owners.append(owner)
        name = owner
        while name != apex and name.is_subdomain(apex):
            names.add(name)
            name = name.parent()
    return ZoneData(
        origin=apex,
        zone=zone,
        names=frozenset(names),
        nsec_owners=tuple(sorted(nsec_owners)),
        nsec3=_nsec3_chain(apex, zone, hashes),
    )


def _nsec3_chain(
    apex: dns.name.Name, zone: dns.zone.Zone, hashes: dict[str, dns.name.Name]
) -> Nsec3Chain | None:
    if not hashes:
        return None
    params = zone.get_rdataset(apex, T.NSEC3PARAM)
    if params:
        salt, iterations = params[0].salt, params[0].iterations
    else:
        # No NSEC3PARAM (broken or half-migrated zone): use a chain record's parameters.
        first = zone.get_rdataset(next(iter(hashes.values())), T.NSEC3)
        assert first is not None
        salt, iterations = first[0].salt, first[0].iterations
    return Nsec3Chain(apex, salt, iterations, tuple(sorted(hashes)), hashes)
