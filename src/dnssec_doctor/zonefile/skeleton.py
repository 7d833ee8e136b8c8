"""Decoding helpers for the facts kept per name: type bitmaps, NSEC and NSEC3 RDATA.

Big zones repeat the same few bitmaps millions of times, so decoded bitmaps are
cached by their wire form.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass

import dns.rdatatype

_B32_TO_HEX = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789abcdefghijklmnopqrstuv"
)
_HEX_TO_B32 = bytes.maketrans(
    b"0123456789abcdefghijklmnopqrstuv", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)


_BITS = tuple(tuple(bit for bit in range(8) if byte & (0x80 >> bit)) for byte in range(256))
_DECODED: dict[bytes, frozenset[int] | str] = {}


def decode_bitmap(data: bytes) -> frozenset[int]:
    """Types in an RFC 4034 §4.1.2 bitmap; ValueError when malformed."""
    found = _DECODED.get(data)
    if found is None:
        try:
            found = _decode_bitmap(data)
        except ValueError as exc:
            found = str(exc)
        if len(_DECODED) >= 65536:
            _DECODED.clear()
        _DECODED[data] = found
    if isinstance(found, str):
        raise ValueError(found)
    return found


def _decode_bitmap(data: bytes) -> frozenset[int]:
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


def bitmap_case(extra: frozenset[int], missing: frozenset[int]) -> str:
    """The case suffix of a wrong type bitmap (NODATA_BITMAP_CONTRADICTION's templates):
    types it lists that the name lacks, types it omits that the name has, or both."""
    if extra and missing:
        return "extra_omits"
    return "extra" if extra else "omits"


def bitmap_params(extra: frozenset[int], missing: frozenset[int]) -> dict[str, str]:
    """The type lists a wrong bitmap's template names (only the non-empty ones)."""
    params = {}
    if extra:
        params["extra"] = type_names(extra)
    if missing:
        params["missing"] = type_names(missing)
    return params


@dataclass(frozen=True, slots=True)
class Nsec3Info:
    """One NSEC3 record, decoded (RFC 5155 §3.2)."""

    owner: bytes
    """Key of the owner name (:mod:`.namekey`)."""
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


_SALTS: dict[bytes, bytes] = {}


def decode_nsec3(owner: bytes, first_label: bytes, rdata: bytes, ttl: int, line: int) -> Nsec3Info:
    """Decode NSEC3 RDATA at the name with key ``owner``; ValueError when malformed."""
    alg, flags, iterations, salt_len = struct.unpack("!BBHB", rdata[:5])
    salt = rdata[5 : 5 + salt_len]
    pos = 5 + salt_len
    hash_len = rdata[pos]
    nxt = rdata[pos + 1 : pos + 1 + hash_len]
    if len(salt) != salt_len or len(nxt) != hash_len:
        raise ValueError("truncated NSEC3 RDATA")
    types = decode_bitmap(rdata[pos + 1 + hash_len :])
    try:
        hashed = b32hex_decode(first_label) if first_label else b""
    except ValueError:
        hashed = b""
    salt = _SALTS.setdefault(salt, salt) if len(_SALTS) < 64 else salt
    return Nsec3Info(owner, hashed, alg, flags, iterations, salt, nxt, types, ttl, line)
