"""``--ds FILE``: the parent's DS records checked against the zone's keys (RFC 4035 §5.2).

The file is zone-file syntax (a ``dsset-`` file, or lines pasted from the
registry); only DS records owned by the zone apex are accepted.
"""

from __future__ import annotations

from pathlib import Path

import dns.name
import dns.rdatatype

from dnssec_doctor.catalog.codes import Code
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


def _fix_ds(apex: Apex, origin: dns.name.Name) -> tuple[str, dict[str, object]]:
    """The case suffix and parameters of the fix: the DS records to publish (of the SEP
    keys that sign the DNSKEY RRset, else of any key that signs it), or none to sign first."""
    signing = [c.key for c, _ in apex.dnskey_checks if c.valid and c.key is not None]
    keys = [k for k in signing if is_sep(k)] or signing
    if not keys:
        return "_no_ksk", {}
    lines = [f"{origin} IN DS {make_ds(origin, k, 2).to_text()}" for k in keys]
    return "", {"publish": "; ".join(lines)}


def check_ds_file(ds_set: list[DsRecord], apex: Apex, origin: dns.name.Name, out: Emitter) -> None:
    """DS_NO_MATCHING_DNSKEY and friends (catalog section C/E) for the parent's DS set."""
    zone = origin.to_text()
    fix_case, fix = _fix_ds(apex, origin)
    if not apex.dnskeys:
        out.add(
            Code.DS_WITHOUT_SIGNED_ZONE,
            "zone_file_unsigned",
            {"count": len(ds_set), "zone": zone},
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
                    Code.DNSKEY_FLAGS_INVALID,
                    "ds_to_non_zone_key",
                    {"tag": ds.key_tag},
                    subject=subject,
                )
            elif is_revoked(key):
                out.add(
                    Code.REVOKED_KEY_MISUSED,
                    "ds_to_revoked_key",
                    {"tag": ds.key_tag},
                    subject=subject,
                )
            elif dnskey_rdata_wire(key) not in signing:
                out.add(
                    Code.DS_KEY_NOT_SIGNING_DNSKEY,
                    "ds_file" + fix_case,
                    {"tag": ds.key_tag, "zone": zone, **fix},
                    subject=subject,
                )
            else:
                working += 1
                if not is_sep(key):
                    out.add(
                        Code.DS_KEY_NOT_SEP,
                        "ds_to_non_sep_key",
                        {"tag": ds.key_tag, "flags": key.flags},
                        subject=subject,
                    )
        elif result.status is DsMatchStatus.DIGEST_MISMATCH:
            out.add(
                Code.DS_DIGEST_MISMATCH,
                "ds_file" + fix_case,
                {"ds": ds.to_text(), "zone": zone, **fix},
                subject=subject,
            )
        elif result.status is DsMatchStatus.NO_KEY_WITH_TAG:
            out.add(
                Code.DS_STALE_EXTRA,
                "ds_file" + fix_case,
                {"ds": ds.to_text(), "zone": zone, **fix},
                subject=subject,
            )
        else:
            digest = digest_info(ds.digest_type)
            out.add(
                Code.DS_DIGEST_INVALID_TYPE,
                "ds_file" + fix_case,
                {
                    "ds": ds.to_text(),
                    "digest_type": ds.digest_type,
                    "mnemonic": digest.mnemonic,
                    "status": result.status.value,
                    **fix,
                },
                subject=subject,
            )
    if not working:
        out.add(
            Code.DS_NO_MATCHING_DNSKEY,
            "ds_file" + fix_case,
            {"count": len(ds_set), "zone": zone, **fix},
            subject="ds-set",
        )
    _check_digests(ds_set, zone, out)
    _check_algorithms(ds_set, apex, zone, out)


def _check_digests(ds_set: list[DsRecord], zone: str, out: Emitter) -> None:
    types = {ds.digest_type for ds in ds_set}
    if types == {1}:
        out.add(
            Code.DS_DIGEST_SHA1_ONLY,
            "ds_file",
            {"zone": zone},
            subject="sha1-only",
        )
    elif 1 in types and types & {2, 4}:
        out.add(
            Code.DS_SHA1_SHADOWED,
            "ds_file",
            {"zone": zone},
            subject="sha1-shadowed",
            severity=Severity.INFO,
        )
    for ds in ds_set:
        if digest_info(ds.digest_type).status is PolicyStatus.INVALID:
            out.add(
                Code.DS_DIGEST_INVALID_TYPE,
                "ds_file_type",
                {"tag": ds.key_tag, "digest_type": ds.digest_type},
                subject=f"DS {ds.key_tag}/{ds.digest_type}/type",
            )


def _check_algorithms(ds_set: list[DsRecord], apex: Apex, zone: str, out: Emitter) -> None:
    signing_algs = {c.algorithm for c, _ in apex.dnskey_checks if c.valid}
    for alg in sorted({ds.algorithm for ds in ds_set} - signing_algs):
        out.add(
            Code.NO_SEP_FOR_ALGORITHM,
            "ds_file",
            {"zone": zone, "algorithm": alg},
            subject=f"alg{alg}",
        )
