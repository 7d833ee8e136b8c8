"""Reading the fields of pasted DS and DNSKEY data, repairing what can be repaired.

Each reader returns the value and the repairs it made (one sentence each), or
raises :class:`FieldError` with a precise reason. Presentation formats: RFC 4034
§5.3 (DS: key tag, algorithm, digest type as decimal integers — the algorithm may
also be a mnemonic — and the digest as hex, whitespace allowed) and §2.2 (DNSKEY:
flags, protocol, algorithm, and the key as base64, whitespace allowed).
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from typing import Generic, TypeVar

import dns.dnssectypes

from dnssec_doctor.dnssec.algorithms import PolicyStatus, algorithm_info, digest_info


class FieldError(ValueError):
    """A field that cannot be read, with the reason in words a user can act on."""


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Read(Generic[T]):
    """A value read from text, and what had to be repaired to read it."""

    value: T
    repairs: tuple[str, ...] = ()


def read_uint(text: str, what: str, maximum: int) -> int:
    """A decimal integer 0..maximum."""
    if not text.isdigit() or not text.isascii():
        raise FieldError(f"the {what} must be a decimal number, not {text!r}")
    value = int(text)
    if value > maximum:
        raise FieldError(f"the {what} {value} is out of range (0-{maximum})")
    return value


def read_algorithm(text: str) -> int:
    """An algorithm number or mnemonic (RFC 4034 §5.3 allows both; §A.1)."""
    if text.isdigit():
        return read_uint(text, "algorithm", 255)
    try:
        return int(dns.dnssectypes.Algorithm.from_text(text.upper()))
    except ValueError:
        raise FieldError(f"{text!r} is not a DNSSEC algorithm number or mnemonic") from None


_DIGEST_MNEMONICS = {
    "SHA1": 1,
    "SHA256": 2,
    "GOST": 3,
    "GOSTR341194": 3,
    "SHA384": 4,
    "GOSTR34112012": 5,
    "SM3": 6,
}


def read_digest_type(text: str) -> Read[int]:
    """A digest type number; a mnemonic such as ``SHA-256`` is repaired to its number."""
    if text.isdigit():
        return Read(read_uint(text, "digest type", 255))
    key = re.sub(r"[^A-Z0-9]", "", text.upper())
    number = _DIGEST_MNEMONICS.get(key)
    if number is None:
        raise FieldError(f"{text!r} is not a digest type (1 SHA-1, 2 SHA-256, 4 SHA-384)")
    return Read(number, (f"the digest type must be a number: {text} is {number}",))


_HEX = re.compile(r"^[0-9A-Fa-f]*$")
_LOOKALIKES = {"O": "0", "o": "0", "l": "1", "I": "1", "S": "5", "G": "6"}


def read_hex_digest(parts: list[str], expected: int | None) -> Read[bytes]:
    """The digest from one or more tokens (RFC 4034 §5.3: whitespace allowed).

    ``0x`` prefixes and ``:`` separators are repaired; a base64 digest of the
    expected length is converted. ``expected`` is the octet count of the type.
    """
    repairs: list[str] = []
    text = "".join(parts)
    stripped = re.sub(r"^0[xX]", "", text)
    if stripped != text:
        repairs.append("the '0x' prefix of the digest was removed")
    if ":" in stripped and _HEX.match(stripped.replace(":", "")):
        stripped = stripped.replace(":", "")
        repairs.append("the ':' separators in the digest were removed")
    if not stripped:
        raise FieldError("the digest is empty")
    if _HEX.match(stripped):
        if len(stripped) % 2:
            raise FieldError(
                f"the digest has an odd number of hex digits ({len(stripped)}): "
                "a digit was lost or added when copying"
            )
        return Read(bytes.fromhex(stripped), tuple(repairs))
    as_b64 = _base64_or_none(text)
    if as_b64 is not None and expected is not None and len(as_b64) == expected:
        return Read(as_b64, ("the digest was in base64; DS digests are hexadecimal",))
    bad = next(i for i, c in enumerate(stripped) if not _HEX.match(c))
    char = stripped[bad]
    hint = ""
    if char in _LOOKALIKES:
        hint = f" (a letter {char!r} where the digit {_LOOKALIKES[char]} belongs?)"
    raise FieldError(
        f"the digest is not hexadecimal: character {char!r} at position {bad + 1}{hint}"
    )


def check_digest_length(digest: bytes, digest_type: int) -> str | None:
    """Why the digest length does not fit its type, or None when it does (or is unknown)."""
    info = digest_info(digest_type)
    if info.length is None or len(digest) == info.length:
        return None
    cut = "truncated" if len(digest) < info.length else "too long: text joined to it"
    return (
        f"the digest is {len(digest)} octets ({len(digest) * 2} hex digits), but "
        f"{info.mnemonic} digests are {info.length} ({info.length * 2} hex digits): "
        f"copied {cut}?"
    )


def _base64_or_none(text: str) -> bytes | None:
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        return None


_B64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


def read_base64_key(parts: list[str]) -> Read[bytes]:
    """A DNSKEY public key from one or more base64 tokens (RFC 4034 §2.2)."""
    text = "".join(parts)
    if not text:
        raise FieldError("the public key is empty")
    if not _B64.match(text):
        bad = next(
            (i for i, c in enumerate(text) if not re.match(r"[A-Za-z0-9+/=]", c)), len(text) - 1
        )
        raise FieldError(
            f"the public key is not base64: character {text[bad]!r} at position {bad + 1}"
        )
    value = _base64_or_none(text)
    if value is not None:
        return Read(value)
    padded = text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4)
    value = _base64_or_none(padded)
    if value is None:
        raise FieldError(
            f"the public key is not valid base64 ({len(text)} characters): "
            "part of it was lost when copying"
        )
    return Read(value, ("the public key's base64 '=' padding was repaired",))


def plausible_ds_fields(tag: int, algorithm: int, digest_type: int, digest_len: int) -> bool:
    """True when the three numbers read as a DS that could exist (used to fix field order)."""
    info = digest_info(digest_type)
    return (
        0 <= tag <= 0xFFFF
        and 0 < algorithm <= 255
        and algorithm_info(algorithm).status is not PolicyStatus.INVALID
        and info.length is not None
        and info.length == digest_len
    )


def check_dnskey_length(algorithm: int, key: bytes) -> str | None:
    """Why the key length cannot be right for the algorithm, or None."""
    info = algorithm_info(algorithm)
    if info.key_bytes is not None and len(key) != info.key_bytes:
        return (
            f"the public key is {len(key)} octets, but {info.mnemonic} keys are "
            f"{info.key_bytes}: part of it was lost or added when copying?"
        )
    return None
