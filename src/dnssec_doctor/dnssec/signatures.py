"""Per-signature verification that names exactly why an RRSIG fails.

RFC 4035 §5.3: the RRSIG fields are checked (§5.3.1), the signed data is rebuilt in
canonical form with the Original TTL and, for wildcard expansions, the wildcard
owner (§5.3.2), and the signature is verified with every key that has the RRSIG's
tag and algorithm (§5.3.3) — up to ``Limits.max_keys_per_tag``, because many keys
sharing a tag is a known CPU-exhaustion attack (CVE-2023-50387, "KeyTrap").
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import dns.exception
import dns.name
import dns.rdatatype
import dns.rdtypes.ANY.RRSIG
import dns.rrset

from dnssec_doctor.dnssec import canonical, crypto, sigtime
from dnssec_doctor.dnssec.keys import (
    DNSSEC_PROTOCOL,
    AnyKey,
    dnskey_rdata_wire,
    is_revoked,
    is_zone_key,
    key_tag_from_rdata_wire,
)
from dnssec_doctor.limits import Limits

RRSIG = dns.rdtypes.ANY.RRSIG.RRSIG


class SigStatus(enum.Enum):
    """Why an RRSIG does or does not validate, most decisive reason first."""

    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    KEY_NOT_FOUND = "key-not-found"
    CRYPTO_INVALID = "crypto-invalid"
    CANNOT_VERIFY_LOCALLY = "cannot-verify-locally"
    """The local crypto library refuses the algorithm: neither valid nor bogus."""
    SIGNER_NOT_ZONE = "signer-not-zone"
    LABELS_INVALID = "labels-invalid"
    TTL_ABOVE_ORIGINAL = "ttl-above-original"
    TYPE_MISMATCH = "type-mismatch"


@dataclass(frozen=True, slots=True)
class SigCheck:
    """The verdict on one RRSIG, with the fields a report needs as evidence.

    ``inception``/``expiration`` are POSIX seconds (serial arithmetic resolved
    relative to ``now``). ``crypto_ok`` is None when the crypto was not decided
    (no key, refused algorithm, structural failure). ``keys_skipped`` counts keys
    with the right tag that the per-tag budget left untried.
    """

    status: SigStatus
    key_tag: int
    algorithm: int
    signer: dns.name.Name
    type_covered: int
    inception: int
    expiration: int
    key: AnyKey | None = None
    crypto_ok: bool | None = None
    keys_tried: int = 0
    keys_skipped: int = 0
    rrsig_ttl_differs: bool = False
    """The RRSIG's own TTL differs from the RRset's (RFC 4034 §3: they must match)."""
    detail: str = ""

    @property
    def valid(self) -> bool:
        """True only for a fully valid signature."""
        return self.status is SigStatus.VALID


class RrsigLike(canonical.RrsigHeader, Protocol):
    """The RRSIG fields verification reads (a dnspython RRSIG or :class:`RrsigFields`)."""

    @property
    def signature(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class RrsigFields:
    """RRSIG RDATA decoded with ``struct`` (cheaper than dnspython for bulk work)."""

    type_covered: int
    algorithm: int
    labels: int
    original_ttl: int
    expiration: int
    inception: int
    key_tag: int
    signer: dns.name.Name
    signature: bytes
    header: bytes = b""
    """RDATA up to the signature with the signer lower-cased: the signed-data prefix."""

    @classmethod
    def from_wire(cls, wire: bytes) -> RrsigFields:
        """Decode RRSIG RDATA (RFC 4034 §3.1); ValueError when malformed."""
        if len(wire) < 19:
            raise ValueError("RRSIG RDATA too short")
        covered, algorithm, labels, ttl, expiration, inception, tag = struct.unpack(
            "!HBBIIIH", wire[:18]
        )
        signer, used = _signer(wire)
        # label length octets are below 0x40, so lower() only folds the letters
        header = bytes(wire[:18]) + bytes(wire[18 : 18 + used]).lower()
        return cls(
            covered, algorithm, labels, ttl, expiration, inception, tag,
            signer, bytes(wire[18 + used :]), header,
        )  # fmt: skip


_SIGNERS: dict[bytes, tuple[dns.name.Name, int]] = {}


def _signer(wire: bytes) -> tuple[dns.name.Name, int]:
    """The signer name at offset 18 of RRSIG RDATA, parsed once per distinct name."""
    end = 18
    while end < len(wire) and wire[end] and wire[end] < 64:
        end += wire[end] + 1
    raw = wire[18 : end + 1]
    cached = _SIGNERS.get(raw)
    if cached is None:
        try:
            cached = dns.name.from_wire(wire, 18)
        except dns.exception.DNSException as exc:
            raise ValueError(f"bad RRSIG signer name: {exc}") from None
        if len(_SIGNERS) < 1024:
            _SIGNERS[raw] = cached
    return cached


@dataclass(frozen=True, slots=True)
class SignedRRset:
    """An RRset as signature verification needs it: canonical RDATA, sorted, unique."""

    owner: dns.name.Name
    rdtype: int
    rdclass: int
    ttl: int
    rdatas: tuple[bytes, ...]

    @classmethod
    def from_rrset(cls, rrset: dns.rrset.RRset) -> SignedRRset:
        """Build from a dnspython RRset (RFC 4034 §6.3 order and duplicate removal)."""
        return cls(
            rrset.name,
            rrset.rdtype,
            rrset.rdclass,
            rrset.ttl,
            tuple(canonical.canonical_rdata(rrset)),
        )


class KeyRing:
    """The zone keys usable for RRSIGs, indexed by (key tag, algorithm).

    RFC 4034 §2.1.1/§2.1.2: only keys with the Zone flag and protocol 3 verify
    RRSIGs; RFC 5011 §2.1: a revoked key only signs the DNSKEY RRset.
    """

    __slots__ = ("_by_tag",)

    def __init__(self, dnskeys: Sequence[AnyKey]) -> None:
        self._by_tag: dict[tuple[int, int], list[AnyKey]] = {}
        for key in dnskeys:
            if key.protocol != DNSSEC_PROTOCOL or not is_zone_key(key):
                continue
            tag = key_tag_from_rdata_wire(key.algorithm, dnskey_rdata_wire(key))
            self._by_tag.setdefault((tag, key.algorithm), []).append(key)

    def candidates(self, rrsig: RrsigLike) -> list[AnyKey]:
        """Keys that may have made ``rrsig``, in the order given."""
        return self.keys_for(rrsig.key_tag, rrsig.algorithm, rrsig.type_covered)

    def keys_for(self, key_tag: int, algorithm: int, type_covered: int) -> list[AnyKey]:
        """Keys that may sign ``type_covered`` with this tag and algorithm, in the order given."""
        keys = self._by_tag.get((key_tag, algorithm), [])
        if type_covered == dns.rdatatype.DNSKEY:
            return keys
        return [k for k in keys if not is_revoked(k)]

    def tags(self) -> list[tuple[int, int]]:
        """Every (key tag, algorithm) with at least one usable key."""
        return list(self._by_tag)


def _structural_problem(
    rrset: SignedRRset, rrsig: RrsigLike, zone: dns.name.Name
) -> tuple[SigStatus, str] | None:
    if rrsig.type_covered != rrset.rdtype:
        covered = dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rrsig.type_covered))
        return SigStatus.TYPE_MISMATCH, f"RRSIG covers {covered}, not the RRset's type"
    # RFC 4035 §5.3.1: signer is the zone holding the RRset, and the owner is in it
    if (rrsig.signer is not zone and rrsig.signer != zone) or not rrset.owner.is_subdomain(zone):
        return SigStatus.SIGNER_NOT_ZONE, f"signer {rrsig.signer} is not the zone {zone}"
    count = canonical.owner_label_count(rrset.owner)
    if rrsig.labels > count:
        return SigStatus.LABELS_INVALID, f"Labels {rrsig.labels} exceeds the owner's {count}"
    if rrset.owner.is_wild() and rrsig.labels != count:
        return SigStatus.LABELS_INVALID, (
            f"Labels {rrsig.labels} on a wildcard owner must be {count} (RFC 4034 §3.1.3)"
        )
    return None


def check_rrsig(
    rrset: dns.rrset.RRset,
    rrsig: RRSIG,
    rrsig_ttl: int,
    dnskeys: Sequence[AnyKey],
    zone: dns.name.Name,
    now: int,
    limits: Limits,
) -> SigCheck:
    """Verify one RRSIG over ``rrset`` with the zone's ``dnskeys`` as of ``now``.

    The status is the most decisive reason, in this order: structural field errors
    (type, signer, labels), no usable key, bad crypto, outside the validity window,
    crypto refused locally, served TTL above Original TTL, valid. Every key with
    the RRSIG's tag and algorithm is tried, up to ``limits.max_keys_per_tag``.

    Remembered per object: see :data:`VERDICTS_KEPT`.
    """
    keys = tuple(dnskeys)
    memo = (id(rrset), id(rrsig), rrsig_ttl, tuple(map(id, keys)), zone, now, limits)
    known = _VERDICTS.get(memo)
    if known is not None:
        return known[0]
    if rrsig.rdclass != rrset.rdclass:
        verdict = check_signature(
            SignedRRset(rrset.name, -1, rrset.rdclass, rrset.ttl, ()),
            rrsig, rrsig_ttl, KeyRing(()), zone, now, limits,
        )  # fmt: skip
    else:
        verdict = check_signature(
            SignedRRset.from_rrset(rrset), rrsig, rrsig_ttl, KeyRing(keys), zone, now, limits
        )
    if len(_VERDICTS) >= VERDICTS_KEPT:
        _VERDICTS.clear()  # one atomic step: the web server analyses in threads
    _VERDICTS[memo] = (verdict, (rrset, rrsig, keys))
    return verdict


VERDICTS_KEPT = 4096
"""Verdicts of :func:`check_rrsig` remembered before the memory starts again.

