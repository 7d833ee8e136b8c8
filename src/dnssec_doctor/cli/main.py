"""``dnssec-doctor``: the command group and the one place that maps failures to exit 3."""

from __future__ import annotations

import sys

import click

from dnssec_doctor import __version__
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.render.escape import terminal
from dnssec_doctor.severity import EXIT_CANNOT_DIAGNOSE


class DoctorGroup(click.Group):
    """A click group whose every failure is one line on stderr and exit 3 (DESIGN.md §3)."""

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
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str) -> None:
    click.echo(f"dnssec-doctor: {terminal(message)}", err=True)
    sys.exit(EXIT_CANNOT_DIAGNOSE)


@click.group(cls=DoctorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dnssec-doctor")
def cli() -> None:
    """Finds out why DNSSEC is broken and says how to fix it."""


def _register() -> None:
    from dnssec_doctor.cli.check import check, probe
    from dnssec_doctor.cli.explain import explain

    cli.add_command(check)
    cli.add_command(probe)
    cli.add_command(explain)
    try:
        from dnssec_doctor.cli.lab import lab

        cli.add_command(lab)
    except ImportError:  # pragma: no cover (lab CLI lands separately)
        pass
    try:
        from dnssec_doctor.cli.zone import zone

        cli.add_command(zone)
    except ImportError:  # pragma: no cover
        pass
    try:
        from dnssec_doctor.cli.demo import demo

        cli.add_command(demo)
    except ImportError:  # pragma: no cover
        pass


_register()


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="dnssec-doctor")
