"""What the verifier keeps of every name after its records are dropped, compactly.

Chain checks (NSEC/NSEC3 order and bitmaps), authority (what lies below a zone
cut), signing coverage and glue need every name of the zone, but only a few facts
per name. A million-name zone cannot afford an object per name, so the table is
a handful of parallel columns: the name's key (:mod:`.namekey`), its first line,
the NSEC next name (as a key), and a *shape* number. A shape is everything else —
types, signature algorithms per type, line offsets, the NSEC bitmap and TTL —
and is shared: a signed zone has a few dozen shapes for a million names.
About 120 bytes per name in all.

Rare facts live in side tables: names whose case differs from lower case, extra
NSEC records, in-zone NS and MX targets, NSEC3 records.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass

import dns.name
import dns.rdatatype

from dnssec_doctor.zonefile import namekey
from dnssec_doctor.zonefile.namekey import Origin
from dnssec_doctor.zonefile.skeleton import Nsec3Info, decode_bitmap

T = dns.rdatatype
NSEC3_ONLY = (int(T.NSEC3),)

Nsec = tuple[bytes, bytes, int, int]
"""(next name wire, bitmap wire, TTL, line) of one NSEC record."""


@dataclass(frozen=True, slots=True)
class Shape:
    """The facts a name shares with many others."""

    types: tuple[int, ...]
    """RR types present (RRSIG excluded), ascending."""
    algs: tuple[int, ...]
    """Bitmask (1 << algorithm) of the RRSIGs present for each type (0: unsigned)."""
    offsets: tuple[int, ...]
    """First line of each type's records, relative to the name's first line."""
    nsec_bitmap: bytes | None = None
    """Bitmap of the (first) NSEC here, None without NSEC."""
    nsec_ttl: int = 0
    nsec_offset: int = 0
    nsec_count: int = 0

    def algorithms(self, rdtype: int) -> frozenset[int]:
        """Algorithms of the RRSIGs present for ``rdtype``."""
        try:
            mask = self.algs[self.types.index(rdtype)]
        except ValueError:
            return frozenset()
        return frozenset(a for a in range(mask.bit_length()) if mask >> a & 1)

    @property
    def nsec3_only(self) -> bool:
        """A node holding only NSEC3 records: a hashed owner, not a name of the zone."""
        return self.types == NSEC3_ONLY


NOT_A_KEY = b"\x00"
"""Prefix of NSEC next names that have no key (outside the zone, or not decodable)."""


class NameTable:
    """Every name of the zone, in columns; sorted into canonical order by :meth:`sort`."""

    def __init__(self, zone: Origin) -> None:
        self.zone = zone
        self.keys: list[bytes] = []
        self.lines = array("L")
        self.shape_ids = array("I")
        self.nsec_next: list[bytes | None] = []
        """The NSEC next name as a key, ``NOT_A_KEY + wire`` when it has none, None: no NSEC."""
        self.shapes: list[Shape] = []
        self._shape_index: dict[Shape, int] = {}
        self.cases: dict[bytes, bytes] = {}
        """Key → wire form as written, for names not written in lower case."""
        self.more_nsec: dict[bytes, list[Nsec]] = {}
        """Key → every NSEC record, for names with more than one."""
        self.next_cases: dict[bytes, bytes] = {}
        """Key → NSEC next name as written, when not in lower case."""
        self.ns_targets: dict[bytes, tuple[bytes, ...]] = {}
        """Key of a name with NS → keys of its NS targets inside the zone."""
        self.mx_targets: list[tuple[bytes, bytes]] = []
        """(owner key, MX target key) for targets inside the zone."""
        self.nsec3: list[Nsec3Info] = []
        self.in_order = True
        """Keys arrived in canonical order so far (Knot and ldns write them so; BIND nearly)."""

    def __len__(self) -> int:
        return len(self.keys)

    def shape_id(self, shape: Shape) -> int:
        """The number of ``shape``, registering it when new."""
        found = self._shape_index.get(shape)
        if found is None:
            found = self._shape_index[shape] = len(self.shapes)
            self.shapes.append(shape)
        return found

    def add(self, key: bytes, line: int, shape: int, nsec_next: bytes | None) -> None:
        """Append one name's row."""
        nexts, keys = self.nsec_next, self.keys
        if keys and self.in_order and key <= keys[-1]:
            self.in_order = False
        if nexts and nexts[-1] == key:
            nexts[-1] = key  # the usual case: one bytes object for both (a third less memory)
        keys.append(key)
        self.lines.append(line)
        self.shape_ids.append(shape)
        self.nsec_next.append(nsec_next)

    def sort(self) -> bool:
        """Put the rows in canonical order; False when a name has two rows (not grouped).

        Python's sort is adaptive: a file that is nearly in order sorts in linear time.
        """
        keys = self.keys
        if self.in_order:
            return True
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self.keys = keys = [keys[i] for i in order]
        self.lines = array("L", (self.lines[i] for i in order))
        self.shape_ids = array("I", (self.shape_ids[i] for i in order))
        self.nsec_next = [self.nsec_next[i] for i in order]
        del order
        self.in_order = True
        return all(keys[i] != keys[i + 1] for i in range(len(keys) - 1))

    # -- lookups (after sort) ---------------------------------------------------

    def find(self, key: bytes) -> int:
        """Row of ``key``, -1 when the name has no records."""
        index = bisect.bisect_left(self.keys, key)
        return index if index < len(self.keys) and self.keys[index] == key else -1

    def shape(self, index: int) -> Shape:
        """The shape of row ``index``."""
        return self.shapes[self.shape_ids[index]]

    def name(self, index: int) -> dns.name.Name:
        """The name of row ``index``, as written in the file."""
        return self.name_of(self.keys[index])

    def name_of(self, key: bytes) -> dns.name.Name:
        """The name with ``key``, as written in the file when it has a row."""
        case = self.cases.get(key)
        if case is not None:
            return dns.name.from_wire(case, 0)[0]
        return self.zone.name_of(key)

    def line_of(self, index: int, rdtype: int) -> int | None:
        """The line of the first ``rdtype`` record of row ``index``, None when absent."""
        shape = self.shape(index)
        try:
            return self.lines[index] + shape.offsets[shape.types.index(rdtype)]
        except ValueError:
            return None

    def nsec_records(self, index: int) -> list[Nsec]:
        """Every NSEC record at row ``index`` (next name as wire)."""
        shape = self.shape(index)
        if shape.nsec_bitmap is None:
            return []
        key = self.keys[index]
        if shape.nsec_count > 1:
            return self.more_nsec[key]
        nxt = self.nsec_next[index]
        assert nxt is not None
        wire = nxt[1:] if nxt[:1] == NOT_A_KEY else self.zone.wire_of(nxt)
        case = self.next_cases.get(key)
        return [(case or wire, shape.nsec_bitmap, shape.nsec_ttl,
                 self.lines[index] + shape.nsec_offset)]  # fmt: skip

    def types_at(self, key: bytes) -> tuple[int, ...] | None:
        """The types of the name with ``key``, None when it has no records."""
        index = self.find(key)
        return None if index < 0 else self.shape(index).types