Answers that differ only in their ID are parsed once (``model.capture.parse_wire``), so
every server of a zone that sent the same answer hands the analysis the very same
(read-only) RRset and RRSIG objects, and so does the root's or a TLD's answer in every
name of a scan. Their verdict is remembered by object identity — canonicalising the
RRset again to compare contents costs as much as the check — with the objects kept in
the entry, so that no other object can take their ``id`` while it exists."""
_VERDICTS: dict[tuple[object, ...], tuple[SigCheck, tuple[object, ...]]] = {}


def check_signature(
    rrset: SignedRRset,
    rrsig: RrsigLike,
    rrsig_ttl: int,
    keys: KeyRing,
    zone: dns.name.Name,
    now: int,
    limits: Limits,
) -> SigCheck:
    """:func:`check_rrsig` on prepared data (the zone verifier's bulk entry point)."""
    status, detail = SigStatus.VALID, ""
    matched: AnyKey | None = None
    crypto_ok: bool | None = None
    tried: list[AnyKey] = []
    skipped = 0
    structural = _structural_problem(rrset, rrsig, zone)
    candidates = keys.candidates(rrsig) if structural is None else []
    if structural is not None:
        status, detail = structural
    elif not candidates:
        status = SigStatus.KEY_NOT_FOUND
        detail = f"no zone key with tag {rrsig.key_tag} and algorithm {rrsig.algorithm}"
    else:
        tried = candidates[: limits.max_keys_per_tag]
        skipped = len(candidates) - len(tried)
        matched, unsupported = _verify_with(rrset, rrsig, tried)
        window = _window_status(rrsig, now)
        if matched is None and not unsupported:
            status, crypto_ok = SigStatus.CRYPTO_INVALID, False
            detail = f"signature does not verify with {len(tried)} key(s) of tag {rrsig.key_tag}"
            if skipped:
                detail += f"; {skipped} more key(s) with this tag not tried (limit)"
        elif window is not None:
            (status, detail), crypto_ok = window, None if matched is None else True
        elif matched is None:
            status, matched = SigStatus.CANNOT_VERIFY_LOCALLY, tried[0]
            detail = f"the local crypto library refuses algorithm {rrsig.algorithm}"
        else:
            crypto_ok = True
            if rrset.ttl > rrsig.original_ttl:
                status = SigStatus.TTL_ABOVE_ORIGINAL
                detail = f"RRset TTL {rrset.ttl} exceeds Original TTL {rrsig.original_ttl}"
    return SigCheck(
        status=status,
        key_tag=rrsig.key_tag,
        algorithm=rrsig.algorithm,
        signer=rrsig.signer,
        type_covered=rrsig.type_covered,
        inception=sigtime.to_posix(rrsig.inception, now),
        expiration=sigtime.to_posix(rrsig.expiration, now),
        key=matched,
        crypto_ok=crypto_ok,
        keys_tried=len(tried),
        keys_skipped=skipped,
        rrsig_ttl_differs=rrsig_ttl != rrset.ttl,
        detail=detail,
    )


def _verify_with(
    rrset: SignedRRset, rrsig: RrsigLike, keys: list[AnyKey]
) -> tuple[AnyKey | None, bool]:
    """The first key the signature verifies with, and whether any key was refused locally."""
    owner = canonical.signing_owner(rrset.owner, rrsig.labels)
    data = canonical.signed_data(
        owner,
        rdtype=rrset.rdtype,
        rdclass=rrset.rdclass,
        original_ttl=rrsig.original_ttl,
        header=(
            rrsig.header
            if isinstance(rrsig, RrsigFields) and rrsig.header
            else canonical.rrsig_header(rrsig)
        ),
        canonical_rdatas=rrset.rdatas,
    )
    unsupported = False
    for key in keys:
        outcome = crypto.verify(key.algorithm, key.key, rrsig.signature, data)
        if outcome is crypto.CryptoOutcome.VALID:
            return key, unsupported
        if outcome is crypto.CryptoOutcome.UNSUPPORTED:
            unsupported = True
    return None, unsupported


def _window_status(rrsig: RrsigLike, now: int) -> tuple[SigStatus, str] | None:
    if sigtime.is_expired(rrsig.expiration, now):
        return SigStatus.EXPIRED, "signature expiration is in the past"
    if sigtime.is_not_yet_valid(rrsig.inception, now):
        return SigStatus.NOT_YET_VALID, "signature inception is in the future"
    return None
