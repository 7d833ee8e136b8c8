"""Benchmark: a full ``dnssec-doctor check`` next to DNSViz and Zonemaster, and under delay.

Part 1. One real-server lab (BIND ``named`` on 127.78,
``lab.real``; run as root) serves the scenario zones. For each zone, in the
same run, interleaved, ``--repeat`` times (median reported):

- ``dnssec-doctor check ZONE --format json``, a fresh process each time, with
  its defaults (2 s timeout, 1 retry), and the number of queries it sent;
- DNSViz 0.11.2 ``probe -A`` + ``grok`` (``bench/.venv-dnsviz``, ``peers.py``),
  given the lab's root servers and root DNSKEY;
- ``zonemaster-cli`` with the lab's hints (modules that query only the zone's
  servers);

then where check's time goes (imports, probe, analysis) in a fresh interpreter.

Part 2. The same zones on an embedded lab (``--delay-base``) where every server
answers 50 ms late (fault ``delay-50ms``): the three tools again, and check's
probe phase with and without the delay. The extra probe time divided by 50 ms
is the number of round trips on the critical path, to compare with the depth
of the delegation chain (root, ``test.``, the zone: 3).

Nothing leaves 127.0.0.0/8. Zones are signed at the current time because the
peers judge at the wall clock.

    .venv/bin/python bench/check_bench.py [--write] [--repeat N] [--skip-peers] [SCENARIO ...]

``--write`` replaces the "check vs peers" section of ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import peers  # noqa: E402
from check_bench_report import (  # noqa: E402
    CHECK,
    DELAY,
    SECTION,
    DelayResult,
    Split,
    Timed,
    ZoneResult,
    markdown,
)
from readme_section import write_section  # noqa: E402

from dnssec_doctor.lab.background import BackgroundLab  # noqa: E402
from dnssec_doctor.lab.plan import LabPlan  # noqa: E402
from dnssec_doctor.lab.real import start_real  # noqa: E402
from dnssec_doctor.lab.realconf import root_hints  # noqa: E402
from dnssec_doctor.lab.scenarios import build_lab  # noqa: E402

DOCTOR = REPO / ".venv" / "bin" / "dnssec-doctor"
SCENARIOS = ("good-nsec", "expired-signatures", "ds-no-matching-key", "good-nsec3")
REAL_BASE = "127.78"
Tool = Callable[[str], tuple[float, Timed]]
"""zone → (wall seconds, what the tool said)."""


# --- the tools ---------------------------------------------------------------------


def run_doctor(zone: str, hints: str, anchor: Path) -> tuple[float, Timed]:
    """``dnssec-doctor check ZONE --format json``: wall time, status, root causes, queries."""
    argv = [str(DOCTOR), "check", zone, "--root-hints", hints, "--trust-anchor", str(anchor)]
    start = time.monotonic()
    proc = subprocess.run(
        [*argv, "--format", "json"], capture_output=True, text=True, timeout=300, check=False
    )
    seconds = time.monotonic() - start
    out = Timed(CHECK)
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        out.error = f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
        return seconds, out
    roots = sorted(
        {
            f["code"]
            for f in data.get("findings", [])
            if f.get("root_cause") and f.get("severity") not in ("info", "notice")
        }
    )
    out.verdict = f"{data.get('status')}; " + (", ".join(roots) or "no warning")
    queries = (data.get("stats") or {}).get("queries")
    out.queries = queries if isinstance(queries, int) else None
    out.depth = len(data.get("zones") or []) or None
    return seconds, out


def run_dnsviz(zone: str, hints_file: Path, keys: Path) -> tuple[float, Timed]:
    """DNSViz ``probe -A`` + ``grok`` (both timed): delegation status and error codes."""
    out = Timed("DNSViz probe -A + grok")
    roots = peers.root_servers_from_hints(hints_file)
    start = time.monotonic()
    run, grok = peers.dnsviz([zone], root_servers=roots, trusted_keys_file=keys)
    seconds = time.monotonic() - start
    if grok is None:
        out.error = run.error or f"exit {run.returncode}: {run.stderr.strip()[-300:]}"
        return seconds, out
    errors = sorted({i.code for i in peers.dnsviz_issues(grok) if i.kind == "error"})
    status = peers.dnsviz_delegation_status(grok, zone) or "?"
    out.verdict = f"{status}; " + (", ".join(errors) or "no error")
    return seconds, out


def run_zonemaster(zone: str, hints_file: Path) -> tuple[float, Timed]:
    """``zonemaster-cli``: its ERROR and CRITICAL message tags."""
    out = Timed("zonemaster-cli")
    start = time.monotonic()
    run, messages = peers.zonemaster(zone, hints_file=hints_file)
    seconds = time.monotonic() - start
    if not run.ran:
        out.error = run.error
        return seconds, out
    tags = sorted({str(m.get("tag")) for m in messages if m.get("level") in ("ERROR", "CRITICAL")})
    out.verdict = ", ".join(tags) or "no error"
    return seconds, out


_SPLIT = """
import gc, sys, time
t0 = time.perf_counter()
gc.disable()  # what the console entry point (cli/entry.py) does for check
import asyncio, json
import dnssec_doctor.cli.main, dnssec_doctor.cli.check
import dns.name
from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.cli.warmup import Warmup, modules_for
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import diagnose_capture, probe_live
from dnssec_doctor.transport.policy import AddressPolicy
t1 = time.perf_counter()
zone, hints, anchor, now = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
request = ProbeRequest(
    name=dns.name.from_text(zone),
    root_hints=tuple(ServerAddress.parse(a) for a in hints.split(",")),
    trust_anchors=anchors_from_lines(open(anchor).read().splitlines()),
    seed="bench",
)
with Warmup(modules_for("json")):
    capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
