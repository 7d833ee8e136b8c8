"""Policy on a zone's keys and DS records: algorithms, key sizes, digests (RFC 9904, 9905)."""

from __future__ import annotations

from collections.abc import Sequence

import dns.name

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.algorithms import PolicyStatus, algorithm_info, digest_info
from dnssec_doctor.dnssec.keys import (
    AnyKey,
    DsLike,
    KeyProblemKind,
    ds_digest,
    is_revoked,
    is_zone_key,
    key_problems,
    key_tag,
)
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity

KEY_PROBLEM_CODES: dict[KeyProblemKind, str] = {
    KeyProblemKind.EMPTY_KEY: "DNSKEY_MALFORMED",
    KeyProblemKind.BAD_LENGTH: "DNSKEY_MALFORMED",
    KeyProblemKind.RSA_LEADING_ZEROS: "DNSKEY_MALFORMED",
    KeyProblemKind.BAD_PROTOCOL: "DNSKEY_FLAGS_INVALID",
    KeyProblemKind.RSA_MODULUS_OUT_OF_RANGE: "RSA_KEY_SIZE_OUT_OF_RANGE",
    KeyProblemKind.RSA_MODULUS_WEAK: "RSA_KEY_SIZE_OUT_OF_RANGE",
}

ROLL_TO_MODERN = (
    "Roll to algorithm 13 (ECDSAP256SHA256) or 15 (ED25519) with an algorithm rollover "
    "(RFC 6781 §4.1.4): BIND dnssec-policy with 'keys { csk lifetime unlimited algorithm "
    "ecdsap256sha256; }'; Knot policy algorithm: ecdsap256sha256; PowerDNS pdnsutil "
    "add-zone-key <zone> ksk active ecdsa256; then replace the DS."
)


def key_findings(
    zone: str,
    keys: Sequence[AnyKey],
    signing_algorithms: set[int],
    max_keys_per_tag: int = 8,
) -> list[Finding]:
    """Findings about the DNSKEY RRset itself and the algorithms that sign the zone."""
    out: list[Finding] = []
    for key in keys:
        tag = key_tag(key)
        for problem in key_problems(key):
            code = KEY_PROBLEM_CODES.get(problem.kind)
            if code is None:
                continue
            out.append(
                catalog.finding(
                    code,
                    zone=zone,
                    subject=str(tag),
                    detail=f"DNSKEY {tag} (algorithm {key.algorithm}): {problem.detail}.",
                )
            )
    out.extend(_tag_collisions(zone, keys, max_keys_per_tag))
    statuses = {a: algorithm_info(a) for a in signing_algorithms}
    if statuses and all(i.status is PolicyStatus.PROHIBITED for i in statuses.values()):
        names = ", ".join(f"{i.number} ({i.mnemonic})" for i in statuses.values())
        reasons = "; ".join(sorted({i.reason for i in statuses.values() if i.reason}))
        out.append(
            catalog.finding(
                Code.ALGORITHM_SIGNING_PROHIBITED,
                zone=zone,
                detail=f"{zone} is signed only with algorithm {names}: {reasons}.",
                fix=ROLL_TO_MODERN,
            )
        )
    for info in statuses.values():
        if info.status is PolicyStatus.NOT_RECOMMENDED:
            out.append(
                catalog.finding(
                    Code.ALGORITHM_NOT_RECOMMENDED,
                    zone=zone,
                    subject=str(info.number),
                    detail=(
                        f"{zone} signs with algorithm {info.number} ({info.mnemonic}): "
                        f"{info.reason}."
                    ),
                    fix=ROLL_TO_MODERN,
                )
            )
    for key in keys:
        info = algorithm_info(key.algorithm)
        if info.status is PolicyStatus.INVALID and is_zone_key(key) and not is_revoked(key):
            out.append(
                catalog.finding(
                    Code.ALGORITHM_INVALID,
                    zone=zone,
                    subject=str(key.algorithm),
                    detail=f"DNSKEY {key_tag(key)} uses algorithm {key.algorithm}: {info.reason}.",
                )
            )
    return out


