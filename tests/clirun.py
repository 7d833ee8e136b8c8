"""Run the ``dnssec-doctor`` command line inside the test's process, as a user would.

The command line is ``cli.main.main`` with an argument list: what it prints to
stdout and stderr is captured, and its exit status is returned, exactly as the
console entry point would end the process (usage errors: one line, status 3).
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

from dnssec_doctor.cli.main import main


@dataclass(frozen=True, slots=True)
class Run:
    """One run's exit status and what it printed."""

    exit_code: int
    stdout: str
    stderr: str


def invoke(*argv: str) -> Run:
    """Run ``dnssec-doctor ARGV…`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(argv))
        except SystemExit as exc:
            code = exc.code
        else:  # main always exits; a return would be a bug of its own
            raise AssertionError("cli.main.main returned instead of exiting")
    status = code if isinstance(code, int) else 0 if code is None else 1
    return Run(status, out.getvalue(), err.getvalue())
