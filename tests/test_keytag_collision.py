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

from dnssec_doctor.analysis.keypolicy import key_findings
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.keys import key_tag
from dnssec_doctor.dnssec.signatures import SigStatus, check_rrsig
from dnssec_doctor.limits import Limits

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
