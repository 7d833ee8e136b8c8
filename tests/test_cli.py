"""The CLI contract: bad input is one line on stderr and exit 3; probe and replay round trip."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.transport.sockets import SocketWire
from labbases import EMBEDDED
from labthread import LAB_NOW, LabThread, start_lab

DOCTOR = [sys.executable, "-m", "dnssec_doctor"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DOCTOR, *args], capture_output=True, text=True, timeout=60, cwd=cwd, check=False
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode == 3, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_invalid_name(tmp_path: Path) -> None:
    anchor = tmp_path / "a.ds"
    anchor.write_text(". IN DS 1 13 2 " + "00" * 32 + "\n")
    result = run("check", "bad..name", "--root-hints", "127.0.0.1", "--trust-anchor", str(anchor))
    assert_one_line_error(result, "invalid name")


def test_name_with_terminal_escape_is_escaped_in_the_error(tmp_path: Path) -> None:
    result = run("check", "evil\x1b[31m..x", "--root-hints", "127.0.0.1")
    assert result.returncode == 3
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "nagios"])
def test_no_root_server_answers_is_exit_3_not_a_verdict(tmp_path: Path, fmt: str) -> None:
    """A machine with no network (every root server silent) gets the likely cause, not
    INDETERMINATE and exit 2: nothing was reachable, so there is nothing to diagnose."""
    anchor = tmp_path / "a.ds"
    anchor.write_text(". IN DS 1 13 2 " + "00" * 32 + "\n")
    silent = f"{EMBEDDED}.250.1:9,{EMBEDDED}.250.2:9"  # nothing listens there
    result = run("check", "example.test", "--root-hints", silent, "--timeout", "0.2",
                 "--trust-anchor", str(anchor), "--format", fmt)  # fmt: skip
    assert_one_line_error(result, "no root server answered")
    assert "is this machine offline, or is port 53 blocked?" in result.stderr
    assert "(0 queries" not in result.stderr  # the silent root servers were asked
    if fmt == "nagios":  # a monitoring system reads stdout: the same words, as UNKNOWN
        assert result.stdout.startswith("DNSSEC UNKNOWN - no root server answered (")
    else:
        assert result.stdout == ""


def test_unreadable_trust_anchor(tmp_path: Path) -> None:
    result = run("check", "example.test", "--trust-anchor", str(tmp_path / "missing.ds"))
    assert_one_line_error(result, "cannot read trust anchor file")


def test_malformed_trust_anchor(tmp_path: Path) -> None:
    anchor = tmp_path / "bad.ds"
    anchor.write_text(". IN DS not-a-number 13 2 ZZ\n")
    result = run("check", "example.test", "--trust-anchor", str(anchor))
    assert_one_line_error(result, f"{anchor}:1")


def test_trust_anchor_of_the_wrong_type(tmp_path: Path) -> None:
    anchor = tmp_path / "a.txt"
    anchor.write_text('. IN TXT "hello"\n')
    result = run("check", "example.test", "--trust-anchor", str(anchor))
    assert_one_line_error(result, "expected a DS or DNSKEY record")


def test_unknown_option() -> None:
    assert_one_line_error(run("check", "example.test", "--no-such-option"), "no-such-option")


def test_unknown_command() -> None:
    assert_one_line_error(run("frobnicate"), "frobnicate")


def test_bad_time() -> None:
    assert_one_line_error(run("check", "--replay", "x.json", "--at", "yesterday-ish"), "time")


def test_bad_server_address() -> None:
    assert_one_line_error(run("check", "example.test", "--ns", "not-an-ip"), "not an IP")


def test_replay_of_a_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(run("check", "--replay", str(tmp_path / "x.json")), "cannot read")


def test_replay_of_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.json"
    path.write_bytes(b"\x00\xff{not json")
    assert_one_line_error(run("check", "--replay", str(path)), "cannot read capture")


def test_replay_of_json_that_is_not_a_capture(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something-else"}))
    assert_one_line_error(run("check", "--replay", str(path)), "not a dnssec-doctor capture")


def test_explain_unknown_code() -> None:
    assert_one_line_error(run("explain", "NO_SUCH_CODE"), "unknown problem code")


def test_explain_known_code() -> None:
    result = run("explain", "ds_no_matching_dnskey")
    assert result.returncode == 0
    assert "DS_NO_MATCHING_DNSKEY" in result.stdout
    assert "Fix:" in result.stdout


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab(names=["good-nsec", "ds-no-matching-key"]) as running:
        yield running


def test_probe_then_replay_without_network(
    lab: LabThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anchor = lab.anchor_file(tmp_path)
    capture_path = tmp_path / "capture.json"
    result = run(
        "probe", "ds-no-matching-key.test", "-o", str(capture_path),
        "--root-hints", lab.root_hints, "--trust-anchor", str(anchor),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    capture = load_capture(capture_path)
    asked = {e.server for e in capture.exchanges}
    # every server of the chain: two roots, two TLD servers, two of the zone
    base = EMBEDDED
    assert {f"{base}.0.1", f"{base}.0.2", f"{base}.1.1", f"{base}.1.2"} <= asked
    assert len([a for a in asked if a.startswith(f"{base}.2")]) == 2
    assert "wrote" in result.stderr

    # Replay in this process with every way of sending forbidden: no network is touched.
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("replay tried to use the network")

    monkeypatch.setattr(SocketWire, "send", no_network)
    monkeypatch.setattr(asyncio, "open_connection", no_network)
    monkeypatch.setattr(asyncio.BaseEventLoop, "create_datagram_endpoint", no_network)
    monkeypatch.setattr(asyncio.BaseEventLoop, "create_connection", no_network)
    from dnssec_doctor.session import diagnose_capture

    diagnosis = diagnose_capture(capture, LAB_NOW)
    assert diagnosis.status == "bogus"
    assert "DS_NO_MATCHING_DNSKEY" in {f.code for f in diagnosis.root_causes()}


def test_check_replay_json_contract(lab: LabThread, tmp_path: Path) -> None:
    anchor = lab.anchor_file(tmp_path)
    capture_path = tmp_path / "capture.json"
    result = run(
        "check", "ds-no-matching-key.test", "--save-capture", str(capture_path),
        "--root-hints", lab.root_hints, "--trust-anchor", str(anchor), "--at", f"@{LAB_NOW}",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    live = json.loads(result.stdout)
    replay = run("check", "--replay", str(capture_path), "--at", f"@{LAB_NOW}", "--format", "json")
    assert replay.returncode == 2
    replayed = json.loads(replay.stdout)
    assert replayed == live
    assert live["format"] == "dnssec-doctor/diagnosis"
    assert live["version"] == "1.0"
    assert live["status"] == "bogus"
    for finding in live["findings"]:
        assert {"code", "severity", "zone", "servers", "title", "detail", "fix", "symptoms",
                "caused_by"} <= set(finding)  # fmt: skip
        if finding["severity"] in ("warning", "error", "critical"):
            assert finding["fix"]


def test_good_zone_exits_zero(lab: LabThread, tmp_path: Path) -> None:
    anchor = lab.anchor_file(tmp_path)
    result = run(
        "check", "good-nsec.test", "--root-hints", lab.root_hints,
        "--trust-anchor", str(anchor), "--at", f"@{LAB_NOW}",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SECURE" in result.stdout


def test_ns_override_replaces_the_delegation(lab: LabThread, tmp_path: Path) -> None:
    anchor = lab.anchor_file(tmp_path)
    result = run(
        "check", "good-nsec.test", "--ns", f"{EMBEDDED}.10.1", "--root-hints", lab.root_hints,
        "--trust-anchor", str(anchor), "--at", f"@{LAB_NOW}", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "secure"
    target = data["zones"][-1]
    assert target["name"] == "good-nsec.test."
    assert target["servers"] == [f"{EMBEDDED}.10.1"]


def test_ns_override_that_serves_nothing_for_the_name(lab: LabThread, tmp_path: Path) -> None:
    anchor = lab.anchor_file(tmp_path)
    result = run(
        "check", "ds-no-matching-key.test", "--ns", f"{EMBEDDED}.10.1", "--root-hints",
        lab.root_hints, "--trust-anchor", str(anchor), "--at", f"@{LAB_NOW}", "--format", "json",
    )  # fmt: skip
    data = json.loads(result.stdout)
    lame = [f for f in data["findings"] if f["code"] == "LAME_OR_NOT_AUTHORITATIVE"]
    assert lame and f"{EMBEDDED}.10.1" in lame[0]["servers"]
