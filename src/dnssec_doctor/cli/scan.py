"""``scan``: diagnose many names, streamed in and out (docs/scaling.md)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from argparse import ArgumentParser
from collections.abc import Callable, Iterable
from pathlib import Path
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
from dnssec_doctor.cli.values import Range
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

if TYPE_CHECKING:
    from dnssec_doctor.scan.recording import ScanRecorder

RATE = Range(float, 0.1, 100_000.0)
CONCURRENCY = Range(int, 1, 10_000)
WORKERS = Range(int, 0, 256)
BATCH_SIZE = Range(int, 1, 100_000)


def scan_arguments(parser: ArgumentParser) -> None:
    """``scan``'s arguments (no ``--ns``: it names one zone's servers, meaningless for a
    list of names)."""
    describe(parser, scan, "%(prog)s FILE [options]")
    parser.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="One name per line, or CSV with a 'name' column ('-': stdin).",
    )
    add_network_options(parser, ns=False)
    add_at_option(parser)
    add_expiry_warning_option(parser)
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="Write the results to FILE (default: standard output).",
    )
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=FORMATS,
        default="jsonl",
        help="jsonl: one diagnosis per line; csv: one row per name (default: %(default)s).",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="Continue an interrupted scan: keep what -o FILE holds, skip those lines.",
    )
    parser.add_argument(
        "--unordered",
        action="store_true",
        help="Write each result when it is ready, not in input order.",
    )
    parser.add_argument(
        "--rate",
        type=RATE,
        default=50.0,
        metavar="QPS",
        help=f"Queries per second to one server address, all workers "
        f"together ({RATE}; default: %(default)s).",
    )
    parser.add_argument(
        "--concurrency",
        type=CONCURRENCY,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"Names probed at once, per process ({CONCURRENCY}; default: %(default)s).",
    )
    parser.add_argument(
        "--workers",
        type=WORKERS,
        metavar="N",
        help=f"Worker processes, each probing and analysing its share of the names "
        f"({WORKERS}; default: one per CPU; 0: all in this process).",
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS|local[:N]",
        help="Spread the names over a Dask cluster (tcp://HOST:8786), or over "
        "N local worker processes (default: one per CPU).",
    )
    parser.add_argument(
        "--save-captures",
        type=Path,
        metavar="DIR",
        help="Also save each name's capture in DIR (for 'check --replay'; with --dask, "
        "a directory every worker can write).",
    )
    add_db_option(parser, record=True)
    parser.add_argument(
        "--batch-size",
        type=BATCH_SIZE,
        default=50,
        metavar="N",
        help=f"Names per Dask task ({BATCH_SIZE}; default: %(default)s).",
    )


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
    db: str | None,
    **net: object,
) -> None:
    """Diagnose every name in FILE ('-': standard input), one result per name.

    FILE holds one name per line ('#' comments and blank lines are ignored) or
    is a CSV file with a 'name' column. A malformed line is a result of its own
    (status 'error'); a repeated name is written once more as status
    'duplicate' naming its first line, and scanned once. The exit status is the
    worst of all the names (3 only when none could be diagnosed). A summary
    goes to standard error.

    Examples:
      dnssec-doctor scan domains.txt -o results.jsonl
      dnssec-doctor scan customers.csv --format csv -o results.csv --rate 20
      dnssec-doctor scan domains.txt -o results.jsonl --resume
      dnssec-doctor scan domains.txt -o results.jsonl --dask tcp://scheduler:8786
      dnssec-doctor scan domains.txt -o results.jsonl --db default
    """
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
        history=db is not None,
    )
    summary = Summary()
    handle = open_input(file, what="name list", stdin_dash=True)
    stats: ScanStats | None = None
    recorder: ScanRecorder | None = None
    try:
        if db is not None:  # before the output is opened (truncated) and before any probe
            from dnssec_doctor.scan.recording import ScanRecorder

            recorder = ScanRecorder(db_url(db))
        out, done = open_output(output, fmt, resume=resume, seen=summary.add)
        total = input_size(handle)
        started = time.monotonic()
        try:
            with Progress(total) as bar:

                def emit(record: Record) -> None:
                    if recorder is not None:
                        record = recorder.record(record)  # recorded first: see ``recording``
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
                if recorder is not None:
                    sys.stderr.write(recorder.summary_line())
    finally:
        handle.close()
        if recorder is not None:
            recorder.close()
    sys.exit(scan_exit(summary.worst_exit))


def _scan_here(
    items: Iterable[InputItem],
    config: ScanConfig,
    emit: Callable[[Record], None],
    unordered: bool,
    workers: int | None,
    keep: CaptureSaver | None,
) -> ScanStats:
    """One machine: ``workers`` processes that each probe and analyse their share of
    the names (0: the probing loop and the analysis in this process)."""
    count = (os.cpu_count() or 1) if workers is None else workers
    if count > 0:
        from dnssec_doctor.scan.procpool import scan_in_processes

        return scan_in_processes(items, config, emit, workers=count, ordered=not unordered,
                                 keep=keep)  # fmt: skip
    from dnssec_doctor.scan.runner import scan_items
    from dnssec_doctor.scan.threaded import inline

    return asyncio.run(scan_items(items, config, emit, inline(config, keep), ordered=not unordered))


def _position(handle: object) -> int | None:
    try:
        return int(handle.tell())  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        return None
