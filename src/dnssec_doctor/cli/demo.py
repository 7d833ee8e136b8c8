"""``dnssec-doctor demo``: start a private lab, check every scenario as ``check`` would,
print one table and the total time, stop the lab.

The lab's servers run in a process of their own (``lab.private``), and at most
``default_concurrency()`` scenarios are checked at a time, each with the timeouts,
retries and budgets of a plain ``check`` (``NETWORK_DEFAULTS``). On a busy machine
the demo takes longer; it does not turn healthy zones into unreachable ones, which
it did while 29 checks with a 1 s timeout and no retry shared one interpreter with
the servers.

A row is ✓ only when the diagnosis is the one the scenario's author expects
(``mismatches``): the expected status, exactly the expected root causes (notice and
above), and no warning or error those root causes do not explain. A healthy zone
with any warning is ✗.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from argparse import ArgumentParser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from dnssec_doctor.cli.common import NETWORK_DEFAULTS, build_request
from dnssec_doctor.cli.parser import describe
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.escape import terminal
from dnssec_doctor.lab import manager
from dnssec_doctor.lab.plan import LabPlan, ScenarioInfo
from dnssec_doctor.lab.private import private_lab
from dnssec_doctor.lab.scenarios import scenario_names
from dnssec_doctor.lab.state import LabState
from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import diagnose_capture, probe_live
from dnssec_doctor.transport.policy import AddressPolicy

MAX_CONCURRENCY = 8


def default_concurrency() -> int:
    """Scenarios checked at once: two per CPU this process may use, at most 8.

    A check alternates between waiting for answers and verifying signatures; two per
    CPU keep the CPUs busy without letting 29 checks fight over them at once.
    """
    return max(1, min(MAX_CONCURRENCY, 2 * len(os.sched_getaffinity(0))))


def mismatches(info: ScenarioInfo, diagnosis: Diagnosis) -> list[str]:
    """Why ``diagnosis`` is not what ``info`` expects (empty: as expected)."""
    problems = []
    if diagnosis.status != info.expected_status:
        problems.append(f"status {diagnosis.status}, expected {info.expected_status}")
    roots = {f.code for f in diagnosis.root_causes()}
    problems += [f"no root cause {code}" for code in info.expected_codes if code not in roots]
    problems += [
        f"unexpected {f.severity.label} {f.code}" for f in unexpected_findings(info, diagnosis)
    ]
    return problems


def unexpected_findings(info: ScenarioInfo, diagnosis: Diagnosis) -> tuple[Finding, ...]:
    """Root causes of notice and above, and any warning or worse, that are neither of an
    expected code nor consequences (``caused_by``, transitively) of such a finding."""
    expected = set(info.expected_codes)
    by_key = {f.key: f for f in diagnosis.findings}

    def explained(finding: Finding, seen: frozenset[str]) -> bool:
        if finding.code in expected:
            return True
        return any(
            key not in seen and key in by_key and explained(by_key[key], seen | {key})
            for key in finding.caused_by
        )

    return tuple(
        f
        for f in diagnosis.findings
        if (f.severity >= Severity.WARNING or (f.is_root_cause and f.severity >= Severity.NOTICE))
        and not explained(f, frozenset({f.key}))
    )


@dataclass(frozen=True, slots=True)
class DemoRow:
    """One scenario's outcome."""

    info: ScenarioInfo
    diagnosis: Diagnosis
    seconds: float

    @property
    def problems(self) -> list[str]:
        """Why the diagnosis is not the expected one (empty: as expected)."""
        return mismatches(self.info, self.diagnosis)

    @property
    def as_expected(self) -> bool:
        """True when the diagnosis is exactly the expected one (``mismatches``)."""
        return not self.problems


def scenario_request(lab: LabState, info: ScenarioInfo) -> ProbeRequest:
    """What ``check NAME --root-hints … --trust-anchor … [--type T]`` asks for the scenario."""
    return build_request(
        info.query_name or info.zone,
        root_hints=",".join(lab.root_hints),
        trust_anchor=(Path(lab.files["ds"]),),
        ns=(),
        resolver=(),
        types=(info.query_type,) if info.query_type else (),
        # check's defaults: the demo checks every scenario as ``check NAME`` would
        timeout=NETWORK_DEFAULTS["timeout"],
        max_queries=int(NETWORK_DEFAULTS["max_queries"]),
        deadline=NETWORK_DEFAULTS["deadline"],
    )


