"""`scan --dask` on a real Dask cluster on loopback: Dask's own `dask scheduler` and two
`dask worker` processes; one worker is killed mid-scan and every name is still reported
exactly once, with the results of a single-process scan. `--dask local:2` too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from dnssec_doctor.model.capture import load_capture
from labthread import LabThread, start_lab
from scanscenarios import SCENARIOS, outcome

AT = "2027-01-15T08:00:00Z"
DASK = str(Path(sys.executable).parent / "dask")


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab(SCENARIOS) as running:
        yield running


@pytest.fixture(scope="module")
def setup(lab: LabThread, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the trust anchor, a list of every scenario's name)."""
    directory = tmp_path_factory.mktemp("scan-dask")
    listing = directory / "names.txt"
    names = [info.query_name or info.zone for info in lab.plan.scenarios]
    listing.write_text("\n".join(names) + "\nnot..a.name\n")
    return lab.anchor_file(directory), listing


def scan_command(lab: LabThread, anchor: Path, listing: Path, out: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "dnssec_doctor", "scan", str(listing), "-o", str(out),
            "--root-hints", lab.root_hints, "--trust-anchor", str(anchor), "--at", AT,
            "--timeout", "2", *args]  # fmt: skip


@pytest.fixture(scope="module")
def single(lab: LabThread, setup: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
           ) -> list[tuple[int, str, str, object]]:  # fmt: skip
    """The single-process scan every Dask scan must equal."""
    anchor, listing = setup
    out = tmp_path_factory.mktemp("single") / "out.jsonl"
    result = subprocess.run(scan_command(lab, anchor, listing, out, "--concurrency", "8"),
                            capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert result.returncode == 2, result.stderr
    return outcome(out)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(predicate: object, what: str, seconds: float = 120) -> None:
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_scan_loses_no_name(
    lab: LabThread, setup: tuple[Path, Path], single: list[tuple[int, str, str, object]],
    tmp_path: Path,
) -> None:  # fmt: skip
    anchor, listing = setup
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    processes: list[subprocess.Popen[bytes]] = []
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    handles: list[BinaryIO] = []
    try:
        scheduler_log = (tmp_path / "scheduler.log").open("wb")
        handles.append(scheduler_log)
        processes.append(subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
             "--no-dashboard"], stdout=scheduler_log, stderr=scheduler_log, env=env))  # fmt: skip
        for log in logs:
            handle = log.open("wb")
            handles.append(handle)
            processes.append(subprocess.Popen(
                [DASK, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                 "--memory-limit", "0", "--host", "127.0.0.1"],
                stdout=handle, stderr=handle, env=env))  # fmt: skip
        for log in logs:
            wait_for(lambda log=log: b"Registered to" in log.read_bytes(), f"{log.name}")
        out = tmp_path / "out.jsonl"
        scan = subprocess.Popen(
            scan_command(lab, anchor, listing, out, "--dask", address, "--batch-size", "2",
                         "--rate", "40", "--concurrency", "2"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        wait_for(lambda: out.exists() and out.read_text().count("\n") >= 2, "first records")
        victim = processes[1]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        written_before_the_kill = out.read_text().count("\n")
        _, stderr = scan.communicate(timeout=300)
        assert scan.returncode == 2, stderr
        got = outcome(out)
        assert written_before_the_kill < len(single)  # the kill was mid-scan
        assert [line for line, *_ in got] == [line for line, *_ in single]  # each line once
        assert got == single
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for handle in handles:
            handle.close()


def test_dask_local_equals_a_single_process_scan(
    lab: LabThread, setup: tuple[Path, Path], single: list[tuple[int, str, str, object]],
    tmp_path: Path,
) -> None:  # fmt: skip
    anchor, listing = setup
    out, captures = tmp_path / "out.jsonl", tmp_path / "captures"
    result = subprocess.run(
        scan_command(lab, anchor, listing, out, "--dask", "local:2", "--batch-size", "4",
                     "--concurrency", "4", "--unordered", "--save-captures", str(captures)),
        capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert sorted(outcome(out)) == single
    assert "Traceback" not in result.stderr
    # The workers saved the capture of every probed name (not the malformed last line).
    probed = {line: name for line, name, _, _ in single if name != "not..a.name"}
    saved = {int(f.name[:8]): load_capture(f).name for f in captures.iterdir()}
    assert saved == probed
