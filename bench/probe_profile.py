"""The probe's CPU per name in a scan, alone (the analysis switched off), and where it goes.

Run as root (the lab listens on port 53 of its own loopback addresses):

    .venv/bin/python bench/probe_profile.py [--zones 300] [--base 127.173] [--rounds 5] \
        [--profile] [--parity] [--py-spy PATH] [--src TREE/src] [--compare OTHER_TREE/src ...]

Serves ``--zones`` lab zones (bench/scan_lab.py) with BIND, then runs
``dnssec-doctor scan --workers 0`` over them ``--rounds`` times in a child process
(from ``--src``, by default this tree's) whose analysis is replaced by a stub
(``scan.threaded.keep_and_analyse`` returns an error record at once), so what the
child spends is the probe's: the walk, building and sending queries, checking and
parsing the answers. The CPU counted is the child's own (``time.process_time``
around the scan: not its imports; the kernel's share from ``getrusage``). With
``--compare``, each round also runs the scan from each other source tree (its
``src`` directory first on ``PYTHONPATH``), the order rotating between rounds so
that a change of load on the shared machine falls on each alike; the medians are
printed per tree (snapshots made with ``git archive COMMIT src | tar -x -C DIR`` let
one compare commits while editing). ``--profile`` adds one run of ``--src`` under
cProfile (CPU time) and prints its top functions by own time
(bench/out/probe_profile.prof). ``--parity`` scans once more from each tree, with
the same seed for the random labels, and compares the exchanges of the captures.
``--py-spy PATH`` samples one run with py-spy (not a dependency of the project: any
py-spy binary) and prints the share of samples per function
(bench/out/probe_profile.pyspy.txt).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
SRC = BENCH.parent / "src"
OUT = BENCH / "out"


def child(result_file: str, profile_file: str, argv: list[str]) -> None:
    """Run ``dnssec-doctor ARGV`` here with the analysis stubbed out; write the CPU
    seconds it took (and the profile, when ``profile_file`` is not empty)."""
    from dnssec_doctor.cli.entry import main as doctor
    from dnssec_doctor.scan import threaded
    from dnssec_doctor.scan.records import Record, error_record

    def no_analysis(keep: Any, capture: Any, line: int, *_: Any, **__: Any) -> Record:
        if keep is not None:  # --save-captures (the parity check)
            keep(capture, line)
        return error_record(line, capture.name, "analysis switched off (bench)")

    threaded.keep_and_analyse = no_analysis
    if os.environ.get("PROBE_PROFILE_SEED"):  # the same random labels in every run
        from dnssec_doctor.cli import scan

        scan.new_seed = lambda: os.environ["PROBE_PROFILE_SEED"]  # type: ignore[attr-defined]
    sys.argv = ["dnssec-doctor", *argv]
    profiler = cProfile.Profile(time.process_time) if profile_file else None
    started = time.process_time()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    if profiler is not None:
        profiler.enable()
    try:
        doctor()
    except SystemExit:
        pass
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile_file)
    cpu = time.process_time() - started
    end = resource.getrusage(resource.RUSAGE_SELF)
    system = end.ru_stime - usage.ru_stime
    Path(result_file).write_text(json.dumps({"cpu": cpu, "system": system}))


def top(stats_file: Path, limit: int = 30) -> str:
    """The ``limit`` functions of a profile with the most own time, as text."""
    buffer = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=buffer)
    stats.sort_stats("tottime").print_stats(limit)
    return buffer.getvalue()


def parity(trees: list[Path], scan_args: list[str], work: Path) -> None:
    """Scan once from each tree with the same seed, saving the captures, and compare
    what they sent and heard: per name, the multiset of exchanges (server, query,
    transport, outcome, error, answer and stray datagrams without their ID). Order and
    timing are left out: with names probed concurrently they differ between any two
    runs of the same code."""
    from dnssec_doctor.model.capture import load_capture

    seen: list[dict[str, list[tuple[Any, ...]]]] = []
    for number, tree in enumerate(trees):
        directory = work / f"parity{number}"
        os.environ["PROBE_PROFILE_SEED"] = "parity"
        run_scan(tree, [*scan_args, "--save-captures", str(directory)], work)
        del os.environ["PROBE_PROFILE_SEED"]
        names: dict[str, list[tuple[Any, ...]]] = {}
        for path in sorted(directory.glob("*.capture.json*")):
            capture = load_capture(path)
            names[capture.name] = sorted(
                (e.server, json.dumps(e.query.as_json()), e.transport, e.outcome, e.error,
                 answer(e.wire), tuple(answer(s) for s in e.stray))
                for e in capture.exchanges
            )  # fmt: skip
        seen.append(names)
    first = seen[0]
    exchanges = sum(len(v) for v in first.values())
    for tree, names in zip(trees[1:], seen[1:], strict=True):
        differing = sorted(n for n in first.keys() | names.keys() if first.get(n) != names.get(n))
        print(f"parity {trees[0]} vs {tree}: {len(first)} names, {exchanges} exchanges; "
              f"{len(differing)} names differ {differing[:5]}")  # fmt: skip
        for name in differing[:2]:
            ours, theirs = Counter(first.get(name, [])), Counter(names.get(name, []))
            print(f"  {name}: only in the first: {list((ours - theirs).elements())[:3]}")
            print(f"  {name}: only in the other: {list((theirs - ours).elements())[:3]}")


def sampled(samples: Path, limit: int = 25) -> str:
    """py-spy's collapsed stacks summed per function: the share of samples in which it
    runs itself, and in which it is on the stack (what cProfile's per-call cost distorts
    for code made of many small calls, such as dnspython's parser)."""
    own: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    total = 0
    for line in samples.read_text().splitlines():
        stack, _, weight = line.rpartition(" ")
        if "Thread._bootstrap (threading.py" in stack:
            continue  # the idle threads that would run the analysis (``--workers 0``)
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].split("/")[-1] + ")"
                  for f in stack.split(";") if f]  # fmt: skip
        total += int(weight)
        if frames:
            own[frames[-1]] += int(weight)
        for frame in set(frames):
            inside[frame] += int(weight)
    lines = [f"{total} samples of the main thread; own / on the stack, % of them"]
    for frame, count in own.most_common(limit):
        lines.append(f"{100 * count / total:5.1f} {100 * inside[frame] / total:5.1f}  {frame}")
    lines.append("on the stack:")
    for frame, count in inside.most_common(limit * 2):
        lines.append(f"      {100 * count / total:5.1f}  {frame}")
    return "\n".join(lines)


