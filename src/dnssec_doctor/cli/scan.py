"""``scan``: diagnose many names, streamed in and out (DESIGN.md §3.1)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from dnssec_doctor.cli.args import Argument, Option, command
from dnssec_doctor.cli.common import NETWORK_OPTIONS, build_request, resolve_at
from dnssec_doctor.cli.convert import Choice, FloatRange, IntRange, PathArg
from dnssec_doctor.fileio import open_input
from dnssec_doctor.limits import Limits
from dnssec_doctor.scan.captures import CaptureSaver
from dnssec_doctor.scan.config import DEFAULT_CONCURRENCY, ScanConfig
from dnssec_doctor.scan.inputs import InputItem, read_items
from dnssec_doctor.scan.progress import Progress, input_size
from dnssec_doctor.scan.records import Record, scan_exit
from dnssec_doctor.scan.runner import ScanStats
from dnssec_doctor.scan.summary import Summary
from dnssec_doctor.scan.writers import FORMATS, open_output
from dnssec_doctor.session import new_seed

_COMMON = tuple(o for o in NETWORK_OPTIONS if o.long != "--ns")
"""``--ns`` names one zone's servers: meaningless for a list of names."""


@command(
    "scan",
    Argument("file", convert=PathArg()),
    *_COMMON,
    Option("--at", metavar="TIME", help="Evaluate as of TIME (ISO 8601 or +7d)."),
    Option("--expiry-warning", convert=IntRange(0, 3650), default=7, show_default=True,
           metavar="DAYS", help="Warn when a signature expires within DAYS."),
    Option("-o", "--output", convert=PathArg(), metavar="FILE",
           help="Write the results to FILE (default: standard output)."),
    Option("--format", dest="fmt", convert=Choice(FORMATS), default="jsonl", show_default=True,
           help="jsonl: one diagnosis per line; csv: one row per name."),
    Option("--resume", flag=True,
           help="Continue an interrupted scan: keep what -o FILE holds, skip those lines."),
    Option("--unordered", flag=True,
           help="Write each result when it is ready, not in input order."),
    Option("--rate", convert=FloatRange(0.1, 100_000.0), default=50.0, show_default=True,
           metavar="QPS", help="Queries per second to one server address (all workers)."),
    Option("--concurrency", convert=IntRange(1, 10_000), default=DEFAULT_CONCURRENCY,
           show_default=True, metavar="N", help="Names probed at once (per process)."),
    Option("--workers", convert=IntRange(0, 256), metavar="N",
           help="Analysis processes (default: one per CPU; 0: in the probing process)."),
    Option("--dask", metavar="ADDRESS|local[:N]",
           help="Spread the names over a Dask cluster (tcp://HOST:8786), or over N local "
                "worker processes (default: one per CPU)."),
    Option("--save-captures", convert=PathArg(), metavar="DIR",
           help="Also save each name's capture in DIR (for 'check --replay'; with --dask, "
                "a directory every worker can write)."),
    Option("--batch-size", convert=IntRange(1, 100_000), default=50, show_default=True,
           metavar="N", help="Names per Dask task."),
)  # fmt: skip
def scan(
    file: Path,
    at: str | None,
    expiry_warning: int,
    output: Path | None,
    fmt: str,
    resume: bool,
    unordered: bool,
    rate: float,
    concurrency: int,
    workers: int | None,
    dask: str | None,
    batch_size: int,
    save_captures: Path | None,
    **net: object,
) -> None:
    """Diagnose every name in FILE ('-': standard input), one result per name.

    FILE holds one name per line ('#' comments and blank lines are ignored) or is a
    CSV file with a 'name' column. A malformed line is a result of its own (status
    'error'); a repeated name is written once more as status 'duplicate' naming its
    first line, and scanned once. The exit status is the worst of all the names (3
    only when none could be diagnosed). A summary goes to standard error.

    \b
    Examples:
      dnssec-doctor scan domains.txt -o results.jsonl
      dnssec-doctor scan customers.csv --format csv -o results.csv --rate 20
      dnssec-doctor scan domains.txt -o results.jsonl --resume
      dnssec-doctor scan domains.txt -o results.jsonl --dask tcp://scheduler:8786
    """  # fmt: skip
    now = resolve_at(at)
    keep = None if save_captures is None else CaptureSaver(save_captures)
    template = build_request(".", ns=(), **net)  # type: ignore[arg-type]
    config = ScanConfig(
        root_hints=tuple(str(a) for a in template.root_hints),
        trust_anchors=tuple(template.trust_anchors.lines()),
        now=now,
        seed=new_seed(),
        limits=Limits(
            query_timeout=template.limits.query_timeout,
            max_queries=template.limits.max_queries,
            deadline=template.limits.deadline,
        ),
        resolvers=tuple(str(a) for a in template.resolvers),
        types=template.extra_types,
        expiry_warning=expiry_warning * 86400,
        rate=rate,
        concurrency=concurrency,
    )
    summary = Summary()
    handle = open_input(file, what="name list", stdin_dash=True)
    stats: ScanStats | None = None
    try:
        out, done = open_output(output, fmt, resume=resume, seen=summary.add)
        total = input_size(handle)
        started = time.monotonic()
        try:
            with Progress(total) as bar:

                def emit(record: Record) -> None:
                    out.write(record)
                    summary.add(record)
                    bar.advance(_position(handle), time.monotonic() - started)

                items = (i for i in read_items(handle) if i.line not in done)
                if dask is not None:
                    from dnssec_doctor.scan.dask_adapter import scan_with_dask

                    stats = scan_with_dask(dask, items, config, emit, ordered=not unordered,
                                           batch_size=batch_size, keep=keep)  # fmt: skip
                else:
                    stats = _scan_here(items, config, emit, unordered, workers, keep)
        finally:
            out.close()
            if stats is not None or summary.statuses:  # not when nothing was started
                sys.stderr.write(summary.text(stats))
    finally:
        handle.close()
    sys.exit(scan_exit(summary.worst_exit))


def _scan_here(
    items: Iterable[InputItem],
    config: ScanConfig,
    emit: Callable[[Record], None],
    unordered: bool,
    workers: int | None,
    keep: CaptureSaver | None,
) -> ScanStats:
    """One machine: the probing loop here, the analysis in ``workers`` processes."""
    from dnssec_doctor.scan.runner import scan_items
    from dnssec_doctor.scan.workers import analysis_pool, pooled

    count = (os.cpu_count() or 1) if workers is None else workers
    with analysis_pool(count) as pool:
        return asyncio.run(
            scan_items(items, config, emit, pooled(pool, config, keep), ordered=not unordered)
        )


def _position(handle: object) -> int | None:
    try:
        return int(handle.tell())  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        return None
