"""The embedded lab's answer logic, case by case, on zones signed in the tests."""

from __future__ import annotations

import base64

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab.authority import AnswerOptions, Authority
from dnssec_doctor.lab.zonedata import load_zone
from lab_testzones import SignedZones, build_test_zones, nsec3_hash, validate

T = dns.rdatatype.RdataType
N = dns.name.from_text


@pytest.fixture(scope="module")
def zones() -> SignedZones:
    return build_test_zones()


@pytest.fixture(scope="module")
def parent(zones: SignedZones) -> Authority:
    return Authority([load_zone("test.", zones.parent)])


@pytest.fixture(scope="module")
def child(zones: SignedZones) -> Authority:
    return Authority([load_zone("example.test.", zones.child)])


@pytest.fixture(scope="module")
def nsec3(zones: SignedZones) -> Authority:
    return Authority([load_zone("n3.test.", zones.nsec3)])


def ask(
    authority: Authority, name: str, rdtype: str, *, do: bool = True, edns: int = 0
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, use_edns=edns, want_dnssec=do)
    query.flags &= ~dns.flags.RD
    return authority.respond(query)


def find(
    section: list[dns.rrset.RRset], name: str, rdtype: T, covers: T = T.NONE
) -> dns.rrset.RRset:
    for rrset in section:
        if rrset.name == N(name) and rrset.rdtype == rdtype and rrset.covers == covers:
            return rrset
    raise AssertionError(f"{name} {rdtype.name} not in {[r.to_text() for r in section]}")


def types_of(section: list[dns.rrset.RRset]) -> set[tuple[str, str]]:
    return {(r.name.to_text(), dns.rdatatype.to_text(r.rdtype)) for r in section}


def covers_name(nsec: dns.rrset.RRset, name: str) -> bool:
    """Canonical order (RFC 4034 §6.1): owner < name < next, or the last NSEC wrapping."""
    owner, following, target = nsec.name, nsec[0].next, N(name)
    if owner < following:
        return owner < target < following
    return target > owner or target < following


