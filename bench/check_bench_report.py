"""The results of ``check_bench.py`` as data, and as the "check vs peers" README section."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime

SECTION = "## check vs peers"
CHECK = "dnssec-doctor check"
DNSVIZ = "DNSViz probe -A + grok"
DELAY = 0.05
"""Seconds the ``delay-50ms`` fault adds to every answer (lab.embedded.DELAY_SECONDS)."""


@dataclass(slots=True)
class Timed:
    """One tool on one zone: wall times of every run, and what it said (first good run)."""

    tool: str
    seconds: list[float] = field(default_factory=list)
    verdict: str = ""
    error: str = ""
    queries: int | None = None
    depth: int | None = None
    """Zones on the chain from the root to the name (check only)."""

    @property
    def median(self) -> float:
        """The median wall time (0 when it never ran)."""
        return statistics.median(self.seconds) if self.seconds else 0.0


@dataclass(slots=True)
class ZoneResult:
    """Every tool on one scenario zone."""

    scenario: str
    zone: str
    runs: dict[str, Timed] = field(default_factory=dict)

    def ratio(self, tool: str) -> float | None:
        """How many times longer ``tool`` took than check (None when either failed)."""
        check, other = self.runs.get(CHECK), self.runs.get(tool)
        if not (check and other and check.seconds and other.seconds and check.median):
            return None
        return other.median / check.median


@dataclass(slots=True)
class Split:
    """Where one check run's time went, measured in a fresh interpreter (seconds)."""

    startup: float
    """Importing what the probe needs (the command line, asyncio, dnspython, the probe)."""
    probe: float
    """The probe, with the analysis imported during its waits when it waits."""
    analysis: float
    """Importing whatever of the analysis is left, analysing, rendering JSON."""
    starts: tuple[float, ...] = ()
    """When each query of the probe went out (seconds, on the probe's own clock)."""


@dataclass(slots=True)
class DelayResult:
    """The probe phase of check on one zone, with and without 50 ms per answer."""

    scenario: str
    plain: list[float]
    delayed: list[float]
    queries: int | None
    depth: int | None
    waves: list[int]
    """Queries per burst in one delayed probe (``check_bench.waves``)."""

    @property
    def round_trips(self) -> float:
        """Extra probe time in units of the injected delay: round trips on the critical path."""
        return (statistics.median(self.delayed) - statistics.median(self.plain)) / DELAY


def _table(results: list[ZoneResult]) -> list[str]:
    lines = [
        "| zone | tool | median wall time | tool ÷ check | queries | verdict |",
        "|---|---|---:|---:|---:|---|",
    ]
    for result in results:
        for t in result.runs.values():
            ratio = result.ratio(t.tool)
            verdict = (t.verdict or f"error: {t.error}").replace("|", "\\|")
            lines.append(
                f"| {result.scenario} | {t.tool} | {t.median:.2f} s "
                f"| {'—' if ratio is None else f'{ratio:.1f}×'} "
                f"| {'—' if t.queries is None else t.queries} | {verdict} |"
            )
    return lines


def markdown(
    bind: list[ZoneResult],
    split: dict[str, Split],
    late: list[ZoneResult],
    trips: list[DelayResult],
    *,
    command: str,
    repeat: int,
    versions: dict[str, str],
) -> str:
    """The README section: tables, ratios, what the figures mean, how to reproduce."""
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    load = os.getloadavg()[0]
    lines = [
        SECTION,
        "",
        f"Measured {day} by `{command}` (as root: the labs listen on port 53 of loopback "
        "addresses; `make bench` runs it too, through `bench/run.py`), on "
        f"{os.cpu_count()} CPUs with a load average of {load:.1f} at the end "
        f"(other jobs shared the machine). Median of {repeat} runs, tools interleaved. "
        f"dnssec-doctor {versions.get('dnssec-doctor', '?')} with its defaults, a fresh "
        f"process per run; {versions.get('dnsviz', 'DNSViz ?')} `probe -A` + `grok` (both "
        f"timed); {versions.get('zonemaster-cli', 'zonemaster-cli ?')} (the modules that "
        "query only the zone's servers). Every tool starts from the lab's root servers with "
        "the lab's root key. Goal: at least 5× faster than DNSViz (aim 10×).",
        "",
        "### 1. Full check of one zone, BIND serving the real-server lab (127.78), no delay",
        "",
        *_table(bind),
        "",
        "Where check's time goes (median of the runs in a fresh interpreter, seconds):",
        "",
        "| zone | start-up imports | probe (network) | analysis imports + analysis |",
        "|---|---:|---:|---:|",
        *(
            f"| {zone} | {p.startup:.3f} | {p.probe:.3f} | {p.analysis:.3f} |"
            for zone, p in split.items()
        ),
        "",
        "### 2. Every answer 50 ms late (embedded lab, fault `delay-50ms` on every server)",
        "",
        *_table(late),
        "",
        "The probe phase alone (no imports, no analysis), without and with the delay:",
        "",
        "| zone | probe, no delay | probe, 50 ms/answer | extra ÷ 50 ms | queries "
        "| chain depth | queries per burst |",
        "|---|---:|---:|---:|---:|---:|---|",
        *(
            f"| {d.scenario} | {statistics.median(d.plain):.2f} s "
            f"| {statistics.median(d.delayed):.2f} s | {d.round_trips:.1f} | {d.queries} "
            f"| {d.depth} | {' → '.join(str(w) for w in d.waves)} |"
            for d in trips
        ),
        "",
        *_meaning(bind, split, late, trips),
        "",
    ]
    return "\n".join(lines)


