"""Targeted zone checks: hostile keys and NSEC3 parameters, ZONEMD, glue, owners."""

from __future__ import annotations

import re
import time
from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.rrset
import dns.zone

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.dnspython_dnssec import dnssecalgs
from dnssec_doctor.dnssec.keys import key_tag, key_tag_from_rdata_wire
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.zonefile.verify import ZoneOptions, verify_zone

ORIGIN = dns.name.from_text("example.test.")
NOW = 1_795_000_000
CORPUS = Path(__file__).parent / "data" / "corpus"
KEY = dnssecalgs.PrivateECDSAP256SHA256.generate()
DNSKEY = KEY.public_key().to_dnskey(flags=257)
UNSIGNED = """$ORIGIN example.test.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.10
sub NS ns.sub
ns.sub A 192.0.2.30
"""


def signed_lines() -> list[str]:
    zone = dns.zone.from_text(UNSIGNED, ORIGIN, relativize=False)
    dnspython_dnssec.sign_zone(
        zone, keys=[(KEY, DNSKEY)], inception=NOW - 86400, expiration=NOW + 86400 * 30
    )
    return zone.to_text().splitlines()


def run(tmp_path: Path, text: str, origin: dns.name.Name = ORIGIN) -> Diagnosis:
    path = tmp_path / "zone.db"
    path.write_text(text)
    return verify_zone(path, origin=origin, now=NOW, options=ZoneOptions())


def codes(diagnosis: Diagnosis, minimum: Severity = Severity.ERROR) -> set[str]:
    return {f.code for f in diagnosis.findings if f.severity >= minimum}


def test_fifty_keys_sharing_a_tag_end_in_findings_quickly(tmp_path: Path) -> None:
    tag = key_tag(DNSKEY)
    forged = []
    for seed in range(50):
        head = bytes((1, 1, 3, 13)) + bytes((seed * 11 + i) % 256 for i in range(62))
        total = sum((head[i] << 8) + head[i + 1] for i in range(0, len(head), 2))
        for carry in range(64):
            wire = head + ((tag - total - carry) & 0xFFFF).to_bytes(2, "big")
            if key_tag_from_rdata_wire(13, wire) == tag:
                break
        rd = dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DNSKEY, wire, 0, len(wire))
        forged.append(f"example.test. 300 IN DNSKEY {rd.to_text()}")
    started = time.monotonic()
    diagnosis = run(tmp_path, "\n".join([*forged, *signed_lines()]) + "\n")
    assert time.monotonic() - started < 10
    found = codes(diagnosis)
    assert "DNSKEY_MALFORMED" in found  # the key-tag collision itself
    assert "RRSIG_CRYPTO_INVALID" in found  # the DNSKEY RRset changed after signing
    assert any("not tried (limit)" in f.detail for f in diagnosis.findings)


def test_nsec3_with_2500_iterations_stops_at_the_budget(tmp_path: Path) -> None:
    text = (CORPUS / "knot-dnssec-validate" / "ok.nsec3.zone").read_text()
    hostile = re.sub(r"(NSEC3(?:PARAM)?\s+1\s+\d+\s+)\d+", r"\g<1>2500", text)
    assert hostile != text
    started = time.monotonic()
    diagnosis = run(tmp_path, hostile, dns.name.from_text("ok.nsec3."))
    assert time.monotonic() - started < 10
    assert "NSEC3_PARAMS_NOT_RFC9276" in codes(diagnosis)  # error: above resolver limits
    assert "ANALYSIS_BUDGET_EXCEEDED" in codes(diagnosis, Severity.WARNING)


def test_zonemd_detects_changed_content(tmp_path: Path) -> None:
    path = CORPUS / "ldns-zonemd" / "A.1.Simple-EXAMPLE-Zone"
    clean = run(tmp_path, path.read_text(), dns.name.from_text("example."))
    assert codes(clean) == set()
    changed = path.read_text().replace("203.0.113.63", "203.0.113.64")
    assert changed != path.read_text()
    assert "ZONEMD_MISMATCH" in codes(run(tmp_path, changed, dns.name.from_text("example.")))


def test_signed_glue_and_out_of_zone_and_mistyped_owner(tmp_path: Path) -> None:
    lines = signed_lines()
    glue = dns.rrset.from_text("ns.sub.example.test.", 300, "IN", "A", "192.0.2.30")
    sig = dnspython_dnssec.sign(
        glue, KEY, ORIGIN, DNSKEY, inception=NOW - 10, expiration=NOW + 86400
    )
    lines.append(f"ns.sub.example.test. 300 IN RRSIG {sig.to_text()}")
    lines.append("stray.other.test. 300 IN A 192.0.2.99")
    lines.append("www.example.test.example.test. 300 IN A 192.0.2.98")
    diagnosis = run(tmp_path, "\n".join(lines) + "\n")
    details = " ".join(f.detail for f in diagnosis.findings)
    assert "ZONE_DATA_INVALID" in codes(diagnosis)
    assert "glue" in details
    owners = [f for f in diagnosis.findings if f.code == "OWNER_NAME_SUSPICIOUS"]
    assert {f.line for f in owners} == {len(lines) - 1, len(lines)}
    assert any("trailing dot" in f.detail for f in owners)
    assert any("outside the zone" in f.detail for f in owners)


def test_unsigned_zone_is_insecure_and_clean(tmp_path: Path) -> None:
    diagnosis = run(tmp_path, UNSIGNED)
    assert diagnosis.status == "insecure"
    assert codes(diagnosis, Severity.WARNING) == set()


def test_missing_apex_algorithm_is_one_warning(tmp_path: Path) -> None:
    other = dnssecalgs.PrivateECDSAP256SHA256.generate().public_key().to_dnskey(flags=257)
    extra = dns.rdata.from_wire(
        dns.rdataclass.IN, dns.rdatatype.DNSKEY, other.to_wire()[:3] + b"\x0f" + bytes(32), 0, 36
    )
    assert isinstance(extra, dns.rdtypes.ANY.DNSKEY.DNSKEY)
    zone = dns.zone.from_text(UNSIGNED, ORIGIN, relativize=False)
    with zone.writer() as txn:
        txn.add(ORIGIN, 300, extra)  # an Ed25519 key published, signing nothing
    dnspython_dnssec.sign_zone(
        zone, keys=[(KEY, DNSKEY)], inception=NOW - 10, expiration=NOW + 86400 * 30
    )
    diagnosis = run(tmp_path, zone.to_text())
    unused = [f for f in diagnosis.findings if f.code == "RRSIG_MISSING_FOR_ALGORITHM"]
    assert len(unused) == 1
    assert unused[0].severity is Severity.WARNING
    assert codes(diagnosis) == set()


def test_ungrouped_file_gives_the_same_verdict_as_grouped(tmp_path: Path) -> None:
    lines = signed_lines()
    grouped = run(tmp_path, "\n".join(lines) + "\n")
    # owners scattered: every other record moved to the end of the file
    scattered = run(tmp_path, "\n".join(lines[::2] + lines[1::2]) + "\n")
    assert grouped.status == scattered.status == "secure"
    assert grouped.stats["signatures_checked"] == scattered.stats["signatures_checked"]
    broken = [line.replace("192.0.2.10", "192.0.2.11") for line in lines]
    mixed = run(tmp_path, "\n".join(broken[1::2] + broken[::2]) + "\n")
    assert "RRSIG_CRYPTO_INVALID" in codes(mixed)