def next_key(zone: Origin, wire: bytes) -> tuple[bytes, bytes | None]:
    """(key or ``NOT_A_KEY + wire``, wire as written when not lower case) of an NSEC next name."""
    lower = wire.lower()
    case = None if lower == wire else wire
    if not lower.endswith(zone.wire):
        return NOT_A_KEY + wire, None
    labels: list[bytes] = []
    pos, end = 0, len(lower) - len(zone.wire)
    while pos < end:
        size = lower[pos]
        if not 0 < size < 64:
            return NOT_A_KEY + wire, None
        labels.append(lower[pos + 1 : pos + 1 + size])
        pos += size + 1
    if pos != end:
        return NOT_A_KEY + wire, None  # the zone's wire form matched inside a label
    for label in labels:
        if b"\x00" in label or b"\x01" in label:
            key = zone.key_of(dns.name.from_wire(wire, 0)[0])
            return (key if key is not None else NOT_A_KEY + wire), case
    labels.reverse()
    return namekey.SEP.join(labels), case


def nsec_fields(zone: Origin, rdata: bytes) -> tuple[bytes, bytes, bytes, bytes | None]:
    """(next name wire, bitmap wire, next key or ``NOT_A_KEY + wire``, wire as written
    when not lower case) of NSEC RDATA, walking the name once; ValueError when malformed."""
    labels: list[bytes] = []
    pos = 0
    size = len(rdata)
    while True:
        if pos >= size:
            raise ValueError("truncated name")
        length = rdata[pos]
        if length == 0:
            break
        if length > 63:
            raise ValueError("bad label length in name")
        labels.append(rdata[pos + 1 : pos + 1 + length])
        pos += length + 1
    wire, bitmap = rdata[: pos + 1], rdata[pos + 1 :]
    decode_bitmap(bitmap)
    lower = wire.lower()
    case = None if lower == wire else wire
    relative = len(labels) - len(zone.lower_labels) + 1
    if relative < 0 or not lower.endswith(zone.wire):
        return wire, bitmap, NOT_A_KEY + wire, None
    kept = labels[:relative]
    if sum(len(label) + 1 for label in kept) + len(zone.wire) != len(wire):
        return wire, bitmap, NOT_A_KEY + wire, None
    if case is not None:
        kept = [label.lower() for label in kept]
    for label in kept:
        if b"\x00" in label or b"\x01" in label:
            key = zone.key_of(dns.name.from_wire(wire, 0)[0])
            return wire, bitmap, (key if key is not None else NOT_A_KEY + wire), case
    kept.reverse()
    return wire, bitmap, namekey.SEP.join(kept), case
