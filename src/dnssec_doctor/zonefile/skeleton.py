"""What the verifier keeps of every node after its records are dropped.

Chain checks (NSEC/NSEC3 order and bitmaps), authority (what lies below a zone
cut) and glue need every name of the zone, but only a few facts per name. A
:class:`NodeInfo` holds those facts; NSEC3 records are kept apart, decoded.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdatatype

from dnssec_doctor.zonefile.nodes import Node

_B32_TO_HEX = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789abcdefghijklmnopqrstuv"
)
_HEX_TO_B32 = bytes.maketrans(
    b"0123456789abcdefghijklmnopqrstuv", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)


_BITS = tuple(tuple(bit for bit in range(8) if byte & (0x80 >> bit)) for byte in range(256))


def decode_bitmap(data: bytes) -> frozenset[int]:
    """Types in an RFC 4034 §4.1.2 bitmap; ValueError when malformed."""
    types = set()
    i = 0
    last_window = -1
    while i < len(data):
        if i + 2 > len(data):
            raise ValueError("truncated type bitmap")
        window, length = data[i], data[i + 1]
        if window <= last_window or not 1 <= length <= 32 or i + 2 + length > len(data):
            raise ValueError("malformed type bitmap")
        last_window = window
        base = window * 256
        for byte_index, byte in enumerate(data[i + 2 : i + 2 + length]):
            for bit in _BITS[byte]:
                types.add(base + byte_index * 8 + bit)
        i += 2 + length
    return frozenset(types)


def b32hex_encode(raw: bytes) -> str:
    """Base32hex without padding, lower case (RFC 4648 §7, RFC 5155 §3.3)."""
    return base64.b32encode(raw).translate(_B32_TO_HEX).decode("ascii").rstrip("=")


def b32hex_decode(text: bytes) -> bytes:
    """Inverse of :func:`b32hex_encode`; ValueError when not base32hex."""
    raw = text.lower().translate(_HEX_TO_B32)
    try:
        return base64.b32decode(raw + b"=" * (-len(raw) % 8))
    except (ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from None


def type_names(types: frozenset[int] | set[int]) -> str:
    """``A NS SOA`` style text for a set of types, in numeric order."""
    return " ".join(dns.rdatatype.to_text(dns.rdatatype.RdataType.make(t)) for t in sorted(types))


@dataclass(frozen=True, slots=True)
class Nsec3Info:
    """One NSEC3 record, decoded (RFC 5155 §3.2)."""

    owner: dns.name.Name
    hashed: bytes
    """The owner's first label decoded from base32hex (empty when it is not base32hex)."""
    algorithm: int
    flags: int
    iterations: int
    salt: bytes
    next_hashed: bytes
    types: frozenset[int]
    ttl: int
    line: int

    @property
    def params(self) -> tuple[int, int, bytes]:
        """(hash algorithm, iterations, salt): what NSEC3PARAM must match."""
        return (self.algorithm, self.iterations, self.salt)

    @property
    def opt_out(self) -> bool:
        """Opt-Out flag (RFC 5155 §3.1.2.1)."""
        return bool(self.flags & 1)


def decode_nsec3(owner: dns.name.Name, rdata: bytes, ttl: int, line: int) -> Nsec3Info:
    """Decode NSEC3 RDATA; ValueError when malformed."""
    alg, flags, iterations, salt_len = struct.unpack("!BBHB", rdata[:5])
    salt = rdata[5 : 5 + salt_len]
    pos = 5 + salt_len
    hash_len = rdata[pos]
    nxt = rdata[pos + 1 : pos + 1 + hash_len]
    if len(salt) != salt_len or len(nxt) != hash_len:
        raise ValueError("truncated NSEC3 RDATA")
    types = decode_bitmap(rdata[pos + 1 + hash_len :])
    try:
        hashed = b32hex_decode(owner.labels[0]) if owner.labels else b""
    except ValueError:
        hashed = b""
    return Nsec3Info(owner, hashed, alg, flags, iterations, salt, nxt, types, ttl, line)


