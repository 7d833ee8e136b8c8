"""``dnssec-doctor ds NAME``: exit codes, text and JSON output, against the embedded lab."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.name
import dns.rdata
import pytest

from dnssec_doctor.dnssec.keys import DsRecord, make_ds
from labthread import LAB_NOW, LabThread, start_lab

DOCTOR = [sys.executable, "-m", "dnssec_doctor"]
SCENARIOS = ["good-nsec", "ds-no-matching-key", "secondary-stale", "ds-key-not-signing"]


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab(names=SCENARIOS) as running:
        yield running


@pytest.fixture(scope="module")
def anchor(lab: LabThread, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lab.anchor_file(tmp_path_factory.mktemp("anchor"))


def ds(
    lab: LabThread, anchor: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DOCTOR, "ds", *args, "--root-hints", lab.root_hints, "--trust-anchor", str(anchor),
         "--at", f"@{LAB_NOW}"],
        capture_output=True, text=True, timeout=60, check=False, input=stdin,
    )  # fmt: skip


def as_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in result.stderr, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def codes(data: dict[str, Any]) -> set[str]:
    return {f["code"] for f in data["findings"]}


def parent_ds(lab: LabThread, zone: str) -> list[str]:
    """The DS lines the lab's TLD serves for ``zone`` (from the plan, not from the tool)."""
    owner = dns.name.from_text(zone)
    lines = []
    for server in lab.plan.servers:
        for served in server.zones:
            if served.origin != "test.":
                continue
            for line in served.text.splitlines():
                fields = line.split()
                if len(fields) >= 5 and fields[0] == zone and "DS" in fields[1:4]:
                    rdata = fields[fields.index("DS") + 1 :]
                    rd = dns.rdata.from_text("IN", "DS", " ".join(rdata))
                    text = f"{owner} IN DS {DsRecord.from_rdata_wire(rd.to_digestable()).to_text()}"
                    lines.append(text)
    return sorted(set(lines))


def test_good_zone_prints_the_ds_to_upload(lab: LabThread, anchor: Path) -> None:
    result = ds(lab, anchor, "good-nsec.test")
    assert result.returncode == 0, result.stdout + result.stderr
    expected = parent_ds(lab, "good-nsec.test.")
    assert len(expected) == 1
    assert "DS to upload for good-nsec.test. (registry policy default)" in result.stdout
    assert f"  {expected[0]}\n" in result.stdout
    assert "already published at the parent" in result.stdout


