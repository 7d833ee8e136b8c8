"""RDATA as bytes tokens → canonical wire, for the types big signed zones are made of.

The fast reader hands over the tokens of a record as ``bytes`` (no decoding, no
``str`` objects); this module converts the common types directly — RRSIG headers,
type bitmaps and names that repeat are converted once and cached. It mirrors
:mod:`.rdata` (the reference, itself checked against dnspython) and is checked
against it in the tests. Anything it does not handle, or does not like, raises
:class:`Fallback` or ``ValueError``: the reader then uses :func:`.rdata.rdata_wire`,
which decides and words the error. So this path is never more lenient.
"""

from __future__ import annotations

import binascii
import socket
import struct
from collections.abc import Callable

import dns.name
import dns.rdatatype

from dnssec_doctor.zonefile import rdata as reference

Converter = Callable[[list[bytes], int, "NameContext"], bytes]

_U16 = struct.Struct("!H")
_LENGTHS = [bytes((n,)) for n in range(256)]


class Fallback(Exception):  # noqa: N818 (a signal, not an error)
    """The fast path does not handle this input; use the reference converter."""


class NameContext:
    """The current ``$ORIGIN`` and the names already converted under it."""

    __slots__ = ("_cache", "origin", "suffix", "suffix_lower", "tail", "tail_lower")

    def __init__(self, origin: dns.name.Name) -> None:
        self.origin = origin
        self.tail = origin.to_wire() or b""
        self.tail_lower = origin.to_digestable()
        text = origin.to_text().encode("ascii")
        # ".origin." as written and in lower case: absolute names ending in it reuse
        # the origin's wire form (names below the apex are most of a zone's names)
        self.suffix = b"." + text if text != b"." and b"\\" not in text else b"\x00"
        self.suffix_lower = self.suffix.lower()
        self._cache: dict[tuple[bytes, bool], bytes] = {}

    def name(self, token: bytes, lower: bool) -> bytes:
        """Uncompressed wire form of a name token, lower-cased when ``lower``."""
        key = (token, lower)
        found = self._cache.get(key)
        if found is not None:
            return found
        wire = self.convert(token, lower)
        if len(self._cache) >= 8192:
            self._cache.clear()
        self._cache[key] = wire
        return wire

    def convert(self, token: bytes, lower: bool) -> bytes:
        """:meth:`name` without the cache (for names that do not repeat)."""
        if token == b"@":
            return self.tail_lower if lower else self.tail
        if b"\\" in token:
            raise Fallback
        if lower:
            token = token.lower()
        suffix = self.suffix_lower if lower else self.suffix
        tail = self.tail_lower if lower else self.tail
        if token.endswith(suffix) and len(token) > len(suffix):
            text = token[: -len(suffix)]
        elif token.endswith(b"."):
            text, tail = token[:-1], b"\x00"
            if not text:
                return tail
        elif token:
            text = token
        else:
            raise Fallback
        parts = []
        for label in text.split(b"."):
            size = len(label)
            if not 0 < size < 64:
                raise Fallback
            parts.append(_LENGTHS[size])
            parts.append(label)
        parts.append(tail)
        wire = b"".join(parts)
        if len(wire) > 255:
            raise Fallback
        return wire


def _int(token: bytes, limit: int) -> int:
    if not token.isdigit():
        raise Fallback
    value = int(token)
    if value > limit:
        raise Fallback
    return value


def _a(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) != start + 1:
        raise Fallback
    try:
        return socket.inet_pton(socket.AF_INET, tokens[start].decode("ascii"))
    except (OSError, UnicodeError):
        raise Fallback from None


def _aaaa(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) != start + 1:
        raise Fallback
    try:
        return socket.inet_pton(socket.AF_INET6, tokens[start].decode("ascii"))
    except (OSError, UnicodeError):
        raise Fallback from None


def _single_name(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) != start + 1:
        raise Fallback
    return ctx.name(tokens[start], True)


def _mx(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) != start + 2:
        raise Fallback
    return _U16.pack(_int(tokens[start], 0xFFFF)) + ctx.name(tokens[start + 1], True)


def _srv(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) != start + 4:
        raise Fallback
    prio, weight, port = (_int(t, 0xFFFF) for t in tokens[start : start + 3])
    return struct.pack("!HHH", prio, weight, port) + ctx.name(tokens[start + 3], True)


def _txt(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) <= start:
        raise Fallback
    out = []
    for token in tokens[start:]:
        if b"\\" in token:
            raise Fallback
        raw = token[1:-1] if token[:1] == b'"' else token
        if len(raw) > 255:
            raise Fallback
        out.append(_LENGTHS[len(raw)])
        out.append(raw)
    return b"".join(out)


def _soa(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) != start + 7:
        raise Fallback
    values = [_int(t, 0xFFFFFFFF) for t in tokens[start + 2 :]]
    if any(v > 0x7FFFFFFF for v in values[1:]):
        raise Fallback  # dns.ttl decides about timers beyond 2^31-1
    return (
        ctx.name(tokens[start], True)
        + ctx.name(tokens[start + 1], True)
        + struct.pack("!IIIII", *values)
    )


def _b64(tokens: list[bytes]) -> bytes:
    try:
        return binascii.a2b_base64(b"".join(tokens), strict_mode=True)
    except binascii.Error:
        raise Fallback from None


