"""Key tags, key problems, DS computation and DS matching."""

from __future__ import annotations

import base64

import dns.name
import dns.rdata
import dns.rdtypes.ANY.DNSKEY
import dns.rdtypes.ANY.DS
import pytest

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.dnspython_dnssec import dnssecalgs
from dnssec_doctor.dnssec.keys import (
    DsMatchStatus,
    DsRecord,
    KeyProblemKind,
    is_revoked,
    is_sep,
    is_zone_key,
    key_problems,
    key_tag,
    make_ds,
    match_ds,
)

OWNER = dns.name.from_text("example.test.")


def dnskey(text: str) -> dns.rdtypes.ANY.DNSKEY.DNSKEY:
    rd = dns.rdata.from_text("IN", "DNSKEY", text)
    assert isinstance(rd, dns.rdtypes.ANY.DNSKEY.DNSKEY)
    return rd


def ds(text: str) -> dns.rdtypes.ANY.DS.DS:
    rd = dns.rdata.from_text("IN", "DS", text)
    assert isinstance(rd, dns.rdtypes.ANY.DS.DS)
    return rd


# RFC 4034 §5.4 example: the DNSKEY of dskey.example.com. and its SHA-1 DS.
RFC4034_KEY = dnskey(
    "256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99W"
    "YwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw=="
)
RFC4034_OWNER = dns.name.from_text("dskey.example.com.")
RFC4034_DS = ds("60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118")


def test_key_tag_matches_rfc4034_example_and_dnspython() -> None:
    assert key_tag(RFC4034_KEY) == 60485
    generated = dnssecalgs.PrivateECDSAP256SHA256.generate().public_key().to_dnskey()
    assert key_tag(generated) == dnspython_dnssec.key_id(generated)


@pytest.mark.parametrize("length", [1, 2, 3, 31, 32, 64, 65, 255, 256, 511])
def test_key_tag_of_every_key_length_matches_dnspython(length: int) -> None:
    # odd RDATA lengths end in a half word (RFC 4034 Appendix B: the high octet), and
    # long all-0xff keys overflow the 16-bit sum: both must wrap as the reference does
    for key_field in (bytes(i % 256 for i in range(length)), bytes([0xFF]) * length):
        key = dnskey("257 3 13 " + base64.b64encode(key_field).decode())
        assert key_tag(key) == dnspython_dnssec.key_id(key)


def test_rsamd5_key_tag_uses_modulus_octets() -> None:
    # RFC 4034 Appendix B.1: the tag is the 2nd and 3rd to last octets of the key
    key_field = bytes([3, 1, 0, 1]) + bytes(range(60)) + bytes([0xAB, 0xCD, 0xEF])
    key = dnskey("257 3 1 " + base64.b64encode(key_field).decode())
    assert key_tag(key) == 0xABCD
    assert key_tag(key) == dnspython_dnssec.key_id(key)


def test_flags() -> None:
    assert is_zone_key(RFC4034_KEY) and not is_sep(RFC4034_KEY)
    ksk = RFC4034_KEY.replace(flags=257)
    assert is_sep(ksk)  # type: ignore[arg-type]
    assert is_revoked(RFC4034_KEY.replace(flags=385))  # type: ignore[arg-type]


def test_make_ds_reproduces_rfc4034_example_and_sha256() -> None:
    assert make_ds(RFC4034_OWNER, RFC4034_KEY, 1) == RFC4034_DS
    ours = make_ds(RFC4034_OWNER, RFC4034_KEY, 2)
    assert ours == dnspython_dnssec.make_ds(RFC4034_OWNER, RFC4034_KEY, "SHA256")
    with pytest.raises(ValueError, match="unsupported"):
        make_ds(RFC4034_OWNER, RFC4034_KEY, 3)