def test_positive_answer_with_valid_rrsig_when_do(child: Authority, zones: SignedZones) -> None:
    response = ask(child, "www.example.test.", "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    answer = find(response.answer, "www.example.test.", T.A)
    assert answer[0].address == "192.0.2.1"
    validate(answer, find(response.answer, "www.example.test.", T.RRSIG, T.A), zones)
    assert response.ednsflags & dns.flags.DO


def test_no_rrsig_without_do(child: Authority) -> None:
    response = ask(child, "www.example.test.", "A", do=False)
    assert types_of(response.answer) == {("www.example.test.", "A")}
    assert not response.ednsflags & dns.flags.DO


def test_referral_with_ds_and_glue(parent: Authority, zones: SignedZones) -> None:
    response = ask(parent, "www.example.test.", "A")
    assert not response.flags & dns.flags.AA
    assert response.answer == []
    assert find(response.authority, "example.test.", T.NS)[0].target == N("ns1.example.test.")
    ds = find(response.authority, "example.test.", T.DS)
    validate(ds, find(response.authority, "example.test.", T.RRSIG, T.DS), zones)
    assert find(response.additional, "ns1.example.test.", T.A)[0].address == "127.0.0.2"


def test_referral_without_do_has_no_ds(parent: Authority) -> None:
    response = ask(parent, "www.example.test.", "A", do=False)
    assert types_of(response.authority) == {("example.test.", "NS")}


def test_referral_to_insecure_child_proves_no_ds_with_nsec(
    parent: Authority, zones: SignedZones
) -> None:
    response = ask(parent, "www.insecure.test.", "A")
    assert not response.flags & dns.flags.AA
    nsec = find(response.authority, "insecure.test.", T.NSEC)
    bitmap = {t for window, bits in nsec[0].windows for t in _types(window, bits)}
    assert T.NS in bitmap and T.DS not in bitmap
    validate(nsec, find(response.authority, "insecure.test.", T.RRSIG, T.NSEC), zones)


def _types(window: int, bits: bytes) -> list[int]:
    return [
        window * 256 + i * 8 + j
        for i, byte in enumerate(bits)
        for j in range(8)
        if byte & (0x80 >> j)
    ]


def test_nxdomain_with_nsec_proofs(child: Authority, zones: SignedZones) -> None:
    response = ask(child, "nope.example.test.", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.flags & dns.flags.AA
    soa = find(response.authority, "example.test.", T.SOA)
    assert soa.ttl == 300  # min(SOA TTL, MINIMUM), RFC 2308 §3
    nsecs = [r for r in response.authority if r.rdtype == T.NSEC]
    assert any(covers_name(n, "nope.example.test.") for n in nsecs)
    assert any(covers_name(n, "*.example.test.") for n in nsecs)
    for nsec in nsecs:
        validate(nsec, find(response.authority, nsec.name.to_text(), T.RRSIG, T.NSEC), zones)


def test_nodata_with_nsec(child: Authority) -> None:
    response = ask(child, "www.example.test.", "AAAA")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []
    nsec = find(response.authority, "www.example.test.", T.NSEC)
    bitmap = {t for window, bits in nsec[0].windows for t in _types(window, bits)}
    assert T.A in bitmap and T.AAAA not in bitmap
    find(response.authority, "example.test.", T.SOA)


def test_empty_non_terminal_is_nodata_not_nxdomain(child: Authority) -> None:
    response = ask(child, "sub.example.test.", "A")
    assert response.rcode() == dns.rcode.NOERROR
    nsecs = [r for r in response.authority if r.rdtype == T.NSEC]
    assert any(covers_name(n, "sub.example.test.") for n in nsecs)


def test_negative_without_do_has_soa_only(child: Authority) -> None:
    response = ask(child, "nope.example.test.", "A", do=False)
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert types_of(response.authority) == {("example.test.", "SOA")}


def test_wildcard_expansion_keeps_rrsig_labels(child: Authority, zones: SignedZones) -> None:
    response = ask(child, "x.wild.example.test.", "TXT")
    assert response.flags & dns.flags.AA
    txt = find(response.answer, "x.wild.example.test.", T.TXT)
    sig = find(response.answer, "x.wild.example.test.", T.RRSIG, T.TXT)
    assert sig[0].labels == 3  # the wildcard owner *.wild.example.test. without the '*'
    validate(txt, sig, zones)
    nsecs = [r for r in response.authority if r.rdtype == T.NSEC]
    assert any(covers_name(n, "x.wild.example.test.") for n in nsecs)


def test_wildcard_nodata(child: Authority) -> None:
    response = ask(child, "x.wild.example.test.", "A")
    assert response.rcode() == dns.rcode.NOERROR and response.answer == []
    owners = types_of(response.authority)
    assert ("*.wild.example.test.", "NSEC") in owners
    assert ("example.test.", "SOA") in owners


def test_cname_followed_within_zone(child: Authority) -> None:
    response = ask(child, "alias.example.test.", "A", do=False)
    assert [r.rdtype for r in response.answer] == [T.CNAME, T.A]
    response = ask(child, "dangling.example.test.", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.answer[0].rdtype == T.CNAME


def test_ds_for_child_apex(zones: SignedZones, child: Authority, parent: Authority) -> None:
    both = Authority([load_zone("test.", zones.parent), load_zone("example.test.", zones.child)])
    response = ask(both, "example.test.", "DS")
    assert response.flags & dns.flags.AA
    find(response.answer, "example.test.", T.DS)
    from_parent = ask(parent, "example.test.", "DS")
    assert from_parent.flags & dns.flags.AA and find(from_parent.answer, "example.test.", T.DS)
    only_child = ask(child, "example.test.", "DS")
    assert only_child.answer == []
    find(only_child.authority, "example.test.", T.SOA)
    apex_dnskey = ask(both, "example.test.", "DNSKEY")
    assert find(apex_dnskey.answer, "example.test.", T.DNSKEY)


def test_refused_outside_served_zones(child: Authority) -> None:
    response = ask(child, "www.example.org.", "A")
    assert response.rcode() == dns.rcode.REFUSED
    assert not response.flags & dns.flags.AA
    assert response.answer == [] and response.authority == []


def test_badvers_for_edns_version_1(child: Authority) -> None:
    response = ask(child, "www.example.test.", "A", edns=1)
    assert response.rcode() == dns.rcode.BADVERS
    assert response.edns == 0
    assert response.answer == []


def test_nsec3_nxdomain_closest_encloser_proof(nsec3: Authority, zones: SignedZones) -> None:
    response = ask(nsec3, "x.y.n3.test.", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN
    records = [r for r in response.authority if r.rdtype == T.NSEC3]
    hashes = {r.name.labels[0].decode().upper(): r for r in records}
    # closest encloser n3.test. matched, next closer y.n3.test. and *.n3.test. covered
    assert nsec3_hash("n3.test.") in hashes
    for name in ("y.n3.test.", "*.n3.test."):
        digest = nsec3_hash(name)
        assert any(_nsec3_covers(r, digest) for r in records), name
    for record in records:
        validate(record, find(response.authority, record.name.to_text(), T.RRSIG, T.NSEC3), zones)


def _nsec3_covers(record: dns.rrset.RRset, digest: str) -> bool:
    owner = record.name.labels[0].decode().upper()
    following = base64.b32hexencode(record[0].next).decode()
    if owner < following:
        return owner < digest < following
    return digest > owner or digest < following


def test_nsec3_nodata_and_empty_non_terminal(nsec3: Authority) -> None:
    response = ask(nsec3, "www.n3.test.", "AAAA")
    assert response.rcode() == dns.rcode.NOERROR
    owners = {r.name.labels[0].decode().upper() for r in response.authority if r.rdtype == T.NSEC3}
    assert owners == {nsec3_hash("www.n3.test.")}
    response = ask(nsec3, "b.n3.test.", "A")
    assert response.rcode() == dns.rcode.NOERROR


def test_nsec3_opt_out_referral(nsec3: Authority) -> None:
    response = ask(nsec3, "host.insec.n3.test.", "A")
    assert not response.flags & dns.flags.AA
    find(response.authority, "insec.n3.test.", T.NS)
    records = [r for r in response.authority if r.rdtype == T.NSEC3]
    owners = {r.name.labels[0].decode().upper() for r in records}
    assert nsec3_hash("n3.test.") in owners  # closest provable encloser
    cover = [r for r in records if _nsec3_covers(r, nsec3_hash("insec.n3.test."))]
    assert cover and cover[0][0].flags & 1  # opt-out
    assert find(response.additional, "ns.insec.n3.test.", T.A)


def test_truncation_over_udp_full_over_tcp(child: Authority) -> None:
    query = dns.message.make_query("big.example.test.", "TXT", use_edns=0, payload=1232)
    udp = child.handle_wire(query.to_wire(), "udp")
    assert udp.wire is not None and len(udp.wire) <= 1232
    truncated = dns.message.from_wire(udp.wire)
    assert truncated.flags & dns.flags.TC and truncated.answer == []
    tcp = child.handle_wire(query.to_wire(), "tcp")
    assert tcp.wire is not None and len(tcp.wire) > 1232
    full = dns.message.from_wire(tcp.wire)
    assert (
        not full.flags & dns.flags.TC and len(find(full.answer, "big.example.test.", T.TXT)) == 12
    )


def test_no_edns_caps_at_512_and_has_no_opt(child: Authority) -> None:
    plain = dns.message.make_query("medium.example.test.", "TXT", use_edns=False)
    reply = child.handle_wire(plain.to_wire(), "udp")
    assert reply.wire is not None and len(reply.wire) <= 512
    response = dns.message.from_wire(reply.wire)
    assert response.flags & dns.flags.TC and response.edns < 0
    with_edns = dns.message.make_query("medium.example.test.", "TXT", use_edns=0, payload=1232)
    reply = child.handle_wire(with_edns.to_wire(), "udp")
    assert reply.wire is not None and 512 < len(reply.wire) <= 1232
    response = dns.message.from_wire(reply.wire)
    assert not response.flags & dns.flags.TC and response.payload == 1232


def test_garbage_gets_formerr_or_silence(child: Authority) -> None:
    assert child.handle_wire(b"\x12", "udp").wire is None
    reply = child.handle_wire(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xff", "udp")
    assert reply.wire is not None
    assert reply.wire[:2] == b"\x12\x34" and reply.wire[3] & 0x0F == dns.rcode.FORMERR


def test_strip_denial_leaves_soa_only(zones: SignedZones) -> None:
    stripped = Authority(
        [load_zone("example.test.", zones.child)], AnswerOptions(strip_denial=True)
    )
    response = ask(stripped, "nope.example.test.", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert {t for _, t in types_of(response.authority)} == {"SOA", "RRSIG"}


def test_refuse_all_option(zones: SignedZones) -> None:
    refusing = Authority([load_zone("example.test.", zones.child)], AnswerOptions(refuse_all=True))
    assert ask(refusing, "www.example.test.", "A").rcode() == dns.rcode.REFUSED


def test_broken_zone_loads_and_unparsable_zone_is_a_doctor_error() -> None:
    broken = load_zone(
        "bad.test.", "bad.test. 300 IN A 192.0.2.1\nwww.bad.test 300 IN A 192.0.2.2\n"
    )
    assert N("www.bad.test.bad.test.") in broken.names  # the missing trailing dot, served as is
    with pytest.raises(DoctorError, match=r"bad\.test"):
        load_zone("bad.test.", "bad.test. 300 IN A not-an-address\n")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    data=st.binary(max_size=300),
    flips=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=6),
)
def test_hostile_packets_never_crash_the_server(data: bytes, flips: list[tuple[int, int]]) -> None:
    """Random bytes, and real queries with random bytes changed: an answer or silence."""
    authority = _FUZZ_AUTHORITY
    wire = bytearray(dns.message.make_query("www.example.test.", "A", want_dnssec=True).to_wire())
    for index, value in flips:
        if index < len(wire):
            wire[index] = value
    for packet in (data, bytes(wire)):
        for transport in ("udp", "tcp"):
            reply = authority.handle_wire(packet, transport)  # type: ignore[arg-type]
            if reply.wire is not None:
                assert reply.wire[2] & 0x80  # QR set: it is a response
                assert transport == "tcp" or len(reply.wire) <= 1232


_FUZZ_AUTHORITY = Authority(
    [
        load_zone(
            "example.test.",
            "example.test. 300 IN SOA ns hostmaster 1 2 3 4 300\n"
            "example.test. 300 IN NS ns.example.test.\n"
            "ns.example.test. 300 IN A 192.0.2.1\n"
            "*.example.test. 300 IN CNAME www.example.test.\n"
            "www.example.test. 300 IN CNAME loop.example.test.\n"
            "loop.example.test. 300 IN CNAME www.example.test.\n",
        )
    ]
)


def test_cname_loop_and_wildcard_cname_stop() -> None:
    response = ask(_FUZZ_AUTHORITY, "www.example.test.", "A")
    assert [r.name.to_text() for r in response.answer] == [
        "www.example.test.",
        "loop.example.test.",
    ]
    response = ask(_FUZZ_AUTHORITY, "x.example.test.", "A")  # wildcard CNAME into the loop
    assert [r.rdtype for r in response.answer] == [T.CNAME] * 3
    assert response.answer[0].name == N("x.example.test.")


DNAME_ZONE = """
d.test. 300 IN SOA ns.d.test. h.d.test. 1 2 3 4 300
d.test. 300 IN NS ns.d.test.
ns.d.test. 300 IN A 192.0.2.1
moved.d.test. 600 IN DNAME new.d.test.
www.new.d.test. 300 IN A 192.0.2.2
far.d.test. 300 IN DNAME other.example.
cut.d.test. 300 IN NS ns.elsewhere.example.
into-cut.d.test. 300 IN DNAME cut.d.test.
"""


def test_dname_synthesises_an_unsigned_cname_and_follows_it_in_the_zone() -> None:
    """RFC 6672 §3.2: the DNAME, a CNAME with the DNAME's TTL, then the new name."""
    authority = Authority([load_zone("d.test.", DNAME_ZONE)])
    reply = ask(authority, "www.moved.d.test.", "A")
    assert reply.flags & dns.flags.AA and reply.rcode() == dns.rcode.NOERROR
    find(reply.answer, "moved.d.test.", T.DNAME)
    cname = find(reply.answer, "www.moved.d.test.", T.CNAME)
    assert cname.ttl == 600 and cname[0].target == N("www.new.d.test.")
    find(reply.answer, "www.new.d.test.", T.A)
    # Out of the zone, or delegated: the answer ends with the CNAME (as BIND's does).
    far = ask(authority, "www.far.d.test.", "A")
    assert find(far.answer, "www.far.d.test.", T.CNAME)[0].target == N("www.other.example.")
    assert len(far.answer) == 2 and not far.authority
    delegated = ask(authority, "www.into-cut.d.test.", "A")
    assert len(delegated.answer) == 2 and not delegated.authority
    # The DNAME owner itself is not renamed (§2.3).
    assert ask(authority, "moved.d.test.", "DNAME").answer[0].rdtype == T.DNAME


def test_dname_substitution_too_long_is_yxdomain() -> None:
    """RFC 6672 §2.2: a synthesised name over 255 octets is YXDOMAIN."""
    long_target = ".".join(["x" * 60] * 4) + ".d.test."  # 252 octets
    zone = DNAME_ZONE + f"big.d.test. 300 IN DNAME {long_target}\n"
    authority = Authority([load_zone("d.test.", zone)])
    reply = ask(authority, ("y" * 50) + ".big.d.test.", "A")
    assert reply.rcode() == dns.rcode.YXDOMAIN
    find(reply.answer, "big.d.test.", T.DNAME)