@dataclass(slots=True)
class NodeInfo:
    """Facts about one owner name that global checks need, stored compactly.

    A million-name zone keeps one of these per name, so the fields are tuples
    aligned with ``types`` rather than sets and dicts (a frozenset of three ints
    costs 216 bytes, a tuple 64); NSEC RDATA stays in wire form until a chain
    check decodes it.
    """

    name: dns.name.Name
    line: int
    types: tuple[int, ...]
    """RR types present (RRSIG excluded), ascending."""
    lines: tuple[int, ...]
    """First line of each type's records, aligned with ``types``."""
    algs: tuple[int, ...]
    """Bitmask (1 << algorithm) of the RRSIGs present for each type (0: unsigned)."""
    nsec: tuple[tuple[bytes, bytes, int, int], ...] = ()
    """(next name wire, bitmap wire, TTL, line) of each NSEC record here."""
    ns_targets: tuple[dns.name.Name, ...] = ()
    mx_targets: tuple[dns.name.Name, ...] = ()

    def type_set(self) -> frozenset[int]:
        """``types`` as a set, for set arithmetic."""
        return frozenset(self.types)

    def line_of(self, rdtype: int) -> int | None:
        """The line of the first ``rdtype`` record, None when absent."""
        try:
            return self.lines[self.types.index(rdtype)]
        except ValueError:
            return None

    def algorithms(self, rdtype: int) -> frozenset[int]:
        """Algorithms of the RRSIGs present for ``rdtype``."""
        try:
            mask = self.algs[self.types.index(rdtype)]
        except ValueError:
            return frozenset()
        return frozenset(a for a in range(mask.bit_length()) if mask >> a & 1)


def decode_nsec(
    entry: tuple[bytes, bytes, int, int],
) -> tuple[dns.name.Name, frozenset[int], int, int]:
    """(next name, bitmap types, TTL, line) of a stored NSEC; ValueError when malformed."""
    next_wire, bitmap, ttl, line = entry
    try:
        nxt, _ = dns.name.from_wire(next_wire, 0)
    except dns.exception.DNSException as exc:
        raise ValueError(str(exc)) from None
    return nxt, decode_bitmap(bitmap), ttl, line


def _name_end(wire: bytes) -> int:
    """Offset just past an uncompressed name at the start of ``wire``; ValueError if bad."""
    pos = 0
    while pos < len(wire):
        length = wire[pos]
        if length == 0:
            return pos + 1
        if length > 63:
            raise ValueError("bad label length in name")
        pos += length + 1
    raise ValueError("truncated name")


_TUPLES: dict[tuple[int, ...], tuple[int, ...]] = {}
_BITMAPS: dict[bytes, bytes] = {}


def _intern(value: tuple[int, ...]) -> tuple[int, ...]:
    """Share equal tuples: most names of a zone have the same few type sets."""
    found = _TUPLES.get(value)
    if found is None:
        if len(_TUPLES) > 100_000:
            return value
        _TUPLES[value] = found = value
    return found


def node_info(node: Node) -> tuple[NodeInfo, list[Nsec3Info], list[str]]:
    """The facts of ``node``, its NSEC3 records, and decoding problems (text)."""
    problems: list[str] = []
    masks: dict[int, int] = {}
    for sig in node.sigs:
        alg = sig.rdata[2] if len(sig.rdata) > 2 else 0
        masks[sig.covered] = masks.get(sig.covered, 0) | (1 << alg)
    types = _intern(tuple(sorted(node.rrsets)))
    info = NodeInfo(
        name=node.name,
        line=node.line,
        types=types,
        lines=tuple(node.rrsets[t].line for t in types),
        algs=_intern(tuple(masks.get(t, 0) for t in types)),
    )
    nsec_set = node.rrsets.get(dns.rdatatype.NSEC)
    if nsec_set is not None:
        entries = []
        for rdata in nsec_set.rdatas:
            try:
                end = _name_end(rdata)
                decode_bitmap(rdata[end:])
                bitmap = rdata[end:]
                if len(_BITMAPS) < 100_000:
                    bitmap = _BITMAPS.setdefault(bitmap, bitmap)
                entries.append((rdata[:end], bitmap, nsec_set.ttl, nsec_set.line))
            except ValueError as exc:
                problems.append(f"NSEC at {node.name} cannot be decoded: {exc}")
        info.nsec = tuple(entries)
    nsec3: list[Nsec3Info] = []
    nsec3_set = node.rrsets.get(dns.rdatatype.NSEC3)
    if nsec3_set is not None:
        for rdata in nsec3_set.rdatas:
            try:
                nsec3.append(decode_nsec3(node.name, rdata, nsec3_set.ttl, nsec3_set.line))
            except (ValueError, IndexError, struct.error) as exc:
                problems.append(f"NSEC3 at {node.name} cannot be decoded: {exc}")
    ns_set = node.rrsets.get(dns.rdatatype.NS)
    if ns_set is not None:
        info.ns_targets = tuple(dns.name.from_wire(r, 0)[0] for r in ns_set.rdatas)
    mx_set = node.rrsets.get(dns.rdatatype.MX)
    if mx_set is not None:
        info.mx_targets = tuple(dns.name.from_wire(r, 2)[0] for r in mx_set.rdatas if len(r) > 2)
    return info, nsec3, problems
