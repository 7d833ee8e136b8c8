"""Start-up and replay time of two source trees of dnssec-doctor, in the same run.

Usage (from the repository root, with .venv set up):

    git worktree add /tmp/dd-before <commit>
    .venv/bin/dnssec-doctor lab up good-nsec --base 127.90 --dir /tmp/bench-lab
    .venv/bin/python bench/startup_bench.py --before /tmp/dd-before/src --after src \
        --repeat 40 --live 127.90.0.1,127.90.0.2 /tmp/bench-lab/root-anchor.ds

Both trees run with this .venv's interpreter and packages; only ``PYTHONPATH``
differs, so the figures compare our code, not the environments. The commands are
interleaved (before, after, before, …) so load on a shared machine hits both alike.
Each command: ``--help`` of the command group and of ``check`` (argument parsing and
the command's imports), ``explain`` (the catalog), and ``check --replay`` of a golden
capture in JSON and text (imports of the analysis and a renderer, plus the analysis).
Prints a Markdown table of medians (wall and CPU time; on a loaded machine CPU time is
the steadier figure) and after ÷ before.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "tests" / "cases" / "check-expired-signatures"


def _commands(live: list[str] | None) -> dict[str, list[str]]:
    expected = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
    replay = [
        "check",
        expected["name"],
        "--replay",
        str(CASE / "capture.json.gz"),
        "--at",
        f"@{expected['at']}",
    ]
    commands = {
        "--help": ["--help"],
        "check --help": ["check", "--help"],
        "explain RRSIG_EXPIRED": ["explain", "RRSIG_EXPIRED"],
        "check --replay (json)": [*replay, "--format", "json"],
        "check --replay (text)": [*replay, "--format", "text"],
    }
    if live:
        hints, anchor = live
        commands["check (live, lab)"] = [
            "check", "good-nsec.test", "--root-hints", hints, "--trust-anchor", anchor,
            "--format", "json",
        ]  # fmt: skip
    return commands


def _run(src: Path, args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one run."""
    env = {**os.environ, "PYTHONPATH": str(src.resolve()), "NO_COLOR": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dnssec_doctor", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="src/ of the old tree")
    parser.add_argument("--after", type=Path, required=True, help="src/ of the new tree")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--live", nargs=2, metavar=("ROOT_HINTS", "ANCHOR"),
        help="Also time a live check of good-nsec.test on a lab started with 'lab up'.",
    )  # fmt: skip
    options = parser.parse_args()
    # Both trees start from compiled byte-code, as an installed copy does: without it (a
    # fresh checkout run with PYTHONDONTWRITEBYTECODE) each run compiles every module.
    for src in (options.before, options.after):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)
    print("| command | wall before → after | CPU before → after | CPU after ÷ before |")
    print("|---|---:|---:|---:|")
    for label, args in _commands(options.live).items():
        before: list[tuple[float, float]] = []
        after: list[tuple[float, float]] = []
        for _ in range(options.repeat):
            before.append(_run(options.before, args))
            after.append(_run(options.after, args))
        bw, aw = (statistics.median(w for w, _ in runs) for runs in (before, after))
        bc, ac = (statistics.median(c for _, c in runs) for runs in (before, after))
        print(
            f"| `{label}` | {bw * 1000:.0f} → {aw * 1000:.0f} ms | "
            f"{bc * 1000:.0f} → {ac * 1000:.0f} ms | {ac / bc:.2f} |"
        )


if __name__ == "__main__":
    main()
