"""``dnssec-doctor``: the command group and the one place that maps failures to exit 3."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from dnssec_doctor import __version__
from dnssec_doctor.cli.args import Command, Group, UsageError
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.escape import terminal
from dnssec_doctor.model.severity import EXIT_CANNOT_DIAGNOSE

COMMANDS: dict[str, str] = {
    "check": "dnssec_doctor.cli.check:check",
    "probe": "dnssec_doctor.cli.check:probe",
    "zone": "dnssec_doctor.cli.zone:zone",
    "explain": "dnssec_doctor.cli.explain:explain",
    "lab": "dnssec_doctor.cli.lab:lab",
    "demo": "dnssec_doctor.cli.demo:demo",
    "ds": "dnssec_doctor.cli.ds:ds",
    "serve": "dnssec_doctor.cli.serve:serve",
    "history": "dnssec_doctor.cli.history:history",
    "watch": "dnssec_doctor.cli.watch:watch",
    "scan": "dnssec_doctor.cli.scan:scan",
}
"""Command name → where it lives; imported only when run, so start-up stays fast."""

SUMMARIES: dict[str, str] = {
    "check": "Diagnose NAME through its whole chain of trust, on every server.",
    "probe": "Query every server about NAME and save every exchange as a capture file.",
    "zone": "Verify the signed zone FILE offline: signatures, chains, keys, ZONEMD.",
    "explain": "Explain a problem CODE from the catalog (e.g. DS_NO_MATCHING_DNSKEY).",
    "lab": "A private signed DNS tree on loopback that reproduces each DNSSEC failure.",
    "demo": "Start the built-in lab, diagnose every scenario, print one table, stop the lab.",
    "ds": "Will the registry accept this DS? Without --ds, print the DS to upload for NAME.",
    "serve": "Serve the web UI, the JSON API and Prometheus probes over HTTP.",
    "history": "Show the recorded observations of NAME and what changed between them.",
    "watch": "Check NAMEs on a schedule, record each check, print what changed.",
    "scan": "Diagnose every name in FILE ('-': standard input), one result per name.",
}
"""Each command's summary (its help's first paragraph) for ``--help``, which imports none."""


def _load(name: str) -> Command | Group:
    module_name, attr = COMMANDS[name].split(":")
    command = getattr(importlib.import_module(module_name), attr)
    assert isinstance(command, Command | Group)
    return command


CLI = Group("Finds out why DNSSEC is broken and says how to fix it.", SUMMARIES, _load, __version__)
"""The whole command line."""


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line (``sys.argv`` by default) and exit with its status.

    Every failure is one line on stderr and exit 3 (docs/contract.md). The process's own
    settings are ``cli.entry``'s.
    """
    try:
        status = _run(sys.argv[1:] if argv is None else argv)
        sys.stdout.flush()  # a reader that went away shows here, not at interpreter exit
    except (UsageError, DoctorError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted")
    except BrokenPipeError:
        _discard_stdout()
        sys.exit(EXIT_CANNOT_DIAGNOSE)
    except Exception as exc:
        # A bug of ours must still end in one line and exit 3, never a traceback
        # in a monitoring system's log; DNSSEC_DOCTOR_DEBUG=1 shows the traceback.
        if os.environ.get("DNSSEC_DOCTOR_DEBUG"):
            raise
        _fail(
            f"internal error ({type(exc).__name__}: {exc}); please report it with the "
            "capture (--save-capture FILE); DNSSEC_DOCTOR_DEBUG=1 shows the traceback"
        )
    sys.exit(status)


def _run(argv: Sequence[str]) -> str | int | None:
    """The command's exit status: commands end with ``sys.exit(status)`` or return (0)."""
    try:
        CLI.run("dnssec-doctor", argv)
    except SystemExit as exc:
        return exc.code
    return 0


def _fail(message: str) -> None:
    print(f"dnssec-doctor: {terminal(message)}", file=sys.stderr)
    sys.exit(EXIT_CANNOT_DIAGNOSE)


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush has nowhere to fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test's buffer): nothing to flush
        pass
