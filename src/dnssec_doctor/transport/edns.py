"""EDNS options the doctor sends and reads: NSID, cookies, Extended DNS Errors.

Options are read from their raw bytes rather than from dnspython's option
classes' attributes, so an option dnspython keeps as ``GenericOption`` reads
the same as one it decoded.
"""

from __future__ import annotations

import secrets

import dns.edns
import dns.message

from dnssec_doctor.transport.query import EDNS_OPTION_COOKIE, EDNS_OPTION_EDE, EDNS_OPTION_NSID

CLIENT_COOKIE_LENGTH = 8
"""RFC 7873 §4: the client cookie is exactly 8 octets."""


# RFC 8914 §5.2 spells these words in capitals (or as "RRSIGs").
_EDE_WORDS = {w.upper(): w for w in ("DNSKEY", "DS", "DNSSEC", "RRSIGs", "NSEC", "NXDOMAIN")}
_EDE_NAMES: dict[int, str] = {int(member): member.name for member in dns.edns.EDECode}


def _option_data(msg: dns.message.Message, code: int) -> list[bytes]:
    """The raw data of every EDNS option ``code`` in ``msg``, in order."""
    found: list[bytes] = []
    for option in msg.options:
        if int(option.otype) != code:
            continue
        data = option.to_wire()
        found.append(data if isinstance(data, bytes) else b"")
    return found


def extended_errors(msg: dns.message.Message) -> list[tuple[int, str]]:
    """The Extended DNS Errors in ``msg`` as (INFO-CODE, EXTRA-TEXT) (RFC 8914 §2).

    EXTRA-TEXT is UTF-8 without a trailing NUL; undecodable bytes are
    replaced, never fatal. An option too short for its INFO-CODE is skipped.
    """
    errors: list[tuple[int, str]] = []
    for data in _option_data(msg, EDNS_OPTION_EDE):
        if len(data) < 2:
            continue
        text = data[2:]
        if text.endswith(b"\x00"):
            text = text[:-1]
        errors.append((int.from_bytes(data[:2], "big"), text.decode("utf-8", "replace")))
    return errors


def ede_name(info_code: int) -> str:
    """The registered name of an EDE INFO-CODE (RFC 8914 §4), or ``EDE <n>``."""
    name = _EDE_NAMES.get(info_code)
    if name is None:
        return f"EDE {info_code}"
    words = name.split("_")
    return " ".join(_EDE_WORDS.get(word, word.title()) for word in words)


def nsid(msg: dns.message.Message) -> bytes | None:
    """The server's NSID (RFC 5001 §2.3), or None when it sent none."""
    found = _option_data(msg, EDNS_OPTION_NSID)
    return found[0] if found else None


def server_cookie(msg: dns.message.Message) -> bytes | None:
    """The server cookie of the COOKIE option (RFC 7873 §4), or None.

    The bytes after the 8-octet client cookie are returned as sent, whatever
    their length (a valid one is 8 to 32 octets; checking is the analysis's job).
    """
    found = _option_data(msg, EDNS_OPTION_COOKIE)
    if not found or len(found[0]) <= CLIENT_COOKIE_LENGTH:
        return None
    return found[0][CLIENT_COOKIE_LENGTH:]


def client_cookie(msg: dns.message.Message) -> bytes | None:
    """The client cookie echoed in ``msg``'s COOKIE option, or None."""
    found = _option_data(msg, EDNS_OPTION_COOKIE)
    if not found or len(found[0]) < CLIENT_COOKIE_LENGTH:
        return None
    return found[0][:CLIENT_COOKIE_LENGTH]


def new_client_cookie() -> bytes:
    """A fresh random 8-octet client cookie (RFC 7873 §4.1)."""
    return secrets.token_bytes(CLIENT_COOKIE_LENGTH)


def nsid_option() -> tuple[int, bytes]:
    """The empty NSID option that asks a server for its NSID (RFC 5001 §2.1)."""
    return (EDNS_OPTION_NSID, b"")


def cookie_option(client: bytes, server: bytes = b"") -> tuple[int, bytes]:
    """A COOKIE option for ``QuerySpec.options`` (RFC 7873 §4).

    ``client`` must be 8 octets; ``server`` is the cookie the server last
    sent (empty on first contact).
    """
    if len(client) != CLIENT_COOKIE_LENGTH:
        raise ValueError("the client cookie must be 8 octets (RFC 7873 §4)")
    return (EDNS_OPTION_COOKIE, client + server)
