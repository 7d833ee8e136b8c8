"""NSEC3 denial proofs (RFC 5155 §8) and parameter policy (RFC 9276)."""

from __future__ import annotations

import time

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from dnssec_doctor.analysis.denial.proof import DenialCheck, check_denial, compare_servers
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.severity import Severity
from test_denial_builders import (
    EXISTING,
    ORIGIN,
    SignedZone,
    find,
    name,
    nsec3_covering,
    nsec3_owner,
    nsec3_zone,
    nsec_zone,
    response,
    signed_rrsets,
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


def nsec3_parts(z: SignedZone, *owners: dns.name.Name) -> list[dns.rrset.RRset]:
    """The NSEC3 RRsets (with RRSIGs) at ``owners``, each once."""
    out: list[dns.rrset.RRset] = []
    for owner in dict.fromkeys(owners):
        out.extend(find(z, owner, "NSEC3"))
    return out


def soa(z: SignedZone) -> list[dns.rrset.RRset]:
    return find(z, "@", "SOA")


def nxdomain(z: SignedZone, qname: str = "nope", encloser: str = "@") -> dns.message.Message:
    """A correct name error: closest encloser, next closer, wildcard (RFC 5155 §7.2.2)."""
    ce = name(encloser)
    next_closer = dns.name.Name(name(qname).labels[-len(ce.labels) - 1 :])
    wildcard = dns.name.Name((b"*", *ce.labels))
    proof = nsec3_parts(
        z, nsec3_owner(z, ce), nsec3_covering(z, next_closer), nsec3_covering(z, wildcard)
    )
    return response(qname, "A", rcode=dns.rcode.NXDOMAIN, authority=[*soa(z), *proof])


def made_up_nsec3(
    z: SignedZone,
    owner: dns.name.Name,
    next_label: str,
    types: str = "",
    *,
    algorithm: int = 1,
    flags: int = 0,
    iterations: int = 0,
    salt: str = "-",
    ttl: int = 300,
) -> list[dns.rrset.RRset]:
    text = f"{algorithm} {flags} {iterations} {salt} {next_label} {types}".strip()
    return signed_rrsets(dns.rrset.from_text(owner, ttl, "IN", "NSEC3", text), z)


# --- valid proofs ------------------------------------------------------------------------


def test_nxdomain_proven() -> None:
    result = check(nxdomain(nsec3_zone()), "nope")
    assert (result.kind, result.mechanism, result.proven, result.problems) == (
        "nxdomain",
        "nsec3",
        True,
        (),
    )
    assert result.nsec3_params == (1, 0, b"", 0) and not result.opt_out


def test_nxdomain_below_an_existing_name_proven() -> None:
    result = check(nxdomain(nsec3_zone(), "x.y.www", "www"), "x.y.www")
    assert (result.proven, result.problems) == (True, ())


def test_nodata_at_name_apex_and_empty_non_terminal() -> None:
    z = nsec3_zone()
    for qname, qtype in (("www", "MX"), ("@", "TXT"), ("deep", "A"), ("ent.deep", "AAAA")):
        msg = response(qname, qtype, authority=[*soa(z), *nsec3_parts(z, nsec3_owner(z, qname))])
        result = check(msg, qname, qtype)
        assert (result.kind, result.proven, result.problems) == ("nodata", True, ()), qname


def test_wildcard_answer_proven() -> None:
    z = nsec3_zone()
    msg = response(
        "foo.wild",
        "TXT",
        answer=wildcard_answer(z, "foo.wild", "*.wild", "TXT"),
        authority=nsec3_parts(z, nsec3_covering(z, "foo.wild")),
    )
    result = check(msg, "foo.wild", "TXT")
    assert (result.kind, result.proven, result.problems) == ("wildcard", True, ())


def test_wildcard_nodata_proven() -> None:
    z = nsec3_zone()
    proof = nsec3_parts(
        z, nsec3_owner(z, "wild"), nsec3_covering(z, "foo.wild"), nsec3_owner(z, "*.wild")
    )
    msg = response("foo.wild", "A", authority=[*soa(z), *proof])
    result = check(msg, "foo.wild")
    assert (result.kind, result.proven, result.problems) == ("wildcard", True, ())


def test_ds_nodata_with_matching_nsec3() -> None:
    z = nsec3_zone()
    msg = response(
        "insecure", "DS", authority=[*soa(z), *nsec3_parts(z, nsec3_owner(z, "insecure"))]
    )
    result = check(msg, "insecure", "DS")
    assert (result.kind, result.proven, result.opt_out, result.problems) == (
        "ds-nodata",
        True,
        False,
        (),
    )


def opt_out_ds_proof(z: SignedZone) -> list[dns.rrset.RRset]:
    return nsec3_parts(z, nsec3_owner(z, "@"), nsec3_covering(z, "insecure"))


def test_ds_nodata_and_referral_under_opt_out() -> None:
    z = nsec3_zone(opt_out=True)
    ds = response("insecure", "DS", authority=[*soa(z), *opt_out_ds_proof(z)])
    result = check(ds, "insecure", "DS")
    assert (result.kind, result.proven, result.opt_out, result.problems) == (
        "ds-nodata",
        True,
        True,
        (),
    )
    assert result.nsec3_params == (1, 1, b"", 0)
    referral = response(
        "host.insecure", "A", authority=[*find(z, "insecure", "NS"), *opt_out_ds_proof(z)]
    )
    result = check(referral, "host.insecure")
    assert (result.kind, result.proven, result.opt_out) == ("insecure-delegation", True, True)


def test_opt_out_name_error_is_proven_but_noted() -> None:
    result = check(nxdomain(nsec3_zone(opt_out=True)), "nope")
    assert result.proven and result.opt_out
    assert result.codes == ("NSEC3_OPT_OUT_PROBLEM",)
    assert result.problems[0].severity is Severity.NOTICE


# --- parameters and budget --------------------------------------------------------------


def test_salt_and_iterations_not_rfc9276() -> None:
    result = check(nxdomain(nsec3_zone(salt=b"\xab\xcd", iterations=10)), "nope")
    assert result.proven and result.codes == ("NSEC3_PARAMS_NOT_RFC9276",)
    assert result.problems[0].severity is Severity.WARNING
    assert result.nsec3_params == (1, 0, b"\xab\xcd", 10)
    high = check(nxdomain(nsec3_zone(iterations=200)), "nope")
    assert high.proven and high.codes == ("NSEC3_PARAMS_NOT_RFC9276",)
    assert high.problems[0].severity is Severity.ERROR


def test_iterations_above_the_budget_are_not_hashed() -> None:
    z = nsec3_zone(iterations=2500)
    msg = nxdomain(z)
    started = time.perf_counter()
    result = check(msg, "nope", existing=EXISTING)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5
    assert not result.proven
    assert result.codes == ("NSEC3_PARAMS_NOT_RFC9276", "ANALYSIS_BUDGET_EXCEEDED")
    assert result.problems[0].severity is Severity.ERROR
    assert result.problems[1].evidence["iterations"] == 2500
    assert result.nsec3_params == (1, 0, b"", 2500)


def test_budget_is_a_parameter() -> None:
    msg = nxdomain(nsec3_zone(iterations=10))
    tight = check_denial(msg, name("nope"), 1, ORIGIN, Limits(max_nsec3_iterations=5))
    assert "ANALYSIS_BUDGET_EXCEEDED" in tight.codes and not tight.proven


def test_mixed_parameters() -> None:
    plain, salted = nsec3_zone(), nsec3_zone(salt=b"\x01", iterations=1)
    msg = nxdomain(plain)
    extra = nsec3_parts(salted, nsec3_owner(salted, "www"))
    msg.authority.extend(extra)
    result = check(msg, "nope")
    assert result.proven  # the unsalted chain proves it on its own
    assert "NSEC3_PARAMS_INCONSISTENT" in result.codes


def test_unknown_hash_algorithm_and_flags() -> None:
    z = nsec3_zone()
    owner = nsec3_owner(z, "@")
    alien = made_up_nsec3(z, owner, "0" * 32, algorithm=2)
    result = check(
        response("nope", "A", rcode=dns.rcode.NXDOMAIN, authority=[*soa(z), *alien]), "nope"
    )
    assert not result.proven and result.codes == ("NSEC3_PARAMS_INCONSISTENT",)
    assert "hash algorithm 2" in result.problems[0].detail
    flagged = made_up_nsec3(z, owner, "0" * 32, flags=2)
    result = check(
        response("nope", "A", rcode=dns.rcode.NXDOMAIN, authority=[*soa(z), *flagged]), "nope"
    )
    assert not result.proven and "NSEC3_PARAMS_INCONSISTENT" in result.codes


def test_nsec3_with_non_nsec3_algorithm() -> None:
    result = check(nxdomain(nsec3_zone()), "nope", dnskey_algorithms=(5, 13))
    assert result.codes == ("NSEC3_WITH_NON_NSEC3_ALGORITHM",)
    assert result.problems[0].severity is Severity.CRITICAL
    assert check(nxdomain(nsec3_zone()), "nope", dnskey_algorithms=(8, 13)).problems == ()


# --- broken proofs ----------------------------------------------------------------------


def test_missing_parts_of_the_closest_encloser_proof() -> None:
    """absent.example.: three distinct records play the three roles in this chain."""
    z = nsec3_zone()
    ce, nc, wc = nsec3_owner(z, "@"), nsec3_covering(z, "absent"), nsec3_covering(z, "*")
    assert len({ce, nc, wc}) == 3
    cases = {
        "no NSEC3 matches any ancestor": [nc, wc],
        "next closer": [ce, wc],
        "wildcard": [ce, nc],
    }
    for words, owners in cases.items():
        msg = response(
            "absent", "A", rcode=dns.rcode.NXDOMAIN, authority=[*soa(z), *nsec3_parts(z, *owners)]
        )
        result = check(msg, "absent")
        assert (result.proven, result.codes) == (False, ("NSEC3_PROOF_INVALID",)), words
        assert words in result.problems[0].detail
    complete = response(
        "absent", "A", rcode=dns.rcode.NXDOMAIN, authority=[*soa(z), *nsec3_parts(z, ce, nc, wc)]
    )
    assert check(complete, "absent").problems == ()


def test_nxdomain_for_an_existing_name() -> None:
    z = nsec3_zone()
    msg = response(
        "www",
        "A",
        rcode=dns.rcode.NXDOMAIN,
        authority=[*soa(z), *nsec3_parts(z, nsec3_owner(z, "www"))],
    )
    assert check(msg, "www").codes == ("NSEC3_PROOF_INVALID",)


def test_nodata_problems() -> None:
    z = nsec3_zone()
    has_type = response("www", "A", authority=[*soa(z), *nsec3_parts(z, nsec3_owner(z, "www"))])
    assert check(has_type, "www").codes == ("NODATA_BITMAP_CONTRADICTION",)
    no_match = response("www", "MX", authority=[*soa(z), *nsec3_parts(z, nsec3_owner(z, "@"))])
    result = check(no_match, "www", "MX")
    assert (result.proven, result.codes) == (False, ("NSEC3_PROOF_INVALID",))


def test_ds_denial_problems() -> None:
    z = nsec3_zone()
    # no Opt-Out flag: covering the delegation is not enough, the NSEC3 must match it
    spanning = nsec3_zone(opt_out=True)
    span = find(spanning, nsec3_covering(spanning, "insecure"), "NSEC3")[0]
    cleared = made_up_nsec3(z, span.name, next(iter(span)).to_text().split()[4])
    proof = [*nsec3_parts(z, nsec3_owner(z, "@")), *cleared]
    covering = response("insecure", "DS", authority=[*soa(z), *proof])
    result = check(covering, "insecure", "DS")
    assert (result.proven, result.codes) == (False, ("NSEC3_OPT_OUT_PROBLEM",))
    assert result.problems[0].severity is Severity.ERROR
    nothing = response(
        "insecure", "DS", authority=[*soa(z), *nsec3_parts(z, nsec3_owner(z, "www"))]
    )
    assert check(nothing, "insecure", "DS").codes == ("NSEC_DENIES_DS_WRONGLY",)
    secure = response(
        "secure", "DS", authority=[*soa(z), *nsec3_parts(z, nsec3_owner(z, "secure"))]
    )
    result = check(secure, "secure", "DS")
    assert (
        result.codes == ("INSECURE_DELEGATION_PROOF_INVALID",)
        and "DS bit" in result.problems[0].detail
    )


def test_wildcard_answer_without_next_closer() -> None:
    z = nsec3_zone()
    msg = response(
        "foo.wild",
        "TXT",
        answer=wildcard_answer(z, "foo.wild", "*.wild", "TXT"),
        authority=nsec3_parts(z, nsec3_owner(z, "www")),
    )
    result = check(msg, "foo.wild", "TXT")
    assert (result.proven, result.codes) == (False, ("WILDCARD_PROOF_INVALID",))


def test_malformed_owner() -> None:
    z = nsec3_zone()
    bad = made_up_nsec3(z, name("not-base32-!"), "0" * 32)
    msg = nxdomain(z)
    msg.authority.extend(bad)
    result = check(msg, "nope")
    assert result.proven and result.codes == ("NSEC3_PROOF_INVALID",)
    assert "malformed" in result.problems[0].detail


def test_lying_nsec3_denies_existing_names() -> None:
    """One NSEC3 pointing to itself covers every other hash: a chain of one."""
    z = nsec3_zone()
    owner = nsec3_owner(z, "@")
    lie = made_up_nsec3(z, owner, owner.labels[0].decode(), "NS SOA RRSIG DNSKEY NSEC3PARAM")
    msg = response("nope", "A", rcode=dns.rcode.NXDOMAIN, authority=[*soa(z), *lie])
    result = check(msg, "nope", existing=EXISTING)
    assert result.proven  # structurally a perfect proof ...
    assert result.codes == ("EXISTING_NAME_DENIED",)  # ... that denies real names
    assert len(result.problems[0].evidence["names"]) == len(EXISTING) - 1  # type: ignore[arg-type]


def test_opt_out_spans_do_not_count_as_lies() -> None:
    z = nsec3_zone(opt_out=True)
    result = check(nxdomain(z), "nope", existing=EXISTING)
    assert "EXISTING_NAME_DENIED" not in result.codes


def test_negative_ttl_too_long() -> None:
    z = nsec3_zone()
    msg = nxdomain(z)
    for rrset in msg.authority:
        if rrset.rdtype in (dns.rdatatype.NSEC3, dns.rdatatype.RRSIG) and rrset.name != ORIGIN:
            rrset.ttl = 7200
    result = check(msg, "nope")
    assert result.proven and result.codes == ("NEGATIVE_TTL_TOO_LONG",)
    records = sum(1 for r in msg.authority if r.rdtype == dns.rdatatype.NSEC3)
    assert result.problems[0].evidence == {"ttl": 7200, "limit": 300, "records": records}


def test_servers_disagreeing_on_mechanism_and_parameters() -> None:
    """Half an NSEC → NSEC3 migration, then two NSEC3 chains, seen across servers."""
    nsec_answer = response(
        "www", "MX", authority=[*find(nsec_zone(), "@", "SOA"), *find(nsec_zone(), "www", "NSEC")]
    )
    plain, salted = nsec3_zone(), nsec3_zone(salt=b"\x01", iterations=1)
    nsec3_answer = response(
        "www", "MX", authority=[*soa(plain), *nsec3_parts(plain, nsec3_owner(plain, "www"))]
    )
    salted_answer = response(
        "www", "MX", authority=[*soa(salted), *nsec3_parts(salted, nsec3_owner(salted, "www"))]
    )
    checks = {
        "192.0.2.1": check(nsec_answer, "www", "MX"),
        "192.0.2.2": check(nsec3_answer, "www", "MX"),
    }
    assert all(c.proven for c in checks.values())
    (mixed,) = compare_servers(checks)
    assert mixed.code == "NSEC_NSEC3_MIXED"
    assert mixed.evidence == {"nsec": ["192.0.2.1"], "nsec3": ["192.0.2.2"]}
    two_chains = {
        "192.0.2.2": checks["192.0.2.2"],
        "192.0.2.3": check(salted_answer, "www", "MX"),
    }
    assert [p.code for p in compare_servers(two_chains)] == ["NSEC3_PARAMS_INCONSISTENT"]
    assert compare_servers({"192.0.2.2": checks["192.0.2.2"]}) == ()
