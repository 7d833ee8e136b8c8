"""DNSKEY facts and DS computation/matching (RFC 4034 §2, §5, Appendix B).

Pure functions over dnspython rdata; no policy decisions beyond what the RFCs fix.
"""

from __future__ import annotations

import enum
import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CDNSKEY
import dns.rdtypes.ANY.CDS
import dns.rdtypes.ANY.DNSKEY
import dns.rdtypes.ANY.DS

from dnssec_doctor.dnssec.algorithms import RSA_MODULUS_LIMITS, algorithm_info, digest_info

DNSKEY = dns.rdtypes.ANY.DNSKEY.DNSKEY
CDNSKEY = dns.rdtypes.ANY.CDNSKEY.CDNSKEY
DS = dns.rdtypes.ANY.DS.DS
CDS = dns.rdtypes.ANY.CDS.CDS

ZONE_FLAG = 0x0100
"""RFC 4034 §2.1.1: the key may verify zone data."""
SEP_FLAG = 0x0001
"""RFC 4034 §2.1.1 / RFC 3757: secure entry point (KSK) hint."""
REVOKE_FLAG = 0x0080
"""RFC 5011 §2.1: the key is revoked."""
DNSSEC_PROTOCOL = 3
"""RFC 4034 §2.1.2: the only valid protocol value."""

AnyKey = DNSKEY | CDNSKEY


