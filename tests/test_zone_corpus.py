"""Every peer corpus file gets the verdict its MANIFEST records, for the right reason.

The corpus (tests/data/corpus; each folder's SOURCE.md says where it comes from, and its
MANIFEST.tsv) holds Knot, validns and ldns test zones. "valid" means our exit
status is below 2 (warnings allowed); "INVALID" means an error finding (exit 2)
or input we refuse to read (exit 3). Rows where we disagree with the peer on
purpose are listed in DIFFERENCES with the reason.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import dns.name
import pytest

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.model.severity import Severity, exit_code_for
from dnssec_doctor.zonefile.verify import ZoneOptions, verify_zone

CORPUS = Path(__file__).parent / "data" / "corpus"
NOW = 1_795_000_000
"""2026-11-18: "now" for rows the peer runs at the current time (inside every window)."""


@dataclass(frozen=True)
class Row:
    folder: str
    file: str
    origin: str
    expected: str
    as_of: int


def rows() -> list[Row]:
    found = []
    for manifest in sorted(CORPUS.glob("*/MANIFEST.tsv")):
        with manifest.open(newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                as_of = NOW if row["as_of"] == "now" else int(row["as_of"])
                verdict = "valid" if row["expected"].startswith("valid") else "INVALID"
                found.append(Row(manifest.parent.name, row["file"], row["origin"], verdict, as_of))
    return found


# file -> (our verdict, why we differ from the peer)
DIFFERENCES: dict[str, tuple[str, str]] = {
    "example.zone.nsec": (
        "INVALID",
        "signed only with RSASHA1 (5): ALGORITHM_SIGNING_PROHIBITED since RFC 9905; "
        "the peer's test predates it. The signatures themselves verify.",
    ),
    "issues/41-ksk-policy-check/example.sec.signed": (
        "INVALID",
        "signed only with RSASHA1 (5): ALGORITHM_SIGNING_PROHIBITED since RFC 9905.",
    ),
    "issues/lots-of-rare-rrs/all.rr.org": (
        "INVALID",
        "RSASHA1 keys (5, 7) with NSEC3 (NSEC3_WITH_NON_NSEC3_ALGORITHM: validators that know "
        "5 but not NSEC3 find denials bogus), and a DS at sub.all.rr.org without NS, which "
        "RFC 4035 §2.4 forbids; validns does not check either.",
    ),
    "cdnskey.cds": (
        "INVALID",
        "the only CDS/CDNSKEY names key 53851, which is published but signs nothing: a parent "
        "acting on it (RFC 7344 §4.1, RFC 8078 §3) would make the zone bogus. Knot only checks "
        "that CDS and CDNSKEY agree.",
    ),
    "zones/example.sec.signed": (
        "INVALID",
        "its CDS (GOST digest of a key 50458 that is not published) and CDNSKEY (48381) "
        "describe different keys (RFC 7344 §4), and the DS at ghost uses digest type 3 "
        "(GOST R 34.11-94), withdrawn by RFC 8624 §3.3; validns predates both checks.",
    ),
    "A.4.The-URI.ARPA-Zone": (
        "INVALID",
        "as the MANIFEST itself says, strictly as DNSSEC the zone is invalid: its ZONEMD RRset "
        "has no RRSIG and the apex NSEC bitmap lacks ZONEMD (BIND and Knot agree); ldns "
        "passes it only with -ZZZ.",
    ),
    "issues/policy-permit-starting-hyphen/example.com": (
        "valid",
        "labels starting with '-' are legal DNS names (RFC 2181 §11); we warn "
        "(OWNER_NAME_SUSPICIOUS) instead of failing, as BIND and Knot accept them.",
    ),
}

# file -> a code that must be among our error/critical findings (the peer's defect)
REASONS: dict[str, str] = {
    "bitmap.nsec.zone.2": "NODATA_BITMAP_CONTRADICTION",
    "bitmap.nsec3.zone.2": "NODATA_BITMAP_CONTRADICTION",
    "chain.nsec.zone.2": "NSEC_CHAIN_BROKEN",
    "chain.nsec3.zone.2": "NSEC_CHAIN_BROKEN",
    "missing.nsec.zone.2": "NSEC_CHAIN_BROKEN",
    "missing.nsec3.zone.2": "NSEC_CHAIN_BROKEN",
    "optout.ent.zone.2": "NSEC_CHAIN_BROKEN",
    "redundant.invalid.rrsig.zone.2": "RRSIG_CRYPTO_INVALID",
    "rrsig.a.zone.2": "RRSIG_CRYPTO_INVALID",
    "rrsig.nsec.zone.2": "RRSIG_CRYPTO_INVALID",
    "rrsig.nsec3.zone.2": "RRSIG_CRYPTO_INVALID",
    "cdnskey.delete.invalid.cdnskey": "CDS_DELETE_MALFORMED",
    "cdnskey.delete.invalid.cds": "CDS_DELETE_MALFORMED",
    "cdnskey.invalid": "CDS_CDNSKEY_MISMATCH",
    "cdnskey.invalid.param": "CDS_CDNSKEY_MISMATCH",
    # Knot's defect here, one form without the other, is only a notice for us (RFC 7344 §4
    # lets a child publish either; see ONE_FORM_ROWS); the lone record names key 53851,
    # which is published but signs nothing, and that makes the zone invalid (as cdnskey.cds)
    "cdnskey.nocdnskey": "CDS_POINTS_TO_MISSING_KEY",
    "cdnskey.nocds": "CDS_POINTS_TO_MISSING_KEY",
    "cdnskey.nodnskey": "CDS_POINTS_TO_MISSING_KEY",
    "cdnskey.orphan.cdnskey": "CDS_CDNSKEY_MISMATCH",
    "cdnskey.orphan.cds": "CDS_CDNSKEY_MISMATCH",
    "cname_extra_01.zone": "ZONE_DATA_INVALID",
    "cname_extra_02.signed": "ZONE_DATA_INVALID",
    "cname_multiple.zone": "ZONE_DATA_INVALID",
    "delegation.signed": "ZONE_DATA_INVALID",
    "different_signer_name.signed": "RRSIG_SIGNER_NOT_APEX",
    "dname_children.zone": "ZONE_DATA_INVALID",
    "dname_extra_ns.zone": "ZONE_DATA_INVALID",
    "dname_multiple.zone": "ZONE_DATA_INVALID",
    "dnskey_keytags.many": "DNSKEY_MALFORMED",
    "dnskey_param_error.signed": "DNSKEY_FLAGS_INVALID",
    "ds_apex.zone": "ZONE_DATA_INVALID",
    "duplicate.signature": "RRSIG_EXPIRED",
    "glue_apex_both.missing": "GLUE_MISMATCH_OR_MISSING",
    "glue_apex_one.missing": "GLUE_MISMATCH_OR_MISSING",
    "glue_besides.missing": "GLUE_MISMATCH_OR_MISSING",
    "glue_deleg.missing": "GLUE_MISMATCH_OR_MISSING",
    "glue_in_apex.missing": "GLUE_MISMATCH_OR_MISSING",
    "invalid_ds.signed": "DS_DIGEST_INVALID_TYPE",
    "missing.signed": "RRSIG_FIELDS_INVALID",
    "no_rrsig.signed": "RRSIG_MISSING",
    "no_rrsig_with_delegation.signed": "RRSIG_MISSING",
    "ns_apex.missing": "ZONE_DATA_INVALID",
    "nsec3_chain_01.signed": "NSEC_CHAIN_BROKEN",
    "nsec3_chain_02.signed": "NSEC_CHAIN_BROKEN",
    "nsec3_chain_03.signed": "NSEC_CHAIN_BROKEN",
    "nsec3_ds.signed": "NSEC_CHAIN_BROKEN",
    "nsec3_missing.signed": "NSEC_CHAIN_BROKEN",
    "nsec3_optout.signed": "NSEC_CHAIN_BROKEN",
    "nsec3_optout_ent.invalid": "NSEC_CHAIN_BROKEN",
    "nsec3_param_invalid.signed": "NSEC3_PARAMS_INCONSISTENT",
    "nsec3_wrong_bitmap_01.signed": "NODATA_BITMAP_CONTRADICTION",
    "nsec3_wrong_bitmap_02.signed": "NODATA_BITMAP_CONTRADICTION",
    "nsec_broken_chain_01.signed": "NSEC_CHAIN_BROKEN",
    "nsec_broken_chain_02.signed": "NSEC_CHAIN_BROKEN",
    "nsec_missing.signed": "NSEC_CHAIN_BROKEN",
    "nsec_multiple.signed": "NSEC_CHAIN_BROKEN",
    "nsec_nonauth.invalid": "NSEC_CHAIN_BROKEN",
    "nsec_wrong_bitmap_01.signed": "NODATA_BITMAP_CONTRADICTION",
    "nsec_wrong_bitmap_02.signed": "NODATA_BITMAP_CONTRADICTION",
    "rrsig_rdata_ttl.signed": "RRSIG_CRYPTO_INVALID",
    "rrsig_signed.signed": "RRSIG_FIELDS_INVALID",
    "soa.missing": "ZONE_DATA_INVALID",
    "soa.multiple": "ZONE_DATA_INVALID",
    "repeated-ZONEMD-scheme-and-algorithm": "ZONEMD_MISMATCH",
    "zones/example.sec.signed.with-errors": "NSEC_CHAIN_BROKEN",
    "zones/mx-ns-alias": "NS_NAME_UNUSABLE",
    "zones/dnskey-exponent.zone": "DNSKEY_MALFORMED",
    # validns fails it for the '/' in host names (we only warn: legal DNS names);
    # it is still invalid because ns1.example.com, its in-zone name server, has no address
    "issues/29-slash/example.com": "GLUE_MISMATCH_OR_MISSING",
    "issues/nsec-chain/example.com.signed-without-first-nsec": "NSEC_CHAIN_BROKEN",
    "issues/nsec-chain/example.com.signed-without-last-nsec": "NSEC_CHAIN_BROKEN",
}

# files that publish their request as CDS only or as CDNSKEY only, which Knot fails and we note
ONE_FORM_ROWS = {"cdnskey.nocdnskey": "CDS", "cdnskey.nocds": "CDNSKEY"}

# files we refuse to read (exit 3), which the peers also reject as fatal
UNREADABLE = {
    "deleg_apex.zone": "DELEG",  # draft type no released parser knows
    "zones/manyerrors.zone": "$FUNNYDIRECTIVE",  # first of ~110 syntax errors
}

ROWS = rows()


def test_corpus_is_complete() -> None:
    assert len(ROWS) == 128
    names = {r.file for r in ROWS}
    assert set(DIFFERENCES) <= names
    assert set(REASONS) <= names
    assert set(UNREADABLE) <= names
    assert set(ONE_FORM_ROWS) <= names


@pytest.mark.parametrize("name", sorted(ONE_FORM_ROWS))
def test_a_request_in_one_form_is_noted_not_failed(name: str) -> None:
    path = CORPUS / "knot-semantic-check" / name
    origin = dns.name.from_text("example.com.")
    diagnosis = verify_zone(path, origin=origin, now=NOW, options=ZoneOptions())
    (lone,) = [f for f in diagnosis.findings if f.code == "CDS_CDNSKEY_MISMATCH"]
    assert lone.severity is Severity.NOTICE
    assert f"as {ONE_FORM_ROWS[name]} only" in lone.detail


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.folder}/{r.file}" for r in ROWS])
def test_verdict(row: Row) -> None:
    path = CORPUS / row.folder / row.file
    origin = dns.name.from_text(row.origin)
    if row.file in UNREADABLE:
        with pytest.raises(
            DoctorError, match=r":\d+: .*" + UNREADABLE[row.file].replace("$", r"\$")
        ):
            verify_zone(path, origin=origin, now=row.as_of, options=ZoneOptions())
        assert row.expected == "INVALID"
        return
    diagnosis = verify_zone(path, origin=origin, now=row.as_of, options=ZoneOptions())
    rc = exit_code_for(f.severity for f in diagnosis.findings)
    ours = "valid" if rc < 2 else "INVALID"
    expected, why = DIFFERENCES.get(row.file, (row.expected, ""))
    serious = {f.code for f in diagnosis.findings if f.severity >= Severity.ERROR}
    assert ours == expected, f"{row.file}: {sorted(serious)} {why}"
    if row.file in DIFFERENCES:
        assert expected != row.expected, "listed as a difference but we agree now"
    if row.file in REASONS:
        assert REASONS[row.file] in serious
    if ours == "INVALID":
        assert all(f.line is None or f.line > 0 for f in diagnosis.findings)
    if diagnosis.stats["signed"]:
        assert diagnosis.status in ("secure", "bogus")
    else:
        assert diagnosis.status == "insecure"