t2 = time.perf_counter()
from dnssec_doctor.model.diagnosis_json import render_json
render_json(diagnose_capture(capture, now))
t3 = time.perf_counter()
starts = sorted(e.started for e in capture.exchanges)
times = {"startup": t1 - t0, "probe": t2 - t1, "analysis": t3 - t2}
print(json.dumps({**times, "starts": starts}))
"""


def split_run(zone: str, hints: str, anchor: Path) -> Split | None:
    """One check in a fresh interpreter, timed in three parts as the CLI runs them (the
    analysis imported during the probe's waits, when there are any)."""
    argv = [sys.executable, "-c", _SPLIT, zone, hints, str(anchor), str(int(time.time()))]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    try:
        parsed = json.loads(proc.stdout.strip().splitlines()[-1])
        starts = tuple(float(x) for x in parsed["starts"])
        startup, probe, analysis = (float(parsed[k]) for k in ("startup", "probe", "analysis"))
        return Split(startup, probe, analysis, starts=starts)
    except (ValueError, IndexError, KeyError, TypeError):
        print(f"split run failed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
        return None


def median_split(runs: list[Split | None]) -> Split | None:
    """The per-part medians of the runs that worked."""
    ok = [r for r in runs if r is not None]
    if not ok:
        return None
    return Split(
        statistics.median(r.startup for r in ok),
        statistics.median(r.probe for r in ok),
        statistics.median(r.analysis for r in ok),
        starts=ok[0].starts,
    )


# --- running them on a lab -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Inputs:
    """Where the tools are pointed: root hints (addresses and file) and the root key."""

    hints: str
    hints_file: Path
    anchor: Path
    keys: Path

    def tools(self, peers_too: bool) -> list[Tool]:
        """check, then (when asked) DNSViz and Zonemaster."""
        tools: list[Tool] = [lambda z: run_doctor(z, self.hints, self.anchor)]
        if peers_too:
            tools.append(lambda z: run_dnsviz(z, self.hints_file, self.keys))
            tools.append(lambda z: run_zonemaster(z, self.hints_file))
        return tools


def write_inputs(plan: LabPlan, directory: Path) -> Inputs:
    """Root hints, the root DS (for check) and the root DNSKEY (for DNSViz) as files."""
    names = {s.address: s.hostname for s in plan.servers}
    hints_file = directory / "root.hints"
    hints_file.write_text(root_hints([(names[a], a) for a in plan.root_hints]))
    anchor = directory / "root-anchor.ds"
    anchor.write_text("\n".join(plan.trust_anchor_ds) + "\n")
    keys = directory / "root.dnskey"
    keys.write_text("\n".join(plan.trust_anchor_dnskey) + "\n")
    return Inputs(",".join(str(a) for a in plan.root_hints), hints_file, anchor, keys)


def record(into: dict[str, Timed], seconds: float, run: Timed) -> None:
    """Add one run's time; keep the first good run's verdict, and any run's error."""
    kept = into.setdefault(run.tool, dataclasses.replace(run, seconds=[]))
    if run.error:
        kept.error = kept.error or run.error
        return
    kept.seconds.append(seconds)
    if not kept.verdict:
        kept.verdict, kept.queries, kept.depth = run.verdict, run.queries, run.depth


def run_zones(plan: LabPlan, tools: list[Tool], repeat: int, label: str) -> list[ZoneResult]:
    """Every tool on every scenario zone, interleaved, ``repeat`` times."""
    results = []
    for info in plan.scenarios:
        result = ZoneResult(info.name, info.zone)
        for _ in range(repeat):
            for tool in tools:
                record(result.runs, *tool(info.zone))
        results.append(result)
        for t in result.runs.values():
            print(f"{label:6} {info.name:20} {t.tool:24} {t.median:6.2f} s  {t.verdict or t.error}")
    return results


def bench_bind(
    names: Sequence[str], repeat: int, peers_too: bool
) -> tuple[list[ZoneResult], dict[str, Split]]:
    """Part 1: the tools on one real-server lab (BIND), and check's time split per zone."""
    plan = build_lab(int(time.time()), base=REAL_BASE, names=names)
    split: dict[str, Split] = {}
    with tempfile.TemporaryDirectory(prefix="check-bench-") as tmp:
        inputs = write_inputs(plan, Path(tmp))
        lab = start_real(plan, Path(tmp) / "lab", bind_resolver=False, wait_seconds=300)
        try:
            results = run_zones(plan, inputs.tools(peers_too), repeat, "BIND")
            for info in plan.scenarios:
                runs = [split_run(info.zone, inputs.hints, inputs.anchor) for _ in range(repeat)]
                if (best := median_split(runs)) is not None:
                    split[info.name] = best
        finally:
            lab.stop()
    return results, split


def delayed(plan: LabPlan) -> LabPlan:
    """The same plan with every server answering 50 ms late."""
    servers = tuple(dataclasses.replace(s, faults=(*s.faults, "delay-50ms")) for s in plan.servers)
    return dataclasses.replace(plan, servers=servers)


def _probe_runs(plan: LabPlan, inputs: Inputs, repeat: int) -> dict[str, list[Split]]:
    runs: dict[str, list[Split]] = {}
    for info in plan.scenarios:
        tries = [split_run(info.zone, inputs.hints, inputs.anchor) for _ in range(repeat)]
        runs[info.name] = [r for r in tries if r is not None]
    return runs


def waves(starts: Sequence[float], gap: float = DELAY / 2) -> list[int]:
    """How many queries went out in each burst: a pause longer than ``gap`` starts a new one.

    With every answer 50 ms late, a query that waits for an earlier answer
    starts at least 50 ms after it, so the bursts are the steps of the
    critical path and their sizes show what ran in parallel.
    """
    sizes: list[int] = []
    last = None
    for t in sorted(starts):
        if last is None or t - last > gap:
            sizes.append(0)
        sizes[-1] += 1
        last = t
    return sizes


def bench_delay(
    names: Sequence[str], repeat: int, base: str, peers_too: bool
) -> tuple[list[ZoneResult], list[DelayResult]]:
    """Part 2: the tools with 50 ms per answer, and check's probe with and without it."""
    plan = build_lab(int(time.time()), base=base, names=names)
    with tempfile.TemporaryDirectory(prefix="check-bench-") as tmp:
        inputs = write_inputs(plan, Path(tmp))
        with BackgroundLab(plan):
            plain = _probe_runs(plan, inputs, repeat)
        with BackgroundLab(delayed(plan)):
            late = run_zones(plan, inputs.tools(peers_too), repeat, "50 ms")
            late_probe = _probe_runs(plan, inputs, repeat)
    trips = []
    for result in late:
        check = result.runs[CHECK]
        before, after = plain[result.scenario], late_probe[result.scenario]
        if before and after:
            trips.append(
                DelayResult(
                    result.scenario,
                    [r.probe for r in before],
                    [r.probe for r in after],
                    check.queries,
                    check.depth,
                    waves(after[0].starts),
                )
            )
    for t in trips:
        print(f"{t.scenario:20} {t.round_trips:4.1f} round trips, bursts {t.waves}")
    return late, trips


def main(argv: Sequence[str] | None = None) -> int:
    """Run both parts; print the section; with ``--write``, update bench/README.md."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool and zone")
    parser.add_argument("--skip-peers", action="store_true", help="time check only")
    parser.add_argument("--delay-base", default="127.89", help="embedded lab prefix (127.x)")
    parser.add_argument("--write", action="store_true", help="update bench/README.md")
    args = parser.parse_args(argv)
    # Time compiled code, as a wheel installs it (an editable install compiles nothing).
    compileall.compile_dir(str(BENCH.parent / "src"), quiet=1)
    bind, split = bench_bind(args.scenarios, args.repeat, not args.skip_peers)
    late, trips = bench_delay(args.scenarios, args.repeat, args.delay_base, not args.skip_peers)
    given = list(sys.argv[1:] if argv is None else argv)
    versions = {"dnssec-doctor": _doctor_version(), **peers.versions()}
    text = markdown(
        bind,
        split,
        late,
        trips,
        command=" ".join([".venv/bin/python bench/check_bench.py", *given]),
        repeat=args.repeat,
        versions=versions,
    )
    print(text)
    if args.write:
        write_section(SECTION, text, BENCH / "README.md")
    return 0


def _doctor_version() -> str:
    try:
        proc = subprocess.run(
            [str(DOCTOR), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return "?"
    return proc.stdout.strip().split()[-1] if proc.stdout.strip() else "?"


if __name__ == "__main__":
    sys.exit(main())
