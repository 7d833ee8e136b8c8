"""`check` end to end against the embedded lab: every scenario gets its expected diagnosis."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import dns.name
import pytest

from dnssec_doctor.findings import Diagnosis
from dnssec_doctor.lab.scenarios import scenario_names
from dnssec_doctor.limits import Limits
from dnssec_doctor.probe.anchors import anchors_from_lines
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import diagnose_capture, probe_live
from dnssec_doctor.severity import Severity
from dnssec_doctor.transport.policy import AddressPolicy
from labthread import LAB_NOW, LabThread, start_lab

LAB_SCENARIOS = scenario_names()


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab() as running:
        yield running


def run_check(lab: LabThread, name: str, *, now: int = LAB_NOW) -> Diagnosis:
    request = ProbeRequest(
        name=dns.name.from_text(name),
        root_hints=lab.plan.root_hints,
        trust_anchors=anchors_from_lines(lab.plan.trust_anchor_ds),
        seed="test",
        limits=Limits(query_timeout=0.5, retries=0, deadline=20),
    )
    capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
    return diagnose_capture(capture, now)


def _scenario(lab: LabThread, name: str):  # type: ignore[no-untyped-def]
    for info in lab.plan.scenarios:
        if info.name == name:
            return info
    raise AssertionError(f"no scenario {name}")


@pytest.mark.parametrize("scenario", LAB_SCENARIOS)
def test_scenario_diagnosis(lab: LabThread, scenario: str) -> None:
    info = _scenario(lab, scenario)
    diagnosis = run_check(lab, info.query_name or info.zone)
    roots = {f.code for f in diagnosis.root_causes()}
    assert diagnosis.status == info.expected_status, (diagnosis.status, diagnosis.stats, roots)
    for code in info.expected_codes:
        assert code in roots, (code, [(f.code, f.detail) for f in diagnosis.findings])
    if not info.expected_codes:
        noisy = [f for f in diagnosis.findings if f.severity >= Severity.WARNING]
        assert not noisy, [(f.code, f.zone, f.detail) for f in noisy]
