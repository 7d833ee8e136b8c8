"""`scan` end to end against the embedded lab on loopback.

Every scenario scanned at once gets what `check` says of it alone (status and root
causes); the capture behind each scan result replays exactly (so `check --replay` of
it would agree); bad input, a silent server, --resume and Ctrl-C leave a valid output.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dns.name
import pytest

import labbases
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.capture import Capture
from dnssec_doctor.probe.collect import collect
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.scan.config import ScanConfig
from dnssec_doctor.scan.inputs import InputItem
from dnssec_doctor.scan.records import Record
from dnssec_doctor.scan.runner import scan_items
from dnssec_doctor.scan.threaded import inline
from dnssec_doctor.session import diagnose_capture, probe_live, request_from_capture
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.replay import ReplayWire
from labthread import LAB_NOW, LabThread, start_lab

AT = "2027-01-15T08:00:00Z"
assert LAB_NOW == 1_800_000_000  # AT in ISO 8601


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab() as running:
        yield running


@pytest.fixture(scope="module")
def anchor(lab: LabThread, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lab.anchor_file(tmp_path_factory.mktemp("anchor"))


def scenario_names(lab: LabThread) -> list[str]:
    return [info.query_name or info.zone for info in lab.plan.scenarios]


def scan(lab: LabThread, anchor: Path, *args: str, hints: str | None = None,
         stdin: str | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`dnssec-doctor scan` in a fresh interpreter (its process pool, exit status, stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "dnssec_doctor", "scan", *args,
         "--root-hints", hints or lab.root_hints, "--trust-anchor", str(anchor), "--at", AT],
        input=stdin, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def records(path: Path) -> list[Record]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def check_alone(lab: LabThread, name: str) -> tuple[str, list[str]]:
    """What `check NAME` says with check's defaults (status, root-cause codes)."""
    request = ProbeRequest(
        name=dns.name.from_text(name),
        root_hints=lab.plan.root_hints,
        trust_anchors=anchors_from_lines(lab.plan.trust_anchor_ds),
        seed="test",
        limits=Limits(query_timeout=2.0),
    )
    capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
    diagnosis = diagnose_capture(capture, LAB_NOW)
    return diagnosis.status, sorted({f.code for f in diagnosis.root_causes()})


def test_scan_of_every_scenario_equals_check_one_by_one(
    lab: LabThread, anchor: Path, tmp_path: Path
) -> None:
    names = scenario_names(lab)
    listing = tmp_path / "names.txt"
    listing.write_text("\n".join(names) + "\n")
    out = tmp_path / "out.jsonl"
    result = scan(lab, anchor, str(listing), "-o", str(out), "--concurrency", "8",
                  "--rate", "500", "--workers", "2")  # fmt: skip
    assert result.returncode == 2, result.stderr  # some scenarios are bogus
    got = {r["name"]: (r["status"], r["root_causes"]) for r in records(out)}
    assert list(got) == [dns.name.from_text(n).to_text() for n in names]  # input order
    differences = {}
    for name in names:
        alone = check_alone(lab, name)
        if got[dns.name.from_text(name).to_text()] != alone:
            differences[name] = (got[dns.name.from_text(name).to_text()], alone)
    assert not differences
    assert "answers shared between names" in result.stderr


def test_each_scan_capture_replays_exactly(lab: LabThread) -> None:
    """The shared wire numbers each name's attempts as a replay does: nothing missing,
    nothing left over, and the replayed diagnosis is the scan's."""
    names = ["good-nsec.test.", "good-nsec3.test.", "lame-server.test.", "secondary-stale.test."]
    config = ScanConfig(
        root_hints=tuple(str(a) for a in lab.plan.root_hints),
        trust_anchors=tuple(lab.plan.trust_anchor_ds),
        now=LAB_NOW,
        seed="scan",
        limits=Limits(query_timeout=1.0),
        rate=500,
    )
    captures: list[Capture] = []
    written: list[Record] = []
    items = [InputItem(i, n, name=n) for i, n in enumerate(names, start=1)]
    stats = asyncio.run(scan_items(items, config, written.append, inline(config),
                                   keep_capture=lambda c, _: captures.append(c)))  # fmt: skip
    assert stats.reused > 0  # the root and the TLD were asked once for all four names
    by_name = {r["name"]: r for r in written}
    for capture in captures:
        wire = ReplayWire(capture)
        request = request_from_capture(capture)
        client = Client(wire, limits=request.limits, policy=AddressPolicy.permissive(),
                        enforce_budget=False)  # fmt: skip
        asyncio.run(collect(client, request))
        assert wire.missing == [] and wire.unused() == 0, capture.name
        replayed = diagnose_capture(capture, LAB_NOW)
        assert replayed.status == by_name[capture.name]["status"]
        assert (
            sorted({f.code for f in replayed.root_causes()}) == by_name[capture.name]["root_causes"]
        )