async def check_scenarios(
    lab: LabState,
    now: int,
    *,
    concurrency: int,
    on_done: Callable[[DemoRow], None] | None = None,
) -> list[DemoRow]:
    """Check every scenario of a running lab, ``concurrency`` at a time.

    Scenarios with injected server faults go first: their checks wait out timeouts,
    and starting them last would leave the others' CPUs idle at the end.
    """
    gate = asyncio.Semaphore(concurrency)

    async def one(info: ScenarioInfo) -> DemoRow:
        async with gate:
            started = time.monotonic()
            capture = await probe_live(scenario_request(lab, info), AddressPolicy.permissive())
            # check's default --expiry-warning (7 days) is the analysis's default too.
            diagnosis = await asyncio.to_thread(diagnose_capture, capture, now)
            row = DemoRow(info, diagnosis, time.monotonic() - started)
        if on_done is not None:
            on_done(row)
        return row

    ordered = sorted(lab.scenarios, key=lambda info: not info.embedded_only)
    return list(await asyncio.gather(*(one(i) for i in ordered)))


def run_demo(
    plan: LabPlan,
    now: int,
    *,
    concurrency: int,
    on_started: Callable[[LabState], None] | None = None,
    on_done: Callable[[DemoRow], None] | None = None,
) -> list[DemoRow]:
    """Serve ``plan`` from a private lab process, check its scenarios, stop the lab."""
    with private_lab(plan) as lab:
        if on_started is not None:
            on_started(lab)
        return asyncio.run(check_scenarios(lab, now, concurrency=concurrency, on_done=on_done))


def demo_arguments(parser: ArgumentParser) -> None:
    """``demo``'s options."""
    describe(parser, demo, "%(prog)s [options]")
    parser.add_argument(
        "--scenario",
        dest="scenarios",
        action="append",
        default=[],
        metavar="NAME",
        help="Only these scenarios (default: all; see 'lab list').",
    )
    parser.add_argument(
        "--base",
        metavar="PREFIX",
        default=manager.DEMO_BASE,
        help="First two octets of the lab's addresses, inside 127.0.0.0/8 (default: %(default)s).",
    )


def demo(scenarios: tuple[str, ...], base: str) -> None:
    """Start the built-in lab, diagnose every scenario, print one table, stop the lab."""
    unknown = sorted(set(scenarios) - set(scenario_names()))
    if unknown:
        raise DoctorError(f"unknown scenario(s): {', '.join(unknown)}")
    started = time.monotonic()
    console = Console(width=max(Console().width, 140))
    now = int(time.time())
    with console.status("building the lab: generating keys and signing zones …"):
        plan = manager.build_plan(now, scenarios, base=base)
    progress = Progress(
        TextColumn("checking scenarios"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True,
    )  # fmt: skip
    task = progress.add_task("check", total=len(plan.scenarios))
    starting = console.status("starting the lab's servers …")

    def checking(_lab: LabState) -> None:
        starting.stop()
        progress.start()

    starting.start()
    try:
        rows = run_demo(
            plan,
            now,
            concurrency=default_concurrency(),
            on_started=checking,
            on_done=lambda _row: progress.advance(task),
        )
    finally:
        starting.stop()
        progress.stop()
    console.print(_table(rows))
    for row in rows:
        if row.problems:
            console.print(Text(f"✗ {row.info.name}: {'; '.join(row.problems)}", style="red"))
    good = sum(r.as_expected for r in rows)
    console.print(
        f"{good} of {len(rows)} scenarios diagnosed as expected in "
        f"{time.monotonic() - started:.1f} s. Run 'dnssec-doctor explain CODE' for any code."
    )
    sys.exit(0 if good == len(rows) else 1)


def _table(rows: list[DemoRow]) -> Table:
    table = Table(title="dnssec-doctor demo: every failure of the NIST guide, diagnosed")
    table.add_column("scenario")
    table.add_column("status")
    table.add_column("root cause")
    table.add_column("fix (first step; see 'check' for the full fix)", max_width=70)
    table.add_column("ok")
    order = {name: i for i, name in enumerate(scenario_names())}
    for row in sorted(rows, key=lambda r: order.get(r.info.name, 0)):
        roots = [f for f in row.diagnosis.root_causes() if f.severity >= Severity.NOTICE]
        cause = Text("\n".join(terminal(f.code) for f in roots[:3]) or "—")
        fix = Text(_first_sentence(terminal(" ".join(roots[0].fix.split()))) if roots else "—")
        table.add_row(
            Text(row.info.name),
            Text(row.diagnosis.status),
            cause,
            fix,
            Text("✓" if row.as_expected else "✗", style="green" if row.as_expected else "red"),
        )
    return table


_SENTENCE_END = re.compile(r"\. (?=[A-Z(])")


def _first_sentence(text: str, limit: int = 200) -> str:
    match = _SENTENCE_END.search(text)
    sentence = text if match is None else text[: match.start() + 1]
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"
