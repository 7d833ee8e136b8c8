"""``probe`` (write a capture) and ``check`` (diagnose live or from a capture)."""

from __future__ import annotations

import asyncio
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import TYPE_CHECKING

from dnssec_doctor.cli.common import (
    add_at_option,
    add_db_option,
    add_expiry_warning_option,
    add_format_option,
    add_graph_option,
    add_network_options,
    build_request,
    db_url,
    emit,
    emit_failure,
    progress,
    require_answers,
    resolve_at,
)
from dnssec_doctor.cli.parser import ALERT_FORMATS, describe
from dnssec_doctor.cli.values import Duration
from dnssec_doctor.cli.warmup import Warmup, modules_for
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import check_target
from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.model.capture import save_capture as write_capture
from dnssec_doctor.session import diagnose_capture_with_survey, probe_live
from dnssec_doctor.transport.policy import AddressPolicy

if TYPE_CHECKING:
    from dnssec_doctor.history.opener import Opening
    from dnssec_doctor.model.findings import Diagnosis

DEFAULT_CRITICAL = 2 * 86400
"""``--critical``'s default (render.monitoring.DEFAULT_CRITICAL, which is not imported
before the probe: the renderers are what the warm-up imports while it waits)."""


def probe_arguments(parser: ArgumentParser) -> None:
    """``probe``'s arguments."""
    describe(parser, probe, "%(prog)s NAME -o FILE [options]")
    parser.add_argument("name", metavar="NAME", help="The name to ask about.")
    add_network_options(parser)
    parser.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE",
        help="Write the capture (JSON; gzipped when FILE ends in .gz; '-': standard output).",
    )  # fmt: skip


def probe(name: str, output: Path, **net: object) -> None:
    """Query every server about NAME and save every exchange as a capture file."""
    check_target(output, what="capture", stdout_dash=True)
    request = build_request(name, **net)  # type: ignore[arg-type]
    with progress(f"probing {name} …"):
        capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
    write_capture(capture, output)
    servers = sorted({e.server for e in capture.exchanges})
    print(
        f"wrote {output}: {len(capture.exchanges)} exchanges with {len(servers)} servers "
        f"({', '.join(servers[:8])}{' …' if len(servers) > 8 else ''})",
        file=sys.stderr,
    )


WITHIN = Duration(3650 * 86400)
"""``--warning`` and ``--critical``: at most ten years."""


def check_arguments(parser: ArgumentParser) -> None:
    """``check``'s arguments."""
    describe(parser, check, "%(prog)s NAME [options]\n       %(prog)s --replay FILE [options]")
    parser.add_argument("name", nargs="?", metavar="NAME", help="The name to diagnose.")
    add_network_options(parser)
    parser.add_argument(
        "--replay",
        type=Path,
        metavar="FILE",
        help="Analyse a capture written by 'probe -o FILE' instead of querying.",
    )
    add_at_option(parser)
    add_expiry_warning_option(parser)
    parser.add_argument(
        "--warning",
        type=WITHIN,
        metavar="DURATION",
        help="--format nagios: WARNING when the earliest signature on the chain "
        "expires within DURATION (7d, 12h); replaces --expiry-warning "
        "(default: 7d).",
    )
    parser.add_argument(
        "--critical",
        type=WITHIN,
        metavar="DURATION",
        help="--format nagios: CRITICAL when the earliest signature on the "
        "chain expires within DURATION; at most the warning threshold "
        "(default: 2d, or the warning threshold when shorter).",
    )
    parser.add_argument(
        "--save-capture", type=Path, metavar="FILE", help="Also save the capture of this run."
    )
    add_db_option(parser, record=True)
    add_format_option(parser)
    add_graph_option(parser)


