"""NSEC denial proofs (RFC 4035 §5.4) on responses built from a zone signed here."""

from __future__ import annotations

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_doctor.analysis.denial.proof import DenialCheck, check_denial
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.severity import Severity
from test_denial_builders import (
    EXISTING,
    ORIGIN,
    find,
    name,
    nsec3_zone,
    nsec_zone,
    parts,
    response,
    signed_rrsets,
    unsigned,
    wildcard_answer,
)

LIMITS = Limits()


def check(msg: dns.message.Message, qname: str, qtype: str = "A", **extra: object) -> DenialCheck:
    return check_denial(
        msg,
        name(qname),
        dns.rdatatype.from_text(qtype),
        ORIGIN,
        LIMITS,
        **extra,  # type: ignore[arg-type]
    )


def made_up_nsec(owner: str, nxt: str, types: str, ttl: int = 300) -> list[dns.rrset.RRset]:
    """A signed NSEC the zone does not contain (a lying or buggy signer)."""
    rrset = dns.rrset.from_text(name(owner), ttl, "IN", "NSEC", f"{name(nxt)} {types}")
    return signed_rrsets(rrset, nsec_zone())


def nxdomain_nope() -> dns.message.Message:
    """nope.example. A: covered by insecure→ns1, wildcard *.example by example→alias."""
    z = nsec_zone()
    return response(
        "nope",
        "A",
        rcode=dns.rcode.NXDOMAIN,
        authority=parts(z, ("@", "SOA"), ("insecure", "NSEC"), ("@", "NSEC")),
    )


# --- valid proofs of every kind: no problems --------------------------------------------


def test_nxdomain_proven() -> None:
    result = check(nxdomain_nope(), "nope")
    assert (result.kind, result.mechanism, result.proven) == ("nxdomain", "nsec", True)
    assert result.problems == ()
    assert result.nsec3_params is None


def test_nodata_at_name_and_apex_proven() -> None:
    z = nsec_zone()
    at_name = response("www", "MX", authority=parts(z, ("@", "SOA"), ("www", "NSEC")))
    at_apex = response("@", "TXT", authority=parts(z, ("@", "SOA"), ("@", "NSEC")))
    for result in (check(at_name, "www", "MX"), check(at_apex, "@", "TXT")):
        assert (result.kind, result.mechanism, result.proven) == ("nodata", "nsec", True)
        assert result.problems == ()


def test_empty_non_terminal_nodata_proven() -> None:
    """deep.example. exists only as an ancestor: the NSEC alias→host.ent.deep covers it."""
    z = nsec_zone()
    msg = response("deep", "A", authority=parts(z, ("@", "SOA"), ("alias", "NSEC")))
    result = check(msg, "deep")
    assert (result.kind, result.proven, result.problems) == ("nodata", True, ())


def test_wildcard_answer_proven() -> None:
    z = nsec_zone()
    msg = response(
        "foo.wild",
        "TXT",
        answer=wildcard_answer(z, "foo.wild", "*.wild", "TXT"),
        authority=parts(z, ("*.wild", "NSEC")),
    )
    result = check(msg, "foo.wild", "TXT")
    assert (result.kind, result.mechanism, result.proven, result.problems) == (
        "wildcard",
        "nsec",
        True,
        (),
    )


def test_wildcard_nodata_proven() -> None:
    """foo.wild A: the NSEC at *.wild both covers foo.wild and shows the wildcard has no A."""
    z = nsec_zone()
    msg = response("foo.wild", "A", authority=parts(z, ("@", "SOA"), ("*.wild", "NSEC")))
    result = check(msg, "foo.wild")
    assert (result.kind, result.proven, result.problems) == ("wildcard", True, ())


def test_ds_nodata_at_insecure_delegation_proven() -> None:
    z = nsec_zone()
    msg = response("insecure", "DS", authority=parts(z, ("@", "SOA"), ("insecure", "NSEC")))
    result = check(msg, "insecure", "DS")
    assert (result.kind, result.proven, result.problems) == ("ds-nodata", True, ())


def test_insecure_referral_proven() -> None:
    z = nsec_zone()
    msg = response(
        "host.insecure",
        "A",
        authority=[*find(z, "insecure", "NS"), *find(z, "insecure", "NSEC")],
    )
    result = check(msg, "host.insecure")
    assert (result.kind, result.proven, result.problems) == ("insecure-delegation", True, ())


def test_positive_answers_and_secure_referrals_deny_nothing() -> None:
    z = nsec_zone()
    plain = response("www", "A", answer=find(z, "www", "A"))
    via_cname = response("alias", "A", answer=[*find(z, "alias", "CNAME"), *find(z, "www", "A")])
    referral = response(
        "host.secure", "A", authority=[*find(z, "secure", "NS"), *find(z, "secure", "DS")]
    )
    for msg, qname in ((plain, "www"), (via_cname, "alias"), (referral, "host.secure")):
        result = check(msg, qname)
        assert (result.kind, result.proven, result.problems) == ("none", False, ())


