"""Codes whose checks no other test made emit: the DS set given to `zone --ds`, records
only the apex may hold, and answers too large for UDP.

The full-run check in conftest.py (every detected code emitted at least once) found
these; each test builds the smallest input that must produce its code.
"""

from __future__ import annotations

from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.rrset
import dns.zone

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.analysis.servers.sizes import SAFE_UDP_SIZE, size_risk_findings
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.dnspython_dnssec import dnssecalgs
from dnssec_doctor.dnssec.keys import key_tag, make_ds
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.model.survey import NameServer, QueryKey, ZoneCut
from dnssec_doctor.zonefile.dsfile import read_ds_file
from dnssec_doctor.zonefile.verify import ZoneOptions, verify_zone

ORIGIN = dns.name.from_text("example.test.")
NOW = 1_795_000_000
KEY = dnssecalgs.PrivateECDSAP256SHA256.generate()
DNSKEY = KEY.public_key().to_dnskey(flags=257)
REVOKED = dnssecalgs.PrivateECDSAP256SHA256.generate().public_key().to_dnskey(flags=257 | 0x80)
UNSIGNED = """$ORIGIN example.test.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.10
"""


def signed(extra: str = "", keys: tuple[object, ...] = ()) -> str:
    zone = dns.zone.from_text(UNSIGNED + extra, ORIGIN, relativize=False)
    with zone.writer() as txn:
        for key in keys:
            txn.add(ORIGIN, 300, key)
    dnspython_dnssec.sign_zone(
        zone, keys=[(KEY, DNSKEY)], inception=NOW - 86400, expiration=NOW + 86400 * 30
    )
    return "$ORIGIN example.test.\n" + zone.to_text()


def codes_for(tmp_path: Path, zone_text: str, ds_lines: list[str] | None = None) -> set[str]:
    path = tmp_path / "zone.db"
    path.write_text(zone_text)
    ds = None
    if ds_lines is not None:
        ds_path = tmp_path / "zone.ds"
        ds_path.write_text("".join(f"example.test. 3600 IN DS {line}\n" for line in ds_lines))
        ds = read_ds_file(ds_path, ORIGIN)
    d = verify_zone(path, origin=ORIGIN, now=NOW, options=ZoneOptions(), ds_records=ds)
    return {f.code for f in d.findings}


def ds_text(digest_type: int, key: object = DNSKEY) -> str:
    return make_ds(ORIGIN, key, digest_type).to_text()  # type: ignore[arg-type]


def test_a_ds_whose_digest_does_not_match_its_key(tmp_path: Path) -> None:
    good = ds_text(2).split()
    wrong = " ".join([*good[:3], "00" * 32])
    assert "DS_DIGEST_MISMATCH" in codes_for(tmp_path, signed(), [wrong])


def test_a_sha1_ds_beside_a_sha256_one(tmp_path: Path) -> None:
    found = codes_for(tmp_path, signed(), [ds_text(1), ds_text(2)])
    assert "DS_SHA1_SHADOWED" in found and "DS_DIGEST_MISMATCH" not in found


def test_a_ds_for_an_unsigned_zone(tmp_path: Path) -> None:
    assert "DS_WITHOUT_SIGNED_ZONE" in codes_for(tmp_path, UNSIGNED, [ds_text(2)])


def test_a_ds_for_an_algorithm_nothing_signs_with(tmp_path: Path) -> None:
    other = f"{key_tag(DNSKEY)} 8 2 " + "ab" * 32  # RSASHA256: no key of it in the zone
    assert "NO_SEP_FOR_ALGORITHM" in codes_for(tmp_path, signed(), [ds_text(2), other])


def test_a_revoked_key_that_does_not_sign_the_key_set(tmp_path: Path) -> None:
    assert "REVOKED_KEY_MISUSED" in codes_for(tmp_path, signed(keys=(REVOKED,)), [ds_text(2)])


def test_a_dnskey_below_the_apex_and_a_ds_of_an_invalid_algorithm(tmp_path: Path) -> None:
    extra = (
        f"www DNSKEY {DNSKEY.to_text()}\n"
        "sub NS ns.sub\nns.sub A 192.0.2.30\n"
        "sub DS 12345 0 2 " + "ab" * 32 + "\n"  # algorithm 0 is reserved (RFC 4034 A.1)
    )
    found = codes_for(tmp_path, signed(extra))
    assert {"DNSKEY_NOT_AT_APEX", "ALGORITHM_INVALID"} <= found, found


def test_a_dnskey_answer_too_large_for_udp() -> None:
    zone = "example.test."
    cut = ZoneCut(zone, "test.", servers=[NameServer(f"ns1.{zone}", [ServerAddress("192.0.2.1")])])
    spec = QuerySpec(zone, "DNSKEY")
    msg = dns.message.make_response(spec.to_message(1))
    keys = [dnssecalgs.PrivateRSASHA256.generate(2048).public_key().to_dnskey() for _ in range(5)]
    msg.answer.append(dns.rrset.from_rdata_list(zone, 300, keys))
    msg.flags |= dns.flags.AA
    wire = msg.to_wire(max_size=65535)
    assert len(wire) > SAFE_UDP_SIZE
    cut.queries[QueryKey("child", "192.0.2.1", zone, "DNSKEY", "")] = Exchange(
        "192.0.2.1", spec, "tcp", "response", wire=wire
    )
    found = size_risk_findings(cut, "")
    assert [f.code for f in found] == ["RESPONSE_SIZE_RISK"]
    assert found[0].evidence["bytes"] == len(wire)
