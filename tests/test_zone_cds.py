"""CDS/CDNSKEY in a zone file: `zone` judges them by the live check's rule (dnssec/cdsdelete.py).

A request (a DS set or a delete request) in one form only is legal (RFC 7344 §4, RFC 8078
§4) and only noted; CDS and CDNSKEY that are both published and describe different keys
are an error; a delete request mixed or with wrong values is an error. Each zone here is
signed by two keys that both sign the DNSKEY RRset, so every CDS/CDNSKEY names a working
key and the only CDS findings are the ones under test; every case is also run through the
live check's analysis on the same records, which must agree.
"""

from __future__ import annotations

from pathlib import Path

import dns.name
import dns.rdata
import dns.zone
import pytest
from dns.rdtypes.ANY.CDNSKEY import CDNSKEY
from dns.rdtypes.ANY.CDS import CDS

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.analysis.chain.cds import cds_findings
from dnssec_doctor.analysis.servers.view import ServerView
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.dnspython_dnssec import dnssecalgs
from dnssec_doctor.dnssec.keys import key_tag
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity, exit_code_for
from dnssec_doctor.model.survey import NameServer, ZoneCut
from dnssec_doctor.zonefile.verify import ZoneOptions, verify_zone

ZONE = "example.test."
ORIGIN = dns.name.from_text(ZONE)
NOW = 1_795_000_000
KEY = dnssecalgs.PrivateECDSAP256SHA256.generate()
DNSKEY = KEY.public_key().to_dnskey(flags=257)
OTHER_KEY = dnssecalgs.PrivateECDSAP256SHA256.generate()
OTHER = OTHER_KEY.public_key().to_dnskey(flags=257)
"""Both keys sign the DNSKEY RRset, so CDS/CDNSKEY naming either asks for a working DS."""
UNSIGNED = """$ORIGIN example.test.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.1
"""
ABSENT = dnssecalgs.PrivateECDSAP256SHA256.generate().public_key().to_dnskey(flags=257)
"""A KSK that is not in the DNSKEY RRset (one being pre-published at the parent)."""
CDS_OF_KEY = dnspython_dnssec.make_cds(ORIGIN, DNSKEY, "SHA256").to_text()
CDS_OF_ABSENT = dnspython_dnssec.make_cds(ORIGIN, ABSENT, "SHA256").to_text()
CDNSKEY_OF_KEY = DNSKEY.to_text()
CDNSKEY_OF_OTHER = OTHER.to_text()
CDS_TYPES = {"CDS_CDNSKEY_MISMATCH", "CDS_DELETE_MALFORMED", "CDS_POINTS_TO_MISSING_KEY"}

# (CDS records, CDNSKEY records) -> the CDS findings, as (code, severity) pairs
CASES: dict[str, tuple[list[str], list[str], set[tuple[str, Severity]]]] = {
    "both-agree": ([CDS_OF_KEY], [CDNSKEY_OF_KEY], set()),
    "cds-only": ([CDS_OF_KEY], [], {("CDS_CDNSKEY_MISMATCH", Severity.NOTICE)}),
    "cdnskey-only": ([], [CDNSKEY_OF_KEY], {("CDS_CDNSKEY_MISMATCH", Severity.NOTICE)}),
    "both-disagree": (
        [CDS_OF_KEY],
        [CDNSKEY_OF_KEY, CDNSKEY_OF_OTHER],
        {("CDS_CDNSKEY_MISMATCH", Severity.ERROR)},
    ),
    "absent-key-beside-a-signing-one": (
        [CDS_OF_KEY, CDS_OF_ABSENT],
        [CDNSKEY_OF_KEY, ABSENT.to_text()],
        {("CDS_POINTS_TO_MISSING_KEY", Severity.NOTICE)},
    ),
    "absent-key-alone": (
        [CDS_OF_ABSENT],
        [ABSENT.to_text()],
        {("CDS_POINTS_TO_MISSING_KEY", Severity.ERROR)},
    ),
    "delete-both": (["0 0 0 00"], ["0 3 0 AA=="], set()),
    "delete-cds-only": (["0 0 0 00"], [], {("CDS_CDNSKEY_MISMATCH", Severity.NOTICE)}),
    "delete-cdnskey-only": ([], ["0 3 0 AA=="], {("CDS_CDNSKEY_MISMATCH", Severity.NOTICE)}),
    "delete-cds-only-wrong-values": (["1 0 0 00"], [], {("CDS_DELETE_MALFORMED", Severity.ERROR)}),
    "delete-mixed": (
        ["0 0 0 00", CDS_OF_KEY],
        ["0 3 0 AA=="],
        {("CDS_DELETE_MALFORMED", Severity.ERROR)},
    ),
}


