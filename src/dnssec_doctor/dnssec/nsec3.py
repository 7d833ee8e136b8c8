"""NSEC3 building blocks: hashing within a budget, base32hex, coverage, closest encloser.

RFC 5155 §5 (hash), §8.3 (closest encloser proof); RFC 9276 (iteration limits).
Hashing is the only costly step of a denial analysis and the count of iterations
comes from the zone, so it is refused above ``Limits.max_nsec3_iterations``
instead of being computed (a hostile zone must not buy CPU time).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import dns.name

SHA1 = 1
"""The only NSEC3 hash algorithm defined (RFC 5155 §11)."""

SHA1_LENGTH = 20
"""Octets in a SHA-1 digest, hence in every NSEC3 hashed owner and next name."""

OPT_OUT = 0x01
"""The Opt-Out flag (RFC 5155 §3.1.2.1); every other flag bit is unassigned."""


@dataclass(frozen=True, slots=True)
class Nsec3Params:
    """The parameters a set of NSEC3 records share (RFC 5155 §3.1)."""

    algorithm: int
    salt: bytes
    iterations: int


@dataclass(frozen=True, slots=True)
class HashResult:
    """A hashed owner name, or why it was not computed."""

    digest: bytes | None
    reason: str = ""
    """Empty when computed; otherwise what stopped the hash (budget, algorithm)."""

    @property
    def computed(self) -> bool:
        """True when ``digest`` holds the hash."""
        return self.digest is not None


def nsec3_hash(name: dns.name.Name, params: Nsec3Params, max_iterations: int) -> HashResult:
    """The NSEC3 hash of ``name`` (RFC 5155 §5), unless the budget forbids it.

    Iterations above ``max_iterations`` or an unknown hash algorithm give a result
    with ``digest=None`` and the reason; nothing is hashed then.
    """
    if params.algorithm != SHA1:
        return HashResult(None, f"unknown NSEC3 hash algorithm {params.algorithm}")
    if params.iterations > max_iterations:
        return HashResult(
            None,
            f"{params.iterations} NSEC3 iterations exceed the analysis limit of {max_iterations}",
        )
    digest = hashlib.sha1(name.to_digestable(dns.name.root) + params.salt).digest()
    for _ in range(params.iterations):
        digest = hashlib.sha1(digest + params.salt).digest()
    return HashResult(digest)


def b32hex_encode(digest: bytes) -> str:
    """Base32hex without padding, upper case, as NSEC3 owner labels are written."""
    return base64.b32hexencode(digest).decode("ascii").rstrip("=")


def b32hex_decode(label: bytes | str) -> bytes | None:
    """The octets a base32hex owner label encodes; None when it is not base32hex."""
    text = label.decode("ascii", "replace") if isinstance(label, bytes) else label
    text = text.upper()
    if not text or len(text) % 8 not in (0, 2, 4, 5, 7):
        return None
    padded = text + "=" * (-len(text) % 8)
    try:
        return base64.b32hexdecode(padded)
    except (binascii.Error, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class EncloserProof:
    """The outcome of a closest (provable) encloser search (RFC 5155 §8.3).

    ``matched`` and ``covering`` are indexes into the caller's record list.
    ``closest_encloser`` is None when no ancestor matched; ``covering`` is None when
    the next closer name is not covered; ``refused`` carries the hash refusal reason.
    """

    closest_encloser: dns.name.Name | None = None
    next_closer: dns.name.Name | None = None
    matched: int | None = None
    covering: int | None = None
    refused: str = ""

    @property
    def complete(self) -> bool:
        """True when an encloser matched and its next closer name is covered."""
        return self.matched is not None and self.covering is not None


Lookup = Callable[[dns.name.Name], tuple[int | None, str]]
"""name → (index of the record found or None, refusal reason or "")."""


def closest_encloser(
    qname: dns.name.Name, zone: dns.name.Name, match: Lookup, cover: Lookup
) -> EncloserProof:
    """Search the closest provable encloser of ``qname`` (RFC 5155 §8.3).

    Walks from ``qname``'s parent up to ``zone``; the first ancestor with a
    matching NSEC3 is the closest encloser and the name one label below it on the
    way to ``qname`` is the next closer, which must be covered. ``match`` and
    ``cover`` look records up by name (hashing inside, within the budget).
    """
    if not qname.is_subdomain(zone) or qname == zone:
        return EncloserProof()
    child = qname
    candidate = qname.parent()
    while True:
        index, refused = match(candidate)
        if refused:
            return EncloserProof(refused=refused)
        if index is not None:
            covering, refused = cover(child)
            return EncloserProof(candidate, child, index, covering, refused)
        if candidate == zone:
            return EncloserProof()
        child = candidate
        candidate = candidate.parent()