def test_nxdomain_after_cname_is_judged_at_the_target() -> None:
    """alias2 → nope: the NXDOMAIN is about nope.example., the CNAME target."""
    z = nsec_zone()
    cname = dns.rrset.from_text(name("alias2"), 3600, "IN", "CNAME", "nope.example.")
    msg = response(
        "alias2",
        "A",
        rcode=dns.rcode.NXDOMAIN,
        answer=signed_rrsets(cname, z),
        authority=parts(z, ("@", "SOA"), ("insecure", "NSEC"), ("@", "NSEC")),
    )
    result = check(msg, "alias2")
    assert (result.kind, result.proven, result.problems) == ("nxdomain", True, ())


# --- broken proofs: every code reachable ------------------------------------------------


def test_no_nsec_at_all_is_negative_proof_missing() -> None:
    z = nsec_zone()
    msg = response("nope", "A", rcode=dns.rcode.NXDOMAIN, authority=parts(z, ("@", "SOA")))
    result = check(msg, "nope")
    assert (result.mechanism, result.proven, result.codes) == (
        "none",
        False,
        ("NEGATIVE_PROOF_MISSING",),
    )


def test_unsigned_nsec_and_missing_soa() -> None:
    z = nsec_zone()
    msg = response(
        "nope",
        "A",
        rcode=dns.rcode.NXDOMAIN,
        authority=unsigned(parts(z, ("insecure", "NSEC"), ("@", "NSEC"))),
    )
    result = check(msg, "nope")
    assert not result.proven
    assert result.codes == ("NEGATIVE_PROOF_MISSING",)
    details = " ".join(p.detail for p in result.problems)
    assert "without an RRSIG" in details and "no SOA" in details


def test_unsigned_soa_and_foreign_soa() -> None:
    z = nsec_zone()
    nsecs = parts(z, ("insecure", "NSEC"), ("@", "NSEC"))
    bare = response(
        "nope", "A", rcode=dns.rcode.NXDOMAIN, authority=[*unsigned(find(z, "@", "SOA")), *nsecs]
    )
    foreign_soa = dns.rrset.from_text("other.", 300, "IN", "SOA", "ns. h. 1 2 3 4 5")
    foreign = response("nope", "A", rcode=dns.rcode.NXDOMAIN, authority=[foreign_soa, *nsecs])
    assert "without an RRSIG" in check(bare, "nope").problems[0].detail
    result = check(foreign, "nope")
    assert result.codes == ("NEGATIVE_PROOF_MISSING",) and "other." in result.problems[0].detail
    assert not result.proven


def test_wildcard_not_denied() -> None:
    z = nsec_zone()
    msg = response(
        "nope",
        "A",
        rcode=dns.rcode.NXDOMAIN,
        authority=parts(z, ("@", "SOA"), ("insecure", "NSEC")),
    )
    result = check(msg, "nope")
    assert (result.proven, result.codes) == (False, ("NSEC_PROOF_INVALID",))
    assert "*.example." in result.problems[0].detail


def test_qname_not_covered() -> None:
    z = nsec_zone()
    msg = response(
        "nope", "A", rcode=dns.rcode.NXDOMAIN, authority=parts(z, ("@", "SOA"), ("@", "NSEC"))
    )
    result = check(msg, "nope")
    assert (result.proven, result.codes) == (False, ("NSEC_PROOF_INVALID",))
    assert "no NSEC covers nope.example." in result.problems[0].detail


def test_nxdomain_for_a_name_whose_nsec_is_present() -> None:
    z = nsec_zone()
    msg = response(
        "www", "A", rcode=dns.rcode.NXDOMAIN, authority=parts(z, ("@", "SOA"), ("www", "NSEC"))
    )
    assert check(msg, "www").codes == ("NSEC_PROOF_INVALID",)


def test_nsec_at_delegation_does_not_deny_names_below_it() -> None:
    """RFC 6840 §4.1: insecure→ns1 spans host.insecure, but an NS-only NSEC denies nothing below."""
    z = nsec_zone()
    msg = response(
        "host.insecure",
        "A",
        rcode=dns.rcode.NXDOMAIN,
        authority=parts(z, ("@", "SOA"), ("insecure", "NSEC"), ("@", "NSEC")),
    )
    result = check(msg, "host.insecure")
    assert not result.proven and result.codes == ("NSEC_PROOF_INVALID",)


