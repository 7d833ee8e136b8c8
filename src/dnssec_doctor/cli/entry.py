"""The process's entry point: process-wide settings first, then the command line.

``dnssec-doctor`` and ``python -m dnssec_doctor`` start here, before anything heavy
is imported, because one setting only pays off when made that early:

- the cyclic garbage collector is off for commands whose work is bounded (one query
  budget, one capture): the few cycles they make die with the process, and the
  collector walking every imported module's objects again and again cost about a
  tenth of a check on a fast network (``zone`` with its millions of records, ``lab``
  and ``demo`` keep it).

At the end the remaining objects are frozen, so the interpreter's shutdown does not
walk them all once more (about 40 ms after a check), and CPython's memory of a caught
Ctrl-C is cleared (:func:`_forget_caught_interrupt`), so that ``python -m dnssec_doctor``
ends with the status the command chose.
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
        _forget_caught_interrupt()
        gc.freeze()


def _forget_caught_interrupt() -> None:
    """Clear CPython's mark of an "uncaught" KeyboardInterrupt, which ``cli.main`` caught.

    CPython marks a KeyboardInterrupt that ends code compiled from a string (``exec`` of
    source text: the methods ``dataclasses`` generates while a module is imported) as
    uncaught even when a caller catches it, and under ``python -m`` then ends the process
    by SIGINT after the interpreter's shutdown (``Py_RunMain``, the convention of
    bpo-1054041), whatever status the command chose: a Ctrl-C that arrived while
    ``scan`` imported the catalog to read a worker's first finding ended the process by
    SIGINT, not with ``interrupted`` and exit 3. Each such evaluation clears the mark as
    it starts, so an empty one clears it; a KeyboardInterrupt that really escapes sets
    it again afterwards (``pymain_run_module``).
    """
    exec("")
