"""The ``zone`` command: exit codes, JSON contract, grouping, --ds, --jobs."""

from __future__ import annotations

import json
from pathlib import Path

import dns.name
import dns.zone
import pytest

from clirun import invoke as invoke_cli
from dnssec_doctor.cli.zone import render_zone_text, run_zone
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.dnspython_dnssec import dnssecalgs
from dnssec_doctor.dnssec.keys import make_ds

ORIGIN = dns.name.from_text("example.test.")
INCEPTION, EXPIRATION = 1_790_000_000, 1_800_000_000
KEY = dnssecalgs.PrivateECDSAP256SHA256.generate()
DNSKEY = KEY.public_key().to_dnskey(flags=257)


def signed_zone(hosts: int = 30) -> str:
    text = "$ORIGIN example.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    text += "@ NS ns1\nns1 A 192.0.2.1\n"
    text += "".join(f'h{i} A 192.0.2.{i % 250}\nh{i} TXT "host {i}"\n' for i in range(hosts))
    z = dns.zone.from_text(text, ORIGIN, relativize=False)
    dnspython_dnssec.sign_zone(z, keys=[(KEY, DNSKEY)], inception=INCEPTION, expiration=EXPIRATION)
    return "$ORIGIN example.test.\n" + z.to_text()


@pytest.fixture
def zone_file(tmp_path: Path) -> Path:
    path = tmp_path / "example.test.signed"
    path.write_text(signed_zone())
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = invoke_cli("zone", *args)
    return result.exit_code, result.stdout


def test_clean_zone_exits_zero_with_json_contract(zone_file: Path) -> None:
    code, out = invoke(str(zone_file), "--at", "@1795000000", "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["format"] == "dnssec-doctor/diagnosis"
    assert doc["version"] == "1.0"
    assert doc["name"] == "example.test."
    assert doc["status"] == "secure"
    assert doc["findings"] == []
    assert doc["at"] == "2026-11-18T11:06:40Z"
    assert doc["servers"] == []


def test_expired_zone_groups_repeats_in_text_and_lists_all_in_json(zone_file: Path) -> None:
    code, out = invoke(str(zone_file), "--at", "@1800000100")
    assert code == 2
    assert "RRSIG_EXPIRED" in out
    assert "× Signature expired" in out or "×" in out
    assert "more (lines" in out
    assert out.count("\n  - line") <= 3 * 5  # at most three examples per code
    code, out = invoke(str(zone_file), "--at", "@1800000100", "--format", "json")
    doc = json.loads(out)
    expired = [f for f in doc["findings"] if f["code"] == "RRSIG_EXPIRED"]
    assert len(expired) == 3 * 30 + 6  # every RRSIG (A, TXT, NSEC per host; apex; ns1)
    assert all(isinstance(f["line"], int) for f in expired)
    assert doc["status"] == "bogus"


def test_warning_exit_one_for_expiry_soon(zone_file: Path) -> None:
    code, out = invoke(str(zone_file), "--at", "@1799900000")
    assert code == 1, out
    assert "RRSIG_EXPIRES_SOON" in out


def test_unparseable_input_exits_three_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    path.write_text("$ORIGIN example.test.\n@ 300 SOA a b 1 2 3 4 5\nwww 300 A nope\n")
    result = invoke_cli("zone", str(path))
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "bad.db:3: invalid A data" in result.stderr


def test_ds_file_matched_against_keys(zone_file: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.ds"
    good.write_text(f"example.test. 3600 IN DS {make_ds(ORIGIN, DNSKEY, 2).to_text()}\n")
    code, out = invoke(str(zone_file), "--ds", str(good), "--at", "@1795000000")
    assert code == 0, out
    stale = tmp_path / "stale.ds"
    stale.write_text("example.test. 3600 IN DS 1 13 2 " + "ab" * 32 + "\n")
    code, out = invoke(str(zone_file), "--ds", str(stale), "--at", "@1795000000")
    assert code == 2
    assert "DS_NO_MATCHING_DNSKEY" in out
    assert make_ds(ORIGIN, DNSKEY, 2).to_text().split()[-1].upper() in out.upper()


def test_parallel_workers_give_the_same_diagnosis(tmp_path: Path) -> None:
    path = tmp_path / "big.signed"
    text = signed_zone(hosts=400).replace("192.0.2.7\n", "192.0.2.8\n", 1)  # one bad sig
    path.write_text(text)
    one = run_zone(path, "example.test.", None, 1_795_000_000, 1)
    two = run_zone(path, "example.test.", None, 1_795_000_000, 2)
    assert [(f.code, f.line) for f in one.findings] == [(f.code, f.line) for f in two.findings]
    assert one.stats["signatures_checked"] == two.stats["signatures_checked"] > 800
    assert any(f.code == "RRSIG_CRYPTO_INVALID" for f in two.findings)


def test_text_report_escapes_hostile_names(tmp_path: Path) -> None:
    path = tmp_path / "esc.db"
    path.write_text(
        "$ORIGIN example.test.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n"
        "x\\027[31m.example.test.example.test. A 192.0.2.2\n"
    )
    diagnosis = run_zone(path, None, None, 1_795_000_000, 1)
    text = render_zone_text(diagnosis)
    assert "\x1b" not in text
    assert "OWNER_NAME_SUSPICIOUS" in text