def test_bad_lines_duplicates_and_csv(lab: LabThread, anchor: Path, tmp_path: Path) -> None:
    listing = tmp_path / "customers.csv"
    listing.write_text(
        "# exported\ncustomer,name\nacme,good-nsec.test\nevil,=x.good-nsec.test\n"
        "dup,GOOD-NSEC.test.\nbroken,bad..name\nlong," + "a" * 300 + ".test\n"
        "bad,expired-signatures.test\n"
    )
    out = tmp_path / "out.csv"
    result = scan(lab, anchor, str(listing), "-o", str(out), "--format", "csv",
                  "--timeout", "1")  # fmt: skip
    assert result.returncode == 2, result.stderr
    rows = out.read_text().splitlines()
    assert rows[0] == "line,name,status,worst_severity,root_causes,earliest_expiry,exit,error"
    cells = {int(r.split(",")[0]): r for r in rows[1:]}
    assert sorted(cells) == [3, 4, 5, 6, 7, 8]  # one row per meaningful line, header skipped
    assert cells[3].startswith("3,good-nsec.test.,secure,")
    assert cells[4].startswith("4,'=x.good-nsec.test.,")  # a formula opening, neutralised
    assert cells[5].endswith("duplicate of line 3")
    assert ",error," in cells[6] and ",3," in cells[6]
    assert ",error," in cells[7]
    assert cells[8].startswith("8,expired-signatures.test.,bogus,critical,RRSIG_EXPIRED,")
    # the earliest expiry is the one that broke the zone, in the past, as Nagios and
    # Prometheus show it (it was the parent's, weeks ahead: valid signatures only)
    assert cells[8].split(",")[5] < AT < cells[3].split(",")[5]
    assert "1 duplicate" in result.stderr and "RRSIG_EXPIRED" in result.stderr


