"""``dnssec-doctor zone FILE``: is this signed zone file safe to load?

The command reads the clock once (``--at``), verifies the file with
:func:`dnssec_doctor.zonefile.verify.verify_zone`, and prints a report that
groups repeated findings (JSON stays complete). Exit codes: severity.exit_code_for;
3 for unreadable or unparseable input (DoctorError).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from collections import defaultdict
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import dns.name

from dnssec_doctor.cli.common import (
    add_at_option,
    add_expiry_warning_option,
    add_format_option,
    emit,
    resolve_at,
)
from dnssec_doctor.cli.parser import describe
from dnssec_doctor.cli.values import Range, file_path
from dnssec_doctor.escape import terminal
from dnssec_doctor.limits import INPUT_LIMITS, InputLimits
from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.names import parse_name
from dnssec_doctor.zonefile.dsfile import read_ds_file
from dnssec_doctor.zonefile.reader import ReaderOptions
from dnssec_doctor.zonefile.verify import ProgressFn, ZoneOptions, default_jobs, verify_zone

GROUP_AFTER = 3
"""Findings of one code beyond this many are summarised in the text report."""


def run_zone(
    path: str | Path,
    origin: str | None,
    ds_path: str | Path | None,
    at: int,
    jobs: int | None,
    *,
    allow_include: bool = False,
    expiry_warning_days: int = 7,
    progress: ProgressFn | None = None,
    limits: InputLimits = INPUT_LIMITS,
) -> Diagnosis:
    """Verify the zone file ``path`` as of ``at`` (POSIX seconds); the ``zone`` command's core.

    ``origin`` None: from the file; ``jobs`` None: all cores for big files.
    DoctorError for unreadable or unparseable input, or when a cap of ``limits``
    (the deadline included, counted from this call) is exceeded.
    """
    zone_path = Path(path)
    origin_name: dns.name.Name | None = parse_name(origin) if origin else None
    options = ZoneOptions(
        jobs=default_jobs(zone_path) if jobs is None else max(1, jobs),
        expiry_warning=expiry_warning_days * 86400,
        reader=ReaderOptions.bounded(limits, allow_include=allow_include),
    )
    ds_records = None
    if ds_path is not None:
        from dnssec_doctor.zonefile.reader import ZoneReader

        resolved = origin_name or ZoneReader(zone_path, None, options.reader).origin
        ds_records = read_ds_file(ds_path, resolved)
    return verify_zone(
        zone_path,
        origin=origin_name,
        now=at,
        options=options,
        ds_records=ds_records,
        progress=progress,
    )


def render_zone_text(diagnosis: Diagnosis) -> str:
    """A plain report: verdict, then findings by code, repeats grouped."""
    lines = [
        f"zone {terminal(diagnosis.name)}: {diagnosis.status}"
        f" ({diagnosis.stats.get('records', 0):,} records,"
        f" {diagnosis.stats.get('signatures_checked', 0):,} signatures checked)",
    ]
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for f in diagnosis.findings:
        by_code[f.code].append(f)
    if not by_code:
        lines.append("no problems found")
    for code, items in by_code.items():
        worst = max(f.severity for f in items)
        listed = [f for f in items if f.subject != "(more)"]
        unlisted = sum(int(str(f.evidence.get("unlisted", 0))) for f in items if f not in listed)
        total = len(listed) + unlisted
        lines.append("")
        header = f"{worst.label.upper()} {code}: {items[0].title}"
        if total > 1:
            header = f"{worst.label.upper()} {code}: {total:,} × {items[0].title}"
        lines.append(terminal(header))
        for f in listed[:GROUP_AFTER]:
            where = f"line {f.line}: " if f.line is not None else ""
            lines.append("  - " + terminal(where + f.detail))
        if total > GROUP_AFTER:
            first_lines = sorted(f.line for f in listed if f.line is not None)
            span = f" (lines {first_lines[0]}–{first_lines[-1]})" if first_lines else ""
            lines.append(f"  … and {total - GROUP_AFTER:,} more{span}; --format json lists all")
        expirations = sorted(
            str(f.evidence["expiration"]) for f in listed if "expiration" in f.evidence
        )
        if code in ("RRSIG_EXPIRED", "RRSIG_NOT_YET_VALID") and len(expirations) > 1:
            lines.append(f"  expirations from {expirations[0]} to {expirations[-1]}")
        if items[0].fix and worst.label in ("warning", "error", "critical"):
            lines.append("  fix: " + terminal(items[0].fix))
    return "\n".join(lines) + "\n"


def _progress(path: Path) -> tuple[AbstractContextManager[Any], ProgressFn | None]:
    size = path.stat().st_size if path.is_file() else 0
    if not sys.stderr.isatty() or size < 8 * 1024 * 1024:
        return nullcontext(), None
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task(f"verifying {path.name}", total=size)
    return bar, lambda done: bar.update(task, completed=done)


JOBS = Range(int, 1, 256)
ZONE_DEADLINE = Range(float, 1.0, 86400.0)


def zone_arguments(parser: ArgumentParser) -> None:
    """``zone``'s arguments."""
    describe(parser, zone, "%(prog)s FILE [options]")
    parser.add_argument("file", type=file_path, metavar="FILE", help="The signed zone file.")
    parser.add_argument("--origin", metavar="NAME", help="Zone origin (default: from the file).")
    parser.add_argument(
        "--ds",
        dest="ds_path",
        type=file_path,
        metavar="FILE",
        help="DS records the parent publishes, checked against the zone's keys.",
    )
    add_at_option(parser)
    add_format_option(parser)
    parser.add_argument(
        "--allow-include", action="store_true", help="Permit $INCLUDE (same directory only)."
    )
    parser.add_argument(
        "--jobs",
        type=JOBS,
        metavar="N",
        help=f"Worker processes for signature checks ({JOBS}; default: all cores for big files).",
    )
    add_expiry_warning_option(parser)
    parser.add_argument(
        "--deadline",
        type=ZONE_DEADLINE,
        default=INPUT_LIMITS.zone_deadline,
        metavar="SECONDS",
        help=f"Give up (exit 3) after SECONDS ({ZONE_DEADLINE}; default: %(default)s).",
    )


def zone(
    file: Path,
    origin: str | None,
    ds_path: Path | None,
    at: str | None,
    fmt: str,
    allow_include: bool,
    jobs: int | None,
    expiry_warning: int,
    deadline: float,
) -> None:
    """Verify the signed zone FILE offline: signatures, chains, keys, ZONEMD."""
    now = resolve_at(at)  # the one clock read of this command
    bar, progress = _progress(file)
    with bar:
        diagnosis = run_zone(
            file, origin, ds_path, now, jobs, allow_include=allow_include,
            expiry_warning_days=expiry_warning, progress=progress,
            limits=replace(INPUT_LIMITS, zone_deadline=deadline),
        )  # fmt: skip
    sys.exit(emit(diagnosis, fmt, render_zone_text))
