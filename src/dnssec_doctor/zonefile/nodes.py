"""Records grouped into nodes (all records of one owner name), streaming.

Signed zone files are written grouped by owner (BIND, Knot, ldns and PowerDNS all
do), so a node can be closed — and its signatures verified and its data dropped —
as soon as the owner changes. A file where an owner comes back later is not
grouped: :func:`grouped_nodes` then raises :class:`NotGroupedError` and the caller reads
it again with :func:`sorted_nodes`, which holds the whole zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import dns.name
import dns.rdatatype

from dnssec_doctor.zonefile.model import Record


class NotGroupedError(Exception):
    """The file repeats an owner name after other names (not grouped by owner)."""


@dataclass(slots=True)
class RRsetData:
    """One RRset of a node: TTL of its first record, RDATA deduplicated."""

    rdtype: int
    rdclass: int
    ttl: int
    line: int
    rdatas: list[bytes] = field(default_factory=list)
    ttls_differ: bool = False
    duplicates: int = 0


@dataclass(frozen=True, slots=True)
class SigData:
    """One RRSIG record as read (canonical RDATA, its own TTL, its line)."""

    covered: int
    rdata: bytes
    ttl: int
    line: int


@dataclass(slots=True)
class Node:
    """Every record at one owner name."""

    name: dns.name.Name
    line: int
    rrsets: dict[int, RRsetData] = field(default_factory=dict)
    sigs: list[SigData] = field(default_factory=list)

    def add(self, record: Record) -> None:
        """Add one record (RFC 2181 §5: identical records are one record)."""
        if record.rdtype == dns.rdatatype.RRSIG:
            covered = int.from_bytes(record.rdata[:2], "big") if len(record.rdata) >= 2 else 0
            self.sigs.append(SigData(covered, record.rdata, record.ttl, record.line))
            return
        rrset = self.rrsets.get(record.rdtype)
        if rrset is None:
            rrset = RRsetData(record.rdtype, record.rdclass, record.ttl, record.line)
            self.rrsets[record.rdtype] = rrset
        elif record.ttl != rrset.ttl:
            rrset.ttls_differ = True
        if record.rdata in rrset.rdatas:
            rrset.duplicates += 1
        else:
            rrset.rdatas.append(record.rdata)

    def types(self) -> frozenset[int]:
        """The RR types present (RRSIG excluded)."""
        return frozenset(self.rrsets)


def grouped_nodes(records: Iterable[Record]) -> Iterator[Node]:
    """Nodes in file order; NotGroupedError when an owner reappears after another."""
    seen: set[dns.name.Name] = set()
    current: Node | None = None
    for record in records:
        if current is not None and (record.owner is current.name or record.owner == current.name):
            current.add(record)
            continue
        if current is not None:
            yield current
        if record.owner in seen:
            raise NotGroupedError(str(record.owner))
        seen.add(record.owner)
        current = Node(record.owner, record.line)
        current.add(record)
    if current is not None:
        yield current


def sorted_nodes(records: Iterable[Record]) -> Iterator[Node]:
    """Nodes of the whole file, merged, in RFC 4034 §6.1 canonical order."""
    nodes: dict[dns.name.Name, Node] = {}
    for record in records:
        node = nodes.get(record.owner)
        if node is None:
            node = nodes[record.owner] = Node(record.owner, record.line)
        node.add(record)
    for name in sorted(nodes):
        yield nodes[name]
