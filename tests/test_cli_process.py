"""Process-level settings of the console entry point: the garbage collector, and the exit
status after a Ctrl-C under ``python -m``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


_CTRL_C_IN_GENERATED_CODE = (
    "from dnssec_doctor.cli import entry, main\n"
    "def interrupted_while_importing(argv):\n"
    "    # A real SIGINT, taken while code compiled from a string runs (the methods that\n"
    "    # dataclasses generates while a module is imported: scan's first finding).\n"
    "    exec('import os, signal\\nos.kill(os.getpid(), signal.SIGINT)\\nwhile True: pass')\n"
    "main._run = interrupted_while_importing\n"
    "entry.main()\n"
)


def test_ctrl_c_caught_in_generated_code_still_exits_3_under_python_m(tmp_path: Path) -> None:
    """CPython ends a ``python -m`` process by SIGINT when a KeyboardInterrupt left code
    compiled from a string, even one the program caught: the entry point must clear that,
    so that the interrupted command still says so in one line and exits 3."""
    (tmp_path / "ctrl_c_in_generated_code.py").write_text(_CTRL_C_IN_GENERATED_CODE)
    proc = subprocess.run(
        [sys.executable, "-m", "ctrl_c_in_generated_code", "explain", "RRSIG_EXPIRED"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (proc.returncode, proc.stderr) == (3, "dnssec-doctor: interrupted\n")