def test_nodata_bitmap_contradictions() -> None:
    z = nsec_zone()
    has_type = response("www", "A", authority=parts(z, ("@", "SOA"), ("www", "NSEC")))
    result = check(has_type, "www", "A")
    assert (result.proven, result.codes) == (False, ("NODATA_BITMAP_CONTRADICTION",))
    has_cname = response("alias", "MX", authority=parts(z, ("@", "SOA"), ("alias", "NSEC")))
    result = check(has_cname, "alias", "MX")
    assert result.codes == ("NODATA_BITMAP_CONTRADICTION",) and "CNAME" in result.problems[0].detail


def test_nodata_without_matching_nsec() -> None:
    z = nsec_zone()
    msg = response("www", "MX", authority=parts(z, ("@", "SOA"), ("@", "NSEC")))
    result = check(msg, "www", "MX")
    assert (result.proven, result.codes) == (False, ("NSEC_PROOF_INVALID",))


def test_nodata_at_a_delegation_for_other_types() -> None:
    z = nsec_zone()
    msg = response("insecure", "A", authority=parts(z, ("@", "SOA"), ("insecure", "NSEC")))
    result = check(msg, "insecure", "A")
    assert not result.proven and result.codes == ("NSEC_PROOF_INVALID",)
    assert "referral" in result.problems[0].detail


def test_ds_denial_missing_and_wrong_bits() -> None:
    z = nsec_zone()
    missing = response("insecure", "DS", authority=parts(z, ("@", "SOA"), ("@", "NSEC")))
    assert check(missing, "insecure", "DS").codes == ("NSEC_DENIES_DS_WRONGLY",)
    no_proof = response("insecure", "DS", authority=parts(z, ("@", "SOA")))
    assert check(no_proof, "insecure", "DS").codes == ("NSEC_DENIES_DS_WRONGLY",)
    child_side = made_up_nsec("insecure", "ns1", "NS SOA RRSIG NSEC DNSKEY")
    wrong = response("insecure", "DS", authority=[*parts(z, ("@", "SOA")), *child_side])
    result = check(wrong, "insecure", "DS")
    assert result.codes == ("INSECURE_DELEGATION_PROOF_INVALID",)
    assert "SOA bit" in result.problems[0].detail
    no_ns = made_up_nsec("insecure", "ns1", "RRSIG NSEC")
    # a matching NSEC listing only RRSIG NSEC is also how compact denial looks, but DS
    # queries go to the delegation rules, which need the NS bit
    result = check(
        response("insecure", "DS", authority=[*parts(z, ("@", "SOA")), *no_ns]), "insecure", "DS"
    )
    assert (
        result.codes == ("INSECURE_DELEGATION_PROOF_INVALID",)
        and "NS bit" in result.problems[0].detail
    )


def test_wildcard_answer_problems() -> None:
    z = nsec_zone()
    answer = wildcard_answer(z, "foo.wild", "*.wild", "TXT")
    no_proof = response("foo.wild", "TXT", answer=answer)
    assert check(no_proof, "foo.wild", "TXT").codes == ("NEGATIVE_PROOF_MISSING",)
    # the NSEC at the apex does not cover foo.wild
    wrong = response("foo.wild", "TXT", answer=answer, authority=parts(z, ("@", "NSEC")))
    result = check(wrong, "foo.wild", "TXT")
    assert (result.kind, result.proven, result.codes) == (
        "wildcard",
        False,
        ("WILDCARD_PROOF_INVALID",),
    )
    # an expansion claimed for a name that exists
    host = wildcard_answer(z, "host.ent.deep", "*.wild", "TXT")
    exists = response(
        "host.ent.deep", "TXT", answer=host, authority=parts(z, ("host.ent.deep", "NSEC"))
    )
    result = check(exists, "host.ent.deep", "TXT")
    assert (
        result.codes == ("WILDCARD_PROOF_INVALID",) and "itself exists" in result.problems[0].detail
    )


def test_wildcard_answer_where_a_closer_name_exists() -> None:
    """*.example would be the source, but the covering NSEC shows wild.example exists."""
    z = nsec_zone()
    txt = dns.rrset.from_text(name("foo.wild"), 3600, "IN", "TXT", '"x"')
    rrsig = dns.rrset.from_text(
        name("foo.wild"),
        3600,
        "IN",
        "RRSIG",
        f"TXT 15 1 3600 20240201000000 20240101000000 1 example. {'A' * 86}==",
    )
    msg = response("foo.wild", "TXT", answer=[txt, rrsig], authority=parts(z, ("*.wild", "NSEC")))
    result = check(msg, "foo.wild", "TXT")
    assert result.codes == ("WILDCARD_PROOF_INVALID",)
    assert "closer name wild.example." in result.problems[0].detail


