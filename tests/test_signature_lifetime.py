"""SIGNATURE_LIFETIME_POLICY from constructed signatures, through the signature tally.

The signatures are really made (lab keys, fixed times), so they pass the same
checks as live data: only those valid at NOW count.
"""

from __future__ import annotations

from collections.abc import Sequence

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from dnssec_doctor.analysis.chain.rrsigs import SignatureTally
from dnssec_doctor.analysis.chain.siglifetime import LONG_VALIDITY, SHORT_VALIDITY
from dnssec_doctor.analysis.observed import SignedRRset
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.lab.keys import KeyFactory
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity

NOW = 1_800_000_000
DAY = 86400
ZONE = dns.name.from_text("example.test.")
S1, S2 = "127.0.0.11", "127.0.0.12"
ZSK = KeyFactory(seed=7).make("zsk")
CODE = "SIGNATURE_LIFETIME_POLICY"


def signed_a(server: str, owner: str, window: tuple[int, int]) -> SignedRRset:
    """An A RRset at ``owner`` as ``server`` serves it, signed by ZSK over ``window``."""
    rrset = dns.rrset.from_text(dns.name.from_text(owner, ZONE), 3600, "IN", "A", "192.0.2.1")
    sig = dnspython_dnssec.sign(
        rrset, ZSK.private, ZONE, ZSK.dnskey, inception=window[0], expiration=window[1]
    )
    return SignedRRset(rrset, (sig,), 3600, server)


def timing(items: Sequence[SignedRRset], servers: Sequence[str] = (S1, S2)) -> list[Finding]:
    tally = SignatureTally(ZONE, NOW, Limits())
    for item in items:
        tally.check(item, [ZSK.dnskey], True)
    return tally.timing_findings("example.test.", 14 * DAY, 7 * DAY, servers)


def policy(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.code == CODE]


def test_thirty_day_validity_like_the_lab_does_not_fire() -> None:
    window = (NOW - 3600, NOW + 30 * DAY)
    assert policy(timing([signed_a(S1, "www", window), signed_a(S2, "www", window)])) == []


def test_long_validity_fires_once_with_the_longest_period_and_its_rrset() -> None:
    normal = (NOW - 3600, NOW + 30 * DAY)
    year = (NOW - 10 * DAY, NOW + 355 * DAY)
    longer = (NOW - 100 * DAY, NOW + 300 * DAY)
    found = policy(
        timing(
            [
                signed_a(S1, "www", normal),
                signed_a(S2, "www", normal),
                signed_a(S2, "mail", year),
                signed_a(S2, "old", longer),
            ]
        )
    )
    assert len(found) == 1
    f = found[0]
    assert f.severity is Severity.NOTICE
    assert f.servers == (S2,) and f.servers_ok == (S1,)
    ev = f.evidence
    assert ev["longest_validity_seconds"] == 400 * DAY
    assert ev["longest_rrset"] == "old.example.test./A"
    assert ev["longest_key_tag"] == ZSK.key_tag
    assert ev["longest_remaining_seconds"] == 355 * DAY
    assert ev["longest_remaining_rrset"] == "mail.example.test./A"
    assert ev["long_limit_seconds"] == LONG_VALIDITY == 180 * DAY
    assert ev["servers"] == [S2]
    assert "old.example.test./A" in f.detail and "400 days" in f.detail


def test_long_validity_on_every_server_names_no_single_server() -> None:
    window = (NOW - DAY, NOW + 364 * DAY)
    found = policy(timing([signed_a(S1, "www", window), signed_a(S2, "www", window)]))
    assert len(found) == 1
    assert found[0].servers == () and found[0].servers_ok == ()
    assert found[0].evidence["servers"] == [S1, S2]


def test_long_boundary_is_exclusive_like_zonemaster() -> None:
    at_limit = (NOW - DAY, NOW - DAY + LONG_VALIDITY)
    assert policy(timing([signed_a(S1, "www", at_limit)])) == []
    past_limit = (NOW - DAY, NOW - DAY + LONG_VALIDITY + 1)
    found = policy(timing([signed_a(S1, "www", past_limit)]))
    assert [f.evidence["longest_validity_seconds"] for f in found] == [LONG_VALIDITY + 1]


def test_short_validity_fires_with_the_shortest_period() -> None:
    day = (NOW - 3600, NOW + DAY)
    found = policy(timing([signed_a(S1, "www", day), signed_a(S2, "www", day)]))
    assert len(found) == 1
    ev = found[0].evidence
    assert ev["shortest_validity_seconds"] == DAY + 3600
    assert ev["shortest_rrset"] == "www.example.test./A"
    assert ev["short_limit_seconds"] == SHORT_VALIDITY
    assert "longest_validity_seconds" not in ev


def test_short_boundary_is_exclusive() -> None:
    at_limit = (NOW - 3600, NOW - 3600 + SHORT_VALIDITY)
    assert policy(timing([signed_a(S1, "www", at_limit)])) == []
    below = (NOW - 3600, NOW - 3600 + SHORT_VALIDITY - 1)
    assert len(policy(timing([signed_a(S1, "www", below)]))) == 1


def test_expired_long_signature_is_left_to_rrsig_expired() -> None:
    expired_year = (NOW - 400 * DAY, NOW - 3 * DAY)
    normal = (NOW - 3600, NOW + 30 * DAY)
    tally = SignatureTally(ZONE, NOW, Limits())
    for item in (signed_a(S1, "www", expired_year), signed_a(S1, "mail", normal)):
        tally.check(item, [ZSK.dnskey], True)
    codes = [f.code for f in tally.findings("example.test.", [S1])]
    codes += [f.code for f in tally.timing_findings("example.test.", 14 * DAY, 7 * DAY, [S1])]
    assert "RRSIG_EXPIRED" in codes
    assert CODE not in codes


def test_not_yet_valid_long_signature_does_not_fire() -> None:
    future = (NOW + 3 * DAY, NOW + 400 * DAY)
    assert policy(timing([signed_a(S1, "www", future)])) == []
