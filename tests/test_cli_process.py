"""Process-level tuning of the console entry point: the garbage collector."""

from __future__ import annotations

import subprocess
import sys

import pytest

_REPORT_GC = (
    "import atexit, gc, sys\n"
    "atexit.register(lambda: print('gc-enabled', gc.isenabled(), file=sys.stderr))\n"
    "sys.argv = ['dnssec-doctor', *sys.argv[1:]]\n"
    "from dnssec_doctor.cli.entry import main\n"
    "main()\n"
)


def gc_enabled_after(*args: str) -> tuple[bool, str]:
    """Whether the collector was still on when the CLI process ended, and its stdout."""
    proc = subprocess.run(
        [sys.executable, "-c", _REPORT_GC, *args], capture_output=True, text=True, check=False
    )
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("gc-enabled")][-1]
    return line.endswith("True"), proc.stdout


def test_bounded_commands_run_without_the_cyclic_collector() -> None:
    enabled, out = gc_enabled_after("explain", "RRSIG_EXPIRED")
    assert not enabled
    assert "RRSIG_EXPIRED" in out  # and still do their work


@pytest.mark.parametrize("args", [("zone", "--help"), ("lab", "list"), ("--version",)])
def test_long_or_open_ended_commands_keep_it(args: tuple[str, ...]) -> None:
    enabled, _ = gc_enabled_after(*args)
    assert enabled
