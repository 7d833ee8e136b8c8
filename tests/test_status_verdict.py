"""analysis.verdict: a status other than secure/insecure always gets an error-level finding.

Unit tests of the safety net itself (the analysis normally explains the status on its
own; the invariant tests check that over golden cases, lab scenarios and hostile input).
"""

from __future__ import annotations

import dns.name
import dns.rrset
import pytest

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain.rrsigs import RRsetVerdict
from dnssec_doctor.analysis.findingset import FindingSet
from dnssec_doctor.analysis.name.status import NameStatus
from dnssec_doctor.analysis.observed import SignedRRset
from dnssec_doctor.analysis.verdict import explain_status
from dnssec_doctor.cnamechain import answer_chain
from dnssec_doctor.model.severity import Severity

NAME = "www.example."
ZONE = "example."


def _unsigned_verdict() -> RRsetVerdict:
    rrset = dns.rrset.from_text(NAME, 300, "IN", "A", "192.0.2.1")
    return RRsetVerdict(SignedRRset(rrset, (), 0, "192.0.2.53"), ())


@pytest.mark.parametrize("status", ["secure", "insecure"])
def test_secure_and_insecure_need_nothing(status: str) -> None:
    found = FindingSet()
    explain_status(NAME, ZONE, NameStatus(status, "fine"), found)  # type: ignore[arg-type]
    assert found.all() == []


def test_an_existing_error_is_enough() -> None:
    found = FindingSet()
    found.add(catalog.finding("DS_NO_MATCHING_DNSKEY", zone=ZONE, detail="x"))
    explain_status(NAME, ZONE, NameStatus("bogus", "why"), found)
    assert [f.code for f in found.all()] == ["DS_NO_MATCHING_DNSKEY"]


def test_a_quiet_finding_that_names_the_cause_is_raised_to_error() -> None:
    found = FindingSet()
    found.add(
        catalog.finding("RRSIG_MISSING", zone=ZONE, detail="1 RRset", severity=Severity.WARNING)
    )
    verdict = NameStatus("bogus", "no validating answer", {"A": [_unsigned_verdict()]})
    explain_status(NAME, ZONE, verdict, found)
    [finding] = found.all()
    assert finding.severity == Severity.ERROR
    assert f"{NAME} is bogus" in finding.detail


def test_without_any_finding_one_is_made_from_the_evidence() -> None:
    found = FindingSet()
    verdict = NameStatus("bogus", "no validating answer", {"A": [_unsigned_verdict()]})
    explain_status(NAME, ZONE, verdict, found)
    [finding] = found.all()
    assert (finding.code, finding.severity) == ("RRSIG_MISSING", Severity.ERROR)
    assert "no validating answer" in finding.detail


def test_indeterminate_raises_the_budget_finding() -> None:
    found = FindingSet()
    found.add(catalog.finding("ANALYSIS_BUDGET_EXCEEDED", zone=ZONE, detail="limit hit"))
    explain_status(NAME, ZONE, NameStatus("indeterminate", "no server answered"), found)
    [finding] = found.all()
    assert finding.severity == Severity.ERROR and "indeterminate" in finding.detail


def test_answer_chain_keeps_only_what_answers_the_question() -> None:
    import dns.message

    query = dns.message.make_query("a.example.", "A")
    msg = dns.message.make_response(query)
    for owner, rdtype, data in (
        ("a.example.", "CNAME", "b.example."),
        ("b.example.", "CNAME", "c.example."),
        ("c.example.", "A", "192.0.2.1"),
        ("c.example.", "TXT", '"other type"'),
        ("z.example.", "A", "192.0.2.9"),
    ):
        msg.answer.append(dns.rrset.from_text(owner, 60, "IN", rdtype, data))
    chain = answer_chain(msg, dns.name.from_text("a.example."), 1, 12)
    assert [n.to_text() for n in chain.names] == ["a.example.", "b.example.", "c.example."]
    assert {(r.name.to_text(), r.rdtype) for r in chain.rrsets} == {
        ("a.example.", 5),
        ("b.example.", 5),
        ("c.example.", 1),
    }
    assert chain.answers(1) and not chain.loop and not chain.cut_short
    short = answer_chain(msg, dns.name.from_text("a.example."), 1, 1)
    assert short.cut_short and len(short.names) == 2
    msg.answer[1] = dns.rrset.from_text("b.example.", 60, "IN", "CNAME", "a.example.")
    assert answer_chain(msg, dns.name.from_text("a.example."), 1, 12).loop
