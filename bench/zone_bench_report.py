"""Result types and the Markdown report of ``bench/zone_bench.py`` (README section)."""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import peers
import zone_gen

SECTION = "## Zone verification"
OURS = "dnssec-doctor zone"
_TARGETS = (
    "Targets (issue 7): on the 100k-name zone at least as fast as dnssec-verify (goal 2×); "
    "the 1M-name zone in under 120 s (goal 90 s) with peak memory under 1 GB."
)


@dataclass(frozen=True)
class Measured:
    """One run of one tool."""

    tool: str
    wall: float
    cpu: float
    """User + system seconds of the process and every child it waited for."""
    max_rss_mb: float
    """Peak RSS of the largest single process (``wait4``)."""
    tree_pss_mb: float
    """Peak of the summed PSS of the whole process tree (sampled every 0.5 s)."""
    returncode: int
    load: float
    """1-minute load average just before the run."""
    stdout: str = ""
    stderr: str = ""


@dataclass(frozen=True)
class ToolResult:
    """Medians over the runs of one tool on one zone."""

    tool: str
    wall: float
    cpu: float
    max_rss_mb: float
    tree_pss_mb: float
    runs: int
    walls: list[float]
    loads: list[float]
    verdicts: list[str]


@dataclass(frozen=True)
class ZoneResult:
    """Every tool on one zone."""

    zone: zone_gen.BenchZone
    results: list[ToolResult]
    stats: dict[str, object]
    """Our JSON ``stats`` (records, names, signatures checked)."""
    missing: dict[str, str] = field(default_factory=dict)