def _span(values: list[float], fmt: str = "{:.1f}") -> str:
    low, high = fmt.format(min(values)), fmt.format(max(values))
    return low if low == high else f"{low} to {high}"


def _meaning(
    bind: list[ZoneResult],
    split: dict[str, Split],
    late: list[ZoneResult],
    trips: list[DelayResult],
) -> list[str]:
    out = ["What the figures mean:", ""]
    for label, results in (("without delay", bind), ("with 50 ms per answer", late)):
        ratios = [r for r in (x.ratio(DNSVIZ) for x in results) if r is not None]
        if ratios:
            verdict = "meets" if min(ratios) >= 5 else "misses"
            out.append(
                f"- {label.capitalize()}, check is {_span(ratios)}× faster than DNSViz: it "
                f"{verdict} the 5× goal."
            )
    agreement = _agreement(bind)
    if agreement:
        out.append(agreement)
    if split:
        parts = list(split.values())
        startup = _span([p.startup for p in parts], "{:.3f}")
        probe = _span([p.probe for p in parts], "{:.3f}")
        analysis = _span([p.analysis for p in parts], "{:.3f}")
        out.append(
            f"- On loopback the network is not what costs: check spends {startup} s importing "
            f"what the probe needs (asyncio, dnspython, the probe itself), {probe} s probing "
            f"(about half of it parsing answers with dnspython) and {analysis} s importing the "
            "analysis and analysing, plus about 0.015 s of interpreter start. On a slow network "
            "the analysis is imported while the probe waits for answers (`cli/warmup.py`); on "
            "loopback there is no wait to fill, and a second thread would only slow the "
            "probe down, so it is imported after."
        )
    if trips:
        queries = [float(d.queries or 0) for d in trips]
        depth = max(d.depth or 0 for d in trips)
        extra = _span([d.round_trips for d in trips])
        bursts = _span([float(len(d.waves)) for d in trips], "{:.0f}")
        out.append(
            f"- With 50 ms added to every answer, check's probe takes {extra} round trips "
            f"more for {_span(queries, '{:.0f}')} queries (asked one after the other they "
            f"would cost {min(queries) * DELAY:.0f} s or more): independent queries go out "
            f"together, in {bursts} bursts. The chain is {depth} zones deep (root, test., "
            f"the zone), and the first {depth} bursts are that descent: each zone's servers "
            "are known only from its parent's referral. Every zone's own questions (its DS "
            "at the parent, SOA, NS, DNSKEY and the behaviour probes at its servers) go out "
            "as soon as the walk reaches it, alongside the walk's next step; the last burst "
            "asks about the name itself once the walk knows which zone holds it. A fifth, "
            "when present, is the TCP retry of an answer truncated at the 512-byte rung of "
            "the size ladder (an NSEC3 NXDOMAIN does not fit). Each burst costs about one "
            "delay whatever its size: the extra time tracks the number of bursts, not the "
            "number of queries."
        )
    out.append(
        "- Query counts are what check sends to every server of every zone on the chain "
        "(each authoritative server asked every question, plus behaviour probes), not what "
        "a resolver would send."
    )
    return out


LAB_ARTEFACT = "NAMESERVER_IP_PRIVATE_NETWORK"
"""Zonemaster's complaint about the lab's loopback addresses, not about the zone."""


def _broken(tool: str, verdict: str) -> bool | None:
    """Whether a tool's verdict calls the zone broken (None when it gave none)."""
    if not verdict:
        return None
    if tool == "zonemaster-cli":
        return bool(set(verdict.split(", ")) - {LAB_ARTEFACT, "no error"})
    return verdict.split(";", maxsplit=1)[0].strip().lower() == "bogus"


def _agreement(results: list[ZoneResult]) -> str:
    """A sentence on whether the tools call the same zones broken."""
    agree = 0
    for result in results:
        views = {_broken(t.tool, t.verdict) for t in result.runs.values()} - {None}
        agree += len(views) == 1
    if not results or not any(len(r.runs) > 1 for r in results):
        return ""
    return (
        f"- The tools agree on which zones are broken for {agree} of {len(results)} zones "
        "(DNSViz BOGUS, check bogus, Zonemaster errors other than "
        f"{LAB_ARTEFACT}, which is about the lab's loopback addresses). check names one "
        "root cause per broken zone; the others list every symptom."
    )