def test_match_ds_statuses() -> None:
    keys = [RFC4034_KEY]
    matched = match_ds(RFC4034_OWNER, RFC4034_DS, keys)
    assert matched.status is DsMatchStatus.MATCH
    assert matched.key == RFC4034_KEY
    # same tag and algorithm, other owner -> digest mismatch, key still named
    other_owner = match_ds(OWNER, RFC4034_DS, keys)
    assert other_owner.status is DsMatchStatus.DIGEST_MISMATCH
    assert other_owner.key == RFC4034_KEY
    assert match_ds(RFC4034_OWNER, RFC4034_DS, []).status is DsMatchStatus.NO_KEY_WITH_TAG
    wrong_alg = ds("60485 8 1 2BB183AF5F22588179A53B0A98631FAD1A292118")
    assert match_ds(RFC4034_OWNER, wrong_alg, keys).status is DsMatchStatus.NO_KEY_WITH_TAG
    gost = ds("60485 5 3 " + "00" * 32)
    assert match_ds(RFC4034_OWNER, gost, keys).status is DsMatchStatus.UNSUPPORTED_DIGEST
    # dnspython refuses this DS outright, so it arrives as a DsRecord
    short = DsRecord.from_rdata_wire(bytes.fromhex("ec450502") + bytes(20))
    assert match_ds(RFC4034_OWNER, short, keys).status is DsMatchStatus.INVALID_DIGEST_LENGTH


def test_key_problems_for_well_formed_keys_are_empty() -> None:
    assert key_problems(dnssecalgs.PrivateECDSAP256SHA256.generate().public_key().to_dnskey()) == ()
    rsa = dnssecalgs.PrivateRSASHA256.generate(2048).public_key().to_dnskey(flags=257)
    assert key_problems(rsa) == ()


def kinds(key: dns.rdtypes.ANY.DNSKEY.DNSKEY) -> set[KeyProblemKind]:
    return {p.kind for p in key_problems(key)}


def test_key_problems_lengths_flags_protocol() -> None:
    assert kinds(dnskey("257 3 13 " + base64.b64encode(bytes(63)).decode())) == {
        KeyProblemKind.BAD_LENGTH
    }
    assert kinds(dnskey("257 3 15 " + base64.b64encode(bytes(33)).decode())) == {
        KeyProblemKind.BAD_LENGTH
    }
    p256 = base64.b64encode(bytes(64)).decode()
    assert kinds(dnskey("257 2 13 " + p256)) == {KeyProblemKind.BAD_PROTOCOL}
    assert kinds(dnskey("1 3 13 " + p256)) == {KeyProblemKind.NOT_ZONE_KEY}
    assert kinds(dnskey("4353 3 13 " + p256)) == {KeyProblemKind.UNKNOWN_FLAGS}
    empty = dnskey("257 3 8 AA==").replace(key=b"")
    assert kinds(empty) == {KeyProblemKind.EMPTY_KEY}  # type: ignore[arg-type]


def test_rsa_key_problems() -> None:
    def rsa(exponent: bytes, modulus_bits: int, alg: int = 8) -> dns.rdtypes.ANY.DNSKEY.DNSKEY:
        modulus = (1 << (modulus_bits - 1)) | 1
        field = bytes([len(exponent)]) + exponent + modulus.to_bytes(modulus_bits // 8, "big")
        return dnskey(f"257 3 {alg} " + base64.b64encode(field).decode())

    assert kinds(rsa(b"\x01\x00\x01", 2048)) == set()
    assert kinds(rsa(b"\x01\x00\x01", 1024)) == {KeyProblemKind.RSA_MODULUS_WEAK}
    assert kinds(rsa(b"\x01\x00\x01", 1024, alg=10)) == {KeyProblemKind.RSA_MODULUS_WEAK}
    assert kinds(rsa(b"\x01\x00\x01", 512, alg=10)) == {KeyProblemKind.RSA_MODULUS_OUT_OF_RANGE}
    assert kinds(rsa(b"\x01\x00\x01", 8192)) == {KeyProblemKind.RSA_MODULUS_OUT_OF_RANGE}
    # validns' dnskey-exponent case: leading zero octets in the exponent
    assert KeyProblemKind.RSA_LEADING_ZEROS in kinds(rsa(b"\x00\x01\x00\x01", 2048))
    truncated = dnskey("257 3 8 " + base64.b64encode(b"\x03\x01\x00").decode())
    assert kinds(truncated) == {KeyProblemKind.BAD_LENGTH}


def test_ds_record_round_trip() -> None:
    record = DsRecord.from_rdata_wire(RFC4034_DS.to_wire())
    assert record.to_text().lower() == RFC4034_DS.to_text().lower()
    assert match_ds(RFC4034_OWNER, record, [RFC4034_KEY]).status is DsMatchStatus.MATCH
    with pytest.raises(ValueError, match="shorter"):
        DsRecord.from_rdata_wire(b"\x00\x01")
