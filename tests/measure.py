"""Run the command line in a child process under ``/usr/bin/time -v``: its peak memory.

Memory is a bound a test may assert (timings are not: the machine is shared). The
``time`` Debian package provides ``/usr/bin/time`` (``make test`` installs it).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

TIME = Path("/usr/bin/time")
PEAK = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
MEMORY_BOUND_KB = 300 * 1024
"""Peak resident memory any command may reach on hostile input."""


@dataclass(frozen=True, slots=True)
class Measured:
    """One child run: exit status, output, and peak resident set size."""

    exit_code: int
    stdout: str
    stderr: str
    peak_kb: int


def run_measured(*argv: str, cwd: Path | None = None, timeout: float = 300) -> Measured:
    """``dnssec-doctor ARGV…`` in a child process, measured by ``/usr/bin/time -v``."""
    with tempfile.NamedTemporaryFile(prefix="time-", suffix=".txt") as report:
        result = subprocess.run(
            [str(TIME), "-v", "-o", report.name, sys.executable, "-m", "dnssec_doctor", *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            check=False,
        )
        text = Path(report.name).read_text()
    match = PEAK.search(text)
    assert match, f"no peak memory in /usr/bin/time's report: {text!r}"
    return Measured(result.returncode, result.stdout, result.stderr, int(match.group(1)))
