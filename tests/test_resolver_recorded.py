"""The resolver diagnosis over captures recorded from real Unbound and BIND resolvers.

tests/make_resolver_cases.py recorded ``check NAME --resolver …`` against the
real-server lab (validating Unbound, Unbound with a stale root anchor,
non-validating Unbound, validating BIND, and an address where nothing
listens). Replaying at the recorded build time needs no server, so these run
everywhere; test_resolver_real.py runs the same expectations live.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from dnssec_doctor.lab.plan import ScenarioInfo
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.model.capture import Capture, load_capture
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.probe.collect import collect
from dnssec_doctor.session import diagnose_capture, request_from_capture
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.replay import ReplayWire
from labbases import RECORDED_REAL
from resolver_expect import ROLES, at, expect_role, show

CASES = Path(__file__).parent / "data" / "resolver"
META: dict[str, Any] = json.loads((CASES / "cases.json").read_text())
SCENARIOS: list[str] = META["scenarios"]
INFO: dict[str, ScenarioInfo] = {
    s.name: s
    for s in build_lab(META["at"], base=RECORDED_REAL, seed=META["seed"], names=SCENARIOS).scenarios
}


def _capture(scenario: str) -> Capture:
    return load_capture(CASES / f"{scenario}.capture.json.gz")


_DIAGNOSES: dict[str, Diagnosis] = {}


def _diagnosis(scenario: str) -> Diagnosis:
    if scenario not in _DIAGNOSES:
        _DIAGNOSES[scenario] = diagnose_capture(_capture(scenario), META["at"])
    return _DIAGNOSES[scenario]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_recorded_capture_replays_exactly(scenario: str) -> None:
    capture = _capture(scenario)
    wire = ReplayWire(capture)
    request = request_from_capture(capture)
    client = Client(
        wire, limits=request.limits, policy=AddressPolicy.permissive(), enforce_budget=False
    )
    survey = asyncio.run(collect(client, request))
    # A failure here means the probe plan changed: re-record with make_resolver_cases.py.
    assert wire.missing == []
    assert wire.unused() == 0
    assert set(survey.resolvers) == {*META["resolvers"].values(), META["dead_resolver"]}


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("role", ROLES)
def test_each_recorded_resolver_is_diagnosed(scenario: str, role: str) -> None:
    diagnosis = _diagnosis(scenario)
    assert diagnosis.status == INFO[scenario].expected_status
    expect_role(diagnosis, INFO[scenario], role, META["resolvers"][role])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_dead_resolver_is_one_error_finding(scenario: str) -> None:
    found = at(_diagnosis(scenario), META["dead_resolver"])
    assert [f.code for f in found] == ["RESOLVER_UNREACHABLE"], show(found)
    assert found[0].severity is Severity.ERROR
    assert "answered none" in found[0].detail


def test_unbound_and_bind_extended_errors() -> None:
    found = at(_diagnosis("ds-no-matching-key"), META["resolvers"]["validating"])
    ede = {f.evidence["info_code"]: f for f in found if f.code == "RESOLVER_EDE"}
    assert 9 in ede, show(found)  # Unbound: "DNSKEY Missing"
    assert ede[9].evidence["maps_to"] == "DS_NO_MATCHING_DNSKEY"
    assert str(ede[9].evidence["found"]).startswith("DS_NO_MATCHING_DNSKEY@")
    servfail = next(f for f in found if f.code == "RESOLVER_SERVFAIL_DNSSEC")
    assert ede[9].caused_by == (servfail.key,)
    # BIND 9.18 attaches no EDE to validation failures: the verdict does not need one.
    bind = at(_diagnosis("ds-no-matching-key"), META["resolvers"]["bind-validating"])
    assert [f.code for f in bind] == ["RESOLVER_SERVFAIL_DNSSEC"], show(bind)


def test_stale_anchor_names_the_root_key_it_does_not_trust() -> None:
    found = at(_diagnosis("good-nsec"), META["resolvers"]["stale-anchor"])
    anchor = next(f for f in found if f.code == "TRUST_ANCHOR_STALE_OR_MISMATCHED")
    tags = anchor.evidence["root_ksk_tags"]
    assert tags and all(str(t) in anchor.detail for t in tags)
    assert "validates that RRset from its own trust anchor" in anchor.detail


def test_replaying_twice_gives_the_same_resolver_findings() -> None:
    first = diagnose_capture(_capture("corrupted-signature"), META["at"])
    again = diagnose_capture(_capture("corrupted-signature"), META["at"])
    resolvers = set(META["resolvers"].values())

    def resolver_part(d: Diagnosis) -> list[tuple[str, str, str, tuple[str, ...]]]:
        return [
            (f.code, f.zone, f.detail, f.caused_by)
            for f in d.findings
            if set(f.servers) & resolvers
        ]

    assert resolver_part(first) == resolver_part(again)
    assert resolver_part(first)