def test_json_contract(lab: LabThread, anchor: Path) -> None:
    result = ds(lab, anchor, "good-nsec.test", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = as_json(result)
    assert data["format"] == "dnssec-doctor/diagnosis" and data["version"] == "1.0"
    assert data["name"] == "good-nsec.test." and data["status"] == "secure"
    assert data["at"] == "2027-01-15T08:00:00Z"
    assert data["findings"] == []
    pre = data["preflight"]
    assert pre["registry"]["name"] == "default"
    assert [u["record"] for u in pre["upload"]] == parent_ds(lab, "good-nsec.test.")
    upload = pre["upload"][0]
    assert upload["digest_type"] == 2 and upload["flags"] == 257
    assert upload["published_at_parent"] is True
    assert upload["dnskey"].startswith("good-nsec.test. IN DNSKEY 257 3 13 ")
    assert len(pre["servers"]) == 2 and pre["candidates"] == []
    assert all(set(k["served_by"]) == set(pre["servers"]) for k in pre["keys"])


def test_name_inside_the_zone_means_the_zone(lab: LabThread, anchor: Path) -> None:
    text = ds(lab, anchor, "www.good-nsec.test")
    assert "www.good-nsec.test. is not a zone apex" in text.stdout
    data = as_json(ds(lab, anchor, "www.good-nsec.test", "--format", "json"))
    assert data["name"] == "good-nsec.test." and data["preflight"]["asked"] == "www.good-nsec.test."
    assert [u["record"] for u in data["preflight"]["upload"]] == parent_ds(lab, "good-nsec.test.")


def test_checking_the_ds_that_works(lab: LabThread, anchor: Path) -> None:
    line = parent_ds(lab, "good-nsec.test.")[0]
    result = ds(lab, anchor, "good-nsec.test", "--ds-text", line.lower())
    assert result.returncode == 0, result.stdout
    assert "line 1: DS " in result.stdout and "would be accepted" in result.stdout


def test_stale_ds_is_rejected_with_the_replacement(lab: LabThread, anchor: Path) -> None:
    stale = parent_ds(lab, "ds-no-matching-key.test.")[0]
    result = ds(lab, anchor, "ds-no-matching-key.test", "--ds-text", stale, "--format", "json")
    assert result.returncode == 2
    data = as_json(result)
    assert {"DS_INPUT_NOT_IN_LIVE_ZONE", "DS_NO_MATCHING_DNSKEY"} <= codes(data)
    upload = data["preflight"]["upload"][0]["record"]
    mine = next(f for f in data["findings"] if f["code"] == "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert upload in mine["fix"] and mine["line"] == 1
    assert data["preflight"]["candidates"][0]["verdict"] == "rejected"
    for finding in data["findings"]:
        assert {"code", "severity", "zone", "servers", "title", "detail", "fix", "symptoms",
                "caused_by"} <= set(finding)  # fmt: skip
        if finding["severity"] in ("warning", "error", "critical"):
            assert finding["fix"]
        assert "ds-upload-rejected" in finding["symptoms"] or finding["code"].startswith("DS_")


def test_new_key_missing_on_the_stale_secondary(
    lab: LabThread, anchor: Path, tmp_path: Path
) -> None:
    info = next(s for s in lab.plan.scenarios if s.name == "secondary-stale")
    (stale_server,) = info.faulty_servers
    data = as_json(ds(lab, anchor, "secondary-stale.test", "--format", "json"))
    keys = data["preflight"]["keys"]
    new = next(k for k in keys if stale_server not in k["served_by"])
    rd = dns.rdata.from_text("IN", "DNSKEY", new["dnskey"].split(" DNSKEY ", 1)[1])
    digest = make_ds(dns.name.from_text("secondary-stale.test."), rd, 2)  # type: ignore[arg-type]
    path = tmp_path / "dsset-secondary-stale.test."
    path.write_text(f"secondary-stale.test. IN DS {digest.to_text()}\n")
    result = ds(lab, anchor, "secondary-stale.test", "--ds", str(path), "--format", "json")
    assert result.returncode == 2
    found = as_json(result)["findings"]
    missing = next(f for f in found if f["code"] == "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert missing["servers"] == [stale_server]
    assert "ZSK" in next(f for f in found if f["code"] == "DS_INPUT_WRONG_OWNER_OR_KEY")["detail"]


def test_ds_from_standard_input(lab: LabThread, anchor: Path) -> None:
    named = parent_ds(lab, "ds-key-not-signing.test.")[0]
    result = ds(lab, anchor, "ds-key-not-signing.test", "--ds", "-", stdin=named + "\n")
    assert result.returncode == 2
    assert "DS_INPUT_WRONG_OWNER_OR_KEY" in result.stdout
    assert "non-signing KSK" in result.stdout
    assert "would be rejected" in result.stdout


def test_sha1_is_a_policy_warning_unless_the_registry_is_legacy(
    lab: LabThread, anchor: Path
) -> None:
    data = as_json(ds(lab, anchor, "good-nsec.test", "--format", "json"))
    key_line = data["preflight"]["upload"][0]["dnskey"]
    rd = dns.rdata.from_text("IN", "DNSKEY", key_line.split(" DNSKEY ", 1)[1])
    sha1 = make_ds(dns.name.from_text("good-nsec.test."), rd, 1).to_text()  # type: ignore[arg-type]
    default = ds(lab, anchor, "good-nsec.test", "--ds-text", sha1)
    assert default.returncode == 1, default.stdout
    assert "DS_INPUT_REGISTRY_POLICY" in default.stdout
    assert (
        ds(lab, anchor, "good-nsec.test", "--ds-text", sha1, "--registry", "legacy").returncode == 0
    )


def test_dnskey_only_registry_prints_the_dnskey(lab: LabThread, anchor: Path) -> None:
    result = ds(lab, anchor, "good-nsec.test", "--registry", "dnskey-only")
    assert result.returncode == 0
    assert "DNSKEY to upload for good-nsec.test." in result.stdout
    assert "good-nsec.test. IN DNSKEY 257 3 13 " in result.stdout


def test_unreadable_input_still_prints_the_ds_to_upload(lab: LabThread, anchor: Path) -> None:
    result = ds(lab, anchor, "good-nsec.test", "--ds-text", "57555 13 2 NOT-HEX")
    assert result.returncode == 2
    assert "DS_INPUT_UNPARSEABLE" in result.stdout and "not hexadecimal" in result.stdout
    assert parent_ds(lab, "good-nsec.test.")[0] in result.stdout


def test_hostile_input_is_escaped(lab: LabThread, anchor: Path) -> None:
    evil = "57555 13 2 \x1b]0;pwned\x07\x1b[31mAB\u202e"
    text = ds(lab, anchor, "good-nsec.test", "--ds-text", evil)
    assert text.returncode == 2
    assert "\x1b" not in text.stdout and "\x07" not in text.stdout and "\u202e" not in text.stdout
    data = as_json(ds(lab, anchor, "good-nsec.test", "--ds-text", evil, "--format", "json"))
    assert "DS_INPUT_UNPARSEABLE" in codes(data)


def test_other_formats_carry_the_findings(lab: LabThread, anchor: Path) -> None:
    stale = parent_ds(lab, "ds-no-matching-key.test.")[0]
    nagios = ds(lab, anchor, "ds-no-matching-key.test", "--ds-text", stale, "--format", "nagios")
    assert nagios.returncode == 2 and "DS_INPUT_NOT_IN_LIVE_ZONE" in nagios.stdout
    html = ds(lab, anchor, "good-nsec.test", "--format", "html")
    assert html.returncode == 0 and html.stdout.lstrip().lower().startswith("<!doctype html")


def assert_one_line_error(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode == 3, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_missing_ds_file(lab: LabThread, anchor: Path, tmp_path: Path) -> None:
    result = ds(lab, anchor, "good-nsec.test", "--ds", str(tmp_path / "nope"))
    assert_one_line_error(result, "cannot read --ds file")


def test_unknown_registry(lab: LabThread, anchor: Path) -> None:
    assert_one_line_error(ds(lab, anchor, "good-nsec.test", "--registry", "nope"), "nope")


def test_ns_override_that_never_answers_is_reported(lab: LabThread, anchor: Path) -> None:
    result = ds(lab, anchor, "good-nsec.test", "--ns", "127.0.0.1:9", "--timeout", "0.2",
                "--format", "json")  # fmt: skip
    lame = next(f for f in as_json(result)["findings"] if f["code"] == "LAME_OR_NOT_AUTHORITATIVE")
    assert lame["servers"] == ["127.0.0.1:9"]
    assert result.returncode == 2


def test_nothing_answers(tmp_path: Path) -> None:
    anchor = tmp_path / "a.ds"
    anchor.write_text(". IN DS 1 13 2 " + "00" * 32 + "\n")
    result = subprocess.run(
        [*DOCTOR, "ds", "example.test", "--root-hints", "127.0.0.1:9", "--timeout", "0.2",
         "--trust-anchor", str(anchor)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert_one_line_error(result, "no root server answered")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_status_and_exit_code_agree(lab: LabThread, anchor: Path, scenario: str) -> None:
    """The status contract of `check` holds for `ds` too."""
    result = ds(lab, anchor, f"{scenario}.test", "--format", "json")
    data = as_json(result)
    if data["status"] not in ("secure", "insecure"):
        assert any(f["severity"] in ("error", "critical") for f in data["findings"]), data
        assert result.returncode >= 2