def test_empty_input_is_exit_3_and_an_empty_output(
    lab: LabThread, anchor: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    result = scan(lab, anchor, "-", "-o", str(out), stdin="# nothing\n\n")
    assert result.returncode == 3
    assert out.read_text() == ""
    assert "the input held no names" in result.stderr


def test_names_whose_servers_all_hang_end_as_records(
    lab: LabThread, anchor: Path, tmp_path: Path
) -> None:
    """Root hints at a socket that never answers: every name is an error record (exit 3:
    nothing could be diagnosed) within its deadline, never a stuck scan."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind((f"{labbases.EMBEDDED}.250.250", 0))
    address = f"{silent.getsockname()[0]}:{silent.getsockname()[1]}"
    try:
        out = tmp_path / "out.jsonl"
        result = scan(lab, anchor, "-", "-o", str(out), "--timeout", "0.3", "--deadline", "2",
                      hints=address, stdin="a.test\nb.test\n")  # fmt: skip
    finally:
        silent.close()
    assert result.returncode == 3, result.stderr
    got = records(out)
    assert [(r["name"], r["status"]) for r in got] == [("a.test.", "error"), ("b.test.", "error")]
    assert all("no server answered" in r["error"] for r in got)
    assert "Traceback" not in result.stderr


def test_resume_continues_and_reports_each_line_once(
    lab: LabThread, anchor: Path, tmp_path: Path
) -> None:
    names = ["good-nsec.test.", "unsigned.test.", "expired-signatures.test.", "sha1-only-ds.test."]
    listing = tmp_path / "names.txt"
    listing.write_text("\n".join(names) + "\n")
    out = tmp_path / "out.jsonl"
    first = scan(lab, anchor, str(listing), "-o", str(out), "--timeout", "1")
    assert first.returncode == 2, first.stderr
    whole = out.read_text().splitlines()
    # As a crash leaves it: two whole records and half of the third.
    out.write_text(whole[0] + "\n" + whole[1] + "\n" + whole[2][: len(whole[2]) // 2])
    again = scan(lab, anchor, str(listing), "-o", str(out), "--timeout", "1", "--resume")
    assert again.returncode == 2, again.stderr  # the resumed records count too
    got = records(out)
    assert [r["line"] for r in got] == [1, 2, 3, 4]
    assert [r["status"] for r in got] == [json.loads(x)["status"] for x in whole]
    assert "this run: 2 names" in again.stderr


def test_ctrl_c_leaves_a_valid_partial_output(lab: LabThread, anchor: Path, tmp_path: Path) -> None:
    listing = tmp_path / "names.txt"
    listing.write_text("\n".join(scenario_names(lab)) + "\n")
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "dnssec_doctor", "scan", str(listing), "-o", str(out),
         "--root-hints", lab.root_hints, "--trust-anchor", str(anchor), "--at", AT,
         "--rate", "5", "--concurrency", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        limit = time.monotonic() + 120
        while time.monotonic() < limit and (not out.exists() or out.read_text().count("\n") < 1):
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 3
    assert "Traceback" not in stderr and "interrupted" in stderr
    lines = out.read_text().splitlines()
    assert lines and out.read_text().endswith("\n")
    assert len(lines) < len(scenario_names(lab))
    assert all(json.loads(line)["name"] for line in lines)


def _worker_catching_sigint(parent: int) -> bool:
    """Whether a worker process of ``parent`` (multiprocessing's spawn child) has
    Python's SIGINT handler installed: it is importing, not yet ignoring Ctrl-C."""
    sigint = 1 << (signal.SIGINT - 1)
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            command = (status.parent / "cmdline").read_bytes()
        except OSError:  # it ended meanwhile
            continue
        if f"\nPPid:\t{parent}\n" not in text or b"spawn_main" not in command:
            continue
        fields = dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
        if int(fields["SigCgt"], 16) & sigint:
            return True
    return False


def test_ctrl_c_in_a_terminal_while_the_workers_start_is_one_line(
    lab: LabThread, anchor: Path, tmp_path: Path
) -> None:
    """A terminal's Ctrl-C reaches the whole process group: a worker still importing
    (Python's SIGINT handler installed, its own SIG_IGN not yet) must not print a
    traceback of its own beside the scanning process's one line."""
    listing = tmp_path / "names.txt"
    listing.write_text("\n".join(scenario_names(lab)) + "\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "dnssec_doctor", "scan", str(listing), "-o", str(tmp_path / "o"),
         "--root-hints", lab.root_hints, "--trust-anchor", str(anchor), "--at", AT,
         "--rate", "5", "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        limit = time.monotonic() + 60
        while time.monotonic() < limit and not _worker_catching_sigint(process.pid):
            time.sleep(0.001)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    assert (process.returncode, stderr) == (3, "dnssec-doctor: interrupted\n")


def test_saved_captures_replay_to_the_scan_results(
    lab: LabThread, anchor: Path, tmp_path: Path
) -> None:
    """`scan --save-captures DIR`, then `check --replay` of each file: the same verdict."""
    names = ["good-nsec.test.", "ds-no-matching-key.test.", "middlebox-drop-do.test."]
    out, captures = tmp_path / "out.jsonl", tmp_path / "captures"
    result = scan(lab, anchor, "-", "-o", str(out), "--save-captures", str(captures),
                  stdin="\n".join(names) + "\n")  # fmt: skip
    assert result.returncode == 2, result.stderr
    files = sorted(captures.iterdir())
    assert [f.name for f in files] == [
        "00000001-good-nsec.test.capture.json.gz",
        "00000002-ds-no-matching-key.test.capture.json.gz",
        "00000003-middlebox-drop-do.test.capture.json.gz",
    ]
    for record, path in zip(records(out), files, strict=True):
        replay = subprocess.run(
            [sys.executable, "-m", "dnssec_doctor", "check", "--replay", str(path),
             "--at", AT, "--format", "json"],
            capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
        assert replay.returncode == record["exit"], replay.stderr
        diagnosis = json.loads(replay.stdout)
        roots = sorted({f["code"] for f in diagnosis["findings"] if f["root_cause"]})
        assert (diagnosis["status"], roots) == (record["status"], record["root_causes"])
