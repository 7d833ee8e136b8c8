"""``--ds FILE``: the parent's DS records checked against the zone's keys (RFC 4035 §5.2).

The file is zone-file syntax (a ``dsset-`` file, or lines pasted from the
registry); only DS records owned by the zone apex are accepted.
"""

from __future__ import annotations

from pathlib import Path

import dns.name
import dns.rdatatype

from dnssec_doctor.dnssec.algorithms import PolicyStatus, digest_info
from dnssec_doctor.dnssec.keys import (
    DsMatchStatus,
    DsRecord,
    dnskey_rdata_wire,
    is_revoked,
    is_sep,
    is_zone_key,
    make_ds,
    match_ds,
)
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.limits import INPUT_LIMITS
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.zonefile.apex import Apex
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.reader import ReaderOptions, ZoneReader


def read_ds_file(path: str | Path, origin: dns.name.Name) -> list[DsRecord]:
    """DS records for ``origin`` from ``path``; DoctorError for anything else in it."""
    options = ReaderOptions(
        max_bytes=INPUT_LIMITS.ds_file_bytes, max_records=10_000, max_generate_total=10_000
    )
    reader = ZoneReader(path, origin, options)
    found = []
    for record in reader.records():
        if record.rdtype != dns.rdatatype.DS:
            raise DoctorError(f"{path}:{record.line}: only DS records belong in a --ds file")
        if record.owner != origin:
            raise DoctorError(f"{path}:{record.line}: DS for {record.owner}, not for {origin}")
        found.append(DsRecord.from_rdata_wire(record.rdata))
    if not found:
        raise DoctorError(f"{path}: no DS records")
    return found


def _fix_ds(apex: Apex, origin: dns.name.Name) -> str:
    signing = [c.key for c, _ in apex.dnskey_checks if c.valid and c.key is not None]
    keys = [k for k in signing if is_sep(k)] or signing
    if not keys:
        return "Sign the DNSKEY RRset with a KSK first, then publish its DS."
    lines = [f"{origin} IN DS {make_ds(origin, k, 2).to_text()}" for k in keys]
    return "Publish at the parent: " + "; ".join(lines)


def check_ds_file(ds_set: list[DsRecord], apex: Apex, origin: dns.name.Name, out: Emitter) -> None:
    """DS_NO_MATCHING_DNSKEY and friends (catalog section C/E) for the parent's DS set."""
    zone = origin.to_text()
    fix = _fix_ds(apex, origin)
    if not apex.dnskeys:
        out.add(
            "DS_WITHOUT_SIGNED_ZONE",
            f"the parent has {len(ds_set)} DS record(s) for {zone}, "
            "but the zone file has no DNSKEY: validators will find the zone bogus",
            subject="ds-no-keys",
        )
        return
    signing = {
        dnskey_rdata_wire(c.key) for c, _ in apex.dnskey_checks if c.valid and c.key is not None
    }
    working = 0
    for ds in ds_set:
        result = match_ds(origin, ds, apex.dnskeys)
        subject = f"DS {ds.key_tag}/{ds.algorithm}/{ds.digest_type}"
        if result.status is DsMatchStatus.MATCH:
            assert result.key is not None
            key = result.key
            if not is_zone_key(key):
                out.add(
                    "DNSKEY_FLAGS_INVALID",
                    f"DS {ds.key_tag} points at a key without the Zone flag",
                    subject=subject,
                )
            elif is_revoked(key):
                out.add(
                    "REVOKED_KEY_MISUSED",
                    f"DS {ds.key_tag} points at a revoked key",
                    subject=subject,
                )
            elif dnskey_rdata_wire(key) not in signing:
                out.add(
                    "DS_KEY_NOT_SIGNING_DNSKEY",
                    f"DS {ds.key_tag} matches a published key "
                    f"that does not sign the DNSKEY RRset of {zone}",
                    subject=subject,
                    fix=fix,
                )
            else:
                working += 1
                if not is_sep(key):
                    out.add(
                        "DS_KEY_NOT_SEP",
                        f"DS {ds.key_tag} points at a key with flags {key.flags} (no SEP bit)",
                        subject=subject,
                    )
        elif result.status is DsMatchStatus.DIGEST_MISMATCH:
            out.add(
                "DS_DIGEST_MISMATCH",
                f"DS {ds.to_text()} has the tag and algorithm of a key "
                f"of {zone}, but not its digest",
                subject=subject,
                fix=fix,
            )
        elif result.status is DsMatchStatus.NO_KEY_WITH_TAG:
            out.add(
                "DS_STALE_EXTRA",
                f"DS {ds.to_text()} names no key of {zone}",
                subject=subject,
                fix=fix,
            )
        else:
            digest = digest_info(ds.digest_type)
            out.add(
                "DS_DIGEST_INVALID_TYPE",
                f"DS {ds.to_text()}: digest type {ds.digest_type} "
                f"({digest.mnemonic}) {result.status.value}",
                subject=subject,
                fix=fix,
            )
    if not working:
        out.add(
            "DS_NO_MATCHING_DNSKEY",
            f"none of the {len(ds_set)} DS record(s) leads to a key "
            f"that signs the DNSKEY RRset of {zone}: validators will find it bogus",
            subject="ds-set",
            fix=fix,
        )
    _check_digests(ds_set, zone, out)
    _check_algorithms(ds_set, apex, zone, out)


def _check_digests(ds_set: list[DsRecord], zone: str, out: Emitter) -> None:
    types = {ds.digest_type for ds in ds_set}
    if types == {1}:
        out.add(
            "DS_DIGEST_SHA1_ONLY",
            f"the parent publishes only SHA-1 DS records for {zone}",
            subject="sha1-only",
        )
    elif 1 in types and types & {2, 4}:
        out.add(
            "DS_SHA1_SHADOWED",
            f"{zone} has SHA-1 DS records beside SHA-256/384 ones; "
            "validators ignore the SHA-1 ones (RFC 4509 §3)",
            subject="sha1-shadowed",
            severity=Severity.INFO,
        )
    for ds in ds_set:
        if digest_info(ds.digest_type).status is PolicyStatus.INVALID:
            out.add(
                "DS_DIGEST_INVALID_TYPE",
                f"DS {ds.key_tag} uses digest type {ds.digest_type}",
                subject=f"DS {ds.key_tag}/{ds.digest_type}/type",
            )


def _check_algorithms(ds_set: list[DsRecord], apex: Apex, zone: str, out: Emitter) -> None:
    signing_algs = {c.algorithm for c, _ in apex.dnskey_checks if c.valid}
    for alg in sorted({ds.algorithm for ds in ds_set} - signing_algs):
        out.add(
            "NO_SEP_FOR_ALGORITHM",
            f"the DS set of {zone} lists algorithm {alg}, but no key "
            "of that algorithm signs the DNSKEY RRset",
            subject=f"alg{alg}",
        )
