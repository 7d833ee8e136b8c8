"""``canonical.digestable`` builds some types' canonical RDATA itself: it must equal
dnspython's ``to_digestable`` byte for byte (RFC 4034 §6.2, RFC 6840 §5.1)."""

from __future__ import annotations

from pathlib import Path

import dns.rdata
import pytest

from dnssec_doctor.dnssec.canonical import digestable
from dnssec_doctor.model.capture import load_capture

CASES = sorted((Path(__file__).parent / "cases").glob("check-*/capture.json.gz"))

MIXED_CASE = [
    ("SOA", "NS1.Example.COM. Host\\.Master.example.com. 2026120601 7200 3600 1209600 300"),
    ("SOA", ". . 0 0 0 0 4294967295"),
    ("NS", "Ns\\032One.EXAMPLE.org."),
    ("CNAME", "Target.Example."),
    ("PTR", "Host.\\255Odd.Example."),
    ("NSEC", "Next.EXAMPLE.com. A NS SOA RRSIG NSEC DNSKEY TYPE1234 TYPE65000"),
    ("NSEC", "\\000.example. NSEC"),
    ("DNAME", "Other.Example."),
    ("MX", "10 Mail.Example."),
    ("RRSIG", "SOA 13 2 300 20261231000000 20261201000000 12345 Example.COM. AAAA"),
]


@pytest.mark.parametrize(("rdtype", "text"), MIXED_CASE)
def test_digestable_equals_dnspython_for_mixed_case_names(rdtype: str, text: str) -> None:
    rd = dns.rdata.from_text("IN", rdtype, text)
    assert digestable(rd) == rd.to_digestable()


def test_digestable_equals_dnspython_for_every_record_of_the_golden_captures() -> None:
    seen: set[int] = set()
    for path in CASES:
        for exchange in load_capture(path).exchanges:
            msg = exchange.message()
            for rrset in (msg.answer + msg.authority + msg.additional) if msg else []:
                for rd in rrset:
                    assert digestable(rd) == rd.to_digestable(), (path.parent.name, rd)
                    seen.add(rd.rdtype)
    # the types built by hand are all among them
    assert {2, 5, 6, 47} <= seen
