"""RDATA text → canonical wire (RFC 4034 §6.2), fast for the types signed zones are made of.

dnspython's parser reads ~8k records/s (its tokenizer works a character at a
time); signed zones are mostly A/AAAA/NS/DS/RRSIG/NSEC/NSEC3/DNSKEY/MX/TXT, so those
are converted here directly. Anything unusual — and any input the fast path does
not accept — goes through dnspython, so the fast path is never stricter (tests
compare both on every corpus record). It is deliberately more lenient in three
places where dnspython refuses records that exist and must be reported, not
rejected: DS/CDS digests of the wrong length, ZONEMD digests of unknown
algorithms, and IPSECKEY without a key (RFC 4025 §2.5); it also reads the RFC 1035
mailbox types (MB, MG, MR, MD, MF, MINFO) that dnspython lacks.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import struct
from collections.abc import Callable, Sequence

import dns.dnssectypes
import dns.exception
import dns.ipv6
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.ttl

Converter = Callable[[Sequence[str], dns.name.Name], bytes]

_B32HEX_TRANSLATE = bytes.maketrans(
    b"0123456789abcdefghijklmnopqrstuv", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)


_NAMES: dict[tuple[str, dns.name.Name], dns.name.Name] = {}
_NAMES_MAX = 4096


def _name(token: str, origin: dns.name.Name) -> dns.name.Name:
    if token == "@":
        return origin
    # signer names and name-server targets repeat on every record: parse once
    key = (token, origin)
    found = _NAMES.get(key)
    if found is None:
        found = dns.name.from_text(token, origin)
        if len(_NAMES) >= _NAMES_MAX:
            _NAMES.clear()
        _NAMES[key] = found
    return found


_ORIGIN_WIRE: dict[tuple[dns.name.Name, bool], bytes] = {}


def _name_wire(token: str, origin: dns.name.Name, *, lower: bool) -> bytes:
    """Uncompressed wire form of a name token, lower-cased when ``lower``.

    Plain names (ASCII, no escapes) are encoded directly; anything else goes
    through dnspython, which also words the errors.
    """
    if "\\" in token or token in ("@", ""):
        return _slow_name_wire(token, origin, lower)
    absolute = token.endswith(".")
    text = token[:-1] if absolute else token
    if not text or ".." in text or text.startswith("."):
        return _slow_name_wire(token, origin, lower)
    labels = (text.lower() if lower else text).encode("ascii").split(b".")
    parts = [bytes((len(label),)) + label for label in labels if len(label) <= 63]
    if len(parts) != len(labels):
        return _slow_name_wire(token, origin, lower)
    if absolute:
        parts.append(b"\x00")
    else:
        tail = _ORIGIN_WIRE.get((origin, lower))
        if tail is None:
            tail = origin.to_digestable() if lower else origin.to_wire() or b""
            _ORIGIN_WIRE[(origin, lower)] = tail
        parts.append(tail)
    wire = b"".join(parts)
    return wire if len(wire) <= 255 else _slow_name_wire(token, origin, lower)


def _slow_name_wire(token: str, origin: dns.name.Name, lower: bool) -> bytes:
    name = _name(token, origin)
    if lower:
        return name.to_digestable()
    wire = name.to_wire()
    assert wire is not None
    return wire


def _u8(token: str) -> int:
    value = int(token)
    if not token.isdigit() or value > 0xFF:
        raise ValueError(token)
    return value


def _u16(token: str) -> int:
    value = int(token)
    if not token.isdigit() or value > 0xFFFF:
        raise ValueError(token)
    return value


def _u32(token: str) -> int:
    value = int(token)
    if not token.isdigit() or value > 0xFFFFFFFF:
        raise ValueError(token)
    return value


def _algorithm(token: str) -> int:
    if token.isdigit():
        return _u8(token)
    return int(dns.dnssectypes.Algorithm.from_text(token))


def _a(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    (addr,) = tokens
    parts = addr.split(".")
    if len(parts) != 4:
        raise ValueError(addr)
    out = bytearray()
    for part in parts:
        if not part.isdigit() or len(part) > 3 or (len(part) > 1 and part[0] == "0"):
            raise ValueError(addr)
        value = int(part)
        if value > 255:
            raise ValueError(addr)
        out.append(value)
    return bytes(out)


def _aaaa(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    (addr,) = tokens
    return dns.ipv6.inet_aton(addr)


def _single_name(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    (target,) = tokens
    return _name_wire(target, origin, lower=True)


def _mx(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    pref, target = tokens
    return struct.pack("!H", _u16(pref)) + _name_wire(target, origin, lower=True)


def _srv(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    prio, weight, port, target = tokens
    head = struct.pack("!HHH", _u16(prio), _u16(weight), _u16(port))
    return head + _name_wire(target, origin, lower=True)


def _txt(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    if not tokens:
        raise ValueError("empty TXT")
    out = bytearray()
    for token in tokens:
        if "\\" in token:
            raise ValueError("escapes: let dnspython decode them")
        raw = token[1:-1] if token[:1] == '"' else token
        data = raw.encode("ascii")
        if len(data) > 255:
            raise ValueError("string too long")
        out.append(len(data))
        out += data
    return bytes(out)


def _soa(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    mname, rname, serial, *timers = tokens
    if len(timers) != 4:
        raise ValueError("SOA needs 7 fields")
    values = [_u32(serial), *(dns.ttl.from_text(t) for t in timers)]
    return (
        _name_wire(mname, origin, lower=True)
        + _name_wire(rname, origin, lower=True)
        + struct.pack("!IIIII", *values)
    )


def _two_names(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    first, second = tokens
    return _name_wire(first, origin, lower=True) + _name_wire(second, origin, lower=True)


def _ipseckey(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    # RFC 4025 §2: gateway type 0 has no gateway ("."), algorithm 0 has no key.
    precedence, gateway_type, algorithm, gateway, *key = tokens
    kind = _u8(gateway_type)
    head = struct.pack("!BBB", _u8(precedence), kind, _u8(algorithm))
    if kind == 0:
        if gateway != ".":
            raise ValueError("gateway type 0 needs '.'")
        body = b""
    elif kind == 1:
        body = _a([gateway], origin)
    elif kind == 2:
        body = dns.ipv6.inet_aton(gateway)
    elif kind == 3:
        wire = _name(gateway, origin).to_wire()
        assert wire is not None
        body = wire
    else:
        raise ValueError("unknown gateway type")
    return head + body + (_b64(key) if key else b"")


def _zonemd(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    # RFC 8976 §2.2.4: digests of unknown hash algorithms have any length >= 12;
    # dnspython refuses them, but a verifier must read them and skip them.
    serial, scheme, algorithm, *digest = tokens
    raw = binascii.unhexlify("".join(digest))
    if len(raw) < 12:
        raise ValueError("ZONEMD digest shorter than 12 octets")
    return struct.pack("!IBB", _u32(serial), _u8(scheme), _u8(algorithm)) + raw


def _b64(tokens: Sequence[str]) -> bytes:
    return base64.b64decode("".join(tokens).encode("ascii"), validate=True)


def _dnskey(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    flags, protocol, algorithm, *key = tokens
    if not key:
        raise ValueError("no key")
    return struct.pack("!HBB", _u16(flags), _u8(protocol), _algorithm(algorithm)) + _b64(key)


def _ds(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    # Digest lengths are not checked here (dnspython refuses a wrong length; a
    # verifier must be able to report it instead).
    tag, algorithm, digest_type, *digest = tokens
    if not digest:
        raise ValueError("no digest")
    return struct.pack("!HBB", _u16(tag), _algorithm(algorithm), _u8(digest_type)) + (
        binascii.unhexlify("".join(digest))
    )


_SIGTIMES: dict[str, int] = {}


def sigtime(token: str) -> int:
    """RRSIG time field: ``YYYYMMDDHHmmSS`` or seconds (RFC 4034 §3.2); ValueError if bad."""
    # signers stamp thousands of RRSIGs with the same few times: decode each once
    cached = _SIGTIMES.get(token)
    if cached is None:
        cached = _decode_sigtime(token)
        if len(_SIGTIMES) >= 4096:
            _SIGTIMES.clear()
        _SIGTIMES[token] = cached
    return cached


def _decode_sigtime(token: str) -> int:
    if len(token) == 14 and token.isdigit():
        value = calendar.timegm(
            (
                int(token[0:4]),
                int(token[4:6]),
                int(token[6:8]),
                int(token[8:10]),
                int(token[10:12]),
                int(token[12:14]),
            )
        )
        if int(token[4:6]) > 12 or int(token[6:8]) > 31 or int(token[8:10]) > 23:
            raise ValueError(token)
        if int(token[10:12]) > 59 or int(token[12:14]) > 59:
            raise ValueError(token)
        return value
    return _u32(token)


def _rrsig(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    covered, algorithm, labels, ttl, expiration, inception, tag, signer, *sig = tokens
    if not sig:
        raise ValueError("no signature")
    head = struct.pack(
        "!HBBIIIH",
        _rdtype(covered),
        _algorithm(algorithm),
        _u8(labels),
        _u32(ttl),
        sigtime(expiration),
        sigtime(inception),
        _u16(tag),
    )
    return head + _name_wire(signer, origin, lower=True) + _b64(sig)


_TYPE_CACHE: dict[str, int] = {}


def _rdtype(token: str) -> int:
    value = _TYPE_CACHE.get(token)
    if value is None:
        value = int(dns.rdatatype.from_text(token))
        _TYPE_CACHE[token] = value
    return value


def type_bitmap(types: Sequence[int]) -> bytes:
    """RFC 4034 §4.1.2 window/bitmap encoding of a set of types."""
    windows: dict[int, bytearray] = {}
    for t in sorted(set(types)):
        window, low = divmod(t, 256)
        bits = windows.setdefault(window, bytearray(32))
        bits[low // 8] |= 0x80 >> (low % 8)
    out = bytearray()
    for window in sorted(windows):
        bits = windows[window].rstrip(b"\x00")
        out += bytes((window, len(bits))) + bits
    return bytes(out)


def _nsec(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    nxt, *types = tokens
    # RFC 6840 §5.1: the NSEC next name is not lower-cased in canonical form
    return _name_wire(nxt, origin, lower=False) + type_bitmap([_rdtype(t) for t in types])


def _nsec3(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    alg, flags, iterations, salt, nxt, *types = tokens
    salt_bytes = b"" if salt == "-" else binascii.unhexlify(salt)
    decoded = base64.b32decode(_b32hex_to_b32(nxt))
    return (
        struct.pack("!BBHB", _u8(alg), _u8(flags), _u16(iterations), len(salt_bytes))
        + salt_bytes
        + bytes((len(decoded),))
        + decoded
        + type_bitmap([_rdtype(t) for t in types])
    )


def _nsec3param(tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    alg, flags, iterations, salt = tokens
    salt_bytes = b"" if salt == "-" else binascii.unhexlify(salt)
    return (
        struct.pack("!BBHB", _u8(alg), _u8(flags), _u16(iterations), len(salt_bytes)) + salt_bytes
    )


def b32hex_decode(text: str) -> bytes:
    """Base32hex (RFC 4648 §7, any case, no padding) → bytes; ValueError if bad."""
    return base64.b32decode(_b32hex_to_b32(text))


def _b32hex_to_b32(text: str) -> bytes:
    raw = text.encode("ascii").lower().translate(_B32HEX_TRANSLATE)
    return raw + b"=" * (-len(raw) % 8)


_FAST: dict[int, Converter] = {
    dns.rdatatype.A: _a,
    dns.rdatatype.AAAA: _aaaa,
    dns.rdatatype.NS: _single_name,
    dns.rdatatype.CNAME: _single_name,
    dns.rdatatype.PTR: _single_name,
    dns.rdatatype.DNAME: _single_name,
    dns.rdatatype.MX: _mx,
    dns.rdatatype.SRV: _srv,
    dns.rdatatype.TXT: _txt,
    dns.rdatatype.SOA: _soa,
    dns.rdatatype.DNSKEY: _dnskey,
    dns.rdatatype.CDNSKEY: _dnskey,
    dns.rdatatype.DS: _ds,
    dns.rdatatype.CDS: _ds,
    dns.rdatatype.RRSIG: _rrsig,
    dns.rdatatype.NSEC: _nsec,
    dns.rdatatype.NSEC3: _nsec3,
    dns.rdatatype.NSEC3PARAM: _nsec3param,
    dns.rdatatype.IPSECKEY: _ipseckey,
    dns.rdatatype.ZONEMD: _zonemd,
    # RFC 1035 mailbox types dnspython does not implement (names lower-cased, §6.2)
    dns.rdatatype.MB: _single_name,
    dns.rdatatype.MG: _single_name,
    dns.rdatatype.MR: _single_name,
    dns.rdatatype.MD: _single_name,
    dns.rdatatype.MF: _single_name,
    dns.rdatatype.MINFO: _two_names,
}


def slow_rdata(rdclass: int, rdtype: int, tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    """dnspython's reading of the RDATA (raises dnspython's exceptions)."""
    rd = dns.rdata.from_text(
        dns.rdataclass.RdataClass.make(rdclass),
        dns.rdatatype.RdataType.make(rdtype),
        " ".join(tokens),
        origin=origin,
        relativize=False,
    )
    return rd.to_digestable(origin)


def rdata_wire(rdclass: int, rdtype: int, tokens: Sequence[str], origin: dns.name.Name) -> bytes:
    """Canonical wire RDATA for presentation ``tokens``.

    Raises ``dns.exception.DNSException`` or ``ValueError`` when the text is not
    valid RDATA for the type (the reader turns that into an error with the line).
    """
    fast = _FAST.get(rdtype)
    if fast is not None and not (tokens and tokens[0] == "\\#"):
        try:
            return fast(tokens, origin)
        except (
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            binascii.Error,
            dns.exception.DNSException,
        ):
            pass  # dnspython decides, and words the error
    return slow_rdata(rdclass, rdtype, tokens, origin)