def _output(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout


@dataclass(frozen=True)
class Machine:
    """Facts about the machine and software the figures were measured with."""

    cpus: str
    model: str
    threads_per_core: str
    memory_gb: float
    kernel: str
    python: str
    crypto: str
    tools: dict[str, str]

    @classmethod
    def here(cls) -> Machine:
        """Read them from ``nproc``, ``lscpu``, ``/proc/meminfo`` and the packages."""
        lscpu = {}
        for line in _output(["lscpu"]).splitlines():
            key, _, value = line.partition(":")
            lscpu[key.strip()] = value.strip()
        memory = 0.0
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory = int(line.split()[1]) / 1024**2
        try:
            import cryptography
            from cryptography.hazmat.backends.openssl import backend

            crypto = f"cryptography {cryptography.__version__} ({backend.openssl_version_text()})"
        except ImportError:
            crypto = "cryptography missing"
        versions = peers.versions()
        tools = {t: versions.get(t, "?") for t in ("dnssec-verify", "kzonecheck",
                                                   "ldns-verify-zone")}  # fmt: skip
        return cls(
            cpus=_output(["nproc"]).strip() or str(os.cpu_count()),
            model=lscpu.get("Model name", "?"),
            threads_per_core=lscpu.get("Thread(s) per core", "?"),
            memory_gb=memory,
            kernel=platform.release(),
            python=platform.python_version(),
            crypto=crypto,
            tools=tools,
        )

    def summary(self) -> str:
        """One line."""
        return (
            f"{self.cpus} CPUs ({self.model}, {self.threads_per_core} thread(s) per core), "
            f"{self.memory_gb:.0f} GB RAM, Linux {self.kernel}, Python {self.python}, "
            f"{self.crypto}"
        )


def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


def _zone_table(result: ZoneResult, rate: float, cpus: int) -> list[str]:
    zone = result.zone
    stats = result.stats
    sigs = int(str(stats.get("signatures_checked", 0)) or 0)
    lines = [
        f"### {zone.names:,}-name zone ({zone.size / 1e6:,.0f} MB file, "
        f"{int(str(stats.get('names', 0))):,} owner names, "
        f"{int(str(stats.get('records', 0))):,} records, {sigs:,} signatures)",
        "",
        "| tool | wall time | CPU time | cores used | peak RSS, largest process "
        "| peak memory, all processes (PSS) | time ÷ ours | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    ours = next((r for r in result.results if r.tool == OURS), None)
    for r in result.results:
        ratio = f"{r.wall / ours.wall:.2f}×" if ours else "—"
        runs = f" (median of {r.runs})" if r.runs > 1 else " (1 run)"
        lines.append(
            f"| {r.tool} | {r.wall:.1f} s{runs} | {r.cpu:.1f} s | {r.cpu / r.wall:.2f} "
            f"| {_mb(r.max_rss_mb)} | {_mb(r.tree_pss_mb)} | {ratio} | {'; '.join(r.verdicts)} |"
        )
    for tool, why in result.missing.items():
        lines.append(f"| {tool} | not installed ({why}) | | | | | | |")
    if ours is not None and sigs:
        floor = sigs / (rate * cpus)
        names = int(str(stats.get("names", 0)) or 0)
        per_name = ours.tree_pss_mb * 1024 * 1024 / names if names else 0
        lines += [
            "",
            f"Signature floor on this machine: {sigs:,} signatures ÷ ({rate:,.0f}/s × {cpus} "
            f"cores) = {floor:.1f} s; dnssec-doctor took {ours.wall / floor:.2f}× that. "
            f"Its memory, all processes together, per owner name: {per_name:,.0f} bytes "
            "(interpreter and libraries included; per extra name below). "
            f"Wall times of each run: "
            + "; ".join(
                f"{r.tool} {', '.join(f'{w:.1f}' for w in r.walls)}" for r in result.results
            )
            + ". Load average before the runs: "
            + ", ".join(f"{x:.1f}" for r in result.results for x in r.loads)
            + ".",
        ]
    return lines


def _marginal_memory(zones: Sequence[ZoneResult]) -> list[str]:
    """Memory per extra name between the smallest and the biggest zone (baseline removed)."""
    points = []
    for zone in zones:
        ours = next((r for r in zone.results if r.tool == OURS), None)
        names = int(str(zone.stats.get("names", 0)) or 0)
        if ours is not None and names:
            points.append((names, ours.tree_pss_mb, ours.max_rss_mb))
    if len(points) < 2:
        return []
    (n1, pss1, rss1), (n2, pss2, rss2) = min(points), max(points)
    if n2 == n1:
        return []
    per_pss = (pss2 - pss1) * 1024 * 1024 / (n2 - n1)
    per_rss = (rss2 - rss1) * 1024 * 1024 / (n2 - n1)
    return [
        f"Memory per owner name, baseline removed (between the {n1:,}- and {n2:,}-name "
        f"zones): {per_pss:,.0f} bytes (all processes, PSS), {per_rss:,.0f} bytes (main "
        "process RSS). The signatures are verified as the file streams past; what stays is "
        "a compact table of a few facts per name.",
        "",
    ]


def markdown(
    zones: Sequence[ZoneResult], machine: Machine, rate: float, argv: Sequence[str]
) -> str:
    """The README section."""
    command = ".venv/bin/python bench/zone_bench.py " + " ".join(shlex.quote(a) for a in argv[1:])
    cpus = int(machine.cpus) if machine.cpus.isdigit() else os.cpu_count() or 1
    lines = [
        SECTION,
        "",
        f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} on this machine by "
        f"`{command.strip()}` (`make bench` runs it too, through `bench/run.py`). "
        f"Machine: {machine.summary()}. Peers: "
        + ", ".join(f"{tool} ({version})" for tool, version in machine.tools.items())
        + ". "
        + _TARGETS,
        "",
        "Zones come from `bench/zone_gen.py` (cached in `bench/out/`): N primary names of a "
        "realistic mix (secure and insecure delegations, glue, hosts with A/AAAA, MX, TXT, "
        "CNAME, SRV below empty non-terminals), ECDSA P-256 KSK + ZSK, NSEC, signed by "
        "`dnssec-signzone -S -x -P` for 30 days. Every tool reads the same file in the same "
        "run, interleaved, each run a fresh process judged at the same time. dnssec-doctor "
        "runs with its defaults (all cores for big files); dnssec-verify and "
        "ldns-verify-zone use one core, kzonecheck uses all cores by itself. validns is not "
        "run: Debian's build cannot verify ECDSA under OpenSSL 3.",
        "",
        "How to read the figures: *wall time* is the median over the runs; *CPU time* is "
        "user + system time of the process and its children (our worker processes "
        "included), so *cores used* = CPU ÷ wall; *peak RSS, largest process* comes from "
        "`wait4`; *peak memory, all processes* is the peak (sampled every 0.5 s) of the "
        "summed PSS of the process and all its descendants (shared pages counted once), the "
        "honest figure for "
        "a tool that forks workers. *time ÷ ours* above 1 means dnssec-doctor was faster. "
        f"Python verifies {rate:,.0f} ECDSA P-256 signatures per second on one core here "
        "(dnspython + cryptography, measured in the same run); a Python verifier cannot "
        "beat signatures ÷ (that rate × cores), the *signature floor* below.",
        "",
    ]
    for zone in zones:
        lines += _zone_table(zone, rate, cpus)
        lines.append("")
    lines += _marginal_memory(zones)
    return "\n".join(lines).rstrip("\n") + "\n"