def test_lying_nsec_denies_existing_names() -> None:
    """An NSEC alias→www spans host.ent.deep, insecure, ns1, secure and *.wild."""
    z = nsec_zone()
    lie = made_up_nsec("alias", "www", "CNAME RRSIG NSEC")
    msg = response(
        "nope",
        "A",
        rcode=dns.rcode.NXDOMAIN,
        authority=[*parts(z, ("@", "SOA"), ("@", "NSEC")), *lie],
    )
    result = check(msg, "nope", existing=EXISTING)
    denied = [p for p in result.problems if p.code == "EXISTING_NAME_DENIED"]
    assert len(denied) == 1 and denied[0].severity is Severity.CRITICAL
    assert "host.ent.deep.example." in denied[0].evidence["names"]  # type: ignore[operator]
    assert "www.example." not in denied[0].evidence["names"]  # type: ignore[operator]
    # without the knowledge of existing names the same response looks like a proof
    assert check(msg, "nope").problems == ()


def test_negative_ttl_too_long() -> None:
    z = nsec_zone()
    long_lived = made_up_nsec("insecure", "ns1", "NS RRSIG NSEC", ttl=86400)
    msg = response(
        "nope",
        "A",
        rcode=dns.rcode.NXDOMAIN,
        authority=[*parts(z, ("@", "SOA"), ("@", "NSEC")), *long_lived],
    )
    result = check(msg, "nope")
    assert result.proven and result.codes == ("NEGATIVE_TTL_TOO_LONG",)
    assert result.problems[0].evidence["limit"] == 300
    assert result.problems[0].severity is Severity.WARNING


def test_nsec_chain_leaving_the_zone() -> None:
    z = nsec_zone()
    out = made_up_nsec("www", "zzz.other.", "A TXT RRSIG NSEC")
    msg = response("www", "MX", authority=[*parts(z, ("@", "SOA")), *out])
    result = check(msg, "www", "MX")
    assert result.proven and result.codes == ("NSEC_CHAIN_BROKEN",)


@pytest.mark.parametrize("types", ["RRSIG NSEC TYPE128", "RRSIG NSEC"])
def test_compact_denial(types: str) -> None:
    """RFC 9824: NOERROR, an NSEC at the absent name listing NXNAME (or nothing real)."""
    z = nsec_zone()
    compact = made_up_nsec("nope", "\\000.nope", types)
    msg = response("nope", "A", authority=[*parts(z, ("@", "SOA")), *compact])
    result = check(msg, "nope")
    assert (result.kind, result.proven, result.codes) == (
        "nxdomain",
        True,
        ("COMPACT_DENIAL_IN_USE",),
    )
    assert result.problems[0].severity is Severity.INFO


def test_mixed_nsec_and_nsec3() -> None:
    z3 = nsec3_zone()
    apex3 = [r for r in z3[0].iterate_rdatasets(dns.rdatatype.NSEC3)][:1]
    assert apex3
    owner, rds = apex3[0]
    extra = dns.rrset.from_rdata_list(owner, rds.ttl, list(rds))
    msg = response(
        "nope",
        "A",
        rcode=dns.rcode.NXDOMAIN,
        authority=[*nxdomain_nope().authority, *signed_rrsets(extra, z3)],
    )
    result = check(msg, "nope")
    assert result.mechanism == "mixed" and result.proven
    assert "NSEC_NSEC3_MIXED" in result.codes
    assert "NSEC3_PROOF_INVALID" not in result.codes  # moot: the NSEC proof holds


def test_referral_without_ds_proof() -> None:
    """An unsigned delegation with no NSEC: validators cannot tell it from a stripped DS."""
    z = nsec_zone()
    msg = response("host.insecure", "A", authority=find(z, "insecure", "NS"))
    result = check(msg, "host.insecure")
    assert (result.kind, result.proven, result.codes) == (
        "insecure-delegation",
        False,
        ("NSEC_DENIES_DS_WRONGLY",),
    )


def test_expansions_signed_by_another_zone_are_not_ours_to_prove() -> None:
    """A CNAME target expanded from a wildcard in a child zone is that zone's business."""

    def expanded(signer: str) -> dns.message.Message:
        txt = dns.rrset.from_text(name("a.b.child"), 300, "IN", "TXT", '"x"')
        rrsig = dns.rrset.from_text(
            name("a.b.child"),
            300,
            "IN",
            "RRSIG",
            f"TXT 15 2 300 20240201000000 20240101000000 1 {signer} {'A' * 86}==",
        )
        return response("a.b.child", "TXT", answer=[txt, rrsig])

    assert check(expanded("child.example."), "a.b.child", "TXT").kind == "none"
    ours = check(expanded("example."), "a.b.child", "TXT")
    assert (ours.kind, ours.codes) == ("wildcard", ("NEGATIVE_PROOF_MISSING",))
