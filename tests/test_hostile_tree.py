"""The hostile authoritative tree on loopback: one test per behaviour.

Real sockets (``hostile_tree.HostileTree``): each case asserts the right code, the
right server, that the status keeps the status/exit-code contract, and that the run
stayed inside its limits — queries sent within ``max_queries``, no query started
after the deadline, stalled TCP attempts ending as timeouts — never on wall-clock time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import dns.name
import pytest

from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.capture import Capture
from dnssec_doctor.model.diagnosis_json import render_json
from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.severity import Severity, exit_code_for
from dnssec_doctor.render.html import render_html
from dnssec_doctor.render.nagios import render_nagios
from dnssec_doctor.render.text import render_text
from hostile_tree import (
    BIG_NS_COUNT,
    HOSTILE_LABEL,
    NSEC3_BOMB_ITERATIONS,
    Fault,
    absurd_rrsigs,
    big_ns_referral,
    build_tree,
    check,
    extra_answers,
    garbage,
    referral_loop,
    slow_drip,
    tc_then_stall,
    tld_servers,
    wrong_id,
    wrong_question,
    zone_servers,
)
from status_invariant import assert_explained

pytestmark = pytest.mark.timeout(120)

LIMITS = Limits(query_timeout=1.0, retries=0, deadline=30)
"""One second per attempt: the tree's servers are Python on a shared CPU, answering about
a hundred queries at once; a stall costs one timeout whatever its length."""
VICTIM = "victim.test."


@pytest.fixture(scope="module")
def plan() -> Iterator[LabPlan]:
    yield build_tree()


def run(
    plan: LabPlan,
    name: str,
    faults: dict[str, Fault] | None = None,
    limits: Limits = LIMITS,
    types: tuple[str, ...] = (),
) -> tuple[Diagnosis, Capture]:
    diagnosis, capture, _servers = check(plan, name, faults, limits, types)
    assert_bounded(diagnosis, capture, limits)
    return diagnosis, capture


def assert_bounded(diagnosis: Diagnosis, capture: Capture, limits: Limits) -> None:
    """Inside the limits, and the status explained; every sink escapes the hostile data."""
    sent = [e for e in capture.exchanges if e.outcome not in ("budget", "policy")]
    assert len(sent) <= limits.max_queries
    assert all(e.started <= limits.deadline for e in sent)
    assert_explained(diagnosis)
    assert "\x1b" not in render_text(diagnosis) + render_nagios(diagnosis)
    assert "<script>" not in render_html(diagnosis)
    assert render_json(diagnosis)


def codes(diagnosis: Diagnosis) -> set[str]:
    return {f.code for f in diagnosis.findings}


def one(diagnosis: Diagnosis, code: str) -> Finding:
    found = [f for f in diagnosis.findings if f.code == code]
    assert len(found) == 1, (code, [f.code for f in diagnosis.findings])
    return found[0]


def exit_code(diagnosis: Diagnosis) -> int:
    return exit_code_for(f.severity for f in diagnosis.findings)


# --- wire faults on one or both servers of victim.test. ---------------------------------


def test_garbage_from_one_server_is_malformed_response(plan: LabPlan) -> None:
    bad, _good = zone_servers(plan, VICTIM)
    diagnosis, _ = run(plan, VICTIM, {bad: garbage})
    malformed = one(diagnosis, "MALFORMED_RESPONSE")
    assert malformed.servers == (bad,) and malformed.is_root_cause
    assert malformed.evidence["unparseable"] > 0
    assert not codes(diagnosis) & {"AUTH_TCP_UNREACHABLE", "AUTH_UDP_UNREACHABLE"}
    assert diagnosis.status == "secure"  # through the good server


def test_garbage_on_both_transports_everywhere_never_says_open_tcp(plan: LabPlan) -> None:
    servers = zone_servers(plan, VICTIM)
    diagnosis, _ = run(plan, VICTIM, dict.fromkeys(servers, garbage))
    assert {s for f in diagnosis.findings if f.code == "MALFORMED_RESPONSE" for s in f.servers} == (
        set(servers)
    )
    assert not codes(diagnosis) & {"AUTH_TCP_UNREACHABLE", "AUTH_UDP_UNREACHABLE"}
    assert not any("TCP/53" in f.fix for f in diagnosis.findings)
    assert diagnosis.status == "indeterminate" and exit_code(diagnosis) == 2


@pytest.mark.parametrize(
    ("fault", "kind"), [(wrong_id, "wrong_id"), (wrong_question, "wrong_question")]
)
def test_mismatched_answers_are_rejected_and_reported(
    plan: LabPlan, fault: Fault, kind: str
) -> None:
    bad, _good = zone_servers(plan, VICTIM)
    diagnosis, _ = run(plan, VICTIM, {bad: fault})
    malformed = one(diagnosis, "MALFORMED_RESPONSE")
    assert malformed.servers == (bad,)
    assert malformed.evidence[kind] > 0
    assert diagnosis.status == "secure"


@pytest.mark.parametrize("fault", [tc_then_stall, slow_drip])
def test_truncated_udp_then_no_tcp_answer_is_a_tcp_problem(plan: LabPlan, fault: Fault) -> None:
    bad, _good = zone_servers(plan, VICTIM)
    diagnosis, capture = run(plan, VICTIM, {bad: fault})
    tcp = one(diagnosis, "AUTH_TCP_UNREACHABLE")
    assert tcp.servers == (bad,) and tcp.is_root_cause
    assert "truncated (TC=1)" in tcp.detail
    assert "AUTH_UDP_UNREACHABLE" not in codes(diagnosis)
    assert not any("never answered" in f.detail for f in diagnosis.findings)
    tcp_tries = [e for e in capture.exchanges if e.server == bad and e.transport == "tcp"]
    assert tcp_tries and all(e.outcome == "timeout" for e in tcp_tries)
    assert diagnosis.status == "secure"


def test_truncation_then_tcp_stall_at_a_parent_is_reported_at_that_zone(plan: LabPlan) -> None:
    bad, _good = tld_servers(plan)
    diagnosis, _ = run(plan, VICTIM, {bad: tc_then_stall})
    [tcp] = [f for f in diagnosis.findings if f.code == "AUTH_TCP_UNREACHABLE"]
    assert (tcp.zone, tcp.servers) == ("test.", (bad,))
    assert "truncated answers (TC=1)" in tcp.detail
    assert "AUTH_UDP_UNREACHABLE" not in codes(diagnosis)
    assert diagnosis.status == "secure"


def test_truncated_everywhere_and_tcp_stalled_is_indeterminate_with_the_tcp_cause(
    plan: LabPlan,
) -> None:
    servers = zone_servers(plan, VICTIM)
    diagnosis, _ = run(plan, VICTIM, dict.fromkeys(servers, tc_then_stall))
    tcp = one(diagnosis, "AUTH_TCP_UNREACHABLE")
    assert set(tcp.servers) == set(servers) and tcp.severity >= Severity.ERROR
    assert "AUTH_UDP_UNREACHABLE" not in codes(diagnosis)
    assert diagnosis.status == "indeterminate"


def test_extra_answer_rrsets_are_ignored_as_validators_do(plan: LabPlan) -> None:
    servers = zone_servers(plan, VICTIM)
    name = f"www.{VICTIM}"
    diagnosis, _ = run(plan, name, dict.fromkeys(servers[:1], extra_answers))
    assert diagnosis.status == "secure", diagnosis.stats
    assert exit_code(diagnosis) == 0, [(f.code, f.detail) for f in diagnosis.findings]
    quirk = one(diagnosis, "SERVER_QUIRK")
    assert quirk.servers == (servers[0],) and quirk.subject == "unrelated-answers"
    assert "unrelated.example. A" in quirk.detail
    # everywhere: still secure, nothing louder than the notice
    diagnosis, _ = run(plan, name, dict.fromkeys(servers, extra_answers))
    assert diagnosis.status == "secure" and exit_code(diagnosis) == 0
    assert set(one(diagnosis, "SERVER_QUIRK").servers) == set(servers)


def test_rrsig_question_on_a_healthy_zone_is_secure(plan: LabPlan) -> None:
    diagnosis, capture = run(plan, VICTIM, types=("RRSIG",))
    assert any(e.query.qtype == "RRSIG" and e.outcome == "response" for e in capture.exchanges)
    assert diagnosis.status == "secure" and exit_code(diagnosis) == 0


def test_absurd_rrsigs_everywhere_are_bogus_with_their_cause(plan: LabPlan) -> None:
    servers = zone_servers(plan, VICTIM)
    diagnosis, _ = run(plan, VICTIM, dict.fromkeys(servers, absurd_rrsigs))
    assert diagnosis.status == "bogus"
    fields = one(diagnosis, "RRSIG_FIELDS_INVALID")
    assert fields.is_root_cause and fields.severity >= Severity.ERROR
    [zone] = [z for z in diagnosis.zones if z.name == VICTIM]
    assert zone.status == "bogus"


# --- delegation faults at test. --------------------------------------------------------


def test_referral_loop_ends_at_the_looping_servers(plan: LabPlan) -> None:
    tld = tld_servers(plan)
    faults = dict.fromkeys(tld, referral_loop("loop.test.", tld))
    diagnosis, capture = run(plan, "www.loop.test.", faults)
    lame = [f for f in diagnosis.findings if f.code == "LAME_OR_NOT_AUTHORITATIVE"]
    assert lame and set(lame[0].servers) <= set(tld)
    assert len(capture.exchanges) < 200


def test_five_hundred_ns_names_leave_the_budget_to_the_name(plan: LabPlan) -> None:
    faults = dict.fromkeys(tld_servers(plan), big_ns_referral("big-ns.test."))
    name = "www.big-ns.test."
    diagnosis, capture = run(plan, name, faults)
    assert diagnosis.status == "secure"
    fan_out = [f for f in diagnosis.findings if f.subject == "ns-fan-out"]
    assert len(fan_out) == 1
    assert fan_out[0].evidence["ns_count"] == BIG_NS_COUNT
    assert f"lists {BIG_NS_COUNT} NS names; 20 were followed (2 with glue" in fan_out[0].detail
    assert "the other 480" in fan_out[0].detail and "max_ns_per_zone=20" in fan_out[0].detail
    # 18 dead names are one root cause, not 18: the first three, then one for the rest
    unusable = [f for f in diagnosis.findings if f.code == "NS_NAME_UNUSABLE"]
    assert len(unusable) == 4 and unusable[0].subject == "15 more"
    # the glue checks ask about the names followed, not all 500
    asked_hosts = {e.query.qname for e in capture.exchanges if "glueless" in e.query.qname}
    assert len(asked_hosts) <= 20


def test_tight_budget_still_asks_every_question_about_the_name(plan: LabPlan) -> None:
    faults = dict.fromkeys(tld_servers(plan), big_ns_referral("big-ns.test."))
    name = "www.big-ns.test."
    limits = Limits(query_timeout=1.0, retries=0, deadline=30, max_queries=200)
    diagnosis, capture = run(plan, name, faults, limits)
    asked = {
        e.query.qtype
        for e in capture.exchanges
        if e.query.qname == name and e.outcome == "response"
    }
    assert {"A", "AAAA", "TXT", "MX"} <= asked
    assert diagnosis.status == "secure"
    budget = [f for f in diagnosis.findings if f.subject == "queries"]
    assert len(budget) == 1
    assert f"Every question about {name} itself was asked" in budget[0].detail
    assert budget[0].evidence[f"questions about {name}"] == 0
    assert budget[0].evidence["NS address lookups"] > 0
    fan_out = next(f for f in diagnosis.findings if f.subject == "ns-fan-out")
    if fan_out.evidence["not_looked_up"]:  # how many depends on the order answers arrive
        assert "could not be looked up because the query budget ran out" in fan_out.detail
    # a name the budget kept from being looked up is not blamed on the zone
    looked_up = {e.query.qname for e in capture.exchanges if e.outcome != "budget"}
    unusable = [
        host
        for f in diagnosis.findings
        if f.code == "NS_NAME_UNUSABLE"
        for host in f.evidence.get("hosts", [f.subject])
    ]
    assert set(unusable) <= looked_up


# --- hostile zones ---------------------------------------------------------------------


def test_key_tag_collision_keeps_the_right_ds(plan: LabPlan) -> None:
    diagnosis, _ = run(plan, "keytrap.test.")
    assert diagnosis.status == "secure"
    assert not codes(diagnosis) & {"DS_DIGEST_MISMATCH", "DS_NO_MATCHING_DNSKEY"}
    trap = one(diagnosis, "KEY_TAG_COLLISION")
    assert trap.severity == Severity.WARNING
    assert trap.evidence["count"] == 51 and trap.evidence["max_keys_per_tag"] == 8
    assert "ROLLOVER_IN_PROGRESS" not in codes(diagnosis)


def test_tiny_rsa_key_is_reported_by_tag(plan: LabPlan) -> None:
    diagnosis, _ = run(plan, "tiny-key.test.")
    small = one(diagnosis, "RSA_KEY_SIZE_OUT_OF_RANGE")
    assert "512 bits" in small.detail
    assert diagnosis.status == "secure"


def test_nsec3_iteration_bomb_is_insecure_with_the_limit_named(plan: LabPlan) -> None:
    diagnosis, _ = run(plan, "nx.nsec3-bomb.test.")
    assert diagnosis.status == "insecure"
    assert "max_nsec3_iterations is 500" in str(diagnosis.stats["status_reason"])
    budget = [f for f in diagnosis.findings if f.code == "ANALYSIS_BUDGET_EXCEEDED"]
    assert budget and budget[0].evidence["iterations"] == NSEC3_BOMB_ITERATIONS
    assert "RFC 9276" in budget[0].detail
    assert one(diagnosis, "NSEC3_PARAMS_NOT_RFC9276").severity == Severity.ERROR


def test_cname_loop_is_zone_data_invalid(plan: LabPlan) -> None:
    diagnosis, _ = run(plan, "loop1.cname-trap.test.")
    loop = one(diagnosis, "ZONE_DATA_INVALID")
    assert loop.subject == "cname-loop:loop1.cname-trap.test."
    assert set(loop.servers) == set(zone_servers(plan, "cname-trap.test."))
    assert loop.severity >= Severity.ERROR and exit_code(diagnosis) == 2


def test_fifty_link_cname_chain_is_followed_only_to_the_limit(plan: LabPlan) -> None:
    name = "c1.cname-trap.test."
    diagnosis, capture = run(plan, name)
    chain = one(diagnosis, "ZONE_DATA_INVALID")
    assert chain.subject == f"cname-chain:{name}"
    assert chain.evidence["limit"] == LIMITS.max_cname_depth
    assert len(chain.evidence["chain"]) == LIMITS.max_cname_depth + 2  # one link beyond
    follow_ups = [
        e for e in capture.exchanges if re.match(r"c\d+\.", e.query.qname) and e.query.qname != name
    ]
    servers = len(zone_servers(plan, "cname-trap.test."))
    assert len(follow_ups) <= servers * (LIMITS.max_cname_depth + 1)


def test_hostile_labels_are_escaped_in_every_sink(plan: LabPlan) -> None:
    name = dns.name.Name([HOSTILE_LABEL.encode(), *dns.name.from_text(VICTIM).labels])
    diagnosis, capture = run(plan, name.to_text(), types=("TXT",))
    assert diagnosis.status == "secure", diagnosis.stats
    assert any(
        e.query.qname == name.to_text() and e.outcome == "response" for e in capture.exchanges
    )
    text = render_text(diagnosis)
    assert "\x1b" not in text
    assert "<script>" not in render_html(diagnosis)
    assert render_nagios(diagnosis).count("|") == 1
