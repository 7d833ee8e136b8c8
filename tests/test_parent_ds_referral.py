"""PARENT_DS_REFERRAL: a parent server answers the DS query with a referral or from the child.

Unit tests on hand-made parent answers (the classifier and the finding, which
servers it names), then the whole probe + analysis through the lab's socket-free
wire with a TLD server broken that way: the root cause, and what the chain of
trust then says about the DS.
"""

from __future__ import annotations

from collections.abc import Iterator

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.analysis.chain.dsreferral import ds_answers, parent_ds_referral_findings
from dnssec_doctor.analysis.servers.delegation import delegation_findings
from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.model.survey import NameServer, QueryKey, ZoneCut
from servers_wire import Answer, Reply, Transport, by_code, check, lab_plan, roots, scenario

pytestmark = pytest.mark.timeout(60)

ZONE = "example.test."
PARENT = "test."
P1, P2 = "192.0.2.1", "192.0.2.2"
DS_TEXT = "12345 13 2 " + "AB" * 32
SOA_TEXT = "{0} hostmaster.{0} 2026010101 7200 3600 1209600 300"


def cut_with_parents(*servers: str) -> ZoneCut:
    return ZoneCut(
        ZONE,
        PARENT,
        parent_servers=[ServerAddress(s) for s in servers],
        servers=[NameServer(f"ns1.{ZONE}", [ServerAddress("192.0.2.53")])],
    )


def ds_reply(
    *,
    aa: bool = True,
    answer: list[dns.rrset.RRset] | None = None,
    authority: list[dns.rrset.RRset] | None = None,
) -> bytes:
    msg = dns.message.make_response(QuerySpec(ZONE, "DS").to_message(1))
    if aa:
        msg.flags |= dns.flags.AA
    msg.answer.extend(answer or [])
    msg.authority.extend(authority or [])
    return msg.to_wire(max_size=65535)


def record(cut: ZoneCut, server: str, wire: bytes) -> None:
    spec = QuerySpec(ZONE, "DS")
    exchange = Exchange(server, spec, "udp", "response", wire=wire)
    cut.queries[QueryKey("parent", server, ZONE, "DS", "")] = exchange


def soa_of(owner: str) -> dns.rrset.RRset:
    return dns.rrset.from_text(owner, 300, "IN", "SOA", SOA_TEXT.format(owner))


REFERRAL = ds_reply(
    aa=False,
    authority=[dns.rrset.from_text_list(ZONE, 3600, "IN", "NS", [f"ns1.{ZONE}", f"ns2.{ZONE}"])],
)
CHILD_NODATA = ds_reply(authority=[soa_of(ZONE)])
PARENT_DS = ds_reply(answer=[dns.rrset.from_text(ZONE, 3600, "IN", "DS", DS_TEXT)])
PARENT_NODATA = ds_reply(
    authority=[
        soa_of(PARENT),
        dns.rrset.from_text(ZONE, 300, "IN", "NSEC", f"z.{ZONE} NS RRSIG NSEC"),
    ]
)


def test_referral_to_the_ds_query() -> None:
    cut = cut_with_parents(P1)
    record(cut, P1, REFERRAL)
    [found] = parent_ds_referral_findings(cut)
    assert found.code == "PARENT_DS_REFERRAL" and found.severity == Severity.ERROR
    assert found.zone == ZONE
    assert found.servers == (P1,) and found.servers_ok == ()
    assert "a referral to example.test." in found.detail
    assert "ns1.example.test." in str(found.evidence)
    assert "No server of test." in found.detail


def test_child_soa_nodata_to_the_ds_query() -> None:
    cut = cut_with_parents(P1, P2)
    record(cut, P1, CHILD_NODATA)
    record(cut, P2, CHILD_NODATA)
    [found] = parent_ds_referral_findings(cut)
    assert found.servers == (P1, P2) and found.servers_ok == ()
    assert "NODATA from the child zone" in found.detail


@pytest.mark.parametrize("wire", [PARENT_DS, PARENT_NODATA], ids=["ds", "parent-nodata"])
def test_parent_answers_do_not_fire(wire: bytes) -> None:
    cut = cut_with_parents(P1, P2)
    record(cut, P1, wire)
    record(cut, P2, wire)
    assert parent_ds_referral_findings(cut) == []
    assert ds_answers(cut).right == (P1, P2)


