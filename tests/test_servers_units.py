"""Unit tests of the server analysis on hand-made answers: serial arithmetic, the size
ladder, EDNS patterns, CDS/CDNSKEY checks, and hostile input."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rrset
import pytest
from dns.rdtypes.ANY.CDNSKEY import CDNSKEY
from dns.rdtypes.ANY.CDS import CDS
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_doctor.analysis.chain.cds import cds_findings
from dnssec_doctor.analysis.servers.behaviour import behaviour_findings
from dnssec_doctor.analysis.servers.consistency import (
    consistency_findings,
    serial_groups,
    serial_newer,
)
from dnssec_doctor.analysis.servers.diagnose import reachability_findings
from dnssec_doctor.analysis.servers.view import ServerView, server_views
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.lab.keys import KeyFactory, LabKey
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.model.survey import NameServer, QueryKey, ZoneCut
from dnssec_doctor.model.variants import EDNS_NODO, NOEDNS, TCP, size_variant
from dnssec_doctor.probe.behaviour import hosts_for

ZONE = "example.test."
ORIGIN = dns.name.from_text(ZONE)
S1, S2 = "192.0.2.1", "192.0.2.2"
SOA_TEXT = "ns1.example.test. hostmaster.example.test. {} 7200 3600 1209600 300"


def cut_with(*servers: str) -> ZoneCut:
    from dnssec_doctor.addresses import ServerAddress

    return ZoneCut(
        ZONE, "test.", servers=[NameServer(f"ns{i}.{ZONE}", [ServerAddress(s)]) for i, s in
                                enumerate(servers, 1)]
    )  # fmt: skip


def response(
    spec: QuerySpec, *rrsets: dns.rrset.RRset, rcode: int = dns.rcode.NOERROR, aa: bool = True
) -> bytes:
    msg = dns.message.make_response(spec.to_message(1))
    msg.answer.extend(rrsets)
    msg.set_rcode(dns.rcode.Rcode.make(rcode))
    if aa:
        msg.flags |= dns.flags.AA
    return msg.to_wire(max_size=65535)


def record(
    cut: ZoneCut,
    server: str,
    spec: QuerySpec,
    wire: bytes | None,
    variant: str = "",
    transport: str = "udp",
    outcome: str = "response",
) -> None:
    exchange = Exchange(server, spec, transport, outcome, wire=wire)  # type: ignore[arg-type]
    cut.queries[QueryKey("child", server, spec.qname, spec.qtype, variant)] = exchange


def soa(serial: int) -> dns.rrset.RRset:
    return dns.rrset.from_text(ZONE, 3600, "IN", "SOA", SOA_TEXT.format(serial))


def healthy(cut: ZoneCut, server: str, serial: int = 2026010101) -> None:
    """A server that answers the SOA queries of every variant properly."""
    spec = QuerySpec(ZONE, "SOA")
    record(cut, server, spec, response(spec, soa(serial)))
    for variant, variant_spec in (
        (NOEDNS, QuerySpec(ZONE, "SOA", do=False, edns=None)),
        (EDNS_NODO, QuerySpec(ZONE, "SOA", do=False)),
        (TCP, QuerySpec(ZONE, "SOA", do=False, tcp=True)),
    ):
        transport = "tcp" if variant == TCP else "udp"
        record(cut, server, variant_spec, response(variant_spec, soa(serial)), variant, transport)


# --- serials ------------------------------------------------------------------------------


def test_serial_arithmetic_wraps() -> None:
    assert serial_newer(2, 1) and not serial_newer(1, 2)
    assert serial_newer(1, 0xFFFFFFFF)  # RFC 1982: 1 follows 2^32-1
    assert not serial_newer(5, 5)


def test_newest_serial_across_the_wrap_names_the_stale_server() -> None:
    cut = cut_with(S1, S2)
    healthy(cut, S1, 3)
    healthy(cut, S2, 0xFFFFFFF0)
    groups = serial_groups(server_views(cut))
    assert groups.newest == 3 and groups.current == (S1,) and groups.stale == {S2: 0xFFFFFFF0}
    (finding,) = [f for f in consistency_findings(cut, server_views(cut))]
    assert finding.code == "SOA_SERIAL_DIVERGENT" and finding.servers == (S2,)
    assert finding.servers_ok == (S1,) and "retransfer" in finding.fix


@settings(max_examples=50, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.integers(1, 2**31 - 1))
def test_serial_newer_is_antisymmetric(a: int, step: int) -> None:
    b = (a + step) % 2**32
    assert serial_newer(b, a) and not serial_newer(a, b)


# --- the size ladder and EDNS patterns ------------------------------------------------------


def test_ladder_names_the_sizes_that_worked_and_the_ones_lost() -> None:
    cut = cut_with(S1, S2)
    for server in (S1, S2):
        healthy(cut, server)
    keys = dns.rrset.from_text(ZONE, 3600, "IN", "DNSKEY", "256 3 13 " + "A" * 700)
    for server in (S1, S2):
        for size in (512, 1232, 1400, 4096):
            spec = QuerySpec(ZONE, "DNSKEY", payload=size)
            variant = size_variant(size)
            lost = server == S2 and size > 1232
            record(
                cut,
                server,
                spec,
                None if lost else response(spec, keys),
                variant,
                # At 512 bytes the answer came truncated and the client retried over TCP.
                transport="tcp" if size == 512 else "udp",
                outcome="timeout" if lost else "response",
            )
    findings = behaviour_findings(cut, server_views(cut))
    (lost,) = [f for f in findings if f.code == "LARGE_UDP_RESPONSE_LOST"]
    assert lost.servers == (S2,) and lost.servers_ok == (S1,)
    assert "buffer of 1400 or 4096 bytes, but did with 512 or 1232 bytes" in lost.detail
    assert lost.severity == Severity.WARNING  # TCP works: resolvers get there, slowly
    assert not [f for f in findings if f.code == "AUTH_TCP_UNREACHABLE"]


def test_edns_dropped_entirely_vs_do_dropped() -> None:
    cut = cut_with(S1, S2)
    healthy(cut, S1)
    healthy(cut, S2)
    # S2: every query with an OPT record times out.
    for variant, spec in (
        ("", QuerySpec(ZONE, "SOA")),
        (EDNS_NODO, QuerySpec(ZONE, "SOA", do=False)),
        (size_variant(512), QuerySpec(ZONE, "SOA", payload=512)),
    ):
        record(cut, S2, spec, None, variant, outcome="timeout")
    (finding,) = [f for f in behaviour_findings(cut, server_views(cut)) if f.servers == (S2,)]
    assert finding.code == "EDNS_QUERIES_DROPPED"
    assert "every EDNS query" in finding.detail and "timed out" in finding.detail


def test_reachability_dead_versus_tcp_only() -> None:
    cut = cut_with(S1, S2)
    healthy(cut, S1)
    spec = QuerySpec(ZONE, "SOA")
    record(cut, S2, spec, None, outcome="timeout")
    record(cut, S2, QuerySpec(ZONE, "SOA", do=False, edns=None), None, NOEDNS, outcome="timeout")
    tcp_spec = QuerySpec(ZONE, "SOA", do=False, tcp=True)
    record(cut, S2, tcp_spec, response(tcp_spec, soa(2026010101)), TCP, "tcp")
    (finding,) = reachability_findings(cut, server_views(cut))
    assert finding.code == "AUTH_UDP_UNREACHABLE" and finding.servers == (S2,)
    assert "only over TCP" in finding.detail


def test_local_socket_errors_are_not_a_dead_server() -> None:
    cut = cut_with(S1, "2001:db8::1")
    healthy(cut, S1)
    record(cut, "2001:db8::1", QuerySpec(ZONE, "SOA"), None, outcome="error")
    assert reachability_findings(cut, server_views(cut)) == []


def test_upward_referral_is_lame() -> None:
    cut = cut_with(S1, S2)
    healthy(cut, S1)
    spec = QuerySpec(ZONE, "SOA")
    msg = dns.message.make_response(spec.to_message(1))
    msg.authority.append(dns.rrset.from_text(".", 3600, "IN", "NS", "a.root-servers.test."))
    for variant, variant_spec in (("", spec), (NOEDNS, QuerySpec(ZONE, "SOA", edns=None))):
        record(cut, S2, variant_spec, msg.to_wire(), variant)
    (finding,) = reachability_findings(cut, server_views(cut))
    assert finding.code == "LAME_OR_NOT_AUTHORITATIVE" and finding.subject == "upward-referral"
    assert finding.servers == (S2,) and "referral to ." in finding.detail


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["", NOEDNS, EDNS_NODO, TCP, size_variant(512)]))
def test_hostile_bytes_never_raise(junk: bytes, variant: str) -> None:
    cut = cut_with(S1, S2)
    healthy(cut, S1)
    spec = QuerySpec(ZONE, "SOA")
    record(cut, S2, spec, junk, variant, outcome="malformed")
    record(cut, S2, QuerySpec(ZONE, "DNSKEY"), junk)
    views = server_views(cut)
    for f in (
        *reachability_findings(cut, views),
        *consistency_findings(cut, views),
        *behaviour_findings(cut, views),
        *cds_findings(cut, views),
    ):
        assert isinstance(f, Finding)


# --- CDS / CDNSKEY ----------------------------------------------------------------------------

FACTORY = KeyFactory(11)
KSK: LabKey = FACTORY.make("units/ksk", ksk=True)
NEXT: LabKey = FACTORY.make("units/next", ksk=True)


def cds_of(key: LabKey) -> CDS:
    return dnspython_dnssec.make_cds(ORIGIN, key.dnskey, "SHA256")


def cdnskey_of(key: LabKey) -> CDNSKEY:
    rdata = dns.rdata.from_text("IN", "CDNSKEY", key.dnskey.to_text())
    assert isinstance(rdata, CDNSKEY)
    return rdata


def view(server: str, cds: list[dns.rdata.Rdata], cdnskey: list[dns.rdata.Rdata]) -> ServerView:
    v = ServerView(server)
    v.dnskeys = {KSK.dnskey.to_digestable(): KSK.dnskey}
    v.dnskey_signers = {(KSK.key_tag, KSK.algorithm)}
    v.cds = frozenset(r.to_digestable() for r in cds)
    v.cdnskey = frozenset(r.to_digestable() for r in cdnskey)
    v.cds_rdata = {r.to_digestable(): r for r in (*cds, *cdnskey)}
    return v


def codes(findings: list[Finding]) -> dict[str, Finding]:
    return {f.code: f for f in findings}


def test_matching_cds_for_the_signing_key_is_clean() -> None:
    views = {s: view(s, [cds_of(KSK)], [cdnskey_of(KSK)]) for s in (S1, S2)}
    assert cds_findings(cut_with(S1, S2), views) == []


def test_cds_and_cdnskey_describe_different_keys() -> None:
    views = {s: view(s, [cds_of(KSK)], [cdnskey_of(NEXT)]) for s in (S1, S2)}
    found = codes(cds_findings(cut_with(S1, S2), views))
    assert str(KSK.key_tag) in found["CDS_CDNSKEY_MISMATCH"].detail
    assert found["CDS_CDNSKEY_MISMATCH"].servers == ()  # the zone's data everywhere
    assert str(NEXT.key_tag) in found["CDS_POINTS_TO_MISSING_KEY"].detail


def test_published_but_not_signing_key() -> None:
    views = {S1: view(S1, [cds_of(NEXT)], [cdnskey_of(NEXT)])}
    views[S1].dnskeys[NEXT.dnskey.to_digestable()] = NEXT.dnskey
    (finding,) = cds_findings(cut_with(S1), views)
    assert finding.code == "CDS_POINTS_TO_MISSING_KEY"
    assert "do not sign the DNSKEY RRset" in finding.detail


@pytest.mark.parametrize(
    ("cds", "cdnskey", "words"),
    [
        (["0 0 0 00", None], ["0 3 0 AA=="], "mixed"),
        (["12345 0 0 00"], [], "wrong values"),
        ([], ["257 3 0 AA=="], "wrong values"),
    ],
)
def test_malformed_delete_requests(cds: list[str | None], cdnskey: list[str], words: str) -> None:
    records: list[dns.rdata.Rdata] = [
        cds_of(KSK) if text is None else dns.rdata.from_text("IN", "CDS", text) for text in cds
    ]
    keys = [dns.rdata.from_text("IN", "CDNSKEY", text) for text in cdnskey]
    (finding,) = cds_findings(cut_with(S1), {S1: view(S1, records, keys)})
    assert finding.code == "CDS_DELETE_MALFORMED" and words in finding.detail


@pytest.mark.parametrize(
    ("cds", "cdnskey", "says", "publish"),
    [
        ([True], [], "its DS set as CDS only, with no CDNSKEY", "set-publish-cdnskey"),
        ([], [True], "its DS set as CDNSKEY only, with no CDS", "set-publish-cds"),
        (["0 0 0 00"], [], "a delete request (CDS 0 0 0 00) as CDS only", "CDNSKEY 0 3 0 AA=="),
        ([], ["0 3 0 AA=="], "a delete request (CDNSKEY 0 3 0 AA==) as CDNSKEY", "CDS 0 0 0 00"),
    ],
)
def test_a_request_in_one_form_only_is_a_notice(
    cds: list[str | bool], cdnskey: list[str | bool], says: str, publish: str
) -> None:
    # RFC 7344 §4, RFC 8078 §4: either form is a request; a parent reading the other sees none.
    records: list[dns.rdata.Rdata] = [
        cds_of(KSK) if text is True else dns.rdata.from_text("IN", "CDS", str(text)) for text in cds
    ]
    keys: list[dns.rdata.Rdata] = [
        cdnskey_of(KSK) if text is True else dns.rdata.from_text("IN", "CDNSKEY", str(text))
        for text in cdnskey
    ]
    (finding,) = cds_findings(cut_with(S1, S2), {s: view(s, records, keys) for s in (S1, S2)})
    assert finding.code == "CDS_CDNSKEY_MISMATCH"
    assert finding.severity is Severity.NOTICE
    assert says in finding.detail and publish in finding.fix
    assert finding.servers == ()


def test_a_server_with_one_form_while_others_publish_both() -> None:
    views = {S1: view(S1, [cds_of(KSK)], [cdnskey_of(KSK)]), S2: view(S2, [cds_of(KSK)], [])}
    found = codes(cds_findings(cut_with(S1, S2), views))
    assert found["CDS_INCONSISTENT_ACROSS_SERVERS"].servers == (S1, S2)  # a tie: both named
    lone = found["CDS_CDNSKEY_MISMATCH"]
    assert lone.severity is Severity.NOTICE and lone.servers == (S2,)


def test_correct_delete_request_is_clean() -> None:
    records = [dns.rdata.from_text("IN", "CDS", "0 0 0 00")]
    keys = [dns.rdata.from_text("IN", "CDNSKEY", "0 3 0 AA==")]
    assert cds_findings(cut_with(S1), {S1: view(S1, records, keys)}) == []


def test_cds_differs_between_servers_names_the_minority() -> None:
    s3 = "192.0.2.3"
    views = {s: view(s, [cds_of(KSK)], [cdnskey_of(KSK)]) for s in (S1, S2)}
    views[s3] = view(s3, [], [])
    found = codes(cds_findings(cut_with(S1, S2, s3), views, stale=[s3]))
    inconsistent = found["CDS_INCONSISTENT_ACROSS_SERVERS"]
    assert inconsistent.servers == (s3,) and set(inconsistent.servers_ok) == {S1, S2}
    # Only the stale server differs: it follows from its old serial.
    assert inconsistent.caused_by == (f"SOA_SERIAL_DIVERGENT@{ZONE}",)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 40])
def test_each_ns_name_is_asked_of_a_few_servers(count: int) -> None:
    hosts = [f"ns{i}.{ZONE}" for i in range(20)]
    asked = [hosts_for(i, count, hosts) for i in range(count)]
    for host in hosts:
        assert sum(host in a for a in asked) == min(3, count)
    assert max(len(a) for a in asked) <= (20 if count <= 3 else 20 * 3 // count + 3)
