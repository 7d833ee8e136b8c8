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
from dnssec_doctor.names import name_of

KEY_PROBLEM_CODES: dict[KeyProblemKind, Code] = {
    KeyProblemKind.EMPTY_KEY: Code.DNSKEY_MALFORMED,
    KeyProblemKind.BAD_LENGTH: Code.DNSKEY_MALFORMED,
    KeyProblemKind.RSA_LEADING_ZEROS: Code.DNSKEY_MALFORMED,
    KeyProblemKind.BAD_PROTOCOL: Code.DNSKEY_FLAGS_INVALID,
    KeyProblemKind.RSA_MODULUS_OUT_OF_RANGE: Code.RSA_KEY_SIZE_OUT_OF_RANGE,
    KeyProblemKind.RSA_MODULUS_WEAK: Code.RSA_KEY_SIZE_OUT_OF_RANGE,
}


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
                    says="key_problem",
                    params={"tag": tag, "algorithm": key.algorithm, "problem": problem.detail},
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
                says="signed_only_with_prohibited",
                params={"zone": zone, "algorithms": names, "reasons": reasons},
            )
        )
    for info in statuses.values():
        if info.status is PolicyStatus.NOT_RECOMMENDED:
            out.append(
                catalog.finding(
                    Code.ALGORITHM_NOT_RECOMMENDED,
                    zone=zone,
                    subject=str(info.number),
                    says="signs_with_not_recommended",
                    params={
                        "zone": zone,
                        "algorithm": info.number,
                        "mnemonic": info.mnemonic,
                        "reason": info.reason,
                    },
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
                    says="key_with_invalid_algorithm",
                    params={"tag": key_tag(key), "algorithm": key.algorithm, "reason": info.reason},
                )
            )
    return out


def ds_findings(zone: str, ds_set: Sequence[DsLike], keys: Sequence[AnyKey]) -> list[Finding]:
    """Findings about the parent's DS digests (RFC 9905: SHA-1 DS must not be created)."""
    out: list[Finding] = []
    if not ds_set:
        return out
    owner = name_of(zone)
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
                says="sha1_only" if sha256 else "sha1_only_no_key",
                params={"zone": zone, **({"sha256": sha256} if sha256 else {})},
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
                    says=("digest_length" if bad_length else "digest_type")
                    + ("_why" if info.reason else ""),
                    params={
                        "tag": d.key_tag,
                        "digest_type": d.digest_type,
                        "mnemonic": info.mnemonic,
                        **({"length": len(d.digest)} if bad_length else {}),
                        **({"reason": info.reason} if info.reason else {}),
                    },
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
                    says="sha256_beside",
                    params={"tag": d.key_tag},
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
                    says="chance_collision",
                    params={"count": count, "zone": zone, "tag": tag, "algorithm": algorithm},
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
                says="beyond_tag_bound",
                params={
                    "count": count,
                    "zone": zone,
                    "tag": tag,
                    "algorithm": algorithm,
                    "limit": limit,
                },
                evidence=evidence,
            )
        )
    return out