def ds_findings(zone: str, ds_set: Sequence[DsLike], keys: Sequence[AnyKey]) -> list[Finding]:
    """Findings about the parent's DS digests (RFC 9905: SHA-1 DS must not be created)."""
    out: list[Finding] = []
    if not ds_set:
        return out
    owner = dns.name.from_text(zone)
    types = {d.digest_type for d in ds_set}
    if types == {1}:
        sha256 = "; ".join(
            f"{zone} IN DS {key_tag(k)} {k.algorithm} 2 " + match_ds_digest_hex(owner, k)
            for k in keys
            if any(d.key_tag == key_tag(k) and d.algorithm == k.algorithm for d in ds_set)
        )
        out.append(
            catalog.finding(
                Code.DS_DIGEST_SHA1_ONLY,
                zone=zone,
                detail=f"The parent publishes only SHA-1 (digest type 1) DS records for {zone}.",
                fix=f"Add a SHA-256 DS at the parent: {sha256 or 'compute it from the KSK'}"
                ", then remove the SHA-1 one.",
            )
        )
    for d in ds_set:
        info = digest_info(d.digest_type)
        bad_length = info.length is not None and len(d.digest) != info.length
        if info.status is PolicyStatus.INVALID or bad_length:
            out.append(
                catalog.finding(
                    Code.DS_DIGEST_INVALID_TYPE,
                    zone=zone,
                    subject=f"{d.key_tag}/{d.digest_type}",
                    detail=(
                        f"DS {d.key_tag} uses digest type {d.digest_type} ({info.mnemonic})"
                        + (f" with a {len(d.digest)}-octet digest" if bad_length else "")
                        + (f": {info.reason}" if info.reason else "")
                        + "."
                    ),
                )
            )
    for d in ds_set:
        if d.digest_type != 1:
            continue
        if any(
            o.digest_type == 2 and o.key_tag == d.key_tag and o.algorithm == d.algorithm
            for o in ds_set
        ):
            out.append(
                catalog.finding(
                    Code.DS_SHA1_SHADOWED,
                    zone=zone,
                    subject=str(d.key_tag),
                    detail=(
                        f"A SHA-256 DS exists for key {d.key_tag}, so validators ignore its SHA-1 "
                        "DS (RFC 4509 §3)."
                    ),
                )
            )
    return out


def match_ds_digest_hex(owner: dns.name.Name, key: AnyKey) -> str:
    """The SHA-256 DS digest of ``key`` at ``owner``, upper-case hex."""
    return ds_digest(owner, key, 2).hex().upper()


def _tag_collisions(zone: str, keys: Sequence[AnyKey], limit: int) -> list[Finding]:
    """Many keys sharing a tag make validators try each one (CVE-2023-50387, "KeyTrap").

    Resolvers now cap that work and fail; we cap signature verifications too, at
    ``limit`` keys per tag (DS digests are compared with every key).
    """
    by_tag: dict[tuple[int, int], int] = {}
    for key in keys:
        pair = (key_tag(key), int(key.algorithm))
        by_tag[pair] = by_tag.get(pair, 0) + 1
    out: list[Finding] = []
    for (tag, algorithm), count in sorted(by_tag.items()):
        if count < 2:
            continue
        evidence = {
            "key_tag": tag,
            "algorithm": algorithm,
            "count": count,
            "max_keys_per_tag": limit,
        }
        if count <= limit:
            # A chance collision (two keys in 65,536 tags): every validator copes, but a
            # DS or RRSIG names both keys; the catalog's notice.
            out.append(
                catalog.finding(
                    Code.KEY_TAG_COLLISION,
                    zone=zone,
                    subject=f"keytag-{tag}",
                    detail=(
                        f"{count} DNSKEYs of {zone} share key tag {tag} (algorithm "
                        f"{algorithm}): validators try each of them, which works, but a "
                        "collision must never decide which DS or signature is 'wrong'."
                    ),
                    evidence=evidence,
                )
            )
            continue
        out.append(
            catalog.finding(
                Code.KEY_TAG_COLLISION,
                zone=zone,
                subject=f"keytag-{tag}",
                # beyond the cap validators give up, which is a real risk to the zone
                severity=Severity.WARNING,
                detail=(
                    f"{count} DNSKEYs of {zone} share key tag {tag} (algorithm {algorithm}), "
                    f"more than the {limit} keys per tag this analysis verifies a signature "
                    "with. Every key was compared with the DS records (digests are cheap); "
                    f"signatures by tag {tag} were checked against at most {limit} of them "
                    "(the DS-matched key first). Resolvers bound this work too (the 'KeyTrap' "
                    "attack, CVE-2023-50387) and may fail to validate the zone."
                ),
                evidence=evidence,
            )
        )
    return out
