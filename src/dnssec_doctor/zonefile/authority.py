"""Which names the zone is authoritative for (RFC 4035 §2.2, RFC 2181 §6).

Below a zone cut (a non-apex name with NS) everything is glue or occluded; at the
cut only DS and NSEC are the zone's own data. Empty non-terminals are names that
exist only because something lies below them (RFC 5155 §7.1 needs them).

Ancestry is computed on lower-cased label tuples: slicing a tuple is far cheaper
than building ``dns.name.Name`` parents for every name of a million-name zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import dns.name
import dns.rdatatype

from dnssec_doctor.zonefile.skeleton import NodeInfo

T = dns.rdatatype
AUTHORITATIVE_AT_CUT = frozenset({T.DS, T.NSEC})
"""Types a parent is authoritative for at a delegation point (RFC 4035 §2.2)."""

Key = tuple[bytes, ...]


def name_key(name: dns.name.Name) -> Key:
    """Lower-cased labels, leftmost first: equal keys ⇔ equal names."""
    return tuple(label.lower() for label in name.labels)


def canonical_key(name: dns.name.Name) -> Key:
    """Sort key for RFC 4034 §6.1 canonical order (cheaper than comparing names)."""
    return tuple(label.lower() for label in reversed(name.labels))


def is_nsec3_node(info: NodeInfo) -> bool:
    """A node holding only NSEC3 records: a hashed owner, not a name of the zone."""
    return info.types == (T.NSEC3,)


class ZoneView:
    """Authority facts derived from every node of the zone."""

    def __init__(self, origin: dns.name.Name, nodes: dict[dns.name.Name, NodeInfo]) -> None:
        self.origin = origin
        self.nodes = nodes
        self._origin_len = len(origin.labels)
        self.delegations = frozenset(
            name for name, info in nodes.items() if T.NS in info.types and name != origin
        )
        self.dnames = frozenset(name for name, info in nodes.items() if T.DNAME in info.types)
        self._delegation_keys = {name_key(n): n for n in self.delegations}
        self._dname_keys = {name_key(n): n for n in self.dnames}
        self._node_keys = {name_key(n) for n, info in nodes.items() if not is_nsec3_node(info)}

    def _nearest(
        self, name: dns.name.Name, table: dict[Key, dns.name.Name]
    ) -> dns.name.Name | None:
        if not table:
            return None
        key = name_key(name)
        for start in range(1, len(key) - self._origin_len):
            found = table.get(key[start:])
            if found is not None:
                return found
        return None

    def cut_above(self, name: dns.name.Name) -> dns.name.Name | None:
        """The nearest delegation strictly above ``name`` (and below the apex), if any."""
        return self._nearest(name, self._delegation_keys)

    def dname_above(self, name: dns.name.Name) -> dns.name.Name | None:
        """The nearest DNAME owner strictly above ``name``, if any (the apex included)."""
        found = self._nearest(name, self._dname_keys)
        if found is None and self.origin in self.dnames and name != self.origin:
            return self.origin
        return found

    def is_delegation(self, name: dns.name.Name) -> bool:
        """A zone cut: NS at a name other than the apex."""
        return name in self.delegations

    def authoritative_names(self) -> list[dns.name.Name]:
        """Names with data the zone answers for (cuts included), canonical order."""
        return sorted(
            (
                name
                for name, info in self.nodes.items()
                if not is_nsec3_node(info)
                and name.is_subdomain(self.origin)
                and self.cut_above(name) is None
            ),
            key=canonical_key,
        )

    def _ancestors(self, name: dns.name.Name) -> Iterator[tuple[Key, tuple[bytes, ...]]]:
        labels = name.labels
        key = name_key(name)
        for start in range(1, len(labels) - self._origin_len):
            yield key[start:], labels[start:]

    def empty_non_terminals(self, names: Iterable[dns.name.Name]) -> set[dns.name.Name]:
        """Ancestors of ``names`` (below the origin) that have no records themselves."""
        ents: dict[Key, dns.name.Name] = {}
        for name in names:
            for key, labels in self._ancestors(name):
                if key in self._node_keys or key in ents:
                    break
                ents[key] = dns.name.Name(labels)
        return set(ents.values())

    def authoritative_types(self, name: dns.name.Name) -> frozenset[int]:
        """The types at ``name`` the zone is authoritative for (RRSIG excluded)."""
        info = self.nodes[name]
        if name in self.delegations:
            return info.type_set() & AUTHORITATIVE_AT_CUT
        return info.type_set()
