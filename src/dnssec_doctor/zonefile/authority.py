"""Which names the zone is authoritative for (RFC 4035 §2.2, RFC 2181 §6).

Below a zone cut (a non-apex name with NS) everything is glue or occluded; at the
cut only DS and NSEC are the zone's own data. Empty non-terminals are names that
exist only because something lies below them (RFC 5155 §7.1 needs them).
"""

from __future__ import annotations

from collections.abc import Iterable

import dns.name
import dns.rdatatype

from dnssec_doctor.zonefile.skeleton import NodeInfo

T = dns.rdatatype
AUTHORITATIVE_AT_CUT = frozenset({T.DS, T.NSEC})
"""Types a parent is authoritative for at a delegation point (RFC 4035 §2.2)."""


def is_nsec3_node(info: NodeInfo) -> bool:
    """A node holding only NSEC3 records: a hashed owner, not a name of the zone."""
    return info.types == {T.NSEC3}


class ZoneView:
    """Authority facts derived from every node of the zone."""

    def __init__(self, origin: dns.name.Name, nodes: dict[dns.name.Name, NodeInfo]) -> None:
        self.origin = origin
        self.nodes = nodes
        self.delegations = frozenset(
            name for name, info in nodes.items() if T.NS in info.types and name != origin
        )
        self.dnames = frozenset(name for name, info in nodes.items() if T.DNAME in info.types)

    def _ancestors(self, name: dns.name.Name) -> Iterable[dns.name.Name]:
        """Proper ancestors of ``name`` strictly below the origin, nearest first."""
        current = name
        while current != self.origin and len(current) > len(self.origin):
            current = current.parent()
            if current == self.origin:
                return
            yield current

    def cut_above(self, name: dns.name.Name) -> dns.name.Name | None:
        """The nearest delegation strictly above ``name``, if any."""
        if not self.delegations:
            return None
        for ancestor in self._ancestors(name):
            if ancestor in self.delegations:
                return ancestor
        return None

    def dname_above(self, name: dns.name.Name) -> dns.name.Name | None:
        """The nearest DNAME owner strictly above ``name``, if any."""
        if not self.dnames:
            return None
        for ancestor in self._ancestors(name):
            if ancestor in self.dnames:
                return ancestor
        return self.origin if self.origin in self.dnames and name != self.origin else None

    def is_delegation(self, name: dns.name.Name) -> bool:
        """A zone cut: NS at a name other than the apex."""
        return name in self.delegations

    def authoritative_names(self) -> list[dns.name.Name]:
        """Names with data the zone answers for (cuts included), canonical order."""
        return sorted(
            name
            for name, info in self.nodes.items()
            if name.is_subdomain(self.origin)
            and not is_nsec3_node(info)
            and self.cut_above(name) is None
        )

    def empty_non_terminals(self, names: Iterable[dns.name.Name]) -> set[dns.name.Name]:
        """Ancestors of ``names`` (below the origin) that have no records themselves."""
        ents: set[dns.name.Name] = set()
        for name in names:
            for ancestor in self._ancestors(name):
                if ancestor in self.nodes and not is_nsec3_node(self.nodes[ancestor]):
                    break
                if ancestor in ents:
                    break
                ents.add(ancestor)
        return ents

    def authoritative_types(self, name: dns.name.Name) -> frozenset[int]:
        """The types at ``name`` the zone is authoritative for (RRSIG excluded)."""
        info = self.nodes[name]
        if name in self.delegations:
            return info.types & AUTHORITATIVE_AT_CUT
        return info.types
