"""What the verifier keeps of every node after its records are dropped.

Chain checks (NSEC/NSEC3 order and bitmaps), authority (what lies below a zone
cut) and glue need every name of the zone, but only a few facts per name. A
:class:`NodeInfo` holds those facts; NSEC3 records are kept apart, decoded.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass, field

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
        for byte_index, byte in enumerate(data[i + 2 : i + 2 + length]):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    types.add(window * 256 + byte_index * 8 + bit)
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
    """Facts about one owner name that global checks need."""

    name: dns.name.Name
    line: int
    types: frozenset[int]
    sig_algs: dict[int, frozenset[int]]
    """Covered type → algorithms of the RRSIGs present for it."""
    nsec: list[tuple[dns.name.Name, frozenset[int], int, int]] = field(default_factory=list)
    """(next name, bitmap types, TTL, line) of each NSEC record at this name."""
    ns_targets: tuple[dns.name.Name, ...] = ()
    mx_targets: tuple[dns.name.Name, ...] = ()
    type_lines: dict[int, int] = field(default_factory=dict)


def node_info(node: Node) -> tuple[NodeInfo, list[Nsec3Info], list[str]]:
    """The facts of ``node``, its NSEC3 records, and decoding problems (text)."""
    problems: list[str] = []
    sig_algs: dict[int, set[int]] = {}
    for sig in node.sigs:
        alg = sig.rdata[2] if len(sig.rdata) > 2 else 0
        sig_algs.setdefault(sig.covered, set()).add(alg)
    info = NodeInfo(
        name=node.name,
        line=node.line,
        types=node.types(),
        sig_algs={t: frozenset(a) for t, a in sig_algs.items()},
        type_lines={t: r.line for t, r in node.rrsets.items()},
    )
    nsec3: list[Nsec3Info] = []
    nsec_set = node.rrsets.get(dns.rdatatype.NSEC)
    if nsec_set is not None:
        for rdata in nsec_set.rdatas:
            try:
                nxt, used = dns.name.from_wire(rdata, 0)
                info.nsec.append((nxt, decode_bitmap(rdata[used:]), nsec_set.ttl, nsec_set.line))
            except (ValueError, dns.name.NameTooLong, dns.exception.DNSException) as exc:
                problems.append(f"NSEC at {node.name} cannot be decoded: {exc}")
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
