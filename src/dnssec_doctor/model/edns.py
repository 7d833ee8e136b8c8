"""EDNS options the doctor reads: Extended DNS Errors (RFC 8914).

Options are read from their raw bytes rather than from dnspython's option
classes' attributes, so an option dnspython keeps as ``GenericOption`` reads
the same as one it decoded.
"""

from __future__ import annotations

import dns.edns
import dns.message

from dnssec_doctor.model.query import EDNS_OPTION_EDE

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
