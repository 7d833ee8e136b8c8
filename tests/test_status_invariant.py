"""Status and exit code never disagree: every golden case, every lab scenario, hostile answers.

The contract (``status_invariant.assert_explained``) is checked on the recorded golden
captures, on every lab scenario probed through the socket-free wire, and — as a
Hypothesis property, derandomized — on lab answers mangled in the ways hostile
servers and middleboxes mangle them. The hostile tree's own tests check it too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import dns.flags
import dns.message
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.scenarios import scenario_names
from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.session import diagnose_capture
from servers_wire import Answer, Reply, Transport, address, check, lab_plan
from status_invariant import assert_explained

CASES = sorted((Path(__file__).parent / "cases").glob("check-*"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_case_keeps_the_contract(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text())
    assert_explained(diagnose_capture(load_capture(case / "capture.json.gz"), expected["at"]))


@pytest.fixture(scope="module")
def plan() -> Iterator[LabPlan]:
    yield lab_plan(scenario_names())


@pytest.mark.parametrize("name", scenario_names())
def test_lab_scenario_keeps_the_contract(plan: LabPlan, name: str) -> None:
    diagnosis, _capture = check(plan, name)
    assert_explained(diagnosis)


# --- hostile answers as a property ------------------------------------------------------

MANGLES = (
    "drop-rrsig",
    "drop-authority",
    "drop-answer",
    "truncate",
    "servfail",
    "nxdomain",
    "clear-aa",
    "extra-foreign",
    "extra-injected",
    "silence",
    "garbage",
    "bit-flip",
)


def mangle(how: str, position: int) -> object:
    """A fault that mangles every answer of one server in one way."""

    def fault(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
        wire = answer(query)
        if wire is None or how == "silence":
            return None
        if how == "garbage":
            return bytes(position % 251 for _ in range(24))
        if how == "bit-flip":
            spot = 12 + position % max(1, len(wire) - 12)
            return wire[:spot] + bytes([wire[spot] ^ 0x41]) + wire[spot + 1 :]
        msg = dns.message.from_wire(wire)
        if how == "drop-rrsig":
            msg.answer = [r for r in msg.answer if r.rdtype != dns.rdatatype.RRSIG]
            msg.authority = [r for r in msg.authority if r.rdtype != dns.rdatatype.RRSIG]
        elif how == "drop-authority":
            msg.authority = []
        elif how == "drop-answer":
            msg.answer = []
        elif how == "truncate":
            msg.answer, msg.authority, msg.additional = [], [], []
            msg.flags |= dns.flags.TC
        elif how == "servfail":
            msg.set_rcode(2)
            msg.answer = msg.authority = []
        elif how == "nxdomain":
            msg.set_rcode(3)
            msg.answer = []
        elif how == "clear-aa":
            msg.flags &= ~dns.flags.AA
        elif how == "extra-foreign":  # an RRset that answers nothing that was asked
            msg.answer.append(dns.rrset.from_text("unrelated.example.", 60, "IN", "A", "192.0.2.1"))
        elif how == "extra-injected":  # unsigned data of another type at the name
            qname = msg.question[0].name
            msg.answer.append(dns.rrset.from_text(qname, 60, "IN", "SPF", '"injected"'))
        return msg.to_wire(max_size=65535)

    return fault


@pytest.fixture(scope="module")
def small_plan() -> Iterator[LabPlan]:
    yield lab_plan(["good-nsec", "good-nsec3"])


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    scenario=st.sampled_from(["good-nsec", "good-nsec3"]),
    first=st.tuples(st.sampled_from(MANGLES), st.integers(0, 10_000)),
    second=st.one_of(
        st.just("same"), st.none(), st.tuples(st.sampled_from(MANGLES), st.integers(0, 10_000))
    ),
    qname=st.sampled_from(["", "www", "nx-name"]),
)
def test_mangled_answers_keep_the_contract(
    small_plan: LabPlan,
    scenario: str,
    first: tuple[str, int],
    second: str | tuple[str, int] | None,
    qname: str,
) -> None:
    """Server 1 mangles its answers one way; server 2 the same way, another, or not."""
    wired = {address(small_plan, scenario, 1): mangle(*first)}
    if second is not None:
        how, position = first if second == "same" else second
        wired[address(small_plan, scenario, 2)] = mangle(how, position)
    zone = f"{scenario}.test."
    diagnosis, _capture = check(
        small_plan,
        scenario,
        wired,  # type: ignore[arg-type]
        qname=f"{qname}.{zone}" if qname else zone,
    )
    assert_explained(diagnosis)
