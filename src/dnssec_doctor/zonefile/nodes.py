"""Records grouped into nodes (all records of one owner name), streaming.

Signed zone files are written grouped by owner (BIND, Knot, ldns and PowerDNS all
do), so a node can be closed — and its signatures verified and its data dropped —
as soon as the owner changes. A file where an owner comes back later is not
grouped: the name table finds the repeated name when it sorts, and the caller reads the
file again with :func:`sorted_nodes`, which holds the whole zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import dns.name
import dns.rdatatype

from dnssec_doctor.zonefile.fastrows import Row
from dnssec_doctor.zonefile.namekey import Owner

RRSIG = int(dns.rdatatype.RRSIG)

Sig = tuple[bytes, int, int]
"""One RRSIG record as read: (canonical RDATA, its own TTL, its line)."""


class RRsetData:
    """One RRset of a node: TTL of its first record, RDATA deduplicated."""

    __slots__ = (
        "_index", "duplicates", "line", "rdatas", "rdclass", "rdtype", "ttl", "ttls_differ",
    )  # fmt: skip

    def __init__(self, rdtype: int, rdclass: int, ttl: int, line: int, rdata: bytes) -> None:
        self.rdtype = rdtype
        self.rdclass = rdclass
        self.ttl = ttl
        self.line = line
        self.rdatas = [rdata]
        self.ttls_differ = False
        self.duplicates = 0
        self._index: set[bytes] | None = None
        """The RDATA as a set, once the RRset is big (duplicate checks stay linear)."""

    def add(self, ttl: int, rdata: bytes) -> None:
        """Add one record's RDATA (RFC 2181 §5: identical records are one record)."""
        if ttl != self.ttl:
            self.ttls_differ = True
        rdatas = self.rdatas
        if len(rdatas) > 16:
            if self._index is None:
                self._index = set(rdatas)
            if rdata in self._index:
                self.duplicates += 1
            else:
                self._index.add(rdata)
                rdatas.append(rdata)
        elif rdata in rdatas:
            self.duplicates += 1
        else:
            rdatas.append(rdata)


class Node:
    """Every record at one owner name."""

    __slots__ = ("line", "owner", "rrsets", "sigs")

    def __init__(self, owner: Owner, line: int) -> None:
        self.owner = owner
        self.line = line
        self.rrsets: dict[int, RRsetData] = {}
        self.sigs: dict[int, list[Sig]] = {}
        """The RRSIG records by the type they cover, in file order."""

    @property
    def name(self) -> dns.name.Name:
        """The owner name as written (built on demand: findings only)."""
        return self.owner.name

    @property
    def is_apex(self) -> bool:
        """True at the zone apex."""
        return self.owner.key == b""

    def add(self, rdtype: int, rdclass: int, ttl: int, rdata: bytes, line: int) -> None:
        """Add one record (RFC 2181 §5: identical records are one record)."""
        if rdtype == RRSIG:
            covered = (rdata[0] << 8 | rdata[1]) if len(rdata) >= 2 else 0
            group = self.sigs.get(covered)
            if group is None:
                self.sigs[covered] = [(rdata, ttl, line)]
            else:
                group.append((rdata, ttl, line))
            return
        rrset = self.rrsets.get(rdtype)
        if rrset is None:
            self.rrsets[rdtype] = RRsetData(rdtype, rdclass, ttl, line, rdata)
        else:
            rrset.add(ttl, rdata)

    def types(self) -> frozenset[int]:
        """The RR types present (RRSIG excluded)."""
        return frozenset(self.rrsets)


def _same(a: Owner, b: Owner) -> bool:
    return a is b or (a.key == b.key and (a.key is not None or a.wire == b.wire))


def grouped_nodes(rows: Iterable[Row]) -> Iterator[Node]:
    """Nodes in file order: consecutive records of one owner (case aside) make a node.

    An owner that comes back after other names makes a second node; the name table
    finds that when it sorts.
    """
    current: Node | None = None
    for owner, rdtype, rdclass, ttl, rdata, line in rows:
        if current is not None and (owner is current.owner or _same(owner, current.owner)):
            current.add(rdtype, rdclass, ttl, rdata, line)
            continue
        if current is not None:
            yield current
        current = Node(owner, line)
        current.add(rdtype, rdclass, ttl, rdata, line)
    if current is not None:
        yield current


def sorted_nodes(rows: Iterable[Row]) -> Iterator[Node]:
    """Nodes of the whole file, merged, in RFC 4034 §6.1 canonical order.

    Names outside the zone come first (they are only reported), then the zone's.
    """
    inside: dict[bytes, Node] = {}
    outside: dict[bytes, Node] = {}
    for owner, rdtype, rdclass, ttl, rdata, line in rows:
        table, key = (inside, owner.key) if owner.key is not None else (outside, owner.wire)
        node = table.get(key)
        if node is None:
            node = table[key] = Node(owner, line)
        node.add(rdtype, rdclass, ttl, rdata, line)
    yield from outside.values()
    for key in sorted(inside):
        yield inside[key]
