"""Benchmark: `check` on zones with one bad server, next to DNSViz and Zonemaster.

Starts an embedded lab (its own loopback addresses, ``--base``, port 53, so run
as root) holding a dead server (``lame-server``), a firewall that drops UDP
answers above 512 bytes and TCP (``middlebox-large-udp``), a box that drops
DO-flagged queries (``middlebox-drop-do``) and a healthy zone (``good-nsec``).
For each zone it times, in the same run and against the same lab:

- ``dnssec-doctor check ZONE`` (default timeout 2 s, 1 retry) and the root causes it names;
- DNSViz ``probe -A`` + ``grok``, and ``probe -A -E`` (EDNS diagnostics) + ``grok``;
- ``zonemaster-cli`` (the modules that query only the zone's servers, see ``peers.py``).

Every tool is given the lab's root servers; nothing leaves 127.0.0.0/8. The lab
is signed at the current time, because the peers judge at the wall clock.

    .venv/bin/python bench/check_servers.py [--write] [--skip-peers] [SCENARIO ...]

``--write`` replaces the "Server behaviour" section of ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import peers  # noqa: E402
from readme_section import write_section  # noqa: E402

from dnssec_doctor.lab.background import BackgroundLab  # noqa: E402
from dnssec_doctor.lab.plan import LabPlan  # noqa: E402
from dnssec_doctor.lab.scenarios import ROOT_HOSTS, build_lab  # noqa: E402

DOCTOR = REPO / ".venv" / "bin" / "dnssec-doctor"
SCENARIOS = ("lame-server", "middlebox-large-udp", "middlebox-drop-do", "good-nsec")
SECTION = "## Server behaviour"


@dataclass(slots=True)
class Timed:
    """One tool on one zone: wall time, and what it said."""

    tool: str
    seconds: float
    verdict: str
    error: str = ""


@dataclass(slots=True)
class ZoneResult:
    """Every tool on one scenario zone."""

    scenario: str
    zone: str
    expected: str
    runs: list[Timed] = field(default_factory=list)


def _write_inputs(plan: LabPlan, directory: Path) -> tuple[Path, Path, Path]:
    """Root hints (named.root form), the root DS anchor, and the root DNSKEY for DNSViz."""
    hints = directory / "root.hints"
    lines = []
    for host, address in zip(ROOT_HOSTS, plan.root_hints, strict=True):
        lines += [f". 3600000 NS {host}", f"{host} 3600000 A {address.ip}"]
    hints.write_text("\n".join(lines) + "\n")
    anchor = directory / "root-anchor.ds"
    anchor.write_text("\n".join(plan.trust_anchor_ds) + "\n")
    keys = directory / "root-keys.dnskey"
    keys.write_text("\n".join(plan.trust_anchor_dnskey) + "\n")
    return hints, anchor, keys


def run_doctor(zone: str, hints: str, anchor: Path) -> Timed:
    """``dnssec-doctor check ZONE --format json``: wall time and root causes with servers."""
    argv = [str(DOCTOR), "check", zone, "--root-hints", hints, "--trust-anchor", str(anchor)]
    start = time.monotonic()
    proc = subprocess.run(
        [*argv, "--format", "json"], capture_output=True, text=True, timeout=120, check=False
    )
    seconds = time.monotonic() - start
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        return Timed("dnssec-doctor check", seconds, "", f"exit {proc.returncode}: {proc.stderr}")
    roots = [
        f"{f['code']} ({', '.join(f['servers']) or 'all servers'})"
        for f in data.get("findings", [])
        if f.get("root_cause") and f.get("severity") not in ("info", "notice")
    ]
    return Timed(
        "dnssec-doctor check", seconds, f"{data['status']}; " + ("; ".join(roots) or "clean")
    )


def run_dnsviz(zone: str, plan: LabPlan, keys: Path, *, edns: bool) -> Timed:
    """DNSViz ``probe -A [-E]`` then ``grok``; the errors and warnings it reports."""
    label = "DNSViz probe -A -E + grok" if edns else "DNSViz probe -A + grok"
    exe = peers.executable("dnsviz")
    if exe is None:
        return Timed(label, 0.0, "", "not installed (bench/setup_peers.sh)")
    roots = ",".join(f"{h}={a.ip}" for h, a in zip(ROOT_HOSTS, plan.root_hints, strict=True))
    with tempfile.TemporaryDirectory(prefix="dnsviz-") as tmp:
        probe_file = Path(tmp) / "probe.json"
        probe = [exe, "probe", "-4", "-A", *(["-E"] if edns else [])]
        probe += ["-x", f".:{roots}", "-a", ".", "-o", str(probe_file), zone]
        start = time.monotonic()
        first = subprocess.run(probe, capture_output=True, text=True, timeout=600, check=False)
        if first.returncode != 0:
            return Timed(
                label, time.monotonic() - start, "", f"probe failed: {first.stderr[-300:]}"
            )
        grok = [exe, "grok", "-P", "-t", str(keys), "-r", str(probe_file)]
        second = subprocess.run(grok, capture_output=True, text=True, timeout=600, check=False)
        seconds = time.monotonic() - start
    try:
        parsed: dict[str, Any] = json.loads(second.stdout)
    except ValueError:
        return Timed(label, seconds, "", f"grok failed: {second.stderr[-300:]}")
    issues = peers.dnsviz_issues(parsed)
    errors = sorted({i.code for i in issues if i.kind == "error"})
    warnings = sorted({i.code for i in issues if i.kind == "warning"})
    status = peers.dnsviz_delegation_status(parsed, zone)
    verdict = f"{status or '?'}; errors: {', '.join(errors) or 'none'}"
    verdict += f"; warnings: {', '.join(warnings) or 'none'}"
    return Timed(label, seconds, verdict)


def run_zonemaster(zone: str, hints: Path) -> Timed:
    """``zonemaster-cli`` (no Connectivity module): its WARNING and worse messages."""
    start = time.monotonic()
    run, messages = peers.zonemaster(zone, hints_file=hints)
    seconds = time.monotonic() - start
    if not run.ran:
        return Timed("zonemaster-cli", seconds, "", run.error)
    tags = sorted(
        {str(m.get("tag")) for m in messages if m.get("level") in ("WARNING", "ERROR", "CRITICAL")}
    )
    return Timed("zonemaster-cli", seconds, "; ".join(tags) or "no warning")


def bench(names: Sequence[str], base: str, skip_peers: bool, repeat: int) -> list[ZoneResult]:
    """Run every tool on every scenario against one lab."""
    now = int(time.time())
    plan = build_lab(now, base=base, names=names)
    results: list[ZoneResult] = []
    with BackgroundLab(plan), tempfile.TemporaryDirectory(prefix="bench-servers-") as tmp:
        hints_file, anchor, keys = _write_inputs(plan, Path(tmp))
        hints = ",".join(str(a) for a in plan.root_hints)
        for info in plan.scenarios:
            result = ZoneResult(info.name, info.zone, ", ".join(info.expected_codes) or "clean")
            doctor = [run_doctor(info.zone, hints, anchor) for _ in range(repeat)]
            median = statistics.median(t.seconds for t in doctor)
            result.runs.append(Timed(doctor[0].tool, median, doctor[0].verdict, doctor[0].error))
            if not skip_peers:
                result.runs.append(run_dnsviz(info.zone, plan, keys, edns=False))
                result.runs.append(run_dnsviz(info.zone, plan, keys, edns=True))
                result.runs.append(run_zonemaster(info.zone, hints_file))
            results.append(result)
            for t in result.runs:
                print(f"{info.name:22} {t.tool:28} {t.seconds:7.2f} s  {t.verdict or t.error}")
    return results


def markdown(results: list[ZoneResult], argv: Sequence[str], repeat: int) -> str:
    """The README section: a table per zone, ratios against dnssec-doctor, how to reproduce."""
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        SECTION,
        "",
        f"Measured {day} on this machine by `{' '.join(argv)}` (run as root: the lab listens "
        "on port 53 of its own loopback addresses). One lab, every tool in the same run; "
        "dnssec-doctor with its defaults (2 s timeout, 1 retry; median of "
        f"{repeat} run{'s' if repeat > 1 else ''}), DNSViz 0.11.2 and zonemaster-cli (one run "
        "each) given the lab's root servers. Targets (issue 5): dead server < 6 s (goal 3 s) "
        "and ≥ 4× faster than DNSViz; each middlebox zone < 10 s (goal 5 s) with the right "
        "diagnosis.",
        "",
    ]
    lines += [
        "Reading the numbers: a silent server costs dnssec-doctor one query timeout (2 s with "
        "the defaults): every probe of that server and the walk's own query go out in that "
        "one window, and a server that never answered while other queries to it timed out is "
        "not retried (`transport/client.py`, `SILENT_AFTER`). The middlebox servers do answer "
        "some queries, so their lost queries keep their retry: one timeout plus one retry. "
        + _targets(results)
        + " Verdicts: see each table; the peers' verdicts are their own codes (WARNING and "
        "worse for Zonemaster).",
        "",
    ]
    for result in results:
        doctor = result.runs[0].seconds
        lines += [
            f"### {result.scenario} (expected: {result.expected})",
            "",
            "| tool | wall time | vs dnssec-doctor | verdict |",
            "|---|---:|---:|---|",
        ]
        for t in result.runs:
            ratio = f"{t.seconds / doctor:.1f}×" if doctor and not t.error else "—"
            verdict = (t.verdict or f"error: {t.error}").replace("|", "\\|")
            lines.append(f"| {t.tool} | {t.seconds:.2f} s | {ratio} | {verdict} |")
        lines.append("")
    return "\n".join(lines)


def _targets(results: list[ZoneResult]) -> str:
    """Which of issue 5's time targets this run met, from the measured times."""
    said = []
    for result in results:
        doctor = result.runs[0].seconds
        dnsviz = next((t.seconds for t in result.runs if t.tool.startswith("DNSViz")), None)
        ratio = f", {dnsviz / doctor:.1f}× faster than DNSViz" if dnsviz and doctor else ""
        if result.scenario == "lame-server":
            verdict = "met" if doctor < 6 and (not dnsviz or dnsviz / doctor >= 4) else "NOT met"
            goal = "goal met" if doctor < 3 else "goal not met"
            said.append(f"dead server {doctor:.1f} s{ratio} (target {verdict}, 3 s {goal})")
        elif result.scenario.startswith("middlebox"):
            verdict = "met" if doctor < 10 else "NOT met"
            goal = "goal met" if doctor < 5 else "goal not met"
            said.append(f"{result.scenario} {doctor:.1f} s (target {verdict}, 5 s {goal})")
    return ("This run: " + "; ".join(said) + ".") if said else ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table; with ``--write``, update bench/README.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--base", default="127.87", help="lab address prefix (127.x)")
    parser.add_argument("--repeat", type=int, default=3, help="dnssec-doctor runs per zone")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--write", action="store_true", help="update bench/README.md")
    args = parser.parse_args(argv)
    results = bench(args.scenarios, args.base, args.skip_peers, args.repeat)
    text = markdown(results, ["bench/check_servers.py", *(argv or sys.argv[1:])], args.repeat)
    print(text)
    if args.write:
        write_section(SECTION, text, BENCH / "README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
