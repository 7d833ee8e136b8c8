"""Signature verification with a reason: valid, invalid, or cannot be checked here.

The crypto library may refuse an algorithm (SHA-1 disabled by a system policy, an
algorithm it does not implement): that is ``UNSUPPORTED`` — the signature is neither
confirmed nor refuted, and callers must never call it bogus.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Protocol

import cryptography.exceptions
import dns.dnssecalgs
import dns.dnssecalgs.ecdsa
import dns.exception
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
from cryptography.hazmat.primitives.asymmetric import ec, utils


class CryptoOutcome(enum.Enum):
    """Result of one signature check against one key."""

    VALID = "valid"
    INVALID = "invalid"
    BAD_KEY = "bad-key"
    """The public key cannot be decoded (wrong length, empty, bad exponent)."""
    UNSUPPORTED = "unsupported"
    """The local crypto library will not verify this algorithm."""


class _PublicKey(Protocol):
    def verify(self, signature: bytes, data: bytes) -> None: ...


class _Unusable:
    """Stands in for a key that could not be built, remembering why."""

    __slots__ = ("outcome",)

    def __init__(self, outcome: CryptoOutcome) -> None:
        self.outcome = outcome


@functools.lru_cache(maxsize=4096)
def _public_key(algorithm: int, key: bytes) -> _PublicKey | _Unusable:
    # Building a key object costs far more than a cache lookup; zones reuse a
    # handful of keys for millions of signatures.
    wire = bytes((1, 0, 3, algorithm)) + key
    try:
        dnskey = dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DNSKEY, wire, 0, len(wire))
    except dns.exception.DNSException:
        return _Unusable(CryptoOutcome.BAD_KEY)
    assert isinstance(dnskey, dns.rdtypes.ANY.DNSKEY.DNSKEY)
    try:
        cls = dns.dnssecalgs.get_algorithm_cls_from_dnskey(dnskey).public_cls
    except (dns.exception.UnsupportedAlgorithm, dns.exception.DNSException, ValueError):
        return _Unusable(CryptoOutcome.UNSUPPORTED)
    try:
        built: _PublicKey = cls.from_dnskey(dnskey)
    except cryptography.exceptions.UnsupportedAlgorithm:
        return _Unusable(CryptoOutcome.UNSUPPORTED)
    except (ValueError, TypeError, IndexError, dns.exception.DNSException):
        return _Unusable(CryptoOutcome.BAD_KEY)
    return built


def verifier(algorithm: int, key: bytes) -> Callable[[bytes, bytes], bool] | None:
    """A function telling whether a signature over data verifies with this key.

    For bulk verification (the zone verifier): the key object is built once. It
    answers True exactly when :func:`verify` would answer VALID; False covers every
    other outcome, which callers then ask :func:`verify` about. None when the key
    cannot verify anything here (bad key, algorithm refused).
    """
    public = _public_key(algorithm, key)
    if isinstance(public, _Unusable):
        return None
    check: Callable[[bytes, bytes], None] = public.verify
    if isinstance(public, dns.dnssecalgs.ecdsa.PublicECDSA):
        check = _ecdsa_check(public)
    failures = (
        cryptography.exceptions.InvalidSignature,
        cryptography.exceptions.UnsupportedAlgorithm,
        ValueError,
        TypeError,
        dns.exception.ValidationFailure,
    )

    def verifies(signature: bytes, data: bytes) -> bool:
        try:
            check(signature, data)
        except failures:
            return False
        return True

    return verifies


def _ecdsa_check(public: dns.dnssecalgs.ecdsa.PublicECDSA) -> Callable[[bytes, bytes], None]:
    """dnspython's ECDSA verify (RFC 6605 §4) with its per-call objects made once."""
    octets = public.octets
    size = 2 * octets
    key = public.key
    scheme = ec.ECDSA(public.chosen_hash)
    encode = utils.encode_dss_signature

    def check(signature: bytes, data: bytes) -> None:
        if len(signature) != size:
            raise cryptography.exceptions.InvalidSignature
        r = int.from_bytes(signature[:octets], "big")
        s = int.from_bytes(signature[octets:], "big")
        key.verify(encode(r, s), data, scheme)

    return check


def verify(algorithm: int, key: bytes, signature: bytes, data: bytes) -> CryptoOutcome:
    """Check ``signature`` over ``data`` with a DNSKEY's raw public key field."""
    public = _public_key(algorithm, key)
    if isinstance(public, _Unusable):
        return public.outcome
    try:
        public.verify(signature, data)
    except cryptography.exceptions.InvalidSignature:
        return CryptoOutcome.INVALID
    except cryptography.exceptions.UnsupportedAlgorithm:
        return CryptoOutcome.UNSUPPORTED
    except (ValueError, TypeError, dns.exception.ValidationFailure):
        # malformed signature octets (wrong length, bad encoding) are simply invalid
        return CryptoOutcome.INVALID
    return CryptoOutcome.VALID
