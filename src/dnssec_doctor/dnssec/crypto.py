"""Signature verification with a reason: valid, invalid, or cannot be checked here.

The crypto library may refuse an algorithm (SHA-1 disabled by a system policy, an
algorithm it does not implement): that is ``UNSUPPORTED`` — the signature is neither
confirmed nor refuted, and callers must never call it bogus.
"""

from __future__ import annotations

import enum
import functools
import hashlib
from collections.abc import Callable

import cryptography.exceptions

from dnssec_doctor.dnssec.publickeys import Check, scheme_for


class CryptoOutcome(enum.Enum):
    """Result of one signature check against one key."""

    VALID = "valid"
    INVALID = "invalid"
    BAD_KEY = "bad-key"
    """The public key cannot be decoded (wrong length, empty, bad exponent)."""
    UNSUPPORTED = "unsupported"
    """The local crypto library will not verify this algorithm."""


@functools.lru_cache(maxsize=4096)
def _check_for(algorithm: int, key: bytes) -> Check | CryptoOutcome:
    # Building a key object costs far more than a cache lookup; zones reuse a
    # handful of keys for millions of signatures.
    scheme = scheme_for(algorithm)
    if scheme is None:
        return CryptoOutcome.UNSUPPORTED
    try:
        return scheme.build(key)
    except cryptography.exceptions.UnsupportedAlgorithm:
        return CryptoOutcome.UNSUPPORTED
    except (ValueError, TypeError, IndexError):
        return CryptoOutcome.BAD_KEY


_FAILURES = (
    cryptography.exceptions.InvalidSignature,
    cryptography.exceptions.UnsupportedAlgorithm,
    ValueError,
    TypeError,
)


def verifier(algorithm: int, key: bytes) -> Callable[[bytes, bytes], bool] | None:
    """A function telling whether a signature over data verifies with this key.

    For bulk verification (the zone verifier): the key object is built once. It
    answers True exactly when :func:`verify` would answer VALID; False covers every
    other outcome, which callers then ask :func:`verify` about. None when the key
    cannot verify anything here (bad key, algorithm refused).
    """
    check = _check_for(algorithm, key)
    if isinstance(check, CryptoOutcome):
        return None

    def verifies(signature: bytes, data: bytes) -> bool:
        try:
            check(signature, data)
        except _FAILURES:
            return False
        return True

    return verifies


def verify(algorithm: int, key: bytes, signature: bytes, data: bytes) -> CryptoOutcome:
    """Check ``signature`` over ``data`` with a DNSKEY's raw public key field."""
    check = _check_for(algorithm, key)
    if isinstance(check, CryptoOutcome):
        return check
    # Every server of a zone returns the same signed RRsets, and a scan meets the root's
    # and the TLD's in every name: a signature over the same data with the same key object
    # is checked once (keyed by the key object, so a rebuilt key is checked anew). The
    # signed data is kept as a digest, so the bounded cache stays small whatever the
    # RRsets' sizes.
    memo = (check, signature, hashlib.sha256(data).digest())
    known = _OUTCOMES.get(memo)
    if known is None:
        known = _outcome(check, signature, data)
        if len(_OUTCOMES) >= OUTCOMES_KEPT:
            _OUTCOMES.clear()  # one atomic step: the web server verifies in threads
        _OUTCOMES[memo] = known
    return known


OUTCOMES_KEPT = 4096
"""Signature outcomes remembered before the memory starts again."""
_OUTCOMES: dict[tuple[Check, bytes, bytes], CryptoOutcome] = {}


def _outcome(check: Check, signature: bytes, data: bytes) -> CryptoOutcome:
    try:
        check(signature, data)
    except cryptography.exceptions.InvalidSignature:
        return CryptoOutcome.INVALID
    except cryptography.exceptions.UnsupportedAlgorithm:
        return CryptoOutcome.UNSUPPORTED
    except (ValueError, TypeError):
        # malformed signature octets (wrong length, bad encoding) are simply invalid
        return CryptoOutcome.INVALID
    return CryptoOutcome.VALID
