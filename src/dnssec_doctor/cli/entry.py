"""The process's entry point: process-wide settings first, then the command line.

``dnssec-doctor`` and ``python -m dnssec_doctor`` start here, before anything heavy
is imported, because one setting only pays off when made that early:

- the cyclic garbage collector is off for commands whose work is bounded (one query
  budget, one capture): the few cycles they make die with the process, and the
  collector walking every imported module's objects again and again cost about a
  tenth of a check on a fast network (``zone`` with its millions of records, ``lab``
  and ``demo`` keep it).

At the end the remaining objects are frozen, so the interpreter's shutdown does not
walk them all once more (about 40 ms after a check).
"""

from __future__ import annotations

import gc
import sys

BOUNDED_COMMANDS = frozenset({"check", "probe", "ds", "explain"})
"""Commands that run without the cyclic garbage collector."""


def main() -> None:
    """Console-script entry point."""
    if len(sys.argv) > 1 and sys.argv[1] in BOUNDED_COMMANDS:
        gc.disable()
    from dnssec_doctor.cli.main import main as run_command_line

    try:
        run_command_line()
    finally:
        gc.freeze()