def answer(wire: bytes | None) -> object:
    """A datagram without its ID, its records in a fixed order (BIND rotates them)."""
    from dnssec_doctor.model.capture import parse_wire

    if wire is None:
        return None
    message = parse_wire(wire)
    if message is None:
        return wire[2:]
    sections = [message.question, message.answer, message.authority, message.additional]
    records = [sorted(line for rrset in section for line in rrset.to_text().splitlines())
               for section in sections]  # fmt: skip
    return (int(message.flags), message.ednsflags, message.payload, str(records))


def run_scan(
    src: Path,
    scan_args: list[str],
    work: Path,
    profile: Path | None = None,
    spy: list[str] | None = None,
) -> tuple[float, float]:
    """CPU seconds (all, and in the kernel) of one stubbed scan with ``src`` first on
    the import path (under cProfile into ``profile``; under the command ``spy``)."""
    result = work / "result.json"
    result.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(src))
    cmd = [*(spy or []), sys.executable, __file__, "--child", str(result), str(profile or ""),
           *scan_args]  # fmt: skip
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if not result.exists():
        sys.exit(f"scan failed ({src}):\n{run.stderr}")
    figures = json.loads(result.read_text())
    return float(figures["cpu"]), float(figures["system"])


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], sys.argv[4:])
        return
    sys.path.insert(0, str(BENCH))
    from scan_lab import build_plan, zone_name

    from dnssec_doctor.lab import real

    parser = argparse.ArgumentParser()
    parser.add_argument("--zones", type=int, default=300)
    parser.add_argument("--base", default="127.173")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rate", default="5000")
    parser.add_argument("--concurrency", default="16")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--parity", action="store_true")
    parser.add_argument("--py-spy", metavar="PY_SPY", help="sample one run with this py-spy")
    parser.add_argument("--src", type=Path, default=SRC, metavar="SRC")
    parser.add_argument("--compare", type=Path, nargs="*", default=[], metavar="SRC")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="probe-profile-"))
    plan = build_plan(args.zones, args.base, int(time.time()))
    lab = real.start_real(plan, work / "lab", bind_resolver=False)
    OUT.mkdir(exist_ok=True)
    try:
        anchor = work / "anchor.ds"
        anchor.write_text("\n".join(plan.trust_anchor_ds) + "\n")
        names = work / "names.txt"
        names.write_text("".join(zone_name(i) + "\n" for i in range(args.zones)))
        scan = ["scan", str(names), "--root-hints", ",".join(str(a) for a in plan.root_hints),
                "--trust-anchor", str(anchor), "--rate", args.rate, "--concurrency",
                args.concurrency, "--workers", "0", "-o", str(work / "out.jsonl")]  # fmt: skip
        trees = [args.src.resolve(), *(p.resolve() for p in args.compare)]
        cpu: dict[Path, list[float]] = {t: [] for t in trees}
        kernel: dict[Path, list[float]] = {t: [] for t in trees}
        for round_ in range(args.rounds):
            shift = round_ % len(trees)
            for tree in trees[shift:] + trees[:shift]:
                seconds, system = run_scan(tree, scan, work)
                cpu[tree].append(seconds / args.zones * 1000)
                kernel[tree].append(system / args.zones * 1000)
                print(f"round {round_}: {tree}: {cpu[tree][-1]:.2f} ms/name", file=sys.stderr)
        if args.parity:
            parity(trees, scan, work)
        if args.py_spy:
            samples = OUT / "probe_profile.pyspy.txt"
            spy = [args.py_spy, "record", "--rate", "500", "--format", "raw", "--output",
                   str(samples), "--"]  # fmt: skip
            run_scan(args.src.resolve(), scan, work, spy=spy)
            print(sampled(samples))
        if args.profile:
            prof = OUT / "probe_profile.prof"
            run_scan(args.src.resolve(), scan, work, prof)
            print(top(prof))
        print(f"zones: {args.zones}, rounds: {args.rounds}, load average {os.getloadavg()}")
        for tree, figures in cpu.items():
            runs = ", ".join(f"{f:.1f}" for f in figures)
            system = statistics.median(kernel[tree])
            print(f"{tree}: median {statistics.median(figures):.2f} ms CPU per name ({runs}),"
                  f" of which {system:.2f} in the kernel")  # fmt: skip
    finally:
        lab.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
