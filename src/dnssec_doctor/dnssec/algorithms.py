"""DNSSEC algorithm and digest policy, as data.

Sources (encoded by hand; update the tables, not the code, when guidance moves):

- IANA "DNS Security Algorithm Numbers" and "Digest Algorithms" registries, whose
  "Use for DNSSEC Signing / Validation" columns are the normative guidance since
  RFC 9904 (which obsoletes RFC 8624 and moved its §3.1/§3.3 tables there).
- RFC 9905 (SHA-1 in DNSSEC): RSASHA1 (5) and RSASHA1-NSEC3-SHA1 (7) MUST NOT be
  used for signing; SHA-1 DS (digest type 1) MUST NOT be created. Validation of both
  is still allowed, which is why the live path reports them as policy, not bogus.
- RFC 3110 / RFC 5702 §2: RSA modulus limits per algorithm.
- RFC 9276: NSEC3 iterations 0 and an empty salt; validators may treat higher
  iteration counts as insecure (EDE 27) or SERVFAIL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class PolicyStatus(enum.Enum):
    """How the guidance classifies an algorithm or digest number."""

    RECOMMENDED = "recommended"
    """Safe to sign with and universally validated."""
    NOT_RECOMMENDED = "not-recommended"
    """Allowed, but discouraged or not validated everywhere (no AD bit for some)."""
    PROHIBITED = "prohibited"
    """MUST NOT be used for signing (or creating DS)."""
    INVALID = "invalid"
    """Reserved, unassigned, private, or not a zone-signing algorithm at all."""


@dataclass(frozen=True, slots=True)
class AlgorithmInfo:
    """One row of the DNSKEY/RRSIG algorithm table."""

    number: int
    mnemonic: str
    status: PolicyStatus
    signing: str
    """Guidance for signing (RFC 2119 keyword as in the IANA column, or "-")."""
    validation: str
    """Guidance for validating."""
    nsec3_capable: bool = True
    """False for 1/3/5: validators that know them may not know NSEC3 (RFC 5155 §2)."""
    reason: str = ""
    """Why the number is invalid or discouraged, in words."""
    key_bytes: int | None = None
    """Exact public key length in octets, where the algorithm fixes it."""
    signature_bytes: int | None = None
    """Exact signature length in octets, where the algorithm fixes it."""

    @property
    def is_rsa(self) -> bool:
        """True for the RSA family (RFC 3110 key format)."""
        return self.number in RSA_ALGORITHMS

    @property
    def is_dsa(self) -> bool:
        """True for DSA (RFC 2536 key format)."""
        return self.number in (3, 6)


RSA_ALGORITHMS = frozenset({1, 5, 7, 8, 10})

_P = PolicyStatus
_ALGORITHMS: tuple[AlgorithmInfo, ...] = (
    AlgorithmInfo(0, "DELETE", _P.INVALID, "MUST NOT", "MUST NOT",
                  reason="reserved; only used by CDS/CDNSKEY delete records (RFC 8078 §4)"),
    AlgorithmInfo(1, "RSAMD5", _P.PROHIBITED, "MUST NOT", "MUST NOT", nsec3_capable=False,
                  reason="MD5 is broken (RFC 6725, RFC 8624 §3.1)"),
    AlgorithmInfo(2, "DH", _P.INVALID, "MUST NOT", "MUST NOT",
                  reason="Diffie-Hellman is not a zone-signing algorithm (RFC 2539)"),
    AlgorithmInfo(3, "DSA", _P.PROHIBITED, "MUST NOT", "MUST NOT", nsec3_capable=False,
                  reason="DSA/SHA-1 is deprecated (RFC 8624 §3.1)"),
    AlgorithmInfo(4, "RESERVED-4", _P.INVALID, "-", "-", reason="reserved (was ECC)"),
    AlgorithmInfo(5, "RSASHA1", _P.PROHIBITED, "MUST NOT", "MAY", nsec3_capable=False,
                  reason="SHA-1 signatures must no longer be created (RFC 9905)"),
    AlgorithmInfo(6, "DSA-NSEC3-SHA1", _P.PROHIBITED, "MUST NOT", "MUST NOT",
                  reason="DSA/SHA-1 is deprecated (RFC 8624 §3.1)"),
    AlgorithmInfo(7, "RSASHA1-NSEC3-SHA1", _P.PROHIBITED, "MUST NOT", "MAY",
                  reason="SHA-1 signatures must no longer be created (RFC 9905)"),
    AlgorithmInfo(8, "RSASHA256", _P.RECOMMENDED, "MUST", "MUST"),
    AlgorithmInfo(9, "RESERVED-9", _P.INVALID, "-", "-", reason="reserved"),
    AlgorithmInfo(10, "RSASHA512", _P.NOT_RECOMMENDED, "NOT RECOMMENDED", "MUST",
                  reason="larger signatures than 8 for no practical gain (RFC 8624 §3.1)"),
    AlgorithmInfo(11, "RESERVED-11", _P.INVALID, "-", "-", reason="reserved"),
    AlgorithmInfo(12, "ECC-GOST", _P.PROHIBITED, "MUST NOT", "MAY",
                  reason="GOST R 34.10-2001 is withdrawn (RFC 8624 §3.1)",
                  key_bytes=64, signature_bytes=64),
    AlgorithmInfo(13, "ECDSAP256SHA256", _P.RECOMMENDED, "MUST", "MUST",
                  key_bytes=64, signature_bytes=64),
    AlgorithmInfo(14, "ECDSAP384SHA384", _P.RECOMMENDED, "MAY", "RECOMMENDED",
                  key_bytes=96, signature_bytes=96),
    AlgorithmInfo(15, "ED25519", _P.RECOMMENDED, "RECOMMENDED", "RECOMMENDED",
                  key_bytes=32, signature_bytes=64),
    AlgorithmInfo(16, "ED448", _P.NOT_RECOMMENDED, "MAY", "RECOMMENDED",
                  reason="not validated by every resolver yet, so some give no AD bit",
                  key_bytes=57, signature_bytes=114),
    AlgorithmInfo(17, "SM2SM3", _P.NOT_RECOMMENDED, "MAY", "MAY",
                  reason="national algorithm (RFC 9563) that few validators implement",
                  key_bytes=64, signature_bytes=64),
    AlgorithmInfo(23, "ECC-GOST12", _P.NOT_RECOMMENDED, "MAY", "MAY",
                  reason="national algorithm (RFC 9558) that few validators implement",
                  key_bytes=64, signature_bytes=64),
    AlgorithmInfo(252, "INDIRECT", _P.INVALID, "MUST NOT", "MUST NOT",
                  reason="reserved for indirect keys, not a zone-signing algorithm"),
    AlgorithmInfo(253, "PRIVATEDNS", _P.INVALID, "MAY", "MAY",
                  reason="private algorithm: only validators that know it can use it"),
    AlgorithmInfo(254, "PRIVATEOID", _P.INVALID, "MAY", "MAY",
                  reason="private algorithm: only validators that know it can use it"),
    AlgorithmInfo(255, "RESERVED-255", _P.INVALID, "-", "-", reason="reserved"),
)  # fmt: skip
_ALGORITHM_BY_NUMBER = {a.number: a for a in _ALGORITHMS}


def algorithm_info(number: int) -> AlgorithmInfo:
    """The policy row for a DNSKEY/RRSIG/DS algorithm number (any integer).

    Numbers the registry does not assign come back as ``INVALID`` rows named
    ``ALG<n>`` (18-22 and 24-122 unassigned, 123-251 reserved; RFC 6014).
    """
    found = _ALGORITHM_BY_NUMBER.get(number)
    if found is not None:
        return found
    if 123 <= number <= 251:
        reason = "reserved (RFC 6014)"
    elif 0 <= number <= 255:
        reason = "unassigned in the IANA registry"
    else:
        reason = "outside the 8-bit algorithm field"
    return AlgorithmInfo(number, f"ALG{number}", _P.INVALID, "-", "-", reason=reason)


def algorithm_name(number: int) -> str:
    """The registry mnemonic for ``number`` (``ALG<n>`` when unassigned)."""
    return algorithm_info(number).mnemonic


@dataclass(frozen=True, slots=True)
class DigestInfo:
    """One row of the DS digest type table."""

    number: int
    mnemonic: str
    status: PolicyStatus
    creation: str
    validation: str
    length: int | None
    """Digest length in octets (None: unknown type, length cannot be checked)."""
    reason: str = ""


_DIGESTS: tuple[DigestInfo, ...] = (
    DigestInfo(0, "NULL", _P.INVALID, "MUST NOT", "MUST NOT", None,
               reason="reserved; only CDS delete records use it (RFC 8078 §4)"),
    DigestInfo(1, "SHA-1", _P.NOT_RECOMMENDED, "MUST NOT", "MAY", 20,
               reason="SHA-1 DS must no longer be created (RFC 9905)"),
    DigestInfo(2, "SHA-256", _P.RECOMMENDED, "MUST", "MUST", 32),
    DigestInfo(3, "GOST R 34.11-94", _P.INVALID, "MUST NOT", "MAY", 32,
               reason="GOST R 34.11-94 is withdrawn (RFC 8624 §3.3)"),
    DigestInfo(4, "SHA-384", _P.RECOMMENDED, "MAY", "RECOMMENDED", 48),
    DigestInfo(5, "GOST R 34.11-2012", _P.NOT_RECOMMENDED, "MAY", "MAY", 32,
               reason="national digest (RFC 9558) that few validators implement"),
    DigestInfo(6, "SM3", _P.NOT_RECOMMENDED, "MAY", "MAY", 32,
               reason="national digest (RFC 9563) that few validators implement"),
)  # fmt: skip
_DIGEST_BY_NUMBER = {d.number: d for d in _DIGESTS}


def digest_info(number: int) -> DigestInfo:
    """The policy row for a DS digest type (any integer; unassigned → INVALID)."""
    found = _DIGEST_BY_NUMBER.get(number)
    if found is not None:
        return found
    return DigestInfo(
        number, f"DIGEST{number}", _P.INVALID, "-", "-", None, reason="unassigned digest type"
    )


@dataclass(frozen=True, slots=True)
class RsaLimits:
    """RSA modulus bounds for one algorithm, in bits."""

    minimum: int
    maximum: int
    recommended_minimum: int = 2048
    """Below this the key is considered weak today (NIST SP 800-57, RFC 8624 §3.1)."""


RSA_MODULUS_LIMITS: dict[int, RsaLimits] = {
    1: RsaLimits(512, 4096),  # RFC 3110 §2 via RFC 2537
    5: RsaLimits(512, 4096),  # RFC 3110 §2
    7: RsaLimits(512, 4096),  # RFC 5155 §2 (same key format as 5)
    8: RsaLimits(512, 4096),  # RFC 5702 §2.1
    10: RsaLimits(1024, 4096),  # RFC 5702 §2.2
}


RFC9276_ITERATIONS = 0
"""RFC 9276 §3.1: an NSEC3 iteration count of 0 (the hash applied once)."""

NSEC3_INSECURE_ABOVE = 150
"""Iteration count above which common validators treat the zone as insecure."""

NSEC3_SERVFAIL_ABOVE = 100
"""Some public resolvers SERVFAIL above this count (the strictest threshold seen)."""
"""Common resolver limits, as documented by their vendors at the time of writing.

These change between releases (several vendors lowered them after 2023); treat them
as the thresholds at which *some* validators fail, not as a guarantee."""


def nsec3_iteration_behaviour(iterations: int) -> str:
    """What validators do with ``iterations`` (RFC 9276 §3.2 and the table above).

    ``"ok"`` (0), ``"discouraged"`` (>0, still validated by the common resolvers),
    ``"servfail-some"`` (above the strictest SERVFAIL threshold) or ``"insecure"``
    (above the common insecure threshold).
    """
    if iterations <= RFC9276_ITERATIONS:
        return "ok"
    if iterations > NSEC3_INSECURE_ABOVE:
        return "insecure"
    if iterations > NSEC3_SERVFAIL_ABOVE:
        return "servfail-some"
    return "discouraged"
