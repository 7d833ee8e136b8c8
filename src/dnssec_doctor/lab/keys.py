"""Lab signing keys: fresh for every lab, or derived from a seed for reproducible labs.

Lab keys protect nothing: they sign a private tree on loopback and are thrown away
with the lab. A seed therefore may derive them deterministically (same seed, same
keys, byte-identical zones), which makes golden captures possible; without a seed
they come from the operating system's random source like any real key.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import TypeAlias

import dns.rdtypes.ANY.DNSKEY
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from dns.dnssectypes import Algorithm

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec

PrivateKey: TypeAlias = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

ZONE_FLAG = 0x0100
"""DNSKEY flag bit 7, Zone Key (RFC 4034 §2.1.1)."""
SEP_FLAG = 0x0001
"""DNSKEY flag bit 15, Secure Entry Point (RFC 4034 §2.1.1, RFC 3757)."""

_RSA_ALGORITHMS = frozenset(
    {Algorithm.RSASHA1, Algorithm.RSASHA1NSEC3SHA1, Algorithm.RSASHA256, Algorithm.RSASHA512}
)
_RSA_EXPONENT = 65537
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@dataclass(frozen=True, slots=True)
class LabKey:
    """A private key with its DNSKEY record."""

    label: str
    """What the key is for (``"good-nsec/ksk"``); also its seed derivation input."""
    private: PrivateKey
    dnskey: dns.rdtypes.ANY.DNSKEY.DNSKEY

    @property
    def key_tag(self) -> int:
        """RFC 4034 Appendix B key tag."""
        return dnspython_dnssec.key_id(self.dnskey)

    @property
    def algorithm(self) -> int:
        """DNSSEC algorithm number."""
        return int(self.dnskey.algorithm)

    @property
    def is_sep(self) -> bool:
        """True for a key with the SEP bit (a KSK or CSK, flags 257)."""
        return bool(self.dnskey.flags & SEP_FLAG)


class KeyFactory:
    """Makes lab keys; deterministic per ``label`` when a seed is given."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed

    @property
    def seeded(self) -> bool:
        """True when keys are derived from the seed."""
        return self._seed is not None

    def make(
        self,
        label: str,
        *,
        algorithm: Algorithm = Algorithm.ECDSAP256SHA256,
        ksk: bool = False,
        bits: int = 2048,
        flags: int | None = None,
    ) -> LabKey:
        """A new key; ``ksk`` sets the SEP bit; ``flags`` overrides both (RFC 4034 §2.1).

        ``bits`` is the RSA modulus size; other algorithms have fixed sizes.
        """
        private = self._private(label, algorithm, bits)
        key_flags = flags if flags is not None else ZONE_FLAG | (SEP_FLAG if ksk else 0)
        dnskey = dnspython_dnssec.make_dnskey(private.public_key(), algorithm, flags=key_flags)
        return LabKey(label=label, private=private, dnskey=dnskey)

    def _material(self, label: str) -> bytes:
        return hashlib.sha256(f"dnssec-doctor-lab:{self._seed}:{label}".encode()).digest()

    def _private(self, label: str, algorithm: Algorithm, bits: int) -> PrivateKey:
        if algorithm == Algorithm.ECDSAP256SHA256:
            if self._seed is None:
                return ec.generate_private_key(ec.SECP256R1())
            value = int.from_bytes(self._material(label), "big") % (_P256_ORDER - 1) + 1
            return ec.derive_private_key(value, ec.SECP256R1())
        if algorithm == Algorithm.ED25519:
            if self._seed is None:
                return ed25519.Ed25519PrivateKey.generate()
            return ed25519.Ed25519PrivateKey.from_private_bytes(self._material(label))
        if algorithm in _RSA_ALGORITHMS:
            if self._seed is None:
                return rsa.generate_private_key(public_exponent=_RSA_EXPONENT, key_size=bits)
            return _seeded_rsa(random.Random(self._material(label)), bits)
        raise ValueError(f"lab keys do not support algorithm {algorithm!r}")


def _seeded_rsa(rng: random.Random, bits: int) -> rsa.RSAPrivateKey:
    """An RSA key from a seeded generator (lab use only: reproducible, not secret)."""
    while True:
        p = _random_prime(rng, bits // 2)
        q = _random_prime(rng, bits - bits // 2)
        if p == q:
            continue
        phi = (p - 1) * (q - 1)
        try:
            d = pow(_RSA_EXPONENT, -1, phi)
        except ValueError:  # exponent not invertible: pick other primes
            continue
        if (p * q).bit_length() != bits:
            continue
        numbers = rsa.RSAPrivateNumbers(
            p=p,
            q=q,
            d=d,
            dmp1=d % (p - 1),
            dmq1=d % (q - 1),
            iqmp=pow(q, -1, p),
            public_numbers=rsa.RSAPublicNumbers(_RSA_EXPONENT, p * q),
        )
        return numbers.private_key(unsafe_skip_rsa_key_validation=True)


_SMALL_PRIMES = tuple(
    n for n in range(3, 2000, 2) if all(n % d for d in range(3, int(n**0.5) + 1, 2))
)


def _random_prime(rng: random.Random, bits: int) -> int:
    while True:
        # Top two bits set so that p * q has exactly 2 * bits bits.
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if any(candidate % p == 0 for p in _SMALL_PRIMES):
            continue
        if _probably_prime(candidate, rng):
            return candidate


def _probably_prime(n: int, rng: random.Random, rounds: int = 8) -> bool:
    """Miller-Rabin with random bases (8 rounds: ample for random 1024-bit candidates)."""
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True
