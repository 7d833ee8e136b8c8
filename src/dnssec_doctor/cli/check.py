"""``probe`` (write a capture) and ``check`` (diagnose live or from a capture)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from dnssec_doctor.capture import load_capture
from dnssec_doctor.capture import save_capture as write_capture
from dnssec_doctor.cli.args import Argument, Option, command
from dnssec_doctor.cli.common import (
    FORMAT_OPTION,
    NETWORK_OPTIONS,
    build_request,
    emit,
    progress,
    require_answers,
    resolve_at,
)
from dnssec_doctor.cli.convert import IntRange, PathArg
from dnssec_doctor.cli.warmup import Warmup, modules_for
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.session import diagnose_capture, probe_live
from dnssec_doctor.transport.policy import AddressPolicy


@command(
    "probe",
    Argument("name"),
    *NETWORK_OPTIONS,
    Option("-o", "--output", convert=PathArg(), required=True,
           help="Write the capture (JSON) to this file."),
)  # fmt: skip
def probe(name: str, output: Path, **net: object) -> None:
    """Query every server about NAME and save every exchange as a capture file."""
    request = build_request(name, **net)  # type: ignore[arg-type]
    with progress(f"probing {name} …"):
        capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
    try:
        write_capture(capture, output)
    except OSError as exc:
        raise DoctorError(f"cannot write capture {output}: {exc.strerror}") from None
    servers = sorted({e.server for e in capture.exchanges})
    print(
        f"wrote {output}: {len(capture.exchanges)} exchanges with {len(servers)} servers "
        f"({', '.join(servers[:8])}{' …' if len(servers) > 8 else ''})",
        file=sys.stderr,
    )


@command(
    "check",
    Argument("name", required=False),
    *NETWORK_OPTIONS,
    Option(
        "--replay",
        convert=PathArg(),
        metavar="FILE",
        help="Analyse a capture written by 'probe -o FILE' instead of querying.",
    ),
    Option("--at", metavar="TIME", help="Evaluate as of TIME (ISO 8601 or +7d)."),
    Option(
        "--expiry-warning",
        convert=IntRange(0, 3650),
        default=7,
        show_default=True,
        metavar="DAYS",
        help="Warn when a signature expires within DAYS.",
    ),
    Option(
        "--save-capture",
        convert=PathArg(),
        metavar="FILE",
        help="Also save the capture of this run.",
    ),
    FORMAT_OPTION,
)
def check(
    name: str | None,
    replay: Path | None,
    at: str | None,
    expiry_warning: int,
    save_capture: Path | None,
    fmt: str,
    **net: object,
) -> None:
    """Diagnose NAME through its whole chain of trust, on every server.

    \b
    Examples:
      dnssec-doctor check example.com
      dnssec-doctor check www.example.com --resolver 192.0.2.53 --at +7d
      dnssec-doctor check example.com --ns 192.0.2.1      (before delegating)
      dnssec-doctor check --replay capture.json --format html > report.html
    """  # fmt: skip
    now = resolve_at(at)
    if replay is not None:
        capture = load_capture(replay)
        if name is not None and name.rstrip(".") != capture.name.rstrip("."):
            raise DoctorError(f"the capture is for {capture.name}, not {name}")
    else:
        if name is None:
            raise DoctorError("missing NAME (or --replay FILE)")
        request = build_request(name, **net)  # type: ignore[arg-type]
        with (
            progress(f"checking {name} …"),
            Warmup(modules_for(fmt, resolvers=bool(request.resolvers))),
        ):
            capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
        if save_capture is not None:
            try:
                write_capture(capture, save_capture)
            except OSError as exc:
                raise DoctorError(f"cannot write capture {save_capture}: {exc.strerror}") from None
    require_answers(capture, "diagnose")
    from dnssec_doctor.analysis.engine import AnalysisOptions  # imported by the warm-up

    diagnosis = diagnose_capture(capture, now, AnalysisOptions(expiry_warning * 86400))
    sys.exit(emit(diagnosis, fmt))
