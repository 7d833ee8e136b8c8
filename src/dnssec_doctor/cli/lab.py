"""``dnssec-doctor lab list|up|status|down``: the private DNS lab on loopback."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from dnssec_doctor.cli.args import Argument, Option, command, group
from dnssec_doctor.cli.convert import Choice, Float, PathArg
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab import manager
from dnssec_doctor.lab.plan import FAULTS, ScenarioInfo
from dnssec_doctor.lab.state import LabState
from dnssec_doctor.render.escape import terminal

P = ParamSpec("P")
R = TypeVar("R")


def _one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """DoctorError → one line on stderr and exit status 3 (DESIGN §3)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DoctorError as error:
            print(f"dnssec-doctor lab: {_printable(str(error))}", file=sys.stderr)
            sys.exit(3)

    return wrapper


def _printable(text: str) -> str:
    """DNS data and error text with control characters escaped for the terminal."""
    return terminal(text)


_DIR_OPTION = Option(
    "--dir",
    dest="directory",
    convert=PathArg(file_okay=False),
    envvar=manager.DIR_ENV,
    default=Path(".lab"),
    show_default=True,
    help=f"Lab state directory (also ${manager.DIR_ENV}).",
)


@command("list")
@_one_line_errors
def list_command() -> None:
    """List the scenarios and the faults the embedded servers can inject."""
    for info in _scenario_catalogue():
        print(f"{_printable(info.name):32} {info.expected_status:13} {info.zone}")
        print(f"{'':32} {_printable(info.description)}")
    print("\nfaults (embedded backend):")
    for name, meaning in FAULTS.items():
        print(f"  {name:20} {meaning}")


def _scenario_catalogue() -> tuple[ScenarioInfo, ...]:
    """Scenario descriptions come from building the lab (half a second, keys included)."""
    return manager.build_plan(int(time.time())).scenarios


@command(
    "up",
    Argument("scenarios", many=True),
    _DIR_OPTION,
    Option(
        "--backend",
        convert=Choice(manager.BACKENDS),
        default="embedded",
        show_default=True,
        help="embedded: pure-Python servers with fault injection; real: BIND and Unbound.",
    ),
    Option(
        "--base",
        metavar="PREFIX",
        help="First two octets of the lab's addresses, inside 127.0.0.0/8 "
        f"(default: {manager.BASES['embedded']} embedded, {manager.BASES['real']} real).",
    ),
    Option("--timeout", convert=Float(), default=manager.START_TIMEOUT, show_default=True),
)
@_one_line_errors
def up_command(
    scenarios: tuple[str, ...], directory: Path, backend: str, base: str | None, timeout: float
) -> None:
    """Build and start the lab (all scenarios, or the ones named)."""
    result = manager.up(directory, backend=backend, scenarios=scenarios, timeout=timeout, base=base)
    if result.already_running:
        print(f"lab already running in {directory} (left as it is)")
    else:
        print(f"lab up in {directory}")
    _describe(result.state)


@command(
    "status",
    _DIR_OPTION,
    Option("--json", dest="as_json", flag=True, help="Print the state file's JSON."),
)
@_one_line_errors
def status_command(directory: Path, as_json: bool) -> None:
    """Show the running lab; exit status 1 when none runs."""
    state = manager.status(directory)
    if state is None:
        if as_json:
            print(json.dumps({"running": False, "directory": str(directory)}))
        else:
            print(f"no lab running in {directory}")
        sys.exit(1)
    if as_json:
        print(json.dumps({"running": True, **state.as_json()}, indent=2))
        return
    print(f"lab running in {directory}")
    _describe(state)
    print("servers:")
    for server in state.servers:
        faults = f"  faults: {', '.join(server.faults)}" if server.faults else ""
        zones = " ".join(server.zones)
        print(f"  {server.address:22} {_printable(server.hostname)}: {_printable(zones)}{faults}")


@command("down", _DIR_OPTION)
@_one_line_errors
def down_command(directory: Path) -> None:
    """Stop the lab and remove its files."""
    state = manager.down(directory)
    if state is None:
        print(f"no lab was running in {directory}")
    else:
        print(f"lab in {directory} stopped")


lab = group(
    "A private signed DNS tree on loopback that reproduces each DNSSEC failure.",
    list_command,
    up_command,
    status_command,
    down_command,
)
"""``dnssec-doctor lab``: its commands."""


def _describe(state: LabState) -> None:
    pid = f", pid {state.pid}" if state.pid else ""
    print(f"backend: {state.backend}{pid}, {len(state.servers)} servers")
    hints = ",".join(state.root_hints)
    print(f"root hints: {hints}")
    print(f"trust anchor (DS): {state.files.get('ds', '')}")
    for kind in ("dnskey", "bind", "unbound", "root_hints"):
        if kind in state.files:
            print(f"  {kind}: {state.files[kind]}")
    for key, value in sorted(state.extra.items()):
        if key.startswith("resolver."):
            print(f"resolver {key.removeprefix('resolver.')}: {value}")
    print(
        f"try: dnssec-doctor check NAME --root-hints {hints} "
        f"--trust-anchor {state.files.get('ds', 'ANCHOR')}"
    )
