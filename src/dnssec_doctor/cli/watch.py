"""``watch NAME…``: check on a schedule (or once, for cron and systemd timers) and record.

Each round checks every NAME, records it in the history store, and prints one line
per name (its status) and one per change since the previous observation. With
``--once`` the exit status is the worst of the round (3, could not diagnose, counts
as worst); Ctrl-C or SIGTERM ends a loop between two steps, with the status of the last
round that ended (3 when none did), and a record under way is rolled back whole (a
record is one transaction, on either store).
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from argparse import ArgumentParser, ArgumentTypeError
from types import FrameType
from typing import TYPE_CHECKING

from dnssec_doctor.cli.common import (
    add_at_option,
    add_db_option,
    add_expiry_warning_option,
    add_network_options,
    build_request,
    db_url,
    resolve_at,
)
from dnssec_doctor.cli.parser import describe
from dnssec_doctor.cli.values import Duration, shown
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.escape import terminal
from dnssec_doctor.model.severity import EXIT_CANNOT_DIAGNOSE, exit_code_for

if TYPE_CHECKING:  # imported when a round runs: the store is not needed for --help
    from dnssec_doctor.history.records import Store
    from dnssec_doctor.probe.request import ProbeRequest

MAX_INTERVAL = 7 * 86400


class Interval(Duration):
    """``--interval``: a duration (``30s``, ``5m``, ``1h``, ``1d``) of at least one second."""

    def __call__(self, text: str) -> int:
        seconds = super().__call__(text)
        if seconds < 1:
            raise ArgumentTypeError(f"{shown(text)} is shorter than one second")
        return seconds


def watch_arguments(parser: ArgumentParser) -> None:
    """``watch``'s arguments."""
    describe(parser, watch, "%(prog)s NAME... [options]")
    parser.add_argument("names", nargs="+", metavar="NAME", help="The names to check.")
    add_network_options(parser)
    parser.add_argument(
        "--interval",
        type=Interval(MAX_INTERVAL),
        default=3600,
        help="Seconds between rounds, or 30s, 5m, 1h, 1d (at most 7d; default: %(default)s).",
    )
    parser.add_argument(
        "--once", action="store_true", help="One round, then exit with its worst status (cron)."
    )
    add_at_option(parser)
    add_expiry_warning_option(parser)
    add_db_option(parser, record=False)


def watch(
    names: tuple[str, ...],
    interval: int,
    once: bool,
    at: str | None,
    expiry_warning: int,
    db: str,
    **net: object,
) -> None:
    """Check NAMEs on a schedule, record each check, print what changed.

    Examples:
      dnssec-doctor watch example.com example.net --interval 15m
      dnssec-doctor watch example.com --once        (from cron or a systemd timer)
    """
    from dnssec_doctor.history.opener import open_store

    requests = [build_request(name, **net) for name in names]  # type: ignore[arg-type]
    previous = signal.signal(signal.SIGTERM, _interrupt)
    # Stopped before a round ended, nothing was diagnosed: 3, not the 0 of "all well"
    # (a systemd unit stopped mid-round, a cron job killed for taking too long).
    status = EXIT_CANNOT_DIAGNOSE
    try:
        with open_store(db_url(db)) as store:
            while True:
                status = max(
                    (
                        _round_one(store, request, resolve_at(at), expiry_warning)
                        for request in requests
                    ),
                    default=0,
                )
                sys.stdout.flush()
                if once:
                    break
                time.sleep(interval)
    except KeyboardInterrupt:
        print("dnssec-doctor: watch stopped", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, previous)
    sys.exit(status)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _round_one(store: Store, request: ProbeRequest, now: int, expiry_warning: int) -> int:
    """Check, record and print one name; its exit status."""
    from dnssec_doctor.analysis.engine import AnalysisOptions
    from dnssec_doctor.history.recorder import history_name, record_check
    from dnssec_doctor.history.timeline import diff
    from dnssec_doctor.session import diagnose_capture_with_survey, probe_live
    from dnssec_doctor.timefmt import iso
    from dnssec_doctor.transport.policy import AddressPolicy

    name = request.name.to_text()
    stamp = iso(now)
    try:
        capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
        if not any(e.outcome == "response" for e in capture.exchanges):
            raise DoctorError(f"no server answered ({len(capture.exchanges)} queries sent)")
        diagnosis, survey = diagnose_capture_with_survey(
            capture, now, AnalysisOptions(expiry_warning * 86400)
        )
    except DoctorError as exc:
        print(terminal(f"{stamp} {name} cannot diagnose: {exc}"))
        return EXIT_CANNOT_DIAGNOSE
    try:
        before = store.latest(history_name(name), now)
        recorded = record_check(store, capture, diagnosis, survey)
    except DoctorError as exc:  # a locked or lost database: this round only, keep watching
        print(terminal(f"{stamp} {name} not recorded: {exc}"))  # exc: "… cannot record: why"
        return EXIT_CANNOT_DIAGNOSE
    result = recorded.diagnosis
    roots = [f.code for f in result.root_causes() if f.severity.label not in ("info",)]
    count = len(result.findings)
    summary = f"{count} finding{'s' if count != 1 else ''}" + (
        f": {', '.join(roots[:3])}" if roots else ""
    )
    print(terminal(f"{stamp} {name} {result.status} {result.worst.label} ({summary})"))
    if before is not None:
        old = store.facts([before.state_id])[before.state_id]
        for change in diff(old, recorded.facts):
            print(terminal(f"{stamp} {name}   {change.text}"))
    return exit_code_for(f.severity for f in result.findings)