def check(
    name: str | None,
    replay: Path | None,
    at: str | None,
    expiry_warning: int,
    warning: int | None,
    critical: int | None,
    save_capture: Path | None,
    db: str | None,
    fmt: str,
    graph: str,
    **net: object,
) -> None:
    """Diagnose NAME through its whole chain of trust, on every server.

    Examples:
      dnssec-doctor check example.com
      dnssec-doctor check www.example.com --resolver 192.0.2.53 --at +7d
      dnssec-doctor check example.com --ns 192.0.2.1      (before delegating)
      dnssec-doctor check --replay capture.json --format html > report.html
      dnssec-doctor check example.com --db default    (record it: see 'history')
      dnssec-doctor check example.com --format nagios --warning 7d --critical 2d
      dnssec-doctor check example.com --format svg > chain.svg
    """
    started = time.monotonic()
    try:
        warn_seconds, crit_seconds = _thresholds(fmt, expiry_warning, warning, critical)
        diagnosis = _diagnose(name, replay, at, warn_seconds, save_capture, db, fmt, net)
    except DoctorError as exc:
        if fmt not in ALERT_FORMATS:
            raise
        # A monitoring system reads stdout: bad thresholds are UNKNOWN there too.
        sys.exit(emit_failure(str(exc), fmt, name))
    from dnssec_doctor.render.monitoring import ExpiryThresholds, RunFacts

    run = RunFacts(None if replay is not None else time.monotonic() - started)
    thresholds = ExpiryThresholds(warn_seconds, crit_seconds)
    sys.exit(emit(diagnosis, fmt, graph=graph, thresholds=thresholds, run=run))


def _thresholds(
    fmt: str, expiry_warning: int, warning: int | None, critical: int | None
) -> tuple[int, int]:
    """``--warning`` and ``--critical`` in seconds; DoctorError when they cannot be used.

    A critical threshold longer than the warning one would never let WARNING show
    (the Monitoring Plugins check the critical range first), so it is refused.
    """
    if fmt != "nagios" and (warning is not None or critical is not None):
        raise DoctorError("--warning and --critical are thresholds of --format nagios")
    warn_seconds = expiry_warning * 86400 if warning is None else warning
    crit_seconds = min(DEFAULT_CRITICAL, warn_seconds) if critical is None else critical
    if crit_seconds > warn_seconds:
        raise DoctorError(
            f"--critical ({crit_seconds} s) must not be longer than the warning threshold "
            f"({warn_seconds} s)"
        )
    return warn_seconds, crit_seconds


def _diagnose(
    name: str | None,
    replay: Path | None,
    at: str | None,
    warn_seconds: int,
    save_capture: Path | None,
    db: str | None,
    fmt: str,
    net: dict[str, object],
) -> Diagnosis:
    """Probe NAME (or load the capture) and analyse it; DoctorError when it cannot."""
    if db is None:
        return _analysed(name, replay, at, warn_seconds, save_capture, fmt, net, None)
    from dnssec_doctor.history.opener import Opening

    opening = Opening(db_url(db))  # connects to PostgreSQL once the probe waits
    try:
        return _analysed(name, replay, at, warn_seconds, save_capture, fmt, net, opening)
    finally:
        opening.close()


def _analysed(
    name: str | None,
    replay: Path | None,
    at: str | None,
    warn_seconds: int,
    save_capture: Path | None,
    fmt: str,
    net: dict[str, object],
    opening: Opening | None,
) -> Diagnosis:
    now = resolve_at(at)
    if replay is not None:
        capture = load_capture(replay)
        if name is not None and name.rstrip(".") != capture.name.rstrip("."):
            raise DoctorError(f"the capture is for {capture.name}, not {name}")
    else:
        if name is None:
            raise DoctorError("missing NAME (or --replay FILE)")
        if save_capture is not None:
            if str(save_capture) == "-":
                raise DoctorError("--save-capture needs a file: the report goes to standard output")
            check_target(save_capture, what="capture")
        request = build_request(name, **net)  # type: ignore[arg-type]
        with (
            progress(f"checking {name} …"),
            Warmup(
                modules_for(fmt, resolvers=bool(request.resolvers), history=opening is not None),
                on_idle=(opening.start,) if opening is not None else (),
            ),
        ):
            capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
        if opening is not None:  # a busy probe left it: the server's side overlaps the analysis
            opening.start()
        if save_capture is not None:
            write_capture(capture, save_capture)
    require_answers(capture, "diagnose")
    from dnssec_doctor.analysis.engine import AnalysisOptions  # imported by the warm-up

    diagnosis, survey = diagnose_capture_with_survey(capture, now, AnalysisOptions(warn_seconds))
    if opening is not None:
        from dnssec_doctor.history.recorder import record_check

        with opening.store() as store:
            diagnosis = record_check(store, capture, diagnosis, survey).diagnosis
    return diagnosis
