"""``dnssec-doctor lab list|up|status|down``: the private DNS lab on loopback."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab import manager
from dnssec_doctor.lab.plan import FAULTS, ScenarioInfo
from dnssec_doctor.lab.state import LabState
from dnssec_doctor.render.escape import terminal

P = ParamSpec("P")
R = TypeVar("R")


def _one_line_errors(command: Callable[P, R]) -> Callable[P, R]:
    """DoctorError → one line on stderr and exit status 3 (DESIGN §3)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except DoctorError as error:
            click.echo(f"dnssec-doctor lab: {_printable(str(error))}", err=True)
            sys.exit(3)

    return wrapper


def _printable(text: str) -> str:
    """DNS data and error text with control characters escaped for the terminal."""
    return terminal(text)


_dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=manager.DIR_ENV,
    default=".lab",
    show_default=True,
    help=f"Lab state directory (also ${manager.DIR_ENV}).",
)


@click.group("lab")
def lab() -> None:
    """A private signed DNS tree on loopback that reproduces each DNSSEC failure."""


@lab.command("list")
@_one_line_errors
def list_command() -> None:
    """List the scenarios and the faults the embedded servers can inject."""
    for info in _scenario_catalogue():
        click.echo(f"{_printable(info.name):32} {info.expected_status:13} {info.zone}")
        click.echo(f"{'':32} {_printable(info.description)}")
    click.echo("\nfaults (embedded backend):")
    for name, meaning in FAULTS.items():
        click.echo(f"  {name:20} {meaning}")


def _scenario_catalogue() -> tuple[ScenarioInfo, ...]:
    """Scenario descriptions come from building the lab (half a second, keys included)."""
    return manager.build_plan(int(time.time())).scenarios


@lab.command("up")
@click.argument("scenarios", nargs=-1)
@_dir_option
@click.option(
    "--backend",
    type=click.Choice(manager.BACKENDS),
    default="embedded",
    show_default=True,
    help="embedded: pure-Python servers with fault injection; real: BIND and Unbound.",
)
@click.option(
    "--base",
    metavar="PREFIX",
    help="First two octets of the lab's addresses, inside 127.0.0.0/8 "
    f"(default: {manager.BASES['embedded']} embedded, {manager.BASES['real']} real).",
)
@click.option("--timeout", type=float, default=manager.START_TIMEOUT, show_default=True)
@_one_line_errors
def up_command(
    scenarios: tuple[str, ...], directory: Path, backend: str, base: str | None, timeout: float
) -> None:
    """Build and start the lab (all scenarios, or the ones named)."""
    result = manager.up(directory, backend=backend, scenarios=scenarios, timeout=timeout, base=base)
    if result.already_running:
        click.echo(f"lab already running in {directory} (left as it is)")
    else:
        click.echo(f"lab up in {directory}")
    _describe(result.state)


@lab.command("status")
@_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the state file's JSON.")
@_one_line_errors
def status_command(directory: Path, as_json: bool) -> None:
    """Show the running lab; exit status 1 when none runs."""
    state = manager.status(directory)
    if state is None:
        if as_json:
            click.echo(json.dumps({"running": False, "directory": str(directory)}))
        else:
            click.echo(f"no lab running in {directory}")
        sys.exit(1)
    if as_json:
        click.echo(json.dumps({"running": True, **state.as_json()}, indent=2))
        return
    click.echo(f"lab running in {directory}")
    _describe(state)
    click.echo("servers:")
    for server in state.servers:
        faults = f"  faults: {', '.join(server.faults)}" if server.faults else ""
        zones = " ".join(server.zones)
        click.echo(
            f"  {server.address:22} {_printable(server.hostname)}: {_printable(zones)}{faults}"
        )


@lab.command("down")
@_dir_option
@_one_line_errors
def down_command(directory: Path) -> None:
    """Stop the lab and remove its files."""
    state = manager.down(directory)
    if state is None:
        click.echo(f"no lab was running in {directory}")
    else:
        click.echo(f"lab in {directory} stopped")


def _describe(state: LabState) -> None:
    pid = f", pid {state.pid}" if state.pid else ""
    click.echo(f"backend: {state.backend}{pid}, {len(state.servers)} servers")
    hints = ",".join(state.root_hints)
    click.echo(f"root hints: {hints}")
    click.echo(f"trust anchor (DS): {state.files.get('ds', '')}")
    for kind in ("dnskey", "bind", "unbound", "root_hints"):
        if kind in state.files:
            click.echo(f"  {kind}: {state.files[kind]}")
    for key, value in sorted(state.extra.items()):
        if key.startswith("resolver."):
            click.echo(f"resolver {key.removeprefix('resolver.')}: {value}")
    click.echo(
        f"try: dnssec-doctor check NAME --root-hints {hints} "
        f"--trust-anchor {state.files.get('ds', 'ANCHOR')}"
    )