class DsLike(Protocol):
    """What DS matching reads: a dnspython DS/CDS, or a :class:`DsRecord`."""

    @property
    def key_tag(self) -> int: ...
    @property
    def algorithm(self) -> int: ...
    @property
    def digest_type(self) -> int: ...
    @property
    def digest(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class DsRecord:
    """DS RDATA held as plain fields.

    dnspython refuses a DS whose digest length does not fit its type, but such
    records exist in the wild (and in parent zones); this keeps them checkable.
    """

    key_tag: int
    algorithm: int
    digest_type: int
    digest: bytes

    @classmethod
    def from_rdata_wire(cls, wire: bytes) -> DsRecord:
        """Decode DS/CDS RDATA (RFC 4034 §5.1); ValueError when shorter than 4 octets."""
        if len(wire) < 4:
            raise ValueError("DS RDATA shorter than 4 octets")
        tag, algorithm, digest_type = struct.unpack("!HBB", wire[:4])
        return cls(tag, algorithm, digest_type, bytes(wire[4:]))

    def to_text(self) -> str:
        """Presentation format (RFC 4034 §5.3)."""
        return f"{self.key_tag} {self.algorithm} {self.digest_type} {self.digest.hex().upper()}"


AnyDs = DS | CDS | DsRecord


def key_tag_from_rdata_wire(algorithm: int, wire: bytes) -> int:
    """Key tag of DNSKEY RDATA in wire form (RFC 4034 Appendix B).

    Algorithm 1 (RSAMD5) uses the most significant 16 of the least significant 24
    bits of the modulus (Appendix B.1) instead of the checksum.
    """
    if algorithm == 1:
        return (wire[-3] << 8) + wire[-2] if len(wire) >= 7 else 0
    # The sum of the RDATA as 16-bit big-endian words (an odd last octet is the high
    # octet of a word): the even octets' sum shifted, plus the odd octets' sum.
    total = (sum(wire[0::2]) << 8) + sum(wire[1::2])
    total += (total >> 16) & 0xFFFF
    return total & 0xFFFF


def dnskey_rdata_wire(key: AnyKey) -> bytes:
    """DNSKEY RDATA in wire form (flags, protocol, algorithm, public key)."""
    return struct.pack("!HBB", key.flags, key.protocol, key.algorithm) + key.key


def key_tag(key: AnyKey) -> int:
    """The key tag of a DNSKEY or CDNSKEY (RFC 4034 Appendix B)."""
    return key_tag_from_rdata_wire(key.algorithm, dnskey_rdata_wire(key))


def is_zone_key(key: AnyKey) -> bool:
    """Zone Key flag set (RFC 4034 §2.1.1): only these keys may verify RRSIGs."""
    return bool(key.flags & ZONE_FLAG)


def is_sep(key: AnyKey) -> bool:
    """SEP flag set: by convention a KSK or CSK (RFC 4034 §2.1.1)."""
    return bool(key.flags & SEP_FLAG)


def is_revoked(key: AnyKey) -> bool:
    """REVOKE flag set (RFC 5011 §2.1)."""
    return bool(key.flags & REVOKE_FLAG)


def rsa_exponent_and_modulus(key_field: bytes) -> tuple[bytes, bytes] | None:
    """Split an RFC 3110 §2 public key field into (exponent, modulus) octets."""
    if not key_field:
        return None
    exp_len = key_field[0]
    offset = 1
    if exp_len == 0:
        if len(key_field) < 3:
            return None
        exp_len = int.from_bytes(key_field[1:3], "big")
        offset = 3
    if exp_len == 0 or len(key_field) < offset + exp_len + 1:
        return None
    return key_field[offset : offset + exp_len], key_field[offset + exp_len :]


class KeyProblemKind(enum.Enum):
    """What can be wrong with a DNSKEY by itself."""

    EMPTY_KEY = "empty-key"
    BAD_LENGTH = "bad-length"
    BAD_PROTOCOL = "bad-protocol"
    NOT_ZONE_KEY = "not-zone-key"
    RSA_LEADING_ZEROS = "rsa-leading-zeros"
    RSA_MODULUS_OUT_OF_RANGE = "rsa-modulus-out-of-range"
    RSA_MODULUS_WEAK = "rsa-modulus-weak"
    UNKNOWN_FLAGS = "unknown-flags"


@dataclass(frozen=True, slots=True)
class KeyProblem:
    """One defect of a DNSKEY, in words a report can show."""

    kind: KeyProblemKind
    detail: str


_KNOWN_FLAGS = ZONE_FLAG | SEP_FLAG | REVOKE_FLAG


def _length_problems(key: AnyKey) -> list[KeyProblem]:
    info = algorithm_info(key.algorithm)
    size = len(key.key)
    if info.key_bytes is not None and size != info.key_bytes:
        return [
            KeyProblem(
                KeyProblemKind.BAD_LENGTH,
                f"{info.mnemonic} public key is {size} octets, expected {info.key_bytes}",
            )
        ]
    if info.is_dsa:
        # RFC 2536 §2: T (0..8), Q (20), P, G, Y (64 + 8T octets each)
        t = key.key[0]
        if t > 8 or size != 21 + 3 * (64 + 8 * t):
            return [
                KeyProblem(
                    KeyProblemKind.BAD_LENGTH,
                    f"DSA public key is {size} octets, inconsistent with T={t} (RFC 2536 §2)",
                )
            ]
    if info.is_rsa:
        return _rsa_problems(key)
    return []


def _rsa_problems(key: AnyKey) -> list[KeyProblem]:
    parts = rsa_exponent_and_modulus(key.key)
    if parts is None:
        return [
            KeyProblem(
                KeyProblemKind.BAD_LENGTH,
                "RSA public key field is truncated (RFC 3110 §2)",
            )
        ]
    exponent, modulus = parts
    problems: list[KeyProblem] = []
    if exponent[0] == 0 or modulus[0] == 0:
        what = "exponent" if exponent[0] == 0 else "modulus"
        problems.append(
            KeyProblem(
                KeyProblemKind.RSA_LEADING_ZEROS,
                f"RSA {what} has leading zero octets (RFC 3110 §2 forbids them)",
            )
        )
    bits = int.from_bytes(modulus, "big").bit_length()
    limits = RSA_MODULUS_LIMITS[key.algorithm]
    if not limits.minimum <= bits <= limits.maximum:
        problems.append(
            KeyProblem(
                KeyProblemKind.RSA_MODULUS_OUT_OF_RANGE,
                f"RSA modulus is {bits} bits; {algorithm_info(key.algorithm).mnemonic} "
                f"allows {limits.minimum}-{limits.maximum}",
            )
        )
    elif bits < limits.recommended_minimum:
        problems.append(
            KeyProblem(
                KeyProblemKind.RSA_MODULUS_WEAK,
                f"RSA modulus is {bits} bits, below the recommended {limits.recommended_minimum}",
            )
        )
    return problems


def key_problems(key: AnyKey) -> tuple[KeyProblem, ...]:
    """Everything wrong with one DNSKEY taken alone (flags, protocol, key length).

    Algorithm policy (prohibited, invalid numbers) is not repeated here; see
    :func:`dnssec_doctor.dnssec.algorithms.algorithm_info`.
    """
    problems: list[KeyProblem] = []
    if key.protocol != DNSSEC_PROTOCOL:
        problems.append(
            KeyProblem(
                KeyProblemKind.BAD_PROTOCOL,
                f"protocol is {key.protocol}, must be 3 (RFC 4034 §2.1.2)",
            )
        )
    if not is_zone_key(key):
        problems.append(
            KeyProblem(
                KeyProblemKind.NOT_ZONE_KEY,
                f"flags {key.flags} lack the Zone Key bit (RFC 4034 §2.1.1)",
            )
        )
    if key.flags & ~_KNOWN_FLAGS & 0xFFFF:
        problems.append(
            KeyProblem(
                KeyProblemKind.UNKNOWN_FLAGS,
                f"flags {key.flags} set bits no RFC defines (RFC 4034 §2.1.1: must be zero)",
            )
        )
    if not key.key:
        problems.append(KeyProblem(KeyProblemKind.EMPTY_KEY, "public key field is empty"))
        return tuple(problems)
    problems.extend(_length_problems(key))
    return tuple(problems)


_HASHES = {1: "sha1", 2: "sha256", 4: "sha384"}


def supported_digest(digest_type: int) -> bool:
    """True for the digest types this module can compute (SHA-1, SHA-256, SHA-384)."""
    return digest_type in _HASHES


def ds_digest(owner: dns.name.Name, key: AnyKey, digest_type: int) -> bytes:
    """The DS digest of ``key`` at ``owner`` (RFC 4034 §5.1.4, RFC 4509, RFC 6605).

    ValueError for digest types that cannot be computed here. SHA-1 is computed
    regardless of any local policy, because existing DS records must be checked.
    """
    name = _HASHES.get(digest_type)
    if name is None:
        raise ValueError(f"unsupported DS digest type {digest_type}")
    h = hashlib.new(name, usedforsecurity=False)
    h.update(owner.to_digestable())
    h.update(dnskey_rdata_wire(key))
    return h.digest()


def make_ds(owner: dns.name.Name, dnskey: AnyKey, digest_type: int) -> DS:
    """A DS record for ``dnskey`` at ``owner`` (RFC 4034 §5.1)."""
    wire = struct.pack("!HBB", key_tag(dnskey), dnskey.algorithm, digest_type)
    wire += ds_digest(owner, dnskey, digest_type)
    ds = dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DS, wire, 0, len(wire))
    assert isinstance(ds, DS)
    return ds


