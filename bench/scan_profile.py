"""Where a scan's time goes: per-name CPU of probing, analysis and serialization.

Run as root (the lab listens on port 53 of its own loopback addresses):

    .venv/bin/python bench/scan_profile.py [--zones 500] [--base 127.214]

Serves ``--zones`` lab zones (bench/scan_lab.py) with BIND, then:

1. scans them (``--workers 2``: two worker processes that each probe and analyse) and
   reads the CPU seconds of the whole process tree (getrusage of the children): the
   figure that counts, ``tree_cpu_ms_per_name``;
2. the scanning process under cProfile (since the workers probe and analyse, it only
   reads, dispatches and writes) and a scan with ``--save-captures``;
3. replays the analysis of every saved capture in this process under cProfile, from
   cold parse caches (``analysis_cold_cpu_ms_per_name``: a worker analyses with the
   probe's parses cached, see bench/analysis_profile.py), and times the record's JSON.

The probe alone and the analysis with warm caches are measured apart by
bench/probe_profile.py and bench/analysis_profile.py.

Prints per-name figures and the top functions of both profiles; writes
bench/out/scan_profile.json and the two .prof files next to it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import dns.name

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from scan_lab import build_plan, zone_name  # noqa: E402

from dnssec_doctor.dnssec import crypto  # noqa: E402
from dnssec_doctor.lab import real  # noqa: E402
from dnssec_doctor.model.capture import (  # noqa: E402
    Capture,
    _parse_after_id,
    load_capture,
    parse_wire,
)
from dnssec_doctor.model.query import QuerySpec  # noqa: E402
from dnssec_doctor.scan.analyse import analyse_capture  # noqa: E402

OUT = BENCH / "out"


def top(stats_file: Path, limit: int = 25) -> str:
    """The ``limit`` functions of a profile with the most cumulative time, as text."""
    buffer = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=buffer)
    stats.sort_stats("tottime").print_stats(limit)
    return buffer.getvalue()


def kind_of_query(spec: QuerySpec) -> str:
    """What a query of the capture is for: a standard question or a behaviour probe."""
    if spec.tcp:
        return "behaviour: TCP"
    if spec.edns is None or spec.edns == 1 or spec.options or not spec.do:
        return "behaviour: EDNS (no EDNS, no DO, version 1, unknown option)"
    if spec.payload != 1232:
        return "behaviour: size ladder (512, 1400, 4096)"
    return "standard questions"


def query_mix(captures: list[Capture]) -> dict[str, dict[str, float]]:
    """Exchanges per name by level (the name's own zone, or the levels above it, whose
    answers a scan shares) and by what they are for."""
    mix: Counter[tuple[str, str]] = Counter()
    for capture in captures:
        for exchange in capture.exchanges:
            qname = dns.name.from_text(exchange.query.qname)
            own = qname.is_subdomain(dns.name.from_text(capture.name))
            level = "own zone" if own else "above (root, TLD: shared)"
            mix[(level, kind_of_query(exchange.query))] += 1
    out: dict[str, dict[str, float]] = {}
    for (level, kind), count in sorted(mix.items()):
        out.setdefault(level, {})[kind] = round(count / max(1, len(captures)), 1)
    return out


def profile_into(path: str, argv: list[str]) -> None:
    """Run ``dnssec-doctor ARGV`` here under cProfile counting CPU time (not wall time:
    on a loaded machine wall time counts the waits for a core), into ``path``."""
    from dnssec_doctor.cli.entry import main as doctor

    profiler = cProfile.Profile(time.process_time)
    sys.argv = ["dnssec-doctor", *argv]
    profiler.enable()
    try:
        doctor()
    except SystemExit:
        pass
    finally:
        profiler.disable()
        profiler.dump_stats(path)


def main() -> None:
    if sys.argv[1:2] == ["--profile-into"]:
        profile_into(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--zones", type=int, default=500)
    parser.add_argument("--base", default="127.214")
    parser.add_argument("--rate", default="5000")
    parser.add_argument("--concurrency", default="64")
    args = parser.parse_args()
    now = int(time.time())
    work = Path(tempfile.mkdtemp(prefix="scan-profile-"))
    plan = build_plan(args.zones, args.base, now)
    lab = real.start_real(plan, work / "lab", bind_resolver=False)
    OUT.mkdir(exist_ok=True)
    try:
        hints = ",".join(str(a) for a in plan.root_hints)
        anchor = work / "anchor.ds"
        anchor.write_text("\n".join(plan.trust_anchor_ds) + "\n")
        names = work / "names.txt"
        names.write_text("".join(zone_name(i) + "\n" for i in range(args.zones)))
        captures = work / "captures"
        scan = [sys.executable, "-m", "dnssec_doctor", "scan", str(names), "--root-hints", hints,
                "--trust-anchor", str(anchor), "--rate", args.rate, "--concurrency",
                args.concurrency, "--workers", "2"]  # fmt: skip
        # 1. plain: wall time and the CPU of the whole process tree (no profiler)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        run = subprocess.run([*scan, "-o", str(work / "out.jsonl")],
                             capture_output=True, text=True, check=False)  # fmt: skip
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        tree_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(run.stderr, file=sys.stderr)
        sent = re.search(r"(\d+) queries sent, (\d+) answers shared", run.stderr)
        # 2. the scanning process under cProfile (the workers probe and analyse)
        probe_prof = OUT / "scan_probe.prof"
        profiled = subprocess.run(
            [sys.executable, __file__, "--profile-into", str(probe_prof), *scan[3:],
             "-o", str(work / "profiled.jsonl")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        probe_cpu = pstats.Stats(str(probe_prof)).total_tt  # type: ignore[attr-defined]
        # 3. the captures, for the analysis profile
        subprocess.run([*scan, "-o", str(work / "saved.jsonl"), "--save-captures", str(captures)],
                       capture_output=True, text=True, check=False)  # fmt: skip
        del profiled
        files = sorted(captures.glob("*.capture.json.gz"))
        loaded = [load_capture(f) for f in files]
        exchanges = sum(len(c.exchanges) for c in loaded)
        # the analysis as a worker runs it (names one after another, caches warm), then again
        # under cProfile from cold caches
        t_an = time.process_time()
        for line, capture in enumerate(loaded, 1):
            analyse_capture(capture, line, now, 7 * 86400)
        analysis_cpu = time.process_time() - t_an
        parse_wire.cache_clear()
        _parse_after_id.cache_clear()
        crypto._OUTCOMES.clear()
        analysis_prof = OUT / "scan_analysis.prof"
        profiler = cProfile.Profile(time.process_time)
        records = []
        profiler.enable()
        for line, capture in enumerate(loaded, 1):
            records.append(analyse_capture(capture, line, now, 7 * 86400))
        profiler.disable()
        profiler.dump_stats(str(analysis_prof))
        t_json = time.process_time()
        for record in records:
            json.dumps(record)
        json_cpu = time.process_time() - t_json
        n = args.zones
        result = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "zones": n,
            "wall_seconds": round(wall, 1),
            "names_per_second": round(n / wall, 1),
            "queries_sent": int(sent.group(1)) if sent else None,
            "answers_shared": int(sent.group(2)) if sent else None,
            "exchanges_per_name": round(exchanges / max(1, len(loaded)), 1),
            "exchanges_per_name_by_kind": query_mix(loaded),
            "tree_cpu_ms_per_name": round(tree_cpu / n * 1000, 1),
            "analysis_cold_cpu_ms_per_name": round(analysis_cpu / n * 1000, 1),
            "scanning_process_cpu_ms_per_name_profiled": round(probe_cpu / n * 1000, 1),
            "analysis_cpu_ms_per_name_profiled": round(
                pstats.Stats(str(analysis_prof)).total_tt / n * 1000,
                1,  # type: ignore[attr-defined]
            ),
            "record_json_ms_per_name": round(json_cpu / n * 1000, 2),
        }
        (OUT / "scan_profile.json").write_text(json.dumps(result, indent=2) + "\n")
        print("== scanning process (cProfile, by own time) ==")
        print(top(probe_prof))
        print("== analysis (cProfile, by own time) ==")
        print(top(analysis_prof))
        print(json.dumps(result, indent=2))
    finally:
        lab.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
