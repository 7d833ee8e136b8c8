"""`scan` with worker processes that each probe and analyse (`--workers N`, the default)
against the embedded lab on loopback: the same records as everything in one process,
in input order or not, and a worker killed mid-scan loses no name and repeats none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from labthread import LabThread, start_lab
from scanscenarios import SCENARIOS, Outcome, outcome

AT = "2027-01-15T08:00:00Z"


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab(SCENARIOS) as running:
        yield running


@pytest.fixture(scope="module")
def setup(lab: LabThread, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the trust anchor, a list of every scenario's name, a bad line and a repeat)."""
    directory = tmp_path_factory.mktemp("scan-processes")
    listing = directory / "names.txt"
    names = [info.query_name or info.zone for info in lab.plan.scenarios]
    listing.write_text("\n".join(names) + "\nnot..a.name\n" + names[0] + "\n")
    return lab.anchor_file(directory), listing


def command(lab: LabThread, setup: tuple[Path, Path], out: Path, *args: str) -> list[str]:
    anchor, listing = setup
    return [sys.executable, "-m", "dnssec_doctor", "scan", str(listing), "-o", str(out),
            "--root-hints", lab.root_hints, "--trust-anchor", str(anchor), "--at", AT,
            "--timeout", "2", *args]  # fmt: skip


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def in_one_process(
    lab: LabThread, setup: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Outcome:
    """Probing and analysis in the scanning process: what the workers must equal."""
    out = tmp_path_factory.mktemp("one") / "out.jsonl"
    result = run(command(lab, setup, out, "--workers", "0", "--concurrency", "8"))
    assert result.returncode == 2, result.stderr
    got = outcome(out)
    assert len(got) == len(SCENARIOS) + 2  # every line once: the bad one, the repeat
    return got


def test_two_workers_equal_one_process_in_input_order(
    lab: LabThread, setup: tuple[Path, Path], in_one_process: Outcome, tmp_path: Path
) -> None:
    """Catches: records lost or repeated between processes, the order broken, a worker's
    results differing (its share of the rate, its own shared answers)."""
    out = tmp_path / "out.jsonl"
    result = run(command(lab, setup, out, "--workers", "2", "--concurrency", "4"))
    assert result.returncode == 2, result.stderr
    assert outcome(out) == in_one_process
    assert "answers shared between names" in result.stderr


def test_unordered_writes_each_line_once_with_the_same_result(
    lab: LabThread, setup: tuple[Path, Path], in_one_process: Outcome, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    result = run(command(lab, setup, out, "--workers", "2", "--unordered"))
    assert result.returncode == 2, result.stderr
    assert sorted(outcome(out)) == in_one_process


def _workers_of(pid: int) -> list[int]:
    """The scan's worker processes (spawned children; not the resource tracker)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in cmdline:
                found.append(int(child))
    return found


def test_a_worker_killed_mid_scan_loses_no_name(
    lab: LabThread, setup: tuple[Path, Path], in_one_process: Outcome, tmp_path: Path
) -> None:
    """Catches: a dead worker's names never written (the scan hanging or ending short),
    written twice (handed again after their records came), or the scan dying with it."""
    out = tmp_path / "out.jsonl"
    scan = subprocess.Popen(
        command(lab, setup, out, "--workers", "2", "--rate", "20", "--concurrency", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        limit = time.monotonic() + 120
        while time.monotonic() < limit and (not out.exists() or out.read_text().count("\n") < 2):
            time.sleep(0.05)
        workers = _workers_of(scan.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        written_before_the_kill = out.read_text().count("\n")
        _, stderr = scan.communicate(timeout=300)
    finally:
        scan.kill()
        scan.wait()
    assert scan.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert written_before_the_kill < len(in_one_process)  # the kill was mid-scan
    assert outcome(out) == in_one_process  # each line once, with the same result


def test_a_capture_a_worker_cannot_write_stops_the_scan_in_one_line(
    lab: LabThread, setup: tuple[Path, Path], tmp_path: Path
) -> None:
    """A link planted where a worker writes a capture: the safe writer refuses it in the
    worker, and the scan stops with that one line (exit 3), its output whole, the
    link's target untouched. Catches: the worker's error swallowed (a scan that goes
    on without the captures asked for), a traceback, or a hang waiting for the worker."""
    captures = tmp_path / "captures"
    captures.mkdir()
    target = tmp_path / "precious"
    target.write_text("keep me\n")
    (captures / "00000001-good-nsec.test.capture.json.gz").symlink_to(target)
    out = tmp_path / "out.jsonl"
    result = run(command(lab, setup, out, "--workers", "2", "--save-captures", str(captures)))
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("dnssec-doctor: ") == 1, result.stderr
    assert "00000001-good-nsec.test.capture.json.gz" in result.stderr
    assert target.read_text() == "keep me\n"
    text = out.read_text()
    assert text == "" or text.endswith("\n")


def test_workers_end_when_the_scanning_process_is_killed(
    lab: LabThread, setup: tuple[Path, Path], tmp_path: Path
) -> None:
    """Catches: orphaned workers (the scan killed with SIGKILL, or by a SIGTERM that runs
    no clean-up) waiting for names forever, or probing on for nobody."""
    out = tmp_path / "out.jsonl"
    scan = subprocess.Popen(
        command(lab, setup, out, "--workers", "2", "--rate", "5", "--concurrency", "2"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        limit = time.monotonic() + 120
        while time.monotonic() < limit and len(_workers_of(scan.pid)) < 2:
            time.sleep(0.05)
        workers = _workers_of(scan.pid)
        assert len(workers) == 2
        scan.kill()
        scan.wait()
        limit = time.monotonic() + 30
        while time.monotonic() < limit and any(_alive(pid) for pid in workers):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers)
    finally:
        scan.kill()
        scan.wait()


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (an exited orphan is reaped by init; a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_stopping_a_worker_whose_start_was_interrupted_is_quiet() -> None:
    # Ctrl-C while a replacement worker was being started leaves a process object never
    # started: stopping must pass it by (join() asserted, and the scan said "internal
    # error" instead of "interrupted") and still close its inbox.
    from types import SimpleNamespace

    from dnssec_doctor.scan.procpool import _Pool

    config = SimpleNamespace(concurrency=1)  # all a pool reads before it starts workers
    pool = _Pool(config, 1, lambda _record: None, True, None)  # type: ignore[arg-type]
    worker = pool._workers[0]
    worker.process = pool._context.Process(target=print)
    worker.inbox = pool._context.Queue()
    pool._stop_all()
    assert worker.process.pid is None
    assert worker.inbox._closed
