"""``dnssec-doctor``: the command group and the one place that maps failures to exit 3."""

from __future__ import annotations

import importlib
import os
import sys

import click

from dnssec_doctor import __version__
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.render.escape import terminal
from dnssec_doctor.severity import EXIT_CANNOT_DIAGNOSE

COMMANDS: dict[str, str] = {
    "check": "dnssec_doctor.cli.check:check",
    "probe": "dnssec_doctor.cli.check:probe",
    "zone": "dnssec_doctor.cli.zone:zone",
    "explain": "dnssec_doctor.cli.explain:explain",
    "lab": "dnssec_doctor.cli.lab:lab",
    "demo": "dnssec_doctor.cli.demo:demo",
    "ds": "dnssec_doctor.cli.ds:ds",
}
"""Command name → where it lives; imported only when run, so start-up stays fast."""


class DoctorGroup(click.Group):
    """A click group whose every failure is one line on stderr and exit 3 (DESIGN.md §3).

    Subcommands are imported lazily from ``COMMANDS``.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def main(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.exceptions.Abort:
            _fail("aborted")
        except click.ClickException as exc:
            _fail(exc.format_message())
        except DoctorError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted")
        except BrokenPipeError:
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
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str) -> None:
    click.echo(f"dnssec-doctor: {terminal(message)}", err=True)
    sys.exit(EXIT_CANNOT_DIAGNOSE)


@click.group(cls=DoctorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dnssec-doctor")
def cli() -> None:
    """Finds out why DNSSEC is broken and says how to fix it."""


def main() -> None:
    """Run the command line (the process's own settings are ``cli.entry``'s)."""
    cli.main(prog_name="dnssec-doctor")
