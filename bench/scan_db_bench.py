"""What `scan --db` costs: the same lab scanned without a store, into SQLite and into PostgreSQL.

Run as root (the lab listens on port 53 of its own loopback addresses; PostgreSQL runs
as the ``postgres`` user, as in the tests):

    .venv/bin/python bench/scan_db_bench.py [--zones 1000] [--rounds 2] [--rate 5000]

The lab is bench/scan_lab.py's (BIND, one view per address); PostgreSQL is a
throw-away server on loopback (tests/pgserver.py). Each round runs the three scans
one after the other (the order rotates each round, so a change of load on the shared
machine falls on each variant alike), each into a fresh database, then a second scan
into the database of the first (history's reads then find an observation per name).
Prints a Markdown table: names/s, wall seconds, CPU of the scan's process tree (user +
system of the children: the steadier figure on a shared machine) and peak memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests"))

from scan_bench import DOCTOR, cached_plan, run_measured  # noqa: E402
from scan_lab import zone_name  # noqa: E402

from dnssec_doctor.lab import real  # noqa: E402
from pgserver import fresh_database, postgres_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zones", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", default="5000")
    parser.add_argument("--concurrency", default="16")
    parser.add_argument("--plan-cache", type=Path, metavar="FILE")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scan-db-bench-"))
    plan = cached_plan(args.plan_cache, args.zones, int(time.time()))
    real._NAMED_START_SECONDS = 900.0
    lab = real.start_real(plan, work / "lab", bind_resolver=False)
    hints = ",".join(str(a) for a in plan.root_hints)
    anchor = work / "anchor.ds"
    anchor.write_text("\n".join(plan.trust_anchor_ds) + "\n")
    names = work / "names.txt"
    names.write_text("".join(zone_name(i) + "\n" for i in range(args.zones)))
    common = ["--root-hints", hints, "--trust-anchor", str(anchor), "--rate", args.rate,
              "--concurrency", args.concurrency]  # fmt: skip
    results: dict[str, list[tuple[float, float, int]]] = {}
    loads = [os.getloadavg()]
    try:
        with postgres_server() as server:
            for round_ in range(args.rounds):
                sqlite = f"sqlite:///{work / f'h{round_}.sqlite3'}"
                postgres = fresh_database(server, f"scan_bench_{round_}")
                variants = [("no --db", []), ("--db sqlite", ["--db", sqlite]),
                            ("--db postgresql", ["--db", postgres])]  # fmt: skip
                shift = round_ % len(variants)
                for label, extra in variants[shift:] + variants[:shift]:
                    results.setdefault(label, []).append(_scan(names, common, extra, work))
                for label, extra in variants[1:]:  # again, into what the first scan recorded
                    results.setdefault(label + " (2nd scan)", []).append(
                        _scan(names, common, extra, work)
                    )
                loads.append(os.getloadavg())
    finally:
        lab.stop()
    print(f"zones: {args.zones}; load averages: {loads[0]} … {loads[-1]}")
    print("| scan | names/s | wall | CPU per name | peak memory |")
    print("|---|---:|---:|---:|---:|")
    for label, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        peak = max(r[2] for r in runs)
        print(f"| {label} | {args.zones / wall:.1f} | {wall:.1f} s | "
              f"{cpu / args.zones * 1000:.1f} ms | {peak / 2**20:.0f} MB |")  # fmt: skip


def _scan(names: Path, common: list[str], extra: list[str], work: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the scan's process tree, peak memory."""
    wall, peak, cpu, run = run_measured(
        [*DOCTOR, "scan", str(names), "-o", str(work / "out.jsonl"), *common, *extra]
    )
    if run.returncode == 3:
        raise SystemExit(f"scan failed: {run.stderr}")
    print(f"{extra[:1]} {wall:.1f} s, {cpu:.1f} s CPU", file=sys.stderr)
    return wall, cpu, peak


if __name__ == "__main__":
    main()
