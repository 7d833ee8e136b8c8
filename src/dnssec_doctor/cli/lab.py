"""``dnssec-doctor lab list|up|status|down|rollover``: the private DNS lab on loopback."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from dnssec_doctor.cli.parser import describe
from dnssec_doctor.cli.values import directory_path
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.escape import terminal
from dnssec_doctor.lab import manager
from dnssec_doctor.lab.plan import FAULTS, ScenarioInfo
from dnssec_doctor.lab.state import LabState

if TYPE_CHECKING:
    from dnssec_doctor.lab.rollovers import Rollover, Stage

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


def lab_arguments(parser: ArgumentParser) -> None:
    """``lab``'s commands and their arguments."""
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    # Set after add_subparsers, which would start each command's usage with this one.
    parser.usage = "%(prog)s COMMAND [options]"
    listing = commands.add_parser("list", help=_summary(list_command))
    describe(listing, list_command, "%(prog)s [options]")
    _add_dir_option(listing)
    listing.add_argument(
        "--base", metavar="PREFIX",
        help="Describe the lab on these addresses (default: the lab running in --dir, else "
        f"{manager.BASES['embedded']}, where 'lab up' serves; 'demo' serves on "
        f"{manager.DEMO_BASE}).",
    )  # fmt: skip
    up = commands.add_parser("up", help=_summary(up_command))
    describe(up, up_command, "%(prog)s [SCENARIO...] [options]")
    up.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help="Scenarios to serve (default: all; see 'lab list').",
    )
    _add_dir_option(up)
    up.add_argument(
        "--backend",
        choices=manager.BACKENDS,
        default="embedded",
        help="embedded: pure-Python servers with fault injection; real: BIND and "
        "Unbound (default: %(default)s).",
    )
    up.add_argument(
        "--base",
        metavar="PREFIX",
        help="First two octets of the lab's addresses, inside 127.0.0.0/8 "
        f"(default: {manager.BASES['embedded']} embedded, "
        f"{manager.BASES['real']} real).",
    )
    up.add_argument(
        "--timeout",
        type=float,
        default=manager.START_TIMEOUT,
        metavar="SECONDS",
        help="How long to wait for the servers to start (default: %(default)s).",
    )
    status = commands.add_parser("status", help=_summary(status_command))
    describe(status, status_command, "%(prog)s [options]")
    _add_dir_option(status)
    status.add_argument(
        "--json", dest="as_json", action="store_true", help="Print the state file's JSON."
    )
    down = commands.add_parser("down", help=_summary(down_command))
    describe(down, down_command, "%(prog)s [options]")
    _add_dir_option(down)
    rollover = commands.add_parser("rollover", help=_summary(rollover_command))
    describe(rollover, rollover_command, "%(prog)s [ROLLOVER --start TIME --after DURATION]")
    rollover.add_argument(
        "name", nargs="?", metavar="ROLLOVER", help="The rollover to serve (default: list them)."
    )
    rollover.add_argument(
        "--start", metavar="TIME",
        help="When the rollover started, as check's --at reads it (default: the start of the "
        "current hour). Give every stage the same start.",
    )  # fmt: skip
    rollover.add_argument(
        "--after", metavar="DURATION", default="0s",
        help="Serve the zone as it is this long after the start (0s, 1h, 140m; default: "
        "%(default)s).",
    )  # fmt: skip
    _add_dir_option(rollover)
    rollover.add_argument(
        "--base", metavar="PREFIX",
        help=f"First two octets of the lab's addresses (default: {manager.BASES['embedded']}).",
    )  # fmt: skip
    rollover.add_argument(
        "--timeout", type=float, default=manager.START_TIMEOUT, metavar="SECONDS",
        help="How long to wait for the servers to start (default: %(default)s).",
    )  # fmt: skip


def _add_dir_option(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--dir", dest="directory", type=directory_path, metavar="DIRECTORY",
        default=os.environ.get(manager.DIR_ENV) or ".lab",
        help=f"Lab state directory (also ${manager.DIR_ENV}; default: %(default)s).",
    )  # fmt: skip


def _summary(command: Callable[..., None]) -> str:
    return (command.__doc__ or "").partition("\n")[0]


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


