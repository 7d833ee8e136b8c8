"""Server faults beyond the lab's own, through a socket-free wire answering from the lab's zones.

Each test breaks one server in one way (an old server that FORMERRs EDNS, a box
that strips DNSSEC records, a parent with wrong glue …) and checks the whole
probe + analysis: the right code, as a root cause, naming that server only,
and a status that stays what a validator sees through the good servers.
"""

from __future__ import annotations

from collections.abc import Iterator

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.model.variants import UNKNOWN_OPTION_CODE
from dnssec_doctor.session import diagnose_capture
from servers_wire import (
    LAB_NOW,
    Answer,
    Fault,
    Reply,
    Transport,
    address,
    by_code,
    check,
    lab_plan,
    roots,
    scenario,
)

pytestmark = pytest.mark.timeout(60)

NAMES = ["good-nsec", "good-nsec3", "middlebox-large-udp", "deprecated-algorithm", "cds-mismatch"]
"""deprecated-algorithm has RSA keys and no lab fault: its DNSKEY answer is about 1 KB."""


@pytest.fixture(scope="module")
def plan() -> Iterator[LabPlan]:
    yield lab_plan(NAMES)


def _rewrite(reply: bytes | None, change: object) -> bytes | None:
    if reply is None:
        return None
    msg = dns.message.from_wire(reply)
    assert callable(change)
    change(msg)
    return msg.to_wire()


# --- faults -------------------------------------------------------------------------------


