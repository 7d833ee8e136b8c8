"""`check` end to end against the embedded lab: every scenario gets its expected diagnosis."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import dns.name
import pytest

from diagnosis_expect import assert_diagnosis
from dnssec_doctor.lab.scenarios import scenario_names
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.render.nagios import render_nagios
from dnssec_doctor.render.text import render_text
from dnssec_doctor.session import diagnose_capture, probe_live
from dnssec_doctor.transport.policy import AddressPolicy
from labthread import LAB_NOW, LabThread, start_lab
from make_check_cases import expected as expectation_of

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
    assert_diagnosis(diagnosis, expectation_of(info))


def test_a_name_that_does_not_exist_says_so(lab: LabThread) -> None:
    """An undelegated name under a signed TLD: NXDOMAIN, proven by the TLD's NSEC
    records. The headline says that, not "is SECURE … No problems found"."""
    diagnosis = run_check(lab, "no-such-zone.test.")
    assert diagnosis.stats["nxdomain"] is True and diagnosis.status == "secure"
    text = render_text(diagnosis)
    assert text.startswith("no-such-zone.test. does not exist (NXDOMAIN), and that is proven")
    assert "No problems found." not in text
    assert "does not exist (NXDOMAIN)" in render_nagios(diagnosis)
    existing = run_check(lab, "www.good-nsec.test.")
    assert existing.stats["nxdomain"] is False
    assert render_text(existing).startswith("www.good-nsec.test. is SECURE")
