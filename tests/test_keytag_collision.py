"""50 keys sharing one key tag (the 'KeyTrap' shape) end in a finding, within the budget."""

from __future__ import annotations

import random
import time

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from cryptography.hazmat.primitives.asymmetric import ec
from dns.dnssectypes import Algorithm
from dns.rdtypes.ANY.DNSKEY import DNSKEY

from dnssec_doctor.analysis.chain.dsmatch import match_all
from dnssec_doctor.analysis.chain.keypolicy import key_findings
from dnssec_doctor.analysis.chain.rrsigs import SignatureTally
from dnssec_doctor.analysis.observed import SignedRRset
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.keys import DsMatchStatus, key_tag, make_ds
from dnssec_doctor.dnssec.signatures import SigStatus, check_rrsig
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.severity import Severity

ZONE = dns.name.from_text("trap.test.")
NOW = 1_800_000_000


def _word_sum(data: bytes) -> int:
    """RFC 4034 Appendix B sum before folding: even octets high, odd octets low."""
    return sum(b << 8 if i % 2 == 0 else b for i, b in enumerate(data))


def colliding_key(template: DNSKEY, rng: random.Random) -> DNSKEY:
    """A DNSKEY with random key bytes whose last two bytes force the template's tag."""
    body = bytearray(rng.randbytes(len(template.key)))
    header = template.flags.to_bytes(2, "big") + bytes([3, template.algorithm])
    partial = _word_sum(header + bytes(body[:-2]))  # the last two octets form one word
    target = key_tag(template)
    for word in range(65536):
        total = partial + word
        if (total + (total >> 16)) & 0xFFFF == target:
            body[-2:] = word.to_bytes(2, "big")
            key = DNSKEY(
                dns.rdataclass.IN, dns.rdatatype.DNSKEY, template.flags, 3,
                template.algorithm, bytes(body),
            )  # fmt: skip
            assert key_tag(key) == target
            return key
    raise AssertionError("no collision found")


def test_fifty_colliding_keys_are_bounded_and_reported() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    real = dnspython_dnssec.make_dnskey(private.public_key(), Algorithm.ECDSAP256SHA256, flags=256)
    rng = random.Random(5)
    fakes = [colliding_key(real, rng) for _ in range(50)]
    keys = [*fakes, real]  # the real key last: the worst order for a validator
    rrset = dns.rrset.from_text(ZONE, 3600, "IN", "TXT", '"hello"')
    rrsig = dnspython_dnssec.sign(
        rrset, private, ZONE, real, inception=NOW - 3600, expiration=NOW + 86400
    )
    limits = Limits(max_keys_per_tag=8)
    started = time.process_time()
    check = check_rrsig(rrset, rrsig, 3600, keys, ZONE, NOW, limits)
    assert time.process_time() - started < 5  # 8 keys tried, not 51
    assert check.keys_tried == 8
    assert check.keys_skipped == 43
    assert check.status is SigStatus.CRYPTO_INVALID

    findings = key_findings(ZONE.to_text(), keys, {13}, limits.max_keys_per_tag)
    trap = [f for f in findings if f.code == "KEY_TAG_COLLISION"]
    assert len(trap) == 1
    assert "51 DNSKEYs" in trap[0].detail
    assert trap[0].evidence["key_tag"] == key_tag(real)


def test_a_correct_ds_matches_behind_fifty_colliding_keys() -> None:
    """Digest matching compares every key: a DS is never called a mismatch because the key
    it names sits behind the per-tag bound (the bound is for signature verification)."""
    private = ec.generate_private_key(ec.SECP256R1())
    real = dnspython_dnssec.make_dnskey(private.public_key(), Algorithm.ECDSAP256SHA256, flags=257)
    rng = random.Random(9)
    keys = [*(colliding_key(real, rng) for _ in range(50)), real]
    ds = make_ds(ZONE, real, 2)
    limits = Limits(max_keys_per_tag=8)
    [match] = match_all(ZONE, [ds], keys, limits)
    assert match.status is DsMatchStatus.MATCH
    assert match.key == real
    assert match.candidates == 51
    wrong = make_ds(ZONE, colliding_key(real, rng), 2)  # same tag, a key not published
    [miss] = match_all(ZONE, [wrong], keys, limits)
    assert miss.status is DsMatchStatus.DIGEST_MISMATCH


def test_signature_beyond_the_bound_is_a_key_tag_finding_not_crypto_invalid() -> None:
    """When the bound stopped the search, the finding says so (KEY_TAG_COLLISION, error when
    nothing else validates the RRset) instead of calling the signature invalid."""
    private = ec.generate_private_key(ec.SECP256R1())
    real = dnspython_dnssec.make_dnskey(private.public_key(), Algorithm.ECDSAP256SHA256, flags=256)
    rng = random.Random(11)
    keys = [*(colliding_key(real, rng) for _ in range(20)), real]
    rrset = dns.rrset.from_text(ZONE, 3600, "IN", "TXT", '"hello"')
    rrsig = dnspython_dnssec.sign(
        rrset, private, ZONE, real, inception=NOW - 3600, expiration=NOW + 86400
    )
    tally = SignatureTally(ZONE, NOW, Limits(max_keys_per_tag=8))
    verdict = tally.check(SignedRRset(rrset, (rrsig,), 3600, "192.0.2.1"), keys, True)
    assert not verdict.validated
    findings = {f.code: f for f in tally.findings(ZONE.to_text(), ["192.0.2.1"])}
    assert "RRSIG_CRYPTO_INVALID" not in findings
    trap = findings["KEY_TAG_COLLISION"]
    assert trap.severity is Severity.ERROR
    assert "first 8 keys" in trap.detail
    # the same keys with the real one first: it validates within the bound
    verdict = tally.check(SignedRRset(rrset, (rrsig,), 3600, "192.0.2.1"), [real, *keys], True)
    assert verdict.validated


def test_two_keys_sharing_a_tag_are_a_notice() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    real = dnspython_dnssec.make_dnskey(private.public_key(), Algorithm.ECDSAP256SHA256, flags=256)
    twin = colliding_key(real, random.Random(3))
    [finding] = [
        f
        for f in key_findings(ZONE.to_text(), [real, twin], {13}, 8)
        if f.code == "KEY_TAG_COLLISION"
    ]
    assert finding.severity == Severity.NOTICE
    assert finding.evidence["count"] == 2
    assert not [
        f for f in key_findings(ZONE.to_text(), [real], {13}, 8) if f.code == "KEY_TAG_COLLISION"
    ]