def _dnskey(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) < start + 4:
        raise Fallback
    flags = _int(tokens[start], 0xFFFF)
    protocol = _int(tokens[start + 1], 0xFF)
    algorithm = _int(tokens[start + 2], 0xFF)
    return struct.pack("!HBB", flags, protocol, algorithm) + _b64(tokens[start + 3 :])


def _ds(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) < start + 4:
        raise Fallback
    tag = _int(tokens[start], 0xFFFF)
    algorithm = _int(tokens[start + 1], 0xFF)
    digest_type = _int(tokens[start + 2], 0xFF)
    try:
        digest = binascii.unhexlify(b"".join(tokens[start + 3 :]))
    except binascii.Error:
        raise Fallback from None
    return struct.pack("!HBB", tag, algorithm, digest_type) + digest


_TYPES: dict[bytes, int] = {}
_HEADERS: dict[bytes, bytes] = {}
_BITMAPS: dict[bytes, bytes] = {}


def rdtype_of(token: bytes) -> int:
    """The type a mnemonic (or ``TYPEnnn``) names, cached; Fallback when unknown."""
    found = _TYPES.get(token)
    if found is None:
        try:
            found = int(dns.rdatatype.from_text(token.decode("ascii")))
        except (ValueError, UnicodeError, dns.rdatatype.UnknownRdatatype):
            raise Fallback from None
        if len(_TYPES) < 4096:
            _TYPES[token] = found
    return found


def _rrsig(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    # Signers stamp thousands of RRSIGs with the same covered type, algorithm,
    # labels, TTL, times, key tag and signer: the header is converted once.
    if len(tokens) < start + 9:
        raise Fallback
    head = b" ".join(tokens[start : start + 8])
    header = _HEADERS.get(head)
    if header is None:
        header = _rrsig_header(tokens[start : start + 8], ctx)
        if len(_HEADERS) >= 4096:
            _HEADERS.clear()
        _HEADERS[head] = header
    return header + _b64(tokens[start + 8 :])


def _rrsig_header(fields: list[bytes], ctx: NameContext) -> bytes:
    covered, algorithm, labels, ttl, expiration, inception, tag, signer = fields
    if not algorithm.isdigit():
        raise Fallback
    try:
        times = [reference.sigtime(t.decode("ascii")) for t in (expiration, inception)]
    except (ValueError, UnicodeError, OverflowError):
        raise Fallback from None
    return struct.pack(
        "!HBBIIIH",
        rdtype_of(covered),
        _int(algorithm, 0xFF),
        _int(labels, 0xFF),
        _int(ttl, 0xFFFFFFFF),
        times[0],
        times[1],
        _int(tag, 0xFFFF),
    ) + ctx.name(signer, True)


def _bitmap(tokens: list[bytes]) -> bytes:
    key = b" ".join(tokens)
    found = _BITMAPS.get(key)
    if found is None:
        found = reference.type_bitmap([rdtype_of(t) for t in tokens])
        if len(_BITMAPS) >= 4096:
            _BITMAPS.clear()
        _BITMAPS[key] = found
    return found


def _nsec(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) <= start:
        raise Fallback
    # RFC 6840 §5.1: the NSEC next name is not lower-cased in canonical form. Every
    # next name is different: converted directly, not through the cache.
    return ctx.convert(tokens[start], False) + _bitmap(tokens[start + 1 :])


def _nsec3(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) < start + 5:
        raise Fallback
    alg, flags, iterations, salt, nxt = tokens[start : start + 5]
    try:
        salt_bytes = b"" if salt == b"-" else binascii.unhexlify(salt)
        hashed = reference.b32hex_decode(nxt.decode("ascii"))
    except (binascii.Error, ValueError, UnicodeError):
        raise Fallback from None
    if len(salt_bytes) > 255 or not 0 < len(hashed) < 256:
        raise Fallback
    return (
        struct.pack(
            "!BBHB", _int(alg, 0xFF), _int(flags, 0xFF), _int(iterations, 0xFFFF), len(salt_bytes)
        )
        + salt_bytes
        + _LENGTHS[len(hashed)]
        + hashed
        + _bitmap(tokens[start + 5 :])
    )


def _nsec3param(tokens: list[bytes], start: int, ctx: NameContext) -> bytes:
    if len(tokens) != start + 4:
        raise Fallback
    alg, flags, iterations, salt = tokens[start:]
    try:
        salt_bytes = b"" if salt == b"-" else binascii.unhexlify(salt)
    except binascii.Error:
        raise Fallback from None
    if len(salt_bytes) > 255:
        raise Fallback
    return (
        struct.pack(
            "!BBHB", _int(alg, 0xFF), _int(flags, 0xFF), _int(iterations, 0xFFFF), len(salt_bytes)
        )
        + salt_bytes
    )


T = dns.rdatatype
CONVERTERS: dict[int, Converter] = {
    T.A: _a,
    T.AAAA: _aaaa,
    T.NS: _single_name,
    T.CNAME: _single_name,
    T.PTR: _single_name,
    T.DNAME: _single_name,
    T.MX: _mx,
    T.SRV: _srv,
    T.TXT: _txt,
    T.SOA: _soa,
    T.DNSKEY: _dnskey,
    T.CDNSKEY: _dnskey,
    T.DS: _ds,
    T.CDS: _ds,
    T.RRSIG: _rrsig,
    T.NSEC: _nsec,
    T.NSEC3: _nsec3,
    T.NSEC3PARAM: _nsec3param,
}
"""Fast converters by type; every other type goes to the reference converter."""
