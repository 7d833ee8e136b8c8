"""Resolver diagnosis end to end against real Unbound and BIND resolvers.

The real-server lab serves every scenario the real backend can run with BIND
``named`` and starts four resolvers: Unbound validating with the lab anchor,
Unbound with a stale root anchor, Unbound not validating, and BIND validating.
``check NAME --resolver …`` runs for every scenario with all four.

Real resolvers validate against the machine clock, so the lab is signed
relative to ``time.time()`` taken once in the fixture, and the analysis uses
that same ``now``; no assertion depends on the date. These tests need root and
the Debian packages bind9 and unbound; they fail (never skip) when missing.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass

import dns.name
import pytest

from clirun import invoke
from dnssec_doctor.lab.plan import LabPlan, ScenarioInfo
from dnssec_doctor.lab.real import RealLab, start_real
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.capture import Capture
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.probe.collect import collect
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import diagnose_capture, probe_live, request_from_capture
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.replay import ReplayWire
from labbases import REAL
from resolver_expect import ROLES, at, expect_role, show

pytestmark = [pytest.mark.real_servers, pytest.mark.requires_tools("named", "unbound")]

SEED = 66
DEAD_RESOLVER = f"{REAL}.255.9"
"""Inside the lab's resolver block, but nothing listens there."""
_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"


@dataclass(frozen=True, slots=True)
class Run:
    """The running lab and every scenario's diagnosis with all four resolvers."""

    lab: RealLab
    plan: LabPlan
    now: int
    diagnoses: dict[str, Diagnosis]
    captures: dict[str, Capture]

    def address(self, role: str) -> str:
        return str(self.lab.resolver(role).address)

    def info(self, name: str) -> ScenarioInfo:
        return next(s for s in self.plan.scenarios if s.name == name)


def _require_tools() -> None:
    missing = [b for b in ("named", "unbound", "ip") if not shutil.which(b, path=_PATH)]
    if missing:
        pytest.fail(f"resolver tests need {', '.join(missing)}: install bind9 and unbound")
    if os.geteuid() != 0:
        pytest.fail("resolver tests need root (port 53 and addresses on lo)")


_SCENARIOS = build_lab(1_800_000_000, base=REAL, seed=SEED).scenarios
NAMES = [s.name for s in _SCENARIOS if not s.embedded_only]
"""Scenarios the real backend can run (which ones does not depend on the build time)."""
BOGUS = [s.name for s in _SCENARIOS if not s.embedded_only and s.expected_status == "bogus"]


def _request(plan: LabPlan, lab: RealLab, info: ScenarioInfo) -> ProbeRequest:
    return ProbeRequest(
        name=dns.name.from_text(info.query_name or info.zone),
        root_hints=plan.root_hints,
        trust_anchors=anchors_from_lines(plan.trust_anchor_ds),
        resolvers=tuple(r.address for r in lab.resolvers),
        seed="resolver-test",
        limits=Limits(query_timeout=2.0, retries=1, deadline=30),
    )


async def _probe_all(plan: LabPlan, lab: RealLab) -> dict[str, Capture]:
    gate = asyncio.Semaphore(6)

    async def one(info: ScenarioInfo) -> tuple[str, Capture]:
        async with gate:
            capture = await probe_live(_request(plan, lab, info), AddressPolicy.permissive())
            return info.name, capture

    return dict(await asyncio.gather(*(one(i) for i in plan.scenarios)))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    _require_tools()
    now = int(time.time())  # the one use of the clock: real resolvers validate against it
    plan = build_lab(now, base=REAL, seed=SEED, names=NAMES)
    lab = start_real(plan, tmp_path_factory.mktemp("resolver-lab"), wait_seconds=120)
    try:
        if len(lab.resolvers) != 4 or lab.load_errors or lab.skipped:
            pytest.fail(f"lab incomplete: {lab.resolvers} {lab.load_errors} {lab.skipped}")
        captures = asyncio.run(_probe_all(plan, lab))
        diagnoses = {name: diagnose_capture(c, now) for name, c in captures.items()}
        yield Run(lab, plan, now, diagnoses, captures)
    finally:
        lab.stop()


def test_lab_has_bogus_and_good_scenarios() -> None:
    assert {"expired-signatures", "ds-no-matching-key", "good-nsec"} <= set(NAMES)
    assert len(BOGUS) >= 5, BOGUS


@pytest.mark.parametrize("scenario", NAMES)
@pytest.mark.parametrize("role", ROLES)
def test_each_lab_resolver_is_diagnosed(run: Run, scenario: str, role: str) -> None:
    """Bogus names fail at the validating resolvers with the zone-side cause, good ones give
    nothing there; the stale anchor is found on every zone; the non-validating one is named."""
    expect_role(run.diagnoses[scenario], run.info(scenario), role, run.address(role))


def test_unbound_extended_errors_are_shown_and_mapped(run: Run) -> None:
    found = at(run.diagnoses["expired-signatures"], run.address("validating"))
    ede = [f for f in found if f.code == "RESOLVER_EDE"]
    assert ede, show(found)
    by_code = {f.evidence["info_code"]: f for f in ede}
    assert 7 in by_code, show(ede)
    assert by_code[7].evidence["maps_to"] == "RRSIG_EXPIRED"
    assert str(by_code[7].evidence["found"]).startswith("RRSIG_EXPIRED@expired-signatures.test.")
    assert by_code[7].evidence["extra_text"], "Unbound sends extra text with ede: yes"


def test_capture_replays_the_resolver_queries_exactly(run: Run) -> None:
    capture = run.captures["expired-signatures"]
    assert any(e.query.rd and e.query.cd for e in capture.exchanges)
    wire = ReplayWire(capture)
    client = Client(
        wire,
        limits=request_from_capture(capture).limits,
        policy=AddressPolicy.permissive(),
        enforce_budget=False,
    )
    survey = asyncio.run(collect(client, request_from_capture(capture)))
    assert wire.missing == []
    assert wire.unused() == 0
    assert set(survey.resolvers) == {str(r.address) for r in run.lab.resolvers}
    asked = {(k.qname, k.qtype, k.variant) for k in survey.resolvers[run.address("validating")]}
    assert {(".", "DNSKEY", "rd"), (".", "DNSKEY", "rd-cd")} <= asked
    assert ("expired-signatures.test.", "SOA", "rd-cd") in asked


def test_check_cli_reports_resolvers_and_survives_a_dead_one(run: Run) -> None:
    hints = ",".join(str(a) for a in run.plan.root_hints)
    args = [
        "check",
        "expired-signatures.test.",
        "--root-hints",
        hints,
        "--trust-anchor",
        str(run.lab.anchor_file),
        "--resolver",
        run.address("validating"),
        "--resolver",
        DEAD_RESOLVER,
        "--timeout",
        "1",
    ]
    result = invoke(*args, "--format", "json")
    assert result.exit_code not in (0, 3), result.stderr
    report = json.loads(result.stdout)
    by_code: dict[str, list[dict[str, object]]] = {}
    for f in report["findings"]:
        by_code.setdefault(f["code"], []).append(f)
    dead = by_code["RESOLVER_UNREACHABLE"]
    assert [f["servers"] for f in dead] == [[DEAD_RESOLVER]]
    assert any(
        f["servers"] == [run.address("validating")] for f in by_code["RESOLVER_SERVFAIL_DNSSEC"]
    )
    text = invoke(*args, "--format", "text")
    assert text.exit_code == result.exit_code
    assert f"servers: {run.address('validating')}" in text.stdout
    assert "RESOLVER_SERVFAIL_DNSSEC" in text.stdout
    assert DEAD_RESOLVER in text.stdout