def zone_findings(tmp_path: Path, cds: list[str], cdnskey: list[str]) -> list[Finding]:
    records = [f"@ CDS {r}\n" for r in cds] + [f"@ CDNSKEY {r}\n" for r in cdnskey]
    zone = dns.zone.from_text(UNSIGNED + "".join(records), ORIGIN, relativize=False)
    dnspython_dnssec.sign_zone(
        zone,
        keys=[(KEY, DNSKEY), (OTHER_KEY, OTHER)],
        inception=NOW - 86400,
        expiration=NOW + 86400 * 30,
    )
    path = tmp_path / "zone.db"
    path.write_text("$ORIGIN example.test.\n" + zone.to_text())
    diagnosis = verify_zone(path, origin=ORIGIN, now=NOW, options=ZoneOptions())
    return list(diagnosis.findings)


def zone_line(tmp_path: Path, number: int | None) -> str:
    assert number is not None
    return (tmp_path / "zone.db").read_text().splitlines()[number - 1]


def live_findings(cds: list[str], cdnskey: list[str]) -> list[Finding]:
    """The live check's analysis of the same records, served alike by two servers."""
    cds_rdata = [dns.rdata.from_text("IN", "CDS", r) for r in cds]
    key_rdata = [dns.rdata.from_text("IN", "CDNSKEY", r) for r in cdnskey]
    assert all(isinstance(r, CDS) for r in cds_rdata)
    assert all(isinstance(r, CDNSKEY) for r in key_rdata)
    views = {}
    for server in ("192.0.2.1", "192.0.2.2"):
        view = ServerView(server)
        view.dnskeys = {k.to_digestable(): k for k in (DNSKEY, OTHER)}
        view.dnskey_signers = {(key_tag(k), k.algorithm) for k in (DNSKEY, OTHER)}
        view.cds = frozenset(r.to_digestable() for r in cds_rdata)
        view.cdnskey = frozenset(r.to_digestable() for r in key_rdata)
        view.cds_rdata = {r.to_digestable(): r for r in (*cds_rdata, *key_rdata)}
        views[server] = view
    servers = [NameServer(f"ns{i}.{ZONE}", [ServerAddress(s)]) for i, s in enumerate(views, 1)]
    return cds_findings(ZoneCut(ZONE, "test.", servers=servers), views)


def judged(findings: list[Finding]) -> set[tuple[str, Severity]]:
    return {(f.code, f.severity) for f in findings if f.code in CDS_TYPES}


@pytest.mark.parametrize("case", list(CASES))
def test_zone_and_live_check_judge_alike(tmp_path: Path, case: str) -> None:
    cds, cdnskey, expected = CASES[case]
    assert judged(zone_findings(tmp_path, cds, cdnskey)) == expected
    assert judged(live_findings(cds, cdnskey)) == expected


@pytest.mark.parametrize("case", ["cds-only", "cdnskey-only", "delete-cds-only"])
def test_one_form_only_keeps_the_zone_valid(tmp_path: Path, case: str) -> None:
    cds, cdnskey, _ = CASES[case]
    findings = zone_findings(tmp_path, cds, cdnskey)
    assert exit_code_for(f.severity for f in findings) == 0, [f.code for f in findings]


def test_the_notice_says_which_form_is_missing_and_how_to_add_it(tmp_path: Path) -> None:
    (cds_only,) = [f for f in zone_findings(tmp_path, [CDS_OF_KEY], []) if f.code in CDS_TYPES]
    assert "publishes its DS set as CDS only, with no CDNSKEY" in cds_only.detail
    assert "pdnsutil set-publish-cdnskey example.test." in cds_only.fix
    assert " CDS " in zone_line(tmp_path, cds_only.line)
    (delete,) = [f for f in zone_findings(tmp_path, [], ["0 3 0 AA=="]) if f.code in CDS_TYPES]
    assert "a delete request (CDNSKEY 0 3 0 AA==) as CDNSKEY only" in delete.detail
    assert "example.test. CDS 0 0 0 00" in delete.fix
