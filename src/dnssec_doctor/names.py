"""Reading domain names from users and printing them safely."""

from __future__ import annotations

import functools

import dns.exception
import dns.name

from dnssec_doctor.errors import DoctorError

# IDNA 2008 (UTS 46 mapping) explicitly, never the library default.
IDNA_CODEC = dns.name.IDNA2008Codec(uts_46=True)


def parse_name(text: str) -> dns.name.Name:
    """An absolute domain name from user input; DoctorError when it is not one."""
    raw = text.strip()
    if not raw:
        raise DoctorError("invalid name: empty")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise DoctorError("invalid name: control characters are not allowed")
    try:
        name = dns.name.from_text(raw, origin=dns.name.root, idna_codec=IDNA_CODEC)
    except (dns.exception.DNSException, UnicodeError, ValueError) as exc:
        raise DoctorError(f"invalid name {raw!r}: {exc}") from None
    return name


@functools.lru_cache(maxsize=8192)
def name_of(text: str) -> dns.name.Name:
    """``dns.name.from_text(text)``: a name as the probe and the analysis write it (a
    capture's query names, a zone cut's apex), read once per distinct text.

    The analysis reads the same few names over and over (every query key of every zone,
    every name of a scan under the same root and TLD), and parsing one costs more than
    most checks made with it; a ``Name`` is immutable, so one object serves every caller.
    Raises as ``from_text`` does (an exception is not remembered).
    """
    return dns.name.from_text(text)


def display(name: dns.name.Name | str) -> str:
    """Presentation form; non-printable bytes come out as \\DDD escapes (dnspython does this)."""
    if isinstance(name, str):
        return name
    return name.to_text()


def doubled_origin_name(name: dns.name.Name, zone: dns.name.Name) -> dns.name.Name | None:
    """``www.example.com.example.com.`` for ``www.example.com.`` in ``example.com.``."""
    if name == zone or not name.is_subdomain(zone):
        return None
    try:
        return dns.name.Name(name.labels[:-1] + zone.labels)
    except dns.name.NameTooLong:
        return None
