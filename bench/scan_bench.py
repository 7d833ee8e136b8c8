"""`scan` benchmark: 10,000 lab zones served by BIND, scanned on this machine.

Run as root (the lab listens on port 53 of its own loopback addresses):

    .venv/bin/python bench/scan_bench.py [--zones 10000] [--rate 2000] [--concurrency 64]

Measures, in one run: the scan's wall time, names/s, peak memory of the scan's whole
process tree (the probing process and its analysis workers, sampled from /proc every
0.2 s), total queries sent and answers shared; whether every zone got the status its
kind calls for; and, on a sample of the same zones, `dnssec-doctor check NAME` run in
a shell loop and `zonemaster-cli` run per domain (when installed), just before and just
after the scan (averaged: the ratios compare like with like on a shared machine). Prints a Markdown
section for bench/README.md and writes bench/out/scan.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from peers import zonemaster  # noqa: E402
from scan_lab import build_plan, kind_of, zone_name  # noqa: E402

from dnssec_doctor.lab import real  # noqa: E402
from dnssec_doctor.lab.plan import LabPlan  # noqa: E402

BASE = "127.239"
EXPECTED = {"healthy": "secure", "expired": "bogus", "ds-mismatch": "bogus",
            "unsigned": "insecure"}  # fmt: skip
DOCTOR = [sys.executable, "-m", "dnssec_doctor"]


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError):
            continue
    return total


def run_measured(argv: list[str]) -> tuple[float, int, float, subprocess.CompletedProcess[str]]:
    """Wall seconds, peak tree RSS, CPU seconds of the process and its workers (user +
    system), and the finished process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.2)
    out, err = process.communicate()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the scan waited for its workers
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, peak, cpu, subprocess.CompletedProcess(argv, process.returncode, out, err)


@dataclass
class PeerTimes:
    """Seconds per name of `check` in a shell loop and of `zonemaster-cli`, on a sample."""

    check: float
    zonemaster: list[float]
    note: str


def time_peers(sample: list[str], common: list[str], zm_count: int, hints: Path) -> PeerTimes:
    """`dnssec-doctor check NAME` in a shell loop over ``sample``, and `zonemaster-cli`
    per domain over its first ``zm_count`` names (when installed)."""
    loop = " ".join(sample)
    shell = (f"for n in {loop}; do {' '.join(DOCTOR)} check $n {' '.join(common)} "
             "--format json > /dev/null; done")  # fmt: skip
    t0 = time.monotonic()
    subprocess.run(["sh", "-c", shell], check=False)
    check = (time.monotonic() - t0) / len(sample)
    times: list[float] = []
    note = "zonemaster-cli not installed"
    if shutil.which("zonemaster-cli"):
        note = ""
        for name in sample[:zm_count]:
            zrun, _ = zonemaster(name.rstrip("."), hints_file=hints)
            if zrun.ran:
                times.append(zrun.seconds)
            else:
                note = f"zonemaster-cli failed: {zrun.error}"
    return PeerTimes(check, times, note)


