"""Start an embedded lab for a test module (fixed build time and keys)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import labbases
from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.scenarios import build_lab

LabThread = BackgroundLab

LAB_NOW = 1_800_000_000
"""The lab's build time in tests (2027-01-15): signatures are relative to it."""
LAB_SEED = 7
"""The seed of the tests' lab keys (and of the recorded golden cases)."""


def start_lab(names: Sequence[str] | None = None, base: str = labbases.EMBEDDED) -> BackgroundLab:
    """A lab of the given scenarios (all by default), built at LAB_NOW with fixed keys, on
    the tests' own addresses by default (not those of a running `lab up`)."""
    return BackgroundLab(build_lab(LAB_NOW, base=base, seed=LAB_SEED, names=names))


def doctor(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter (exit codes and stderr as a user sees them)."""
    return subprocess.run(
        [sys.executable, "-m", "dnssec_doctor", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def probe_to_file(lab: BackgroundLab, scenario: str, directory: Path) -> Path:
    """`dnssec-doctor probe` of one lab scenario; the capture file's path."""
    anchor = lab.anchor_file(directory)
    path = directory / f"{scenario}.capture.json"
    result = doctor(
        "probe", f"{scenario}.test", "-o", str(path), "--root-hints", lab.root_hints,
        "--trust-anchor", str(anchor), "--timeout", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return path
