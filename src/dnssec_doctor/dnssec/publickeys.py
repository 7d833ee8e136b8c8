"""Public keys from DNSKEY key fields, and how each algorithm checks a signature.

Each DNSSEC algorithm number fixes a key encoding and a signature scheme:
RSA (RFC 3110, RFC 5702), ECDSA (RFC 6605), EdDSA (RFC 8080) and DSA (RFC 2536).
Keys are decoded here and handed to ``cryptography``, so a check imports only the
primitives it uses (dnspython's algorithm classes import every one of them, SSH key
serialisation included, which costs a fast check a noticeable part of its start-up).

A key that cannot be decoded raises ``ValueError``; an algorithm with no scheme here
(RSAMD5, GOST, private algorithms) is ``None`` from :func:`scheme_for`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa, utils
from cryptography.utils import CryptographyDeprecationWarning

Check = Callable[[bytes, bytes], None]
"""``check(signature, data)``: returns when the signature is valid, raises otherwise
(``InvalidSignature``, or ``UnsupportedAlgorithm`` when the library refuses the hash)."""


@dataclass(frozen=True, slots=True)
class Scheme:
    """How one algorithm number turns a key field into a signature check."""

    build: Callable[[bytes], Check]


def _rsa(hash_factory: Callable[[], hashes.HashAlgorithm]) -> Scheme:
    def build(key: bytes) -> Check:
        # RFC 3110 §2: a one-octet exponent length, or zero and a two-octet length.
        if not key:
            raise ValueError("empty RSA key")
        if key[0]:
            length, start = key[0], 1
        elif len(key) >= 3:
            length, start = int.from_bytes(key[1:3], "big"), 3
        else:
            raise ValueError("truncated RSA exponent length")
        exponent = int.from_bytes(key[start : start + length], "big")
        modulus_octets = key[start + length :]
        if length == 0 or not modulus_octets or len(key) < start + length:
            raise ValueError("truncated RSA key")
        modulus = int.from_bytes(modulus_octets, "big")
        public = rsa.RSAPublicNumbers(exponent, modulus).public_key()
        scheme, digest = padding.PKCS1v15(), hash_factory()

        def check(signature: bytes, data: bytes) -> None:
            public.verify(signature, data, scheme, digest)

        return check

    return Scheme(build)


def _ecdsa(curve: ec.EllipticCurve, hash_factory: Callable[[], hashes.HashAlgorithm]) -> Scheme:
    octets = (curve.key_size + 7) // 8

    def build(key: bytes) -> Check:
        # RFC 6605 §4: the key is x | y, the signature r | s, each ``octets`` long.
        if len(key) != 2 * octets:
            raise ValueError(f"ECDSA key of {len(key)} octets, expected {2 * octets}")
        public = ec.EllipticCurvePublicKey.from_encoded_point(curve, b"\x04" + key)
        algorithm = ec.ECDSA(hash_factory())

        def check(signature: bytes, data: bytes) -> None:
            if len(signature) != 2 * octets:
                raise InvalidSignature
            r = int.from_bytes(signature[:octets], "big")
            s = int.from_bytes(signature[octets:], "big")
            public.verify(utils.encode_dss_signature(r, s), data, algorithm)

        return check

    return Scheme(build)


def _ed25519(key: bytes) -> Check:
    return ed25519.Ed25519PublicKey.from_public_bytes(key).verify


def _ed448(key: bytes) -> Check:
    return ed448.Ed448PublicKey.from_public_bytes(key).verify


def _dsa_module() -> ModuleType:
    """cryptography's DSA primitives, or UnsupportedAlgorithm once the library drops them.

    Imported only when a DSA key is met: DSA keys are rare and long deprecated, and
    cryptography 51 warns on every use of its DSA classes. That warning is about the
    library's future, not the user's zone, so it is silenced here; the day DSA is gone
    the signature is "cannot verify locally", never bogus.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        try:
            from cryptography.hazmat.primitives.asymmetric import dsa

            dsa.DSAPublicNumbers  # noqa: B018 - absent once the library removes DSA
            dsa.DSAParameterNumbers  # noqa: B018
        except (ImportError, AttributeError) as gone:
            raise UnsupportedAlgorithm("this cryptography release cannot verify DSA") from gone
    return dsa


def _dsa(key: bytes) -> Check:
    # RFC 2536 §2: T, Q (20 octets), P, G, Y (64 + 8T octets each); the signature is
    # T, R and S (20 octets each).
    dsa = _dsa_module()
    if not key or key[0] > 8:
        raise ValueError("bad DSA T parameter")
    size = 64 + 8 * key[0]
    if len(key) != 1 + 20 + 3 * size:
        raise ValueError(f"DSA key of {len(key)} octets")
    q = int.from_bytes(key[1:21], "big")
    p = int.from_bytes(key[21 : 21 + size], "big")
    g = int.from_bytes(key[21 + size : 21 + 2 * size], "big")
    y = int.from_bytes(key[21 + 2 * size :], "big")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        public = dsa.DSAPublicNumbers(y, dsa.DSAParameterNumbers(p, q, g)).public_key()

    def check(signature: bytes, data: bytes) -> None:
        if len(signature) != 41:
            raise InvalidSignature
        r = int.from_bytes(signature[1:21], "big")
        s = int.from_bytes(signature[21:], "big")
        public.verify(utils.encode_dss_signature(r, s), data, hashes.SHA1())

    return check


SCHEMES: dict[int, Scheme] = {
    3: Scheme(_dsa),  # DSA
    5: _rsa(hashes.SHA1),  # RSASHA1
    6: Scheme(_dsa),  # DSA-NSEC3-SHA1
    7: _rsa(hashes.SHA1),  # RSASHA1-NSEC3-SHA1
    8: _rsa(hashes.SHA256),  # RSASHA256
    10: _rsa(hashes.SHA512),  # RSASHA512
    13: _ecdsa(ec.SECP256R1(), hashes.SHA256),  # ECDSAP256SHA256
    14: _ecdsa(ec.SECP384R1(), hashes.SHA384),  # ECDSAP384SHA384
    15: Scheme(_ed25519),  # ED25519
    16: Scheme(_ed448),  # ED448
}
"""Algorithm number → scheme, for every algorithm this tool can verify."""


def scheme_for(algorithm: int) -> Scheme | None:
    """The algorithm's scheme, or None when it has none here."""
    return SCHEMES.get(algorithm)
