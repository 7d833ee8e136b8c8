"""The resolver diagnosis (analysis/resolver/diagnosis.py) on answers built message by message.

Each case gives one resolver's answers (with CD=0 and CD=1) next to a chain
whose verdicts the authoritative analysis would have produced, and checks the
finding, its zone-side cause and its evidence. End-to-end runs against real
Unbound and BIND resolvers are in test_resolver_real.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain.zones import ZoneEval
from dnssec_doctor.analysis.resolver.diagnosis import resolver_findings
from dnssec_doctor.analysis.resolver.ede import EDE_MAP, mapped_code
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.findings import Finding, Status
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.model.survey import QueryKey, Survey, ZoneCut
from dnssec_doctor.model.variants import CHECKING_DISABLED, VALIDATE
from dnssec_doctor.probe.resolvers import resolver_spec

R = "192.0.2.53"
ROOT_KSK = (
    "257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+"
    "KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="
)
ANCHOR = ". 3600 IN DS 12345 13 2 " + "AB" * 32


def _answer(
    qname: str,
    qtype: str,
    *,
    cd: bool = False,
    rcode: int = dns.rcode.NOERROR,
    ad: bool = False,
    ra: bool = True,
    data: bool = True,
    ede: Sequence[tuple[int, str]] = (),
    server: str = R,
) -> tuple[QueryKey, Exchange]:
    variant = CHECKING_DISABLED if cd else VALIDATE
    spec = resolver_spec(qname, qtype, variant)
    response = dns.message.make_response(spec.to_message(7))
    response.set_rcode(dns.rcode.Rcode.make(rcode))
    response.flags &= ~(dns.flags.AA | dns.flags.RA | dns.flags.AD)
    response.flags |= (dns.flags.RA if ra else 0) | (dns.flags.AD if ad else 0)
    if data and rcode == dns.rcode.NOERROR:
        text = ROOT_KSK if qtype == "DNSKEY" else "192.0.2.1"
        rdtype = "DNSKEY" if qtype == "DNSKEY" else "A"
        response.answer.append(dns.rrset.from_text(qname, 300, "IN", rdtype, text))
    options: list[dns.edns.Option] = [
        dns.edns.EDEOption(dns.edns.EDECode.make(c), t or None) for c, t in ede
    ]
    response.use_edns(0, dns.flags.DO, 1232, options=options)
    exchange = Exchange(server, spec, "udp", "response", response.to_wire(max_size=65535))
    return QueryKey("resolver", server, qname, qtype, variant), exchange


def _pair(
    qname: str,
    qtype: str,
    *,
    plain: dict[str, object] | None = None,
    cd: dict[str, object] | None = None,
) -> list[tuple[QueryKey, Exchange]]:
    """The CD=0 and CD=1 answers for one question (keyword overrides per answer)."""
    return [
        _answer(qname, qtype, **(plain or {})),  # type: ignore[arg-type]
        _answer(qname, qtype, cd=True, **(cd or {})),  # type: ignore[arg-type]
    ]


def _timeout(qname: str, qtype: str, variant: str) -> tuple[QueryKey, Exchange]:
    spec = resolver_spec(qname, qtype, variant)
    return QueryKey("resolver", R, qname, qtype, variant), Exchange(R, spec, "udp", "timeout")


def _eval(zone: str, parent: str | None, status: Status, causes: Sequence[str] = ()) -> ZoneEval:
    return ZoneEval(ZoneCut(zone, parent), status, f"{zone} is {status}", causes=list(causes))


def _chain(status: Status = "secure", causes: Sequence[str] = ()) -> list[ZoneEval]:
    return [
        _eval(".", None, "secure"),
        _eval("test.", ".", "secure"),
        _eval("zone.test.", "test.", status, causes),
    ]


def _run(
    answers: Sequence[tuple[QueryKey, Exchange]],
    evals: Sequence[ZoneEval],
    findings: Sequence[Finding] = (),
    name: str = "zone.test.",
) -> list[Finding]:
    survey = Survey(name=name, trust_anchors=anchors_from_lines([ANCHOR]))
    survey.resolvers[R] = dict(answers)
    return resolver_findings(survey, evals, None, list(findings))


def _root_ok(ad: bool = True) -> list[tuple[QueryKey, Exchange]]:
    return _pair(".", "DNSKEY", plain={"ad": ad})


def _codes(found: Sequence[Finding]) -> list[str]:
    return sorted(f.code for f in found)


def _one(found: Sequence[Finding], code: str) -> Finding:
    matching = [f for f in found if f.code == code]
    assert len(matching) == 1, [(f.code, f.detail) for f in found]
    return matching[0]


EXPIRED = catalog.finding(
    "RRSIG_EXPIRED",
    zone="zone.test.",
    detail="1 RRset(s) affected: zone.test./A.",
    evidence={"rrsets": ["zone.test./A"]},
)


def test_validation_failure_names_the_zone_side_cause_and_the_ede() -> None:
    answers = [
        *_root_ok(),
        *_pair(
            "zone.test.",
            "A",
            plain={
                "rcode": dns.rcode.SERVFAIL,
                "ede": [(7, "signature expired from 127.0.0.9")],
            },
        ),
    ]
    found = _run(answers, _chain("bogus", [EXPIRED.key]), [EXPIRED])
    assert _codes(found) == ["RESOLVER_EDE", "RESOLVER_SERVFAIL_DNSSEC"]
    servfail = _one(found, "RESOLVER_SERVFAIL_DNSSEC")
    assert servfail.zone == "zone.test."
    assert servfail.servers == (R,)
    assert servfail.caused_by == (EXPIRED.key,)
    assert "RRSIG_EXPIRED at zone.test." in servfail.detail
    assert "zone.test. A" in servfail.detail
    ede = _one(found, "RESOLVER_EDE")
    assert ede.severity is Severity.INFO
    assert ede.evidence["info_code"] == 7
    assert ede.evidence["maps_to"] == "RRSIG_EXPIRED"
    assert ede.evidence["found"] == EXPIRED.key
    assert ede.evidence["extra_text"] == ["signature expired from 127.0.0.9"]
    assert "signature expired from 127.0.0.9" in ede.detail
    assert ede.caused_by == (servfail.key,)


def test_bogus_rrset_in_a_secure_zone_is_explained_by_the_finding_naming_it() -> None:
    # A secure zone whose answer at the name fails: the cause is the finding naming
    # that RRset, not the one about another RRset.
    other = catalog.finding(
        "RRSIG_MISSING", zone="zone.test.", detail="x", evidence={"rrsets": ["mx.zone.test./A"]}
    )
    crypto = catalog.finding(
        "RRSIG_CRYPTO_INVALID",
        zone="zone.test.",
        detail="x",
        evidence={"rrsets": ["www.zone.test./A"]},
    )
    answers = [
        *_root_ok(),
        *_pair("www.zone.test.", "A", plain={"rcode": dns.rcode.SERVFAIL, "ede": [(6, "")]}),
    ]
    # data=None: the zone is secure; its RRset verdicts are not at hand, so the
    # name counts as secure, and the breaking findings of the zone become suspects.
    found = _run(answers, _chain(), [other, crypto], name="www.zone.test.")
    servfail = _one(found, "RESOLVER_SERVFAIL_DNSSEC")
    assert servfail.caused_by == (crypto.key,)
    assert "may have asked a broken server" in servfail.detail


def test_stale_trust_anchor_is_found_at_the_root_and_explains_every_failure() -> None:
    answers = [
        *_pair(".", "DNSKEY", plain={"rcode": dns.rcode.SERVFAIL, "ede": [(9, "no keys")]}),
        *_pair("test.", "DNSKEY", plain={"rcode": dns.rcode.SERVFAIL, "ede": [(6, "bogus")]}),
        *_pair("zone.test.", "A", plain={"rcode": dns.rcode.SERVFAIL, "ede": [(6, "bogus")]}),
    ]
    found = _run(answers, _chain())
    anchor = _one(found, "TRUST_ANCHOR_STALE_OR_MISMATCHED")
    assert anchor.zone == "."
    assert anchor.is_root_cause
    assert anchor.servers == (R,)
    assert anchor.evidence["root_ksk_tags"]  # the SEP key of the CD=1 answer
    assert "zone.test. A" in anchor.detail
    failures = [f for f in found if f.code == "RESOLVER_SERVFAIL_DNSSEC"]
    assert {f.zone for f in failures} == {"test.", "zone.test."}
    assert all(f.caused_by == (anchor.key,) for f in failures)
    # The EDE says "DNSKEY missing", which this analysis does not find: it says the
    # anchor explains it rather than pointing at the zone.
    ede9 = next(f for f in found if f.code == "RESOLVER_EDE" and f.evidence["info_code"] == 9)
    assert ede9.evidence["found"] is None
    assert "trust anchor" in ede9.detail
    assert "RESOLVER_NOT_VALIDATING" not in _codes(found)


def test_stale_anchor_plus_bogus_zone_links_both_causes() -> None:
    answers = [
        *_pair(".", "DNSKEY", plain={"rcode": dns.rcode.SERVFAIL}),
        *_pair("zone.test.", "A", plain={"rcode": dns.rcode.SERVFAIL}),
    ]
    found = _run(answers, _chain("bogus", [EXPIRED.key]), [EXPIRED])
    anchor = _one(found, "TRUST_ANCHOR_STALE_OR_MISMATCHED")
    servfail = _one(found, "RESOLVER_SERVFAIL_DNSSEC")
    assert servfail.caused_by == (anchor.key, EXPIRED.key)


def test_root_dnskey_failure_is_not_the_anchor_when_the_root_itself_is_bogus() -> None:
    root_sig = catalog.finding("RRSIG_EXPIRED", zone=".", detail="x")
    evals = _chain()
    evals[0] = _eval(".", None, "bogus", [root_sig.key])
    evals[1] = _eval("test.", ".", "bogus", [root_sig.key])
    evals[2] = _eval("zone.test.", "test.", "bogus", [root_sig.key])
    answers = _pair(".", "DNSKEY", plain={"rcode": dns.rcode.SERVFAIL})
    found = _run(answers, evals, [root_sig])
    assert "TRUST_ANCHOR_STALE_OR_MISMATCHED" not in _codes(found)
    assert _one(found, "RESOLVER_SERVFAIL_DNSSEC").caused_by == (root_sig.key,)


def test_answering_a_bogus_name_without_ad_anywhere_is_not_validating() -> None:
    answers = [*_root_ok(ad=False), *_pair("zone.test.", "A")]
    found = _run(answers, _chain("bogus", [EXPIRED.key]), [EXPIRED])
    assert _codes(found) == ["RESOLVER_NOT_VALIDATING"]
    f = found[0]
    assert f.zone == "zone.test."
    assert f.is_root_cause
    assert f.evidence["bogus_answered"][0]["qname"] == "zone.test."
    assert f.evidence["secure_without_ad"] == [". DNSKEY"]
    assert "RRSIG_EXPIRED" in f.detail


def test_answering_a_bogus_name_while_validating_others_suggests_a_negative_trust_anchor() -> None:
    answers = [*_root_ok(ad=True), *_pair("zone.test.", "A")]
    found = _run(answers, _chain("bogus", [EXPIRED.key]), [EXPIRED])
    assert _codes(found) == ["NEGATIVE_TRUST_ANCHOR_SUSPECTED"]
    f = found[0]
    assert f.evidence["secure_with_ad"] == [". DNSKEY"]
    assert f.caused_by == (EXPIRED.key,)
    assert "negative trust anchor" in f.detail


def test_secure_name_without_ad_from_a_validating_resolver() -> None:
    answers = [*_root_ok(ad=True), *_pair("zone.test.", "A", plain={"ad": False})]
    found = _run(answers, _chain())
    f = _one(found, "RESOLVER_AD_NOT_SET")
    assert f.zone == "zone.test."
    assert f.evidence["secure_with_ad"] == [". DNSKEY"]
    assert f.evidence["secure_without_ad"][0]["qname"] == "zone.test."


def test_no_ad_anywhere_without_a_bogus_name_is_ad_not_set_and_says_why() -> None:
    answers = [*_root_ok(ad=False), *_pair("zone.test.", "A")]
    found = _run(answers, _chain())
    f = _one(found, "RESOLVER_AD_NOT_SET")
    assert "most likely does not validate" in f.detail
    assert len(found) == 1


def test_a_validating_resolver_on_a_good_chain_gives_nothing() -> None:
    answers = [
        *_root_ok(),
        *_pair("test.", "DNSKEY", plain={"ad": True}),
        *_pair("zone.test.", "A", plain={"ad": True}),
        *_pair("nx.zone.test.", "A", plain={"ad": True, "rcode": dns.rcode.NXDOMAIN}),
    ]
    assert _run(answers, _chain()) == []


def test_insecure_zone_without_ad_is_fine() -> None:
    answers = [*_root_ok(), *_pair("zone.test.", "A")]
    assert _run(answers, _chain("insecure")) == []


def test_servfail_even_with_cd_is_not_a_dnssec_problem() -> None:
    dead = catalog.finding(
        "AUTH_UDP_UNREACHABLE", zone="zone.test.", detail="x", servers=("127.0.0.9",)
    )
    answers = [
        *_root_ok(),
        *_pair(
            "zone.test.",
            "A",
            plain={"rcode": dns.rcode.SERVFAIL, "ede": [(22, "no reachable authority")]},
            cd={"rcode": dns.rcode.SERVFAIL},
        ),
    ]
    found = _run(answers, _chain(), [dead])
    assert "RESOLVER_SERVFAIL_DNSSEC" not in _codes(found)
    f = _one(found, "RESOLVER_SERVFAIL_NOT_DNSSEC")
    assert "not a validation failure" in f.detail
    assert f.caused_by == (dead.key,)
    ede = _one(found, "RESOLVER_EDE")
    assert ede.evidence["maps_to"] == "AUTH_UDP_UNREACHABLE"
    assert ede.evidence["found"] == dead.key


def test_cd_answer_missing_counts_as_failing_anyway() -> None:
    answers = [
        *_root_ok(),
        _answer("zone.test.", "A", rcode=dns.rcode.SERVFAIL),
        _timeout("zone.test.", "A", CHECKING_DISABLED),
    ]
    found = _run(answers, _chain())
    assert "RESOLVER_SERVFAIL_NOT_DNSSEC" in _codes(found)


def test_unreachable_resolver_is_one_finding() -> None:
    answers = [
        _timeout(q, t, v)
        for q, t in ((".", "DNSKEY"), ("zone.test.", "A"))
        for v in (VALIDATE, CHECKING_DISABLED)
    ]
    found = _run(answers, _chain())
    assert _codes(found) == ["RESOLVER_UNREACHABLE"]
    assert found[0].severity is Severity.ERROR
    assert found[0].zone == "zone.test."
    assert "4× timeout" in found[0].detail


def test_refusing_resolver_and_non_recursive_server() -> None:
    refused = [
        *_pair(".", "DNSKEY", plain={"rcode": dns.rcode.REFUSED}, cd={"rcode": dns.rcode.REFUSED}),
    ]
    found = _run(refused, _chain())
    assert _codes(found) == ["RESOLVER_UNREACHABLE"]
    assert "REFUSED" in found[0].detail
    no_ra = _pair(".", "DNSKEY", plain={"ra": False}, cd={"ra": False})
    found = _run(no_ra, _chain())
    assert _codes(found) == ["RESOLVER_UNREACHABLE"]
    assert "RA" in found[0].detail


def test_some_questions_unanswered_is_a_warning() -> None:
    answers = [*_root_ok(), _timeout("zone.test.", "A", VALIDATE)]
    found = _run(answers, _chain())
    f = _one(found, "RESOLVER_UNREACHABLE")
    assert f.severity is Severity.WARNING
    assert "zone.test. A" in f.detail


def test_nsec3_iteration_limit_from_ede_27() -> None:
    params = catalog.finding("NSEC3_PARAMS_NOT_RFC9276", zone="zone.test.", detail="x")
    answers = [
        *_root_ok(),
        *_pair(
            "nx.zone.test.",
            "A",
            plain={
                "rcode": dns.rcode.NXDOMAIN,
                "ede": [(27, "NSEC3 iterations too high")],
            },
            cd={"rcode": dns.rcode.NXDOMAIN},
        ),
    ]
    found = _run(answers, _chain(), [params])
    f = _one(found, "RESOLVER_NSEC3_LIMIT")
    assert f.caused_by == (params.key,)
    assert "EDE 27" in f.detail
    assert "RESOLVER_AD_NOT_SET" not in _codes(found)
    assert _one(found, "RESOLVER_EDE").evidence["maps_to"] == "RESOLVER_NSEC3_LIMIT"


def test_stale_answer_ede() -> None:
    answers = [*_root_ok(), *_pair("zone.test.", "A", plain={"ad": True, "ede": [(3, "")]})]
    found = _run(answers, _chain())
    assert _codes(found) == ["RESOLVER_EDE", "RESOLVER_STALE_ANSWER"]
    assert _one(found, "RESOLVER_STALE_ANSWER").severity is Severity.INFO


def test_both_stale_codes_make_one_stale_resolver_finding() -> None:
    # Found by the property test below: EDE 3 and EDE 19 on one resolver's answers
    # gave two findings with the same identity.
    answers = [
        *_root_ok(),
        *_pair("zone.test.", "A", plain={"ad": True, "ede": [(3, "")]}),
        *_pair("nx.zone.test.", "A", plain={"rcode": dns.rcode.NXDOMAIN, "ede": [(19, "")]}),
    ]
    found = _run(answers, _chain())
    stale = _one(found, "RESOLVER_STALE_ANSWER")
    assert stale.evidence["info_codes"] == [3, 19]
    assert "EDE 3" in stale.detail and "EDE 19" in stale.detail
    assert len({f.key for f in found}) == len(found)


def test_signature_window_ede_on_a_name_found_secure_points_at_the_resolver_clock() -> None:
    answers = [
        *_root_ok(),
        *_pair("zone.test.", "A", plain={"rcode": dns.rcode.SERVFAIL, "ede": [(7, "")]}),
    ]
    found = _run(answers, _chain())
    clock = _one(found, "CLOCK_SKEW")
    assert clock.severity is Severity.ERROR
    assert _one(found, "RESOLVER_SERVFAIL_DNSSEC").caused_by == (clock.key,)


def test_validating_what_we_find_not_yet_valid_is_a_clock_skew_notice() -> None:
    # Unbound allows up to val-sig-skew-max (one day) outside the validity window.
    early = catalog.finding("RRSIG_NOT_YET_VALID", zone="zone.test.", detail="x")
    answers = [*_root_ok(), *_pair("zone.test.", "A", plain={"ad": True})]
    found = _run(answers, _chain("bogus", [early.key]), [early])
    clock = _one(found, "CLOCK_SKEW")
    assert clock.severity is Severity.NOTICE
    assert clock.caused_by == (early.key,)
    assert len(found) == 1


def test_hostile_answers_never_raise_and_keep_extra_text_short() -> None:
    answers = [
        *_root_ok(),
        *_pair(
            "zone.test.",
            "A",
            plain={"rcode": dns.rcode.SERVFAIL, "ede": [(6, "\x1b[31mred\x00" + "x" * 5000)]},
        ),
    ]
    key, good = answers[-1]
    answers[-1] = (key, Exchange(R, good.query, "udp", "response", b"\x00\x07garbage"))
    found = _run(answers, _chain())
    ede = _one(found, "RESOLVER_EDE")
    assert all(len(t) <= 200 for t in ede.evidence["extra_text"])
    # The CD=1 answer did not parse: no answer with CD, so not a DNSSEC verdict.
    assert "RESOLVER_SERVFAIL_NOT_DNSSEC" in _codes(found)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (1, "ALGORITHM_SIGNING_PROHIBITED"),
        (2, "DS_DIGEST_INVALID_TYPE"),
        (3, "RESOLVER_STALE_ANSWER"),
        (6, "RRSIG_CRYPTO_INVALID"),
        (7, "RRSIG_EXPIRED"),
        (8, "RRSIG_NOT_YET_VALID"),
        (9, "RRSIG_KEY_NOT_FOUND"),
        (10, "RRSIG_MISSING"),
        (12, "NEGATIVE_PROOF_MISSING"),
        (19, "RESOLVER_STALE_ANSWER"),
        (27, "RESOLVER_NSEC3_LIMIT"),
    ],
)
def test_ede_maps_to_zone_side_codes(code: int, expected: str) -> None:
    assert mapped_code(code, []) == (expected, None)


def test_ede_mapping_prefers_a_code_this_run_found() -> None:
    ds = catalog.finding("DS_NO_MATCHING_DNSKEY", zone="zone.test.", detail="x")
    assert mapped_code(9, [ds]) == ("DS_NO_MATCHING_DNSKEY", ds)
    assert mapped_code(4242, []) == ("", None)


def test_every_mapped_code_is_in_the_catalog() -> None:
    for codes in EDE_MAP.values():
        for code in codes:
            assert catalog.entry(code).code == code


def test_resolver_questions_are_sorted_the_same_whatever_the_arrival_order() -> None:
    answers = [
        *_root_ok(),
        *_pair("zone.test.", "A", plain={"rcode": dns.rcode.SERVFAIL}),
        *_pair("test.", "DNSKEY", plain={"rcode": dns.rcode.SERVFAIL}),
    ]
    first = _run(answers, _chain())
    again = _run(list(reversed(answers)), _chain())
    assert [(f.code, f.zone, f.detail) for f in first] == [
        (f.code, f.zone, f.detail) for f in again
    ]


def test_formerr_to_a_question_is_reported() -> None:
    answers = [*_root_ok(), *_pair("zone.test.", "A", plain={"rcode": dns.rcode.FORMERR})]
    found = _run(answers, _chain())
    f = _one(found, "RESOLVER_UNREACHABLE")
    assert f.severity is Severity.WARNING
    assert "zone.test. A with FORMERR" in f.detail


def test_resolver_not_asked_because_of_the_budget() -> None:
    spec = resolver_spec(".", "DNSKEY", VALIDATE)
    budget = Exchange(R, spec, "udp", "budget", error="not sent: max_queries 10")
    found = _run([(QueryKey("resolver", R, ".", "DNSKEY", VALIDATE), budget)], _chain())
    assert _codes(found) == ["RESOLVER_UNREACHABLE"]
    assert found[0].severity is Severity.WARNING
    assert "was not asked: not sent: max_queries 10" in found[0].detail


_RCODES = st.sampled_from(
    [dns.rcode.NOERROR, dns.rcode.NXDOMAIN, dns.rcode.SERVFAIL, dns.rcode.REFUSED, 4, 1]
)
_REPLY = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "rcode": _RCODES,
            "ad": st.booleans(),
            "ra": st.booleans(),
            "data": st.booleans(),
            "ede": st.lists(st.tuples(st.integers(0, 40), st.text(max_size=30)), max_size=2),
        }
    ),
)
_QUESTIONS = ((".", "DNSKEY"), ("test.", "DNSKEY"), ("zone.test.", "A"), ("nx.zone.test.", "A"))


@settings(max_examples=150, deadline=None)
@given(
    replies=st.lists(st.tuples(_REPLY, _REPLY), min_size=4, max_size=4),
    statuses=st.tuples(
        st.sampled_from(["secure", "bogus", "indeterminate"]),
        st.sampled_from(["secure", "insecure", "bogus", "indeterminate"]),
    ),
)
def test_any_answers_give_sound_findings(
    replies: list[tuple[dict[str, object] | None, dict[str, object] | None]],
    statuses: tuple[Status, Status],
) -> None:
    answers: list[tuple[QueryKey, Exchange]] = []
    for (qname, qtype), (plain, cd) in zip(_QUESTIONS, replies, strict=True):
        for variant, reply in ((VALIDATE, plain), (CHECKING_DISABLED, cd)):
            if reply is None:
                answers.append(_timeout(qname, qtype, variant))
            else:
                answers.append(
                    _answer(qname, qtype, cd=variant == CHECKING_DISABLED, **reply)  # type: ignore[arg-type]
                )
    root_status, zone_status = statuses
    evals = _chain(zone_status, [EXPIRED.key] if zone_status == "bogus" else [])
    evals[0] = _eval(".", None, root_status, [EXPIRED.key] if root_status == "bogus" else [])
    found = _run(answers, evals, [EXPIRED])
    keys = {f.key for f in found} | {EXPIRED.key}
    assert len({f.key for f in found}) == len(found)  # one finding per key
    for f in found:
        assert catalog.entry(f.code).code == f.code
        assert f.servers == (R,)
        assert set(f.caused_by) <= keys, (f.code, f.caused_by)
        assert f.key not in f.caused_by
        json.dumps(f.evidence)


def test_the_same_extended_error_from_two_resolvers_is_one_finding() -> None:
    """Two resolvers that both say EDE 7 for zone.test.: one RESOLVER_EDE naming both,
    linked to both resolvers' SERVFAIL findings (not the same finding twice)."""
    other = "192.0.2.54"
    survey = Survey(name="zone.test.", trust_anchors=anchors_from_lines([ANCHOR]))
    for server in (R, other):
        failing = {"rcode": dns.rcode.SERVFAIL, "ede": [(7, ""), (6, "")], "server": server}
        survey.resolvers[server] = dict(
            [
                *_pair(".", "DNSKEY", plain={"ad": True, "server": server}, cd={"server": server}),
                *_pair("zone.test.", "A", plain=failing, cd={"server": server}),
            ]
        )
    found = resolver_findings(survey, _chain("bogus", [EXPIRED.key]), None, [EXPIRED])
    ede = [f for f in found if f.code == "RESOLVER_EDE"]
    assert sorted(f.evidence["info_code"] for f in ede) == [6, 7], [(f.code, f.detail) for f in ede]
    seven = next(f for f in ede if f.evidence["info_code"] == 7)
    assert seven.servers == (R, other) and seven.evidence["resolvers"] == [R, other]
    assert f"{R} attached EDE 7" in seven.detail and f"{other} attached EDE 7" in seven.detail
    servfails = {f.key for f in found if f.code == "RESOLVER_SERVFAIL_DNSSEC"}
    assert len(servfails) == 2 and set(seven.caused_by) == servfails