def formerr_on_edns(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
    """A pre-EDNS server: FORMERR, without OPT, to any query carrying OPT."""
    if query.edns < 0:
        return answer(query)
    response = dns.message.make_response(query)
    response.use_edns(False)
    response.set_rcode(dns.rcode.FORMERR)
    return response.to_wire()


def sloppy_edns(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
    """Ignores the EDNS version and echoes options it does not know."""
    if query.edns > 0:
        plain = dns.message.make_query(query.question[0].name, query.question[0].rdtype)
        plain.id = query.id
        plain.flags = query.flags
        plain.use_edns(0, query.ednsflags, query.payload)
        return answer(plain)
    reply = answer(query)
    if any(int(o.otype) == UNKNOWN_OPTION_CODE for o in query.options):

        def echo(msg: dns.message.Message) -> None:
            msg.use_edns(0, msg.ednsflags, msg.payload, options=list(query.options))

        return _rewrite(reply, echo)
    return reply


def strip_dnssec(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
    """A proxy that removes RRSIG, NSEC and NSEC3 records from every answer."""
    dropped = (dns.rdatatype.RRSIG, dns.rdatatype.NSEC, dns.rdatatype.NSEC3)

    def strip(msg: dns.message.Message) -> None:
        msg.answer = [r for r in msg.answer if r.rdtype not in dropped]
        msg.authority = [r for r in msg.authority if r.rdtype not in dropped]

    return _rewrite(answer(query), strip)


def not_authoritative(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
    """Answers from a cache: the data, but no AA flag."""

    def clear(msg: dns.message.Message) -> None:
        msg.flags &= ~dns.flags.AA

    return _rewrite(answer(query), clear)


def servfail(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
    """The zone failed to load."""
    response = dns.message.make_response(query)
    response.set_rcode(dns.rcode.SERVFAIL)
    return response.to_wire()


def drop_big_udp_keep_tcp(
    query: dns.message.Message, transport: Transport, answer: Answer
) -> Reply:
    """A path that loses UDP answers above 512 bytes; TCP is fine."""
    reply = answer(query)
    if transport == "udp" and reply is not None and len(reply) > 512:
        return None
    return reply


def no_tcp(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
    """TCP/53 blocked by a firewall (connection refused)."""
    return "refused" if transport == "tcp" else answer(query)


def tld_fault(plan: LabPlan, zone: str, change: object) -> object:
    """Rewrite the TLD servers' referrals to ``zone`` with ``change``."""
    owner = dns.name.from_text(zone)

    def fault(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
        reply = answer(query)
        if not query.question[0].name.is_subdomain(owner):
            return reply

        def edit(msg: dns.message.Message) -> None:
            assert callable(change)
            change(msg, owner)

        return _rewrite(reply, edit)

    return fault


def _tld_servers(plan: LabPlan) -> list[str]:
    return [str(s.address) for s in plan.servers if s.hostname in ("ns1.test.", "ns2.test.")]


# --- behaviour ----------------------------------------------------------------------------


def test_formerr_to_edns_is_edns_dropped(plan: LabPlan) -> None:
    bad, good = address(plan, "good-nsec", 2), address(plan, "good-nsec", 1)
    diagnosis, _ = check(plan, "good-nsec", {bad: formerr_on_edns})
    found = roots(diagnosis)["EDNS_QUERIES_DROPPED"]
    assert found.servers == (bad,) and found.servers_ok == (good,)
    assert "FORMERR" in found.detail and "every EDNS query" in found.detail
    assert "depends on which server" in found.detail
    assert diagnosis.status == "secure"
    assert not by_code(diagnosis, "AUTH_UDP_UNREACHABLE")


def test_sloppy_edns_is_noncompliant(plan: LabPlan) -> None:
    bad = address(plan, "good-nsec", 1)
    diagnosis, _ = check(plan, "good-nsec", {bad: sloppy_edns})
    found = roots(diagnosis)["EDNS_NONCOMPLIANT"]
    assert found.servers == (bad,)
    assert found.severity == Severity.WARNING
    assert "instead of BADVERS" in found.detail and "echoes" in found.detail
    assert diagnosis.status == "secure"


def test_dnssec_stripping_proxy(plan: LabPlan) -> None:
    bad = address(plan, "good-nsec3", 2)
    diagnosis, _ = check(plan, "good-nsec3", {bad: strip_dnssec})
    cause = roots(diagnosis)["DNSSEC_RECORDS_NOT_RETURNED"]
    assert cause.servers == (bad,)
    assert "RRSIG" in cause.detail
    # What the stripping breaks is explained by it, not reported as a root cause.
    for code in ("RRSIG_MISSING", "NEGATIVE_PROOF_MISSING"):
        consequences = by_code(diagnosis, code)
        assert consequences and all(cause.key in f.caused_by for f in consequences), code
    assert not by_code(diagnosis, "SECONDARY_SERVES_UNSIGNED")
    assert diagnosis.status == "secure"


def test_large_udp_lost_with_working_tcp_is_a_warning(plan: LabPlan) -> None:
    bad = address(plan, "deprecated-algorithm", 1)
    diagnosis, _ = check(plan, "deprecated-algorithm", {bad: drop_big_udp_keep_tcp})
    found = roots(diagnosis)["LARGE_UDP_RESPONSE_LOST"]
    assert found.servers == (bad,)
    assert found.severity == Severity.WARNING
    assert "buffer of 1232, 1400 or 4096 bytes, but did with 512 bytes" in found.detail
    assert "TC=1" in found.detail and "DNSKEY answer (919 bytes" in found.detail
    assert "the TCP retry worked" in found.detail
    assert "1232" in found.fix and "4096" in found.fix and "TCP/53" in found.fix
    assert not by_code(diagnosis, "AUTH_TCP_UNREACHABLE")


def test_tcp_refused_alone(plan: LabPlan) -> None:
    bad = address(plan, "good-nsec", 2)
    diagnosis, _ = check(plan, "good-nsec", {bad: no_tcp})
    found = roots(diagnosis)["AUTH_TCP_UNREACHABLE"]
    assert found.servers == (bad,)
    assert "refused" in found.detail
    assert not by_code(diagnosis, "LARGE_UDP_RESPONSE_LOST")


@pytest.mark.parametrize(
    ("fault", "subject", "words"),
    [
        (not_authoritative, "not-authoritative", "AA flag"),
        (servfail, "servfail", "SERVFAIL"),
    ],
)
def test_lame_kinds(plan: LabPlan, fault: object, subject: str, words: str) -> None:
    bad = address(plan, "good-nsec", 2)
    diagnosis, _ = check(plan, "good-nsec", {bad: fault})  # type: ignore[dict-item]
    found = roots(diagnosis)["LAME_OR_NOT_AUTHORITATIVE"]
    assert found.subject == subject and found.servers == (bad,)
    assert words in found.detail
    assert diagnosis.status == "secure"
    # A lame server's answers are not judged for EDNS behaviour.
    assert not by_code(diagnosis, "EDNS_NONCOMPLIANT")


def test_dead_tld_server_is_reported_at_the_tld(plan: LabPlan) -> None:
    dead = _tld_servers(plan)[1]
    diagnosis, capture = check(plan, "good-nsec", {dead: lambda q, t, a: None})
    found = roots(diagnosis)["AUTH_UDP_UNREACHABLE"]
    assert found.zone == "test." and found.servers == (dead,)
    asked = [e for e in capture.exchanges if e.server == dead]
    # One round: the walk's query, the DS query as a parent, and the first round; no more.
    assert len(asked) <= 8, [(e.query.qname, e.query.qtype) for e in asked]


# --- delegation -----------------------------------------------------------------------------


def test_glue_mismatch(plan: LabPlan) -> None:
    zone = scenario(plan, "good-nsec").zone
    host = f"ns2.{zone}"

    def wrong_glue(msg: dns.message.Message, owner: dns.name.Name) -> None:
        msg.additional = [
            dns.rrset.from_text(host, 3600, "IN", "A", "192.0.2.53")
            if r.name == dns.name.from_text(host)
            else r
            for r in msg.additional
        ]

    faults = {s: tld_fault(plan, zone, wrong_glue) for s in _tld_servers(plan)}
    diagnosis, _ = check(plan, "good-nsec", faults)  # type: ignore[arg-type]
    found = roots(diagnosis)["GLUE_MISMATCH_OR_MISSING"]
    assert "192.0.2.53" in found.detail and address(plan, "good-nsec", 2) in found.detail
    assert address(plan, "good-nsec", 2) in found.fix
    assert found.severity == Severity.ERROR


def test_ns_set_parent_child_mismatch(plan: LabPlan) -> None:
    zone = scenario(plan, "good-nsec").zone
    host = dns.name.from_text(f"ns2.{zone}")

    def drop_ns2(msg: dns.message.Message, owner: dns.name.Name) -> None:
        for rrset in msg.authority:
            if rrset.rdtype == dns.rdatatype.NS and rrset.name == owner:
                for rdata in [r for r in rrset if r.target == host]:
                    rrset.remove(rdata)
        msg.additional = [r for r in msg.additional if r.name != host]

    faults = {s: tld_fault(plan, zone, drop_ns2) for s in _tld_servers(plan)}
    diagnosis, _ = check(plan, "good-nsec", faults)  # type: ignore[arg-type]
    found = roots(diagnosis)["NS_SET_PARENT_CHILD_MISMATCH"]
    assert f"only the zone's own NS RRset lists ns2.{zone}" in found.detail
    assert diagnosis.status == "secure"


def test_ds_differs_between_parent_servers(plan: LabPlan) -> None:
    zone = scenario(plan, "good-nsec").zone
    lagging = _tld_servers(plan)[1]

    def no_ds(msg: dns.message.Message, owner: dns.name.Name) -> None:
        if msg.question[0].rdtype == dns.rdatatype.DS:
            msg.answer = []

    diagnosis, _ = check(plan, "good-nsec", {lagging: tld_fault(plan, zone, no_ds)})  # type: ignore[dict-item]
    found = by_code(diagnosis, "DS_INCONSISTENT_AT_PARENT")
    assert found and lagging in found[0].servers
    assert "no DS" in found[0].detail


# --- CDS, replay, budget --------------------------------------------------------------------


def test_cds_points_to_missing_key_everywhere(plan: LabPlan) -> None:
    diagnosis, _ = check(plan, "cds-mismatch")
    found = roots(diagnosis)["CDS_POINTS_TO_MISSING_KEY"]
    assert found.servers == ()  # the zone's data, on every server
    assert "not in the DNSKEY RRset" in found.detail
    assert not by_code(diagnosis, "CDS_CDNSKEY_MISMATCH")
    assert not by_code(diagnosis, "CDS_INCONSISTENT_ACROSS_SERVERS")


def test_cds_only_on_one_server(plan: LabPlan) -> None:
    bad = address(plan, "cds-mismatch", 2)

    def hide_cds(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
        if query.question[0].rdtype in (dns.rdatatype.CDS, dns.rdatatype.CDNSKEY):

            def empty(msg: dns.message.Message) -> None:
                msg.answer = []

            return _rewrite(answer(query), empty)
        return answer(query)

    diagnosis, _ = check(plan, "cds-mismatch", {bad: hide_cds})
    found = by_code(diagnosis, "CDS_INCONSISTENT_ACROSS_SERVERS")
    assert found and bad in found[0].servers
    missing = by_code(diagnosis, "CDS_POINTS_TO_MISSING_KEY")
    assert missing and missing[0].servers == (address(plan, "cds-mismatch", 1),)


def only_cds(delete: bool = False) -> Fault:
    """A server whose zone publishes CDS but no CDNSKEY (the CDS a delete request if asked).

    Crude on purpose: the empty CDNSKEY answer carries no NSEC proof and the delete CDS
    no RRSIG, which the test allows; what it checks is how the CDS/CDNSKEY that the probe
    collected are judged.
    """

    def fault(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
        rdtype = query.question[0].rdtype

        def change(msg: dns.message.Message) -> None:
            if rdtype == dns.rdatatype.CDNSKEY:
                msg.answer = []
            elif delete:  # unsigned: no check of CDS signatures gets in the way
                owner = query.question[0].name
                msg.answer = [dns.rrset.from_text(owner, 300, "IN", "CDS", "0 0 0 00")]

        if rdtype in (dns.rdatatype.CDS, dns.rdatatype.CDNSKEY):
            return _rewrite(answer(query), change)
        return answer(query)

    return fault


@pytest.mark.parametrize("delete", [False, True], ids=["ds-set", "delete-request"])
def test_cds_without_cdnskey_everywhere_is_a_notice(plan: LabPlan, delete: bool) -> None:
    servers = [address(plan, "cds-mismatch", n) for n in (1, 2)]
    diagnosis, _ = check(plan, "cds-mismatch", dict.fromkeys(servers, only_cds(delete)))
    (lone,) = by_code(diagnosis, "CDS_CDNSKEY_MISMATCH")
    assert lone.severity is Severity.NOTICE and lone.servers == ()
    request = "a delete request (CDS 0 0 0 00)" if delete else "its DS set"
    assert f"publishes {request} as CDS only, with no CDNSKEY" in lone.detail
    assert not by_code(diagnosis, "CDS_INCONSISTENT_ACROSS_SERVERS")
    assert not by_code(diagnosis, "CDS_DELETE_MALFORMED")
    # the DS set names a key that is not published, whatever form it comes in
    assert bool(by_code(diagnosis, "CDS_POINTS_TO_MISSING_KEY")) is not delete
    errors = {f.code for f in diagnosis.findings if f.severity >= Severity.ERROR}
    assert errors <= {"CDS_POINTS_TO_MISSING_KEY", "NEGATIVE_PROOF_MISSING", "RRSIG_MISSING"}


def test_replay_gives_the_same_diagnosis(plan: LabPlan) -> None:
    bad = address(plan, "middlebox-large-udp", 2)
    live, capture = check(plan, "middlebox-large-udp")
    again = diagnose_capture(capture, LAB_NOW)
    assert [(f.code, f.servers, f.detail) for f in again.findings] == [
        (f.code, f.servers, f.detail) for f in live.findings
    ]
    assert roots(live)["LARGE_UDP_RESPONSE_LOST"].servers == (bad,)


def test_good_zones_stay_clean(plan: LabPlan) -> None:
    for name in ("good-nsec", "good-nsec3"):
        diagnosis, _ = check(plan, name)
        noisy = [(f.code, f.detail) for f in diagnosis.findings if f.severity >= Severity.NOTICE]
        assert not noisy, (name, noisy)
        assert diagnosis.status == "secure"


def test_hostile_garbage_replies_never_crash(plan: LabPlan) -> None:
    bad = address(plan, "good-nsec", 2)

    def garbage(query: dns.message.Message, transport: Transport, answer: Answer) -> Reply:
        reply = answer(query) or b""
        return reply[:2] + b"\x84\x00" + b"\xff" * 40

    diagnosis, _ = check(plan, "good-nsec", {bad: garbage})
    assert diagnosis.status == "secure"
    assert any(bad in f.servers for f in diagnosis.findings)


def test_capture_without_behaviour_probes_replays_clean(plan: LabPlan) -> None:
    """A capture from before the behaviour probes: missing probes are not failures."""
    _, capture = check(plan, "good-nsec")
    capture.exchanges = [
        e
        for e in capture.exchanges
        if e.query.edns == 0 and e.query.do and e.query.payload == 1232 and not e.query.options
        and not e.query.tcp
    ]  # fmt: skip
    diagnosis = diagnose_capture(capture, LAB_NOW)
    assert diagnosis.status == "secure"
    # The replay says the capture is incomplete; nothing blames a server.
    loud = {f.code for f in diagnosis.findings if f.severity >= Severity.NOTICE}
    assert loud <= {"ANALYSIS_BUDGET_EXCEEDED"}, loud
    assert not [f for f in diagnosis.findings if f.servers]
