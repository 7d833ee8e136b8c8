"""``dnssec-doctor demo``: bring up the lab, check every scenario, show one table, tear down."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from dataclasses import dataclass

import dns.name
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from dnssec_doctor.cli.args import Option, command
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.findings import Diagnosis
from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.plan import LabPlan, ScenarioInfo
from dnssec_doctor.lab.scenarios import build_lab, scenario_names
from dnssec_doctor.limits import Limits
from dnssec_doctor.probe.anchors import anchors_from_lines
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.render.escape import terminal
from dnssec_doctor.session import diagnose_capture, new_seed, probe_live
from dnssec_doctor.transport.policy import AddressPolicy


@dataclass(frozen=True, slots=True)
class DemoRow:
    """One scenario's outcome."""

    info: ScenarioInfo
    diagnosis: Diagnosis
    seconds: float

    @property
    def as_expected(self) -> bool:
        """True when the status and every expected root-cause code match."""
        roots = {f.code for f in self.diagnosis.root_causes()}
        return self.diagnosis.status == self.info.expected_status and all(
            c in roots for c in self.info.expected_codes
        )


async def check_scenarios(plan: LabPlan, now: int, on_done: object = None) -> list[DemoRow]:
    """Check every scenario of a running lab, all at once."""
    anchors = anchors_from_lines(plan.trust_anchor_ds, "lab trust anchor")

    async def one(info: ScenarioInfo) -> DemoRow:
        started = time.monotonic()
        request = ProbeRequest(
            name=dns.name.from_text(info.query_name or info.zone),
            root_hints=plan.root_hints,
            trust_anchors=anchors,
            seed=new_seed(),
            limits=Limits(query_timeout=1.0, retries=0, deadline=30),
        )
        capture = await probe_live(request, AddressPolicy.permissive())
        diagnosis = await asyncio.to_thread(diagnose_capture, capture, now)
        row = DemoRow(info, diagnosis, time.monotonic() - started)
        if callable(on_done):
            on_done(row)
        return row

    return list(await asyncio.gather(*(one(i) for i in plan.scenarios)))


DEMO_BASE = "127.76"
"""Where the demo's lab listens: not ``lab up``'s 127.77, so a demo runs while a lab is up."""


@command(
    "demo",
    Option("--scenario", dest="scenarios", multiple=True, metavar="NAME",
           help="Only these scenarios (default: all; see 'lab list')."),
    Option("--base", metavar="PREFIX", default=DEMO_BASE, show_default=True,
           help="First two octets of the lab's addresses, inside 127.0.0.0/8."),
)  # fmt: skip
def demo(scenarios: tuple[str, ...], base: str) -> None:
    """Start the built-in lab, diagnose every scenario, print one table, stop the lab."""
    unknown = sorted(set(scenarios) - set(scenario_names()))
    if unknown:
        raise DoctorError(f"unknown scenario(s): {', '.join(unknown)}")
    console = Console(width=max(Console().width, 140))
    now = int(time.time())
    with console.status("building the lab: generating keys and signing zones …"):
        plan = build_lab(now, base=base, names=list(scenarios) or None)
    try:
        lab = BackgroundLab(plan)
        lab.__enter__()
    except PermissionError:
        raise DoctorError(f"the lab serves on port 53 of {base}.0.0/16: run as root") from None
    except OSError as exc:
        raise DoctorError(f"cannot start the lab: {exc}") from None
    try:
        progress = Progress(
            TextColumn("checking scenarios"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True,
        )  # fmt: skip
        with progress:
            task = progress.add_task("check", total=len(plan.scenarios))
            rows = asyncio.run(check_scenarios(plan, now, lambda _row: progress.advance(task)))
    finally:
        lab.__exit__(None, None, None)
    console.print(_table(rows))
    good = sum(r.as_expected for r in rows)
    console.print(
        f"{good} of {len(rows)} scenarios diagnosed as expected. "
        "Run 'dnssec-doctor explain CODE' for any code."
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
        roots = [f for f in row.diagnosis.root_causes() if f.severity.value >= 1]
        cause = Text("\n".join(terminal(f.code) for f in roots[:3]) or "—")
        fix = Text(_first_sentence(terminal(roots[0].fix)) if roots else "—")
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
