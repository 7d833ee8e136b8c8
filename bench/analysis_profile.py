"""The analysis' own CPU per name when the probe ran in the same process (warm parse caches).

First save the captures of a lab scan (run as root: the lab listens on port 53 of its own
loopback addresses):

    .venv/bin/python bench/analysis_profile.py --make-captures /tmp/caps --zones 300 --base 127.171

then time the analysis of every saved capture, as a worker that probes and analyses its
names would run it: for each name, first ``parse_wire`` on every answer of its capture
(what the probe has done in-process), then ``analyse_capture``, CPU time per name:

    .venv/bin/python bench/analysis_profile.py /tmp/caps [--profile out.prof]
        [--records out.jsonl]

``--gc freeze|threshold|off`` runs the loop with the garbage collector's objects so far
frozen, frozen and collecting young objects every 50,000 allocations instead of 700, or
off (the default: as a ``scan`` worker runs today). ``--records`` writes each record
without its timing (diff two trees' files: the
analysis must not change); ``--profile`` also runs the loop under cProfile (CPU time) and
prints the top functions. To compare two trees, run this file with
``PYTHONPATH=OTHER_TREE/src``, alternating runs (the machine is shared).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))


def make_captures(directory: Path, zones: int, base: str) -> None:
    """Serve ``zones`` lab zones with BIND, scan them, keep every capture in ``directory``."""
    from scan_lab import build_plan, zone_name

    from dnssec_doctor.lab import real

    now = int(time.time())
    work = Path(tempfile.mkdtemp(prefix="analysis-profile-"))
    plan = build_plan(zones, base, now)
    lab = real.start_real(plan, work / "lab", bind_resolver=False)
    try:
        anchor = work / "anchor.ds"
        anchor.write_text("\n".join(plan.trust_anchor_ds) + "\n")
        names = work / "names.txt"
        names.write_text("".join(zone_name(i) + "\n" for i in range(zones)))
        directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "dnssec_doctor", "scan", str(names), "--root-hints",
             ",".join(str(a) for a in plan.root_hints), "--trust-anchor", str(anchor),
             "--workers", "2", "-o", str(work / "out.jsonl"), "--save-captures", str(directory)],
            check=False,
        )  # fmt: skip
        (directory / "now.txt").write_text(f"{now}\n")
    finally:
        lab.stop()
        shutil.rmtree(work, ignore_errors=True)


def analyse_all(
    directory: Path, records: Path | None, profile: Path | None, gc_mode: str = "default"
) -> None:
    """Time (and optionally profile) the analysis of every capture with warm parse caches."""
    from dnssec_doctor.model.capture import load_capture, parse_wire
    from dnssec_doctor.scan.analyse import analyse_capture

    now = int((directory / "now.txt").read_text())
    loaded = [load_capture(f) for f in sorted(directory.glob("*.capture.json.gz"))]
    # the analysis is imported before the clock starts (a worker pays it once)
    import dnssec_doctor.analysis.engine
    import dnssec_doctor.model.diagnosis_json  # noqa: F401

    gc.collect()
    if gc_mode == "freeze":
        gc.freeze()  # what is loaded so far (the captures, the modules) is never walked again
    elif gc_mode == "threshold":
        gc.freeze()
        gc.set_threshold(50_000, *gc.get_threshold()[1:])
    elif gc_mode == "off":
        gc.disable()
    out = []
    per_name = []
    profiler = cProfile.Profile(time.process_time) if profile else None
    total = 0.0
    for line, capture in enumerate(loaded, 1):
        for exchange in capture.exchanges:
            if exchange.wire is not None:
                parse_wire(exchange.wire)
        if profiler:
            profiler.enable()
        started = time.process_time()
        record = analyse_capture(capture, line, now, 7 * 86400)
        spent = time.process_time() - started
        if profiler:
            profiler.disable()
        total += spent
        per_name.append(spent)
        record.pop("timing", None)
        out.append(record)
    n = len(loaded)
    print(json.dumps({
        "names": n,
        "analysis_cpu_ms_per_name": round(total / n * 1000, 2),
        "median_ms": round(statistics.median(per_name) * 1000, 2),
        "profiled": profile is not None,
        "gc": gc_mode,
    }))  # fmt: skip
    if records:
        records.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in out))
    if profiler and profile:
        profiler.dump_stats(str(profile))
        buffer = io.StringIO()
        stats = pstats.Stats(str(profile), stream=buffer)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
        print(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--make-captures", action="store_true")
    parser.add_argument("--zones", type=int, default=300)
    parser.add_argument("--base", default="127.171")
    parser.add_argument("--records", type=Path)
    parser.add_argument("--profile", type=Path)
    modes = ["default", "freeze", "threshold", "off"]
    parser.add_argument("--gc", choices=modes, default="default")
    args = parser.parse_args()
    if args.make_captures:
        make_captures(args.directory, args.zones, args.base)
    else:
        analyse_all(args.directory, args.records, args.profile, args.gc)


if __name__ == "__main__":
    main()
