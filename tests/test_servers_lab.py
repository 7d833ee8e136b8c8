"""`check` against the embedded lab over real loopback sockets: one bad server, named alone.

Each server scenario must end with its expected code as a root cause, naming the
faulty address and no other, while the status stays what a validator sees
through the good server; the good scenarios stay clean; and a dead or
DO-dropping server costs one timeout, not one per query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import dns.name
import pytest

import labbases
from dnssec_doctor.lab.plan import ScenarioInfo
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.capture import Capture
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import diagnose_capture, probe_live
from dnssec_doctor.transport.policy import AddressPolicy
from labthread import LAB_NOW, LabThread, start_lab

pytestmark = pytest.mark.timeout(90)

BASE = labbases.SERVERS_LAB
"""This module's own lab addresses, apart from the other modules' labs (see labbases)."""
TIMEOUT = 0.5

SINGLE_SERVER_FAULTS = [
    "secondary-unsigned-same-serial",
    "secondary-old-copy-same-serial",
    "secondary-unsigned-keys-same-serial",
    "nsec3-migration-half-done",
    "secondary-stale",
    "middlebox-large-udp",
    "middlebox-drop-do",
    "pre-nsec3-server",
    "lame-server",
    "refused-server",
]
ZONE_WIDE = ["cds-mismatch"]
GOOD = ["good-nsec", "good-nsec3"]


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab(names=[*SINGLE_SERVER_FAULTS, *ZONE_WIDE, *GOOD], base=BASE) as running:
        yield running


def probe(lab: LabThread, info: ScenarioInfo) -> tuple[Diagnosis, Capture]:
    request = ProbeRequest(
        name=dns.name.from_text(info.query_name or info.zone),
        root_hints=lab.plan.root_hints,
        trust_anchors=anchors_from_lines(lab.plan.trust_anchor_ds),
        seed="test",
        limits=Limits(query_timeout=TIMEOUT, retries=0, deadline=20),
    )
    capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
    return diagnose_capture(capture, LAB_NOW), capture


def info_of(lab: LabThread, name: str) -> ScenarioInfo:
    return next(s for s in lab.plan.scenarios if s.name == name)


@pytest.mark.parametrize("name", SINGLE_SERVER_FAULTS)
def test_one_bad_server_is_named_alone(lab: LabThread, name: str) -> None:
    info = info_of(lab, name)
    diagnosis, _ = probe(lab, info)
    roots = {f.code: f for f in diagnosis.root_causes()}
    everyone = set(diagnosis.zones[-1].servers)
    for code in info.expected_codes:
        assert code in roots, (code, [(f.code, f.servers, f.caused_by) for f in diagnosis.findings])
        assert roots[code].servers == info.faulty_servers, (code, roots[code].servers)
        assert set(roots[code].servers_ok) == everyone - set(info.faulty_servers)
    # No root cause blames a server that works.
    for f in diagnosis.root_causes():
        assert not set(f.servers) - set(info.faulty_servers), (f.code, f.servers)
    assert_linked(diagnosis, info)
    # One bad server is not a zone-wide failure: validators get through the good one.
    assert diagnosis.status == info.expected_status == "secure"


@pytest.mark.parametrize("name", ZONE_WIDE)
def test_zone_wide_scenarios(lab: LabThread, name: str) -> None:
    info = info_of(lab, name)
    diagnosis, _ = probe(lab, info)
    roots = {f.code: f for f in diagnosis.root_causes()}
    for code in info.expected_codes:
        assert code in roots, (code, [(f.code, f.servers) for f in diagnosis.findings])
    assert diagnosis.status == info.expected_status
    assert_linked(diagnosis, info)


def assert_linked(diagnosis: Diagnosis, info: ScenarioInfo) -> None:
    """Every consequence the scenario's author named points at its root cause, and the root
    cause is at least as severe as what it leads to."""
    by_key = {f.key: f for f in diagnosis.findings}
    for code, cause in info.consequences:
        found = [f for f in diagnosis.findings if f.code == code]
        assert found, code
        for f in found:
            causes = [by_key[k] for k in f.caused_by]
            assert cause in [c.code for c in causes], (code, f.caused_by)
            assert all(c.severity >= f.severity for c in causes), (code, f.severity)


def test_half_done_migration_leads_with_the_stale_server(lab: LabThread) -> None:
    """The mixed denial follows from one server serving yesterday's (NSEC) copy: the
    report leads with that server's old serial, the mixed proofs are its consequence."""
    info = info_of(lab, "nsec3-migration-half-done")
    diagnosis, _ = probe(lab, info)
    first = diagnosis.findings[0]
    assert first.code == "SOA_SERIAL_DIVERGENT" and first.servers == info.faulty_servers
    assert first.severity == Severity.ERROR  # the severity of what it leads to
    mixed = [f for f in diagnosis.findings if f.code == "NSEC_NSEC3_MIXED"]
    assert len(mixed) == 1 and mixed[0].caused_by == (first.key,)
    assert set(mixed[0].servers) == set(diagnosis.zones[-1].servers)
    assert "NSEC from" in mixed[0].detail and "NSEC3 from" in mixed[0].detail


def test_middleboxes_say_what_to_configure(lab: LabThread) -> None:
    large, _ = probe(lab, info_of(lab, "middlebox-large-udp"))
    lost = next(f for f in large.findings if f.code == "LARGE_UDP_RESPONSE_LOST")
    assert "buffer of 1232, 1400 or 4096 bytes, but did with 512 bytes" in lost.detail
    assert "DNSKEY answer" in lost.detail and "negative (NXDOMAIN) answer" in lost.detail
    assert "TCP/53 fails too" in lost.detail and lost.severity == Severity.ERROR
    assert "at least 1232 bytes" in lost.fix and "1500" in lost.fix and "4096" in lost.fix
    tcp = next(f for f in large.findings if f.code == "AUTH_TCP_UNREACHABLE")
    assert tcp.caused_by == (lost.key,)
    dropped, _ = probe(lab, info_of(lab, "middlebox-drop-do"))
    edns = next(f for f in dropped.findings if f.code == "EDNS_QUERIES_DROPPED")
    assert "DO bit" in edns.detail and "512-byte buffer" in edns.detail
    assert not [f for f in dropped.findings if f.code == "AUTH_UDP_UNREACHABLE"]


@pytest.mark.parametrize("name", ["lame-server", "middlebox-drop-do"])
def test_silent_server_costs_one_timeout(lab: LabThread, name: str) -> None:
    info = info_of(lab, name)
    _, capture = probe(lab, info)
    (bad,) = info.faulty_servers
    silent = [e for e in capture.exchanges if e.server == bad and e.outcome == "timeout"]
    assert silent
    first = min(e.started for e in silent)
    # Every query that went unanswered was sent in the first round, alongside the walk's
    # own query: no query waited for another one to time out.
    assert all(e.started - first < TIMEOUT * 0.8 for e in silent), sorted(
        round(e.started - first, 3) for e in silent
    )


@pytest.mark.parametrize("name", GOOD)
def test_good_scenarios_stay_clean(lab: LabThread, name: str) -> None:
    diagnosis, _ = probe(lab, info_of(lab, name))
    assert diagnosis.status == "secure"
    noisy = [(f.code, f.detail) for f in diagnosis.findings if f.severity >= Severity.NOTICE]
    assert not noisy
