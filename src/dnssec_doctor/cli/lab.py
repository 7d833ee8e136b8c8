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
from dnssec_doctor.escape import terminal
from dnssec_doctor.lab import manager
from dnssec_doctor.lab.plan import FAULTS, ScenarioInfo
from dnssec_doctor.lab.state import LabState

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


@command(
    "list",
    _DIR_OPTION,
    Option(
        "--base",
        metavar="PREFIX",
        help="Describe the lab on these addresses (default: the lab running in --dir, "
        f"else {manager.BASES['embedded']}, where 'lab up' serves; 'demo' serves on "
        f"{manager.DEMO_BASE}).",
    ),
)
@_one_line_errors
def list_command(directory: Path, base: str | None) -> None:
    """List the scenarios and the faults the embedded servers can inject."""
    header, scenarios = _catalogue(directory, base)
    print(header)
    for info in scenarios:
        print(f"{_printable(info.name):32} {info.expected_status:13} {info.zone}")
        print(f"{'':32} {_printable(info.description)}")
    print("\nfaults (embedded backend):")
    for name, meaning in FAULTS.items():
        print(f"  {name:20} {meaning}")


def _catalogue(directory: Path, base: str | None) -> tuple[str, tuple[ScenarioInfo, ...]]:
    """A heading and the scenarios: those of the lab running in ``directory`` as it
    serves them, else those of the lab ``lab up --base`` would build (a second or two:
    keys included). Every lab has the same keys (``manager.LAB_SEED``), so the key tags
    in the descriptions are those the lab serves."""
    running = manager.status(directory) if base is None else None
    if running is not None:
        hints = ",".join(running.root_hints)
        heading = f"scenarios of the lab running in {directory} (root hints {hints}):"
        return heading, running.scenarios
    where = base or manager.BASES["embedded"]
    heading = (
        f"scenarios of the lab on {where}.0.0/16 ('lab up' serves on "
        f"{manager.BASES['embedded']}, 'demo' on {manager.DEMO_BASE}; "
        "'lab list --base PREFIX' describes another):"
    )
    return heading, manager.build_plan(int(time.time()), base=where).scenarios


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
