"""The delegation walk against hostile hierarchies: loops, huge NS sets, aliases, silence.

Each case must end in the right finding within its budget, never in a hang.
Servers are scripted behind a fake transport (no sockets): this tests the walk's
logic; the socket layer has its own hostile-server tests.
"""

from __future__ import annotations

import asyncio

import dns.message
import dns.name
import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.analysis.engine import analyse
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.model.survey import Survey
from dnssec_doctor.probe.collect import collect
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from fakewire import FakeWire, Handler, authoritative, referral

ROOT = "127.10.0.1"
ANCHOR = [". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"]


def run(
    handlers: dict[str, Handler], name: str, limits: Limits | None = None
) -> tuple[Survey, Diagnosis, FakeWire]:
    wire = FakeWire(handlers)
    limits = limits or Limits(query_timeout=0.01, retries=0)
    client = Client(wire, limits=limits, policy=AddressPolicy.permissive())
    request = ProbeRequest(
        name=dns.name.from_text(name),
        root_hints=(ServerAddress(ROOT),),
        trust_anchors=anchors_from_lines(ANCHOR),
        limits=limits,
    )
    survey = asyncio.run(asyncio.wait_for(collect(client, request), timeout=20))
    return survey, analyse(survey, client.exchanges, 1_800_000_000, limits), wire


def codes(diagnosis: Diagnosis) -> set[str]:
    return {f.code for f in diagnosis.findings}


def test_referral_loop_ends_in_a_finding() -> None:
    def root(q: dns.message.Message) -> dns.message.Message:
        return referral(q, "loop.", ["ns.loop."], {"ns.loop.": "127.10.0.2"})

    def loop_server(q: dns.message.Message) -> dns.message.Message:
        # Refers "down" to a zone that is not below loop.: sideways, never closer.
        return referral(q, "other.", ["ns.loop."], {"ns.loop.": "127.10.0.2"})

    survey, diagnosis, wire = run({ROOT: root, "127.10.0.2": loop_server}, "a.b.loop.")
    assert [c.zone for c in survey.cuts] == [".", "loop."]
    assert "LAME_OR_NOT_AUTHORITATIVE" in codes(diagnosis)
    assert len(wire.asked) < 100


def test_referral_cycle_between_zones_is_detected() -> None:
    def root(q: dns.message.Message) -> dns.message.Message:
        return referral(q, "a.", ["ns.a."], {"ns.a.": "127.10.0.2"})

    def a_server(q: dns.message.Message) -> dns.message.Message:
        return referral(q, "a.", ["ns.a."], {"ns.a.": "127.10.0.2"})  # refers to itself

    survey, diagnosis, _ = run({ROOT: root, "127.10.0.2": a_server}, "x.a.")
    assert [c.zone for c in survey.cuts] == [".", "a."]
    lame = [f for f in diagnosis.findings if f.code == "LAME_OR_NOT_AUTHORITATIVE"]
    assert lame and "127.10.0.2" in lame[0].servers


def test_five_hundred_ns_names_are_cut_at_the_limit() -> None:
    names = [f"ns{i}.big." for i in range(500)]

    def root(q: dns.message.Message) -> dns.message.Message:
        return referral(q, "big.", names)  # glueless: each would need its own lookup

    survey, diagnosis, wire = run({ROOT: root}, "big.", Limits(query_timeout=0.01, retries=0))
    budget = [f.detail for f in diagnosis.findings if f.code == "ANALYSIS_BUDGET_EXCEEDED"]
    assert any("500 NS names" in detail for detail in budget), budget
    assert len(survey.cuts[-1].servers) == Limits().max_ns_per_zone
    assert len(wire.asked) < 200


def test_ns_name_that_is_a_cname_is_unusable() -> None:
    def root(q: dns.message.Message) -> dns.message.Message:
        qname = q.question[0].name.to_text()
        if qname.endswith("alias.") and qname.startswith("ns."):
            return authoritative(q, [(qname, "CNAME", "real.alias.")])
        return referral(q, "child.", ["ns.alias."])

    _survey, diagnosis, _ = run({ROOT: root}, "child.")
    unusable = [f for f in diagnosis.findings if f.code == "NS_NAME_UNUSABLE"]
    assert unusable and "CNAME" in unusable[0].detail


def test_query_budget_exhaustion_is_a_finding() -> None:
    def root(q: dns.message.Message) -> dns.message.Message:
        return referral(q, "z.", ["ns.z."], {"ns.z.": "127.10.0.2"})

    def z_server(q: dns.message.Message) -> dns.message.Message:
        return authoritative(q)

    limits = Limits(query_timeout=0.01, retries=0, max_queries=4)
    _survey, diagnosis, wire = run({ROOT: root, "127.10.0.2": z_server}, "z.", limits)
    assert "ANALYSIS_BUDGET_EXCEEDED" in codes(diagnosis)
    assert len(wire.asked) <= 4


def test_silent_root_gives_indeterminate_status() -> None:
    _survey, diagnosis, wire = run({}, "anything.")
    assert diagnosis.status == "indeterminate"
    # The SOA gate plus the few behaviour probes that tell "dead" from "drops EDNS".
    assert len(wire.asked) <= 8


@pytest.mark.parametrize("depth", [1, 5])
def test_deep_glueless_chains_stop_at_the_nesting_limit(depth: int) -> None:
    # ns.zK. is glueless and lives in zK+1., whose NS is glueless in zK+2., … forever.
    def root(q: dns.message.Message) -> dns.message.Message:
        qname = q.question[0].name
        first = qname.labels[-2].decode() if len(qname.labels) > 1 else "z0"
        index = int(first[1:]) if first[1:].isdigit() else 0
        return referral(q, f"z{index}.", [f"ns.z{index + depth}."])

    _survey, diagnosis, wire = run({ROOT: root}, "z0.")
    assert "NS_NAME_UNUSABLE" in codes(diagnosis) or "ANALYSIS_BUDGET_EXCEEDED" in codes(diagnosis)
    assert len(wire.asked) < 100


def test_glued_ns_names_are_followed_first_and_the_finding_says_what_was_examined() -> None:
    # 498 glueless names sort before the two real servers, whose glue comes last.
    names = [f"a{i:03d}.elsewhere." for i in range(498)] + ["zz1.big.", "zz2.big."]

    def root(q: dns.message.Message) -> dns.message.Message:
        if q.question[0].name.is_subdomain(dns.name.from_text("elsewhere.")):
            return authoritative(q)  # the glueless names have no address
        return referral(q, "big.", names, {"zz1.big.": "127.10.0.2", "zz2.big.": "127.10.0.3"})

    def big(q: dns.message.Message) -> dns.message.Message:
        return authoritative(q)

    survey, diagnosis, _wire = run({ROOT: root, "127.10.0.2": big, "127.10.0.3": big}, "big.")
    followed = [s.hostname for s in survey.cuts[-1].servers]
    assert followed[:2] == ["zz1.big.", "zz2.big."]
    [fan_out] = [f for f in diagnosis.findings if f.subject == "ns-fan-out"]
    assert "lists 500 NS names; 20 were followed (2 with glue, taken first)" in fan_out.detail
    assert "the other 480 (first: a018.elsewhere.) were not examined" in fan_out.detail