class DsMatchStatus(enum.Enum):
    """How one DS relates to a DNSKEY set."""

    MATCH = "match"
    DIGEST_MISMATCH = "digest-mismatch"
    """A key has the DS's tag and algorithm, but no such key hashes to the digest."""
    NO_KEY_WITH_TAG = "no-key-with-tag"
    UNSUPPORTED_DIGEST = "unsupported-digest"
    INVALID_DIGEST_LENGTH = "invalid-digest-length"


@dataclass(frozen=True, slots=True)
class DsMatch:
    """The outcome of :func:`match_ds`; ``key`` is the matched (or tag-matching) key."""

    status: DsMatchStatus
    ds: DsLike
    key: AnyKey | None = None
    candidates: int = 0
    """Keys with the DS's tag and algorithm that were compared."""


def match_ds(owner: dns.name.Name, ds: DsLike, dnskeys: Sequence[AnyKey]) -> DsMatch:
    """Find the DNSKEY a DS refers to (RFC 4035 §5.2).

    Keys are compared on tag and algorithm first, then every such key is hashed:
    a digest costs microseconds, and stopping early would call a correct DS a
    mismatch when many keys share its tag (KeyTrap zones, CVE-2023-50387). Only
    signature verifications are bounded (``Limits.max_keys_per_tag``).
    """
    candidates = [k for k in dnskeys if k.algorithm == ds.algorithm and key_tag(k) == ds.key_tag]
    first = candidates[0] if candidates else None
    info = digest_info(ds.digest_type)
    if not supported_digest(ds.digest_type):
        return DsMatch(DsMatchStatus.UNSUPPORTED_DIGEST, ds, first, len(candidates))
    if info.length is not None and len(ds.digest) != info.length:
        return DsMatch(DsMatchStatus.INVALID_DIGEST_LENGTH, ds, first, len(candidates))
    if not candidates:
        return DsMatch(DsMatchStatus.NO_KEY_WITH_TAG, ds)
    for key in candidates:
        if ds_digest(owner, key, ds.digest_type) == ds.digest:
            return DsMatch(DsMatchStatus.MATCH, ds, key, len(candidates))
    return DsMatch(DsMatchStatus.DIGEST_MISMATCH, ds, first, len(candidates))