@_one_line_errors
def rollover_command(
    name: str | None,
    start: str | None,
    after: str,
    directory: Path,
    base: str | None,
    timeout: float,
) -> None:
    """Serve a key rollover stage by stage, to watch with check --at and --db.

    Without ROLLOVER, list them. With it, start the lab (in the background, as 'lab up')
    serving the zone as the rollover left it DURATION after its start, and print the
    check to run as of that moment; 'lab down', then the next --after, serves the next
    stage. Recorded with --db, 'history' then shows the timing codes of a step taken
    too early, with the time it would have been safe. The rollovers of a zone anchored
    with its own trust anchor (RFC 5011) last weeks: each day is served as re-signed
    then, with the zone's anchor to save and the next day to serve.
    """
    from dnssec_doctor.lab import rollovers
    from dnssec_doctor.timefmt import iso
    from dnssec_doctor.timeparse import parse_at, parse_duration

    if name is None:
        _list_rollovers()
        return
    try:
        rollover = rollovers.find_rollover(name)
    except KeyError:
        known = ", ".join([*rollovers.ROLLOVERS, *rollovers.ANCHORED_ROLLOVERS])
        raise DoctorError(f"no rollover {_printable(name)!r} (choose from {known})") from None
    anchored = name in rollovers.ANCHORED_ROLLOVERS
    now = int(time.time())
    began = parse_at(start, now) if start is not None else now - now % 3600
    elapsed = parse_duration(after)
    stage = rollovers.stage_at(rollover, elapsed)
    where = base or manager.BASES["embedded"]
    # An anchored rollover lasts weeks, longer than the lab's signatures: the zone is
    # served as its signer re-signed it that day.
    built_at = began + elapsed if anchored else began
    plan = rollovers.rollover_plan(name, elapsed, built_at=built_at, base=where,
                                   seed=manager.LAB_SEED)  # fmt: skip
    result = manager.up(directory, plan=plan, timeout=timeout)
    if result.already_running:
        raise DoctorError(f"a lab already runs in {directory}: 'lab down --dir {directory}' first")
    number = rollover.stages.index(stage) + 1
    print(
        f"serving {name} as it is {_offset(elapsed)} after its start {iso(began)}: stage "
        f"{number} of {len(rollover.stages)} (from {_offset(stage.offset)})"
    )
    print(f"  {_stage_text(stage)}")
    hints = ",".join(result.state.root_hints)
    anchors = f"--trust-anchor {result.state.files.get('ds', 'ANCHOR')}"
    if anchored:
        print(f"the zone's trust anchor (its two KSKs), to save as {ZONE_ANCHOR_FILE} once:")
        for line in rollovers.zone_anchor(manager.LAB_SEED):
            print(f"  {line}")
        anchors += f" --trust-anchor {ZONE_ANCHOR_FILE}"
    print(
        f"check it as of then: dnssec-doctor check {rollovers.ZONE} --root-hints {hints} "
        f"{anchors} --at {iso(began + elapsed)} --db sqlite:///rollover.sqlite3"
    )
    if anchored:
        _next_day(name, directory, began, elapsed, rollover.stages[-1].offset)
        return
    later = [s for s in rollover.stages if s.offset > elapsed]
    # History can only time a step between two observations: a monitor that looks
    # every 20 minutes sees what this stage changed, one that looks once may not.
    until = later[0].offset if later else elapsed + 2 * 3600
    moments = [iso(began + t) for t in range(elapsed, until, 20 * 60)]
    print(f"and, as a monitor would, every 20 minutes until the next stage: {' '.join(moments)}")
    for code, at in rollover.expected if not later else ():
        if at >= until:  # a wait of days (the parent's CDS scan): the monitor keeps looking
            print(f"history reports {code} from {iso(began + at)}: keep checking until then")
    if later:
        print(
            f"next stage: dnssec-doctor lab down --dir {directory}; dnssec-doctor lab rollover "
            f"{name} --dir {directory} --start {iso(began)} --after {later[0].offset // 60}m"
        )


ZONE_ANCHOR_FILE = "zone-anchor.dnskey"
"""Where ``lab rollover`` tells the user to save an anchored rollover's zone anchor."""
DAY = 86400


def _next_day(name: str, directory: Path, began: int, elapsed: int, last_stage: int) -> None:
    """An anchored rollover is checked once a day, re-signed daily: serve the next day
    (until two days after its last stage)."""
    from dnssec_doctor.timefmt import iso

    following = elapsed // DAY + 1
    if following * DAY > last_stage + 2 * DAY:
        return
    print(
        f"next day: dnssec-doctor lab down --dir {directory}; dnssec-doctor lab rollover "
        f"{name} --dir {directory} --start {iso(began)} --after {following}d"
    )


def _list_rollovers() -> None:
    from dnssec_doctor.lab import rollovers

    print(f"rollovers of the lab zone {rollovers.ZONE} (every TTL one hour unless a stage says):")
    for rollover in rollovers.ROLLOVERS.values():
        _list_rollover(rollover)
    print(
        "rollovers of the zone anchored with its own trust anchor as well (RFC 5011), over "
        "weeks: check once a day"
    )
    for rollover in rollovers.ANCHORED_ROLLOVERS.values():
        _list_rollover(rollover)


def _list_rollover(rollover: Rollover) -> None:
    print(rollover.name)
    print(f"  {rollover.description}")
    for stage in rollover.stages:
        print(f"  {_offset(stage.offset):>6}  {_stage_text(stage)}")
    expected = ", ".join(f"{code} at {_offset(at)}" for code, at in rollover.expected)
    print(f"  history reports: {expected or 'no timing problem (done right)'}")


def _offset(seconds: int) -> str:
    if seconds >= DAY:
        days, rest = divmod(seconds, DAY)
        return f"+{days}d" + (f"{rest // 3600}:{rest % 3600 // 60:02d}" if rest else "")
    return f"+{seconds // 3600}:{seconds % 3600 // 60:02d}"


def _stage_text(stage: Stage) -> str:
    from dnssec_doctor.lab.scenarios_env import TTL
    from dnssec_doctor.timefmt import duration

    ttl = f" (TTL {duration(stage.dnskey_ttl)})" if stage.dnskey_ttl != TTL else ""
    cds = f"; CDS and CDNSKEY for {' '.join(stage.cds)}" if stage.cds else ""
    return (
        f"DNSKEYs {' '.join(stage.published)}{ttl}; DNSKEY RRset signed by "
        f"{' '.join(stage.key_signers)}; data by {' '.join(stage.data_signers)}; "
        f"DS at the parent for {' '.join(stage.ds)}{cds}"
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


@_one_line_errors
def down_command(directory: Path) -> None:
    """Stop the lab and remove its files."""
    state = manager.down(directory)
    if state is None:
        print(f"no lab was running in {directory}")
    else:
        print(f"lab in {directory} stopped")


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
