"""What registries accept in a DS (or DNSKEY) submission, as a small table of named policies.

Registries publish acceptance rules for the key data they take through EPP
(RFC 5910 allows DS data or DNSKEY data) and their web portals. The rules differ
in three ways this table captures: the DNSSEC algorithms allowed, the DS digest
types allowed (SHA-1 is now refused almost everywhere: RFC 9905 says SHA-1 DS
MUST NOT be created), and whether DS or DNSKEY data is wanted. Edit the table,
not the code, when a policy moves.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnssec_doctor.dnssec.algorithms import algorithm_name, digest_info


@dataclass(frozen=True, slots=True)
class RegistryPolicy:
    """One registry's acceptance rules for submitted key material."""

    name: str
    description: str
    algorithms: frozenset[int]
    """DNSSEC algorithm numbers accepted (RFC 4034 Appendix A.1, IANA registry)."""
    digest_types: frozenset[int]
    """DS digest types accepted (empty when DS data is not accepted at all)."""
    accepts_dnskey: bool = True
    """True when the registry takes DNSKEY data (it then computes the DS itself)."""
    preferred_digest: int = 2
    """The digest type of the DS records the tool recommends uploading."""
    require_sep: bool = False
    """True when keys without the SEP flag (flags 256) are refused."""

    @property
    def accepts_ds(self) -> bool:
        """True when the registry takes DS data."""
        return bool(self.digest_types)

    def summary(self) -> str:
        """The accepted combinations in words, for findings."""
        algs = ", ".join(f"{n} ({algorithm_name(n)})" for n in sorted(self.algorithms))
        if self.accepts_ds:
            digests = ", ".join(
                f"{n} ({digest_info(n).mnemonic})" for n in sorted(self.digest_types)
            )
            data = f"DS with digest type {digests}"
            if self.accepts_dnskey:
                data += ", or DNSKEY"
        else:
            data = "DNSKEY only (no DS)"
        sep = "; keys must have the SEP flag (flags 257)" if self.require_sep else ""
        return f"policy {self.name!r}: {data}; algorithms {algs}{sep}"


_MODERN = frozenset({8, 13, 14, 15, 16})
"""RSASHA256, ECDSA P-256/P-384, Ed25519, Ed448: what current registries take."""

POLICIES: dict[str, RegistryPolicy] = {
    p.name: p
    for p in (
        RegistryPolicy(
            "default",
            "Typical registry today: SHA-256 or SHA-384 DS (SHA-1 refused) or DNSKEY data; "
            "algorithms 8, 13, 14, 15, 16.",
            _MODERN,
            frozenset({2, 4}),
        ),
        RegistryPolicy(
            "strict-sha256",
            "DS with a SHA-256 digest only, from a key with the SEP flag; algorithms 8, 13, "
            "14, 15, 16.",
            _MODERN,
            frozenset({2}),
            accepts_dnskey=False,
            require_sep=True,
        ),
        RegistryPolicy(
            "dnskey-only",
            "Key data only: the registry computes the DS itself from the submitted DNSKEY; "
            "algorithms 8, 13, 14, 15, 16.",
            _MODERN,
            frozenset(),
        ),
        RegistryPolicy(
            "legacy",
            "An older registry that still takes SHA-1 DS and RSASHA1 keys (they validate, but "
            "RFC 9905 forbids creating new ones).",
            frozenset({5, 7, 8, 10, 13, 14, 15, 16}),
            frozenset({1, 2, 4}),
        ),
    )
}
"""Policy name → policy; ``--registry`` chooses one (default: ``default``)."""

DEFAULT_POLICY = "default"


def registry_policy(name: str) -> RegistryPolicy:
    """The named policy; KeyError for an unknown name."""
    return POLICIES[name]