def test_silence_and_servfail_are_not_this_fault() -> None:
    cut = cut_with_parents(P1, P2)
    spec = QuerySpec(ZONE, "DS")
    cut.queries[QueryKey("parent", P1, ZONE, "DS", "")] = Exchange(P1, spec, "udp", "timeout")
    msg = dns.message.make_response(spec.to_message(1))
    msg.set_rcode(dns.rcode.SERVFAIL)
    record(cut, P2, msg.to_wire())
    assert parent_ds_referral_findings(cut) == []


@pytest.mark.parametrize("wrong", [REFERRAL, CHILD_NODATA], ids=["referral", "child-nodata"])
def test_mixed_names_only_the_wrong_server(wrong: bytes) -> None:
    cut = cut_with_parents(P1, P2)
    record(cut, P1, wrong)
    record(cut, P2, PARENT_DS)
    findings = delegation_findings(cut, {}, ())
    [found] = [f for f in findings if f.code == "PARENT_DS_REFERRAL"]
    assert found.servers == (P1,) and found.servers_ok == (P2,)
    assert P2 in found.detail and "depends on which parent server" in found.detail
    # The child's NODATA is not the parent's DS set: no second finding for the same answer.
    assert not [f for f in findings if f.code == "DS_INCONSISTENT_AT_PARENT"]


# --- the whole probe and analysis, through the lab's wire -----------------------------------


@pytest.fixture(scope="module")
def plan() -> Iterator[LabPlan]:
    yield lab_plan(["good-nsec"])


def _tld_servers(plan: LabPlan) -> list[str]:
    return sorted(str(s.address) for s in plan.servers if s.hostname in ("ns1.test.", "ns2.test."))


def _ds_fault(zone: str, kind: str) -> object:
    """A TLD server that answers the DS query for ``zone`` with a referral or the child's NODATA."""
    owner = dns.name.from_text(zone)

    def fault(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
        question = query.question[0]
        if question.name != owner or question.rdtype != dns.rdatatype.DS:
            return answer(query)
        if kind == "child":
            msg = dns.message.make_response(query)
            msg.flags |= dns.flags.AA
            msg.authority.append(soa_of(zone))
            return msg.to_wire()
        # The server's own referral (as to an NS query), under the DS question.
        ns_query = dns.message.make_query(owner, "NS", want_dnssec=True)
        ns_query.id = query.id
        ns_query.flags = query.flags
        reply = answer(ns_query)
        assert reply is not None
        msg = dns.message.from_wire(reply)
        assert not msg.flags & dns.flags.AA
        msg.question = list(query.question)
        return msg.to_wire()

    return fault


def test_one_tld_server_refers_the_ds_query(plan: LabPlan) -> None:
    zone = scenario(plan, "good-nsec").zone
    bad, good = _tld_servers(plan)
    diagnosis, _ = check(plan, "good-nsec", {bad: _ds_fault(zone, "referral")})  # type: ignore[dict-item]
    found = roots(diagnosis)["PARENT_DS_REFERRAL"]
    assert found.zone == zone and found.servers == (bad,) and found.servers_ok == (good,)
    assert "a referral to" in found.detail
    # The good server's DS keeps the chain: a validator that picks it validates.
    assert diagnosis.status == "secure"
    assert not by_code(diagnosis, "DS_INCONSISTENT_AT_PARENT")


def test_every_tld_server_answers_ds_from_the_child(plan: LabPlan) -> None:
    zone = scenario(plan, "good-nsec").zone
    faults = {s: _ds_fault(zone, "child") for s in _tld_servers(plan)}
    diagnosis, _ = check(plan, "good-nsec", faults)  # type: ignore[arg-type]
    found = roots(diagnosis)["PARENT_DS_REFERRAL"]
    assert found.servers == tuple(_tld_servers(plan)) and found.servers_ok == ()
    report = next(z for z in diagnosis.zones if z.name == zone)
    assert report.status == "insecure" and "from the parent zone" in report.reason
    # What a validator then sees (no DS) is a consequence, not a second root cause.
    [no_ds] = by_code(diagnosis, "SIGNED_ZONE_WITHOUT_DS")
    assert no_ds.caused_by == (found.key,)
    assert "PARENT_DS_REFERRAL" in no_ds.detail and "PARENT_DS_REFERRAL" in (no_ds.fix or "")
    assert not by_code(diagnosis, "DS_INCONSISTENT_AT_PARENT")
