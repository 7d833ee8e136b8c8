"""The NSEC/NSEC3 building blocks against the RFCs' own examples."""

from __future__ import annotations

import time

import dns.name
import dns.rdatatype
import pytest
from dns.rdtypes.util import Bitmap

from dnssec_doctor import catalog
from dnssec_doctor.analysis.denial.model import CODES, problem
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.catalog.messages import TemplateError
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.nsec import (
    bitmap_types,
    canonical_key,
    interval_covers,
    may_deny_below,
    nsec_closest_encloser,
    types_text,
)
from dnssec_doctor.dnssec.nsec3 import (
    Nsec3Params,
    b32hex_decode,
    b32hex_encode,
    closest_encloser,
    nsec3_hash,
)
from dnssec_doctor.model.severity import Severity


def n(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


def test_canonical_order_is_rfc4034_section_6_1() -> None:
    expected = [
        "example.",
        "a.example.",
        "yljkjljk.a.example.",
        "Z.a.example.",
        "zABC.a.EXAMPLE.",
        "z.example.",
        "\\001.z.example.",
        "*.z.example.",
        "\\200.z.example.",
    ]
    shuffled = [n(t) for t in reversed(expected)]
    assert [x.to_text() for x in sorted(shuffled, key=canonical_key)] == expected


@pytest.mark.parametrize(
    ("owner", "nxt", "name", "covered"),
    [
        ("a.example.", "d.example.", "b.example.", True),
        ("a.example.", "d.example.", "a.example.", False),  # the owner itself
        ("a.example.", "d.example.", "d.example.", False),  # the next name itself
        ("a.example.", "d.example.", "x.b.example.", True),
        ("a.example.", "d.example.", "x.d.example.", False),
        ("a.example.", "d.example.", "x.a.example.", True),  # below the owner, before next
        ("z.example.", "example.", "zz.example.", True),  # the last NSEC wraps to the apex
        ("z.example.", "example.", "b.example.", False),
        ("example.", "example.", "anything.example.", True),  # a chain of one
        ("A.EXAMPLE.", "D.example.", "b.Example.", True),  # case does not matter
    ],
)
def test_an_nsec_interval_covers(owner: str, nxt: str, name: str, covered: bool) -> None:
    keys = canonical_key(n(owner)), canonical_key(n(nxt)), canonical_key(n(name))
    assert interval_covers(*keys) is covered


def test_delegation_and_dname_nsec_deny_nothing_below() -> None:
    ns_only = frozenset({dns.rdatatype.NS, dns.rdatatype.RRSIG, dns.rdatatype.NSEC})
    apex = ns_only | {dns.rdatatype.SOA}
    dname = frozenset({dns.rdatatype.DNAME, dns.rdatatype.NSEC})
    assert not may_deny_below(n("cut.example."), ns_only, n("x.cut.example."))
    assert may_deny_below(n("cut.example."), ns_only, n("cut2.example."))
    assert may_deny_below(n("example."), apex, n("x.example."))
    assert not may_deny_below(n("d.example."), dname, n("x.d.example."))


def test_closest_encloser_from_a_covering_nsec() -> None:
    # RFC 4035 Appendix B.2: b.example. → ns1.example. covers ml.example.
    assert nsec_closest_encloser(n("b.example."), n("ns1.example."), n("ml.example.")) == n(
        "example."
    )
    # a.b.c.example. is covered by b.c.example. → z.c.example.: c.example. encloses
    assert nsec_closest_encloser(n("b.c.example."), n("z.c.example."), n("a.bb.c.example.")) == n(
        "c.example."
    )


def test_bitmap_round_trip() -> None:
    types = [1, 2, 6, 15, 46, 47, 48, 128, 256, 1234, 65534]
    windows = Bitmap.from_rdtypes(types).windows
    assert bitmap_types(windows) == frozenset(types)
    assert types_text([47, 1, 65534]) == "A NSEC TYPE65534"


RFC5155_PARAMS = Nsec3Params(algorithm=1, salt=bytes.fromhex("aabbccdd"), iterations=12)


@pytest.mark.parametrize(
    ("name", "digest"),
    [
        # RFC 5155 Appendix A
        ("example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"),
        ("a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"),
        ("ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"),
        ("*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"),
        ("x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"),
    ],
)
def test_nsec3_hash_rfc5155_appendix_a(name: str, digest: str) -> None:
    result = nsec3_hash(n(name), RFC5155_PARAMS, max_iterations=500)
    assert result.digest is not None
    assert b32hex_encode(result.digest) == digest.upper()
    assert b32hex_decode(digest) == result.digest


def test_nsec3_hash_agrees_with_dnspython() -> None:
    for text in ("Example.", "*.wild.example.", "\\000.x.example.", "."):
        for params in (Nsec3Params(1, b"", 0), Nsec3Params(1, b"\x01\x02", 7)):
            mine = nsec3_hash(n(text), params, 500).digest
            theirs = dnspython_dnssec.nsec3_hash(n(text), params.salt, params.iterations, 1)
            assert mine is not None and b32hex_encode(mine) == theirs


def test_nsec3_hash_refuses_above_the_budget_and_unknown_algorithms() -> None:
    started = time.perf_counter()
    refused = nsec3_hash(n("example."), Nsec3Params(1, b"", 2500), max_iterations=500)
    assert time.perf_counter() - started < 0.01
    assert not refused.computed and "2500" in refused.reason
    unknown = nsec3_hash(n("example."), Nsec3Params(2, b"", 0), max_iterations=500)
    assert not unknown.computed and "algorithm 2" in unknown.reason


@pytest.mark.parametrize("text", ["", "!!!!", "0p9mhaveqvm6t7vbl5lop2u3t2rp3to", "é" * 8])
def test_b32hex_decode_rejects_garbage(text: str) -> None:
    assert b32hex_decode(text) is None or len(b32hex_decode(text) or b"") != 20


def test_an_nsec3_interval_covers_hashes_and_wraps_around() -> None:
    low, mid, high = b"\x10" * 20, b"\x80" * 20, b"\xf0" * 20
    assert interval_covers(low, high, mid)
    assert not interval_covers(low, high, low)
    assert interval_covers(high, low, b"\xff" * 20)  # the last record wraps
    assert interval_covers(high, low, b"\x00" * 20)
    assert not interval_covers(high, low, mid)
    assert interval_covers(mid, mid, low)  # a chain of one covers all but itself


def test_closest_encloser_search() -> None:
    """x.y.w.example.: w.example. matches, y.w.example. is covered (RFC 5155 §7.2.1)."""
    existing = {n("example."), n("w.example.")}

    def match(name: dns.name.Name) -> tuple[int | None, str]:
        return (1 if name in existing else None), ""

    def cover(name: dns.name.Name) -> tuple[int | None, str]:
        return (2 if name == n("y.w.example.") else None), ""

    proof = closest_encloser(n("x.y.w.example."), n("example."), match, cover)
    assert proof.complete
    assert proof.closest_encloser == n("w.example.")
    assert proof.next_closer == n("y.w.example.")
    missing = closest_encloser(n("q.example."), n("example."), match, cover)
    assert missing.closest_encloser == n("example.") and not missing.complete
    outside = closest_encloser(n("x.other."), n("example."), match, cover)
    assert outside.closest_encloser is None


def test_codes_are_the_catalog_section_f_ones_plus_two() -> None:
    """Every section F code is reported by the denial analysis, and nothing off-catalog."""
    section_f = {
        e.code
        for e in catalog.ALL_ENTRIES
        if e.section == catalog.entry("NSEC_PROOF_INVALID").section
    }
    assert len(section_f) == 15
    assert section_f | {"NSEC3_WITH_NON_NSEC3_ALGORITHM", "ANALYSIS_BUDGET_EXCEEDED"} == CODES
    with pytest.raises(ValueError, match="not a denial code"):
        problem(Code.RRSIG_EXPIRED, "x")
    rfc9276 = problem(Code.NSEC3_PARAMS_NOT_RFC9276, "not_rfc9276", {"parameters": "salt AB"})
    assert rfc9276.severity is Severity.WARNING
    denied = problem(Code.EXISTING_NAME_DENIED, "nsec_one", {"name": "a.example."})
    assert denied.severity is Severity.CRITICAL
    assert denied.detail == "an NSEC denies a.example., which exists"


def test_a_problem_whose_parameters_do_not_fit_its_template_fails_where_it_is_made() -> None:
    with pytest.raises(TemplateError, match=r"missing \['name'\]"):
        problem(Code.EXISTING_NAME_DENIED, "nsec_one", {})
    with pytest.raises(TemplateError, match=r"unused \['more'\]"):
        problem(Code.EXISTING_NAME_DENIED, "nsec_one", {"name": "a.", "more": 2})
    with pytest.raises(KeyError):
        problem(Code.EXISTING_NAME_DENIED, "no_such_case", {"name": "a."})