def cached_plan(cache: Path | None, zones: int, now: int) -> LabPlan:
    """The signed lab (signing 10,000 zones takes minutes): from ``cache`` when it holds
    one of ``zones`` zones whose signatures are still valid for hours, else built (and
    stored there)."""
    if cache is not None and cache.exists():
        plan = pickle.loads(cache.read_bytes())
        if len(plan.servers[-1].zones) * 2 == zones and plan.built_at > now - 6 * 3600:
            return plan  # type: ignore[no-any-return]
    plan = build_plan(zones, BASE, now)
    if cache is not None:
        cache.write_bytes(pickle.dumps(plan))
    return plan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zones", type=int, default=10_000)
    parser.add_argument("--rate", default="2000")
    parser.add_argument("--concurrency", default="64")
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--zonemaster-sample", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave the lab running")
    parser.add_argument(
        "--plan-cache",
        type=Path,
        metavar="FILE",
        help="reuse the signed plan pickled in FILE (made when missing)",
    )
    args = parser.parse_args()
    now = int(time.time())
    work = Path(tempfile.mkdtemp(prefix="scan-bench-"))
    t0 = time.monotonic()
    plan = cached_plan(args.plan_cache, args.zones, now)
    build_seconds = time.monotonic() - t0
    print(f"plan: {args.zones} zones signed in {build_seconds:.0f} s", file=sys.stderr)
    real._NAMED_START_SECONDS = 900.0  # 20,000 zone copies take a while to load
    t0 = time.monotonic()
    lab = real.start_real(plan, work / "lab", bind_resolver=False)
    serve_seconds = time.monotonic() - t0
    print(f"lab: BIND serving after {serve_seconds:.0f} s; {lab.load_errors[:3]}", file=sys.stderr)
    try:
        hints = ",".join(str(a) for a in plan.root_hints)
        anchor = work / "anchor.ds"
        anchor.write_text("\n".join(plan.trust_anchor_ds) + "\n")
        names = work / "names.txt"
        names.write_text("".join(zone_name(i) + "\n" for i in range(args.zones)))
        common = ["--root-hints", hints, "--trust-anchor", str(anchor)]
        out = work / "out.jsonl"
        sample = [zone_name(i) for i in range(0, args.zones, max(1, args.zones // args.sample))]
        sample = sample[: args.sample]
        # The peers are timed just before and just after the scan, and averaged: on a
        # shared machine the load moves, and the ratios must compare like with like.
        before = time_peers(sample, common, args.zonemaster_sample, lab.hints_file)
        load_scan = os.getloadavg()[0]
        wall, peak, cpu, run = run_measured(
            [*DOCTOR, "scan", str(names), "-o", str(out), *common, "--rate", args.rate,
             "--concurrency", args.concurrency])  # fmt: skip
        print(run.stderr, file=sys.stderr)
        sent = re.search(r"(\d+) queries sent, (\d+) answers shared", run.stderr)
        statuses: Counter[str] = Counter()
        wrong: list[str] = []
        with out.open() as handle:
            for line in handle:
                record = json.loads(line)
                statuses[record["status"]] += 1
                number = int(record["name"][1:6])
                if record["status"] != EXPECTED[kind_of(number)]:
                    wrong.append(f"{record['name']} {record['status']} {record.get('error', '')}")
        load_scan = max(load_scan, os.getloadavg()[0])
        after = time_peers(sample, common, args.zonemaster_sample, lab.hints_file)
        check_per_name = (before.check + after.check) / 2
        zm_times = before.zonemaster + after.zonemaster
        zm_note = before.note or after.note
        scan_per_name = wall / args.zones
        result = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "zones": args.zones,
            "rate": args.rate,
            "concurrency": args.concurrency,
            "cpus": os.cpu_count(),
            "plan_seconds": round(build_seconds, 1),
            "bind_load_seconds": round(serve_seconds, 1),
            "scan_seconds": round(wall, 1),
            "names_per_second": round(args.zones / wall, 1),
            "peak_rss_mb": round(peak / 2**20, 1),
            "cpu_ms_per_name": round(cpu * 1000 / args.zones, 1),
            "queries_sent": int(sent.group(1)) if sent else None,
            "answers_shared": int(sent.group(2)) if sent else None,
            "exit": run.returncode,
            "statuses": dict(statuses),
            "wrong": wrong[:20],
            "wrong_count": len(wrong),
            "load_average_1min_at_scan_start_and_end_max": round(load_scan, 1),
            "check_loop_seconds_per_name": round(check_per_name, 3),
            "check_loop_before_and_after_scan": [round(before.check, 3), round(after.check, 3)],
            "check_sample": len(sample),
            "zonemaster_seconds_per_domain": (
                round(sum(zm_times) / len(zm_times), 2) if zm_times else None
            ),
            "zonemaster_sample": len(zm_times),
            "zonemaster_note": zm_note,
            "scan_vs_check": round(check_per_name / scan_per_name, 1),
            "scan_vs_zonemaster": (
                round(sum(zm_times) / len(zm_times) / scan_per_name, 1) if zm_times else None
            ),
        }
        (BENCH / "out").mkdir(exist_ok=True)
        (BENCH / "out" / "scan.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
    finally:
        if not args.keep:
            lab.stop()
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
