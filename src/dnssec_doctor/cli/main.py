"""``dnssec-doctor``: the command line, and the one place that maps failures to exit 3."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from dnssec_doctor import __version__
from dnssec_doctor.cli.parser import Parser, UsageError, alert_format, join_relative_times
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.escape import terminal
from dnssec_doctor.model.severity import EXIT_CANNOT_DIAGNOSE

COMMANDS: dict[str, str] = {
    "check": "dnssec_doctor.cli.check:check_arguments",
    "probe": "dnssec_doctor.cli.check:probe_arguments",
    "zone": "dnssec_doctor.cli.zone:zone_arguments",
    "ds": "dnssec_doctor.cli.ds:ds_arguments",
    "watch": "dnssec_doctor.cli.watch:watch_arguments",
    "history": "dnssec_doctor.cli.history:history_arguments",
    "scan": "dnssec_doctor.cli.scan:scan_arguments",
    "serve": "dnssec_doctor.cli.serve:serve_arguments",
    "lab": "dnssec_doctor.cli.lab:lab_arguments",
    "demo": "dnssec_doctor.cli.demo:demo_arguments",
    "explain": "dnssec_doctor.cli.explain:explain_arguments",
}
"""Command name → the function that declares its arguments (and what it runs) on its
parser. A command's module is imported only when that command is named, so that
``--help``, ``explain`` and a check import no other command."""

SUMMARIES: dict[str, str] = {
    "check": "Diagnose NAME through its whole chain of trust, on every server.",
    "probe": "Query every server about NAME and save every exchange as a capture file.",
    "zone": "Verify the signed zone FILE offline: signatures, chains, keys, ZONEMD.",
    "ds": "Will the registry accept this DS? Without --ds, print the DS to upload for NAME.",
    "watch": "Check NAMEs on a schedule, record each check, print what changed.",
    "history": "Show the recorded observations of NAME and what changed between them.",
    "scan": "Diagnose every name in FILE ('-': standard input), one result per name.",
    "serve": "Serve the web UI, the JSON API and Prometheus probes over HTTP.",
    "lab": "A private signed DNS tree on loopback that reproduces each DNSSEC failure.",
    "demo": "Start the built-in lab, diagnose every scenario, print one table, stop the lab.",
    "explain": "Explain a problem CODE from the catalog (e.g. DS_NO_MATCHING_DNSKEY).",
}
"""Each command's summary (its help's first line), listed by ``--help``, which imports none."""


def parse(argv: Sequence[str]) -> tuple[Callable[..., None], dict[str, Any]]:
    """The function the command line ``argv`` runs and its keyword arguments (repeated
    options and arguments as tuples); UsageError when it cannot run."""
    argv = join_relative_times(argv)
    # The first word that is not an option names the command: the group itself has
    # only --help and --version, which take no value.
    named = next((arg for arg in argv if not arg.startswith("-")), None)
    parser = Parser(
        prog="dnssec-doctor", description="Finds out why DNSSEC is broken and says how to fix it."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s, version {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    chosen: Parser = parser
    # Only the named command gets a parser: each costs argparse about 0.2 ms (its message
    # catalogue lookups), and none but that one can be used. The help, a missing or
    # unknown command, and --version get them all, to list them.
    for name in [named] if named in COMMANDS else list(SUMMARIES):
        sub = commands.add_parser(name, help=SUMMARIES[name], description=SUMMARIES[name])
        if name == named:
            module_name, declare = COMMANDS[name].split(":")
            getattr(importlib.import_module(module_name), declare)(sub)
            chosen = sub
    namespace, extras = parser.parse_known_args(argv)
    if extras:  # reported by the command's parser, so that the error names the command
        chosen.error(f"unrecognized arguments: {' '.join(extras)}")
    values = vars(namespace)
    run = values.pop("run")
    return run, {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line (``sys.argv`` by default) and exit with its status.

    Every failure is one line on stderr and exit 3 (docs/contract.md). The process's own
    settings are ``cli.entry``'s.
    """
    args = sys.argv[1:] if argv is None else argv
    alert = alert_format(args)
    try:
        status = _run(args)
        sys.stdout.flush()  # a reader that went away shows here, not at interpreter exit
    except UsageError as exc:
        _fail(str(exc), exc.prog, alert)
    except DoctorError as exc:
        _fail(str(exc), alert=alert)
    except KeyboardInterrupt:
        _fail("interrupted", alert=alert)
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
            "capture (--save-capture FILE); DNSSEC_DOCTOR_DEBUG=1 shows the traceback",
            alert=alert,
        )
    sys.exit(status)


def _run(argv: Sequence[str]) -> str | int | None:
    """The command's exit status: commands end with ``sys.exit(status)`` or return (0)."""
    try:
        run, values = parse(argv)
        run(**values)
    except SystemExit as exc:  # --help, --version, and every command's status
        return exc.code
    return 0


def _fail(message: str, prog: str = "dnssec-doctor", alert: str | None = None) -> None:
    """One line on stderr and exit 3; for an alert format, its UNKNOWN (Nagios) or
    ``dnssec_probe_success 0`` (Prometheus) on stdout too, where the monitoring system
    reads (Nagios shows stderr nowhere; the Monitoring Plugins guidelines make a bad
    command line UNKNOWN)."""
    if alert is not None:
        from dnssec_doctor.cli.common import alert_failure

        try:
            sys.stdout.write(alert_failure(message, alert, None))
            sys.stdout.flush()
        except OSError:  # nobody reads stdout: stderr still says why
            _discard_stdout()
    print(f"{prog}: {terminal(message)}", file=sys.stderr)
    sys.exit(EXIT_CANNOT_DIAGNOSE)


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush has nowhere to fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test's buffer): nothing to flush
        pass
