"""check_rrsig: fixed-time vectors signed here, one per status."""

from __future__ import annotations

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.rdtypes.ANY.RRSIG
import dns.rrset
import pytest

from dnssec_doctor.catalog.sigstatus import STATUS_CODES
from dnssec_doctor.dnssec import canonical, sigtime
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.dnspython_dnssec import dnssecalgs
from dnssec_doctor.dnssec.keys import key_tag, key_tag_from_rdata_wire
from dnssec_doctor.dnssec.signatures import (
    KeyRing,
    RrsigFields,
    SignedRRset,
    SigStatus,
    check_rrsig,
    check_signature,
)
from dnssec_doctor.limits import Limits

NOW = 1_700_000_000
INCEPTION = NOW - 3600
EXPIRATION = NOW + 14 * 86400
ZONE = dns.name.from_text("example.test.")
LIMITS = Limits()

_KEY = dnssecalgs.PrivateECDSAP256SHA256.generate()
DNSKEY = _KEY.public_key().to_dnskey(flags=257)


def rrset(text: str, *rdatas: str, ttl: int = 300, rdtype: str = "A") -> dns.rrset.RRset:
    return dns.rrset.from_text(text, ttl, "IN", rdtype, *rdatas)


def sign(
    rr: dns.rrset.RRset,
    *,
    key: object = _KEY,
    dnskey: dns.rdtypes.ANY.DNSKEY.DNSKEY = DNSKEY,
    inception: int = INCEPTION,
    expiration: int = EXPIRATION,
    signer: dns.name.Name = ZONE,
) -> dns.rdtypes.ANY.RRSIG.RRSIG:
    sig = dnspython_dnssec.sign(
        rr,
        key,  # type: ignore[arg-type]
        signer,
        dnskey,
        inception=inception,
        expiration=expiration,
        policy=dnspython_dnssec.allow_all_policy,
    )
    assert isinstance(sig, dns.rdtypes.ANY.RRSIG.RRSIG)
    return sig


A = rrset("www.example.test.", "192.0.2.1", "192.0.2.2")


def test_valid_signature_names_key_and_window() -> None:
    result = check_rrsig(A, sign(A), 300, [DNSKEY], ZONE, NOW, LIMITS)
    assert result.status is SigStatus.VALID
    assert result.key == DNSKEY
    assert result.crypto_ok is True
    assert (result.inception, result.expiration) == (INCEPTION, EXPIRATION)
    assert result.key_tag == key_tag(DNSKEY)
    assert not result.rrsig_ttl_differs


def test_rdata_order_and_case_do_not_matter() -> None:
    sig = sign(rrset("www.example.test.", "ns1.EXAMPLE.test.", rdtype="NS"))
    served = rrset("WWW.Example.TEST.", "ns1.example.test.", rdtype="NS")
    assert check_rrsig(served, sig, 300, [DNSKEY], ZONE, NOW, LIMITS).valid


def test_expired_and_not_yet_valid_with_crypto_still_checked() -> None:
    sig = sign(A)
    expired = check_rrsig(A, sig, 300, [DNSKEY], ZONE, EXPIRATION + 1, LIMITS)
    assert expired.status is SigStatus.EXPIRED
    assert expired.crypto_ok is True
    early = check_rrsig(A, sig, 300, [DNSKEY], ZONE, INCEPTION - 1, LIMITS)
    assert early.status is SigStatus.NOT_YET_VALID
    # the boundaries themselves are inside the window (RFC 4035 §5.3.1)
    assert check_rrsig(A, sig, 300, [DNSKEY], ZONE, EXPIRATION, LIMITS).valid
    assert check_rrsig(A, sig, 300, [DNSKEY], ZONE, INCEPTION, LIMITS).valid


def test_window_beyond_2038_uses_serial_arithmetic() -> None:
    # Knot's test zones are signed 2016 -> 2084: just under 2^31 seconds.
    inception, expiration = 1_454_284_800, 3_600_000_000
    sig = sign(A, inception=inception, expiration=expiration)
    result = check_rrsig(A, sig, 300, [DNSKEY], ZONE, 1_800_000_000, LIMITS)
    assert result.status is SigStatus.VALID
    assert result.expiration == expiration
    assert sigtime.to_posix(expiration, 1_800_000_000) == expiration


def test_key_not_found_when_key_absent_or_not_zone_key() -> None:
    sig = sign(A)
    assert check_rrsig(A, sig, 300, [], ZONE, NOW, LIMITS).status is SigStatus.KEY_NOT_FOUND
    no_zone_bit = _with_flags(DNSKEY, 1)
    # flags change the key tag, so sign with the non-zone key itself
    sig2 = sign(A, dnskey=no_zone_bit)
    result = check_rrsig(A, sig2, 300, [no_zone_bit], ZONE, NOW, LIMITS)
    assert result.status is SigStatus.KEY_NOT_FOUND


def _with_flags(key: dns.rdtypes.ANY.DNSKEY.DNSKEY, flags: int) -> dns.rdtypes.ANY.DNSKEY.DNSKEY:
    new = key.replace(flags=flags)
    assert isinstance(new, dns.rdtypes.ANY.DNSKEY.DNSKEY)
    return new


def test_revoked_key_only_validates_dnskey_rrset() -> None:
    revoked = _with_flags(DNSKEY, 257 | 0x80)
    sig = sign(A, dnskey=revoked)
    assert check_rrsig(A, sig, 300, [revoked], ZONE, NOW, LIMITS).status is (
        SigStatus.KEY_NOT_FOUND
    )
    keyset = dns.rrset.from_rdata_list(ZONE, 300, [revoked])
    ksig = sign(keyset, dnskey=revoked)
    assert check_rrsig(keyset, ksig, 300, [revoked], ZONE, NOW, LIMITS).valid


def test_crypto_invalid_when_data_changed() -> None:
    sig = sign(A)
    altered = rrset("www.example.test.", "192.0.2.1", "192.0.2.99")
    result = check_rrsig(altered, sig, 300, [DNSKEY], ZONE, NOW, LIMITS)
    assert result.status is SigStatus.CRYPTO_INVALID
    assert result.crypto_ok is False
    assert result.keys_tried == 1


def test_crypto_invalid_wins_over_expired() -> None:
    sig = sign(A)
    altered = rrset("www.example.test.", "192.0.2.7")
    result = check_rrsig(altered, sig, 300, [DNSKEY], ZONE, EXPIRATION + 10, LIMITS)
    assert result.status is SigStatus.CRYPTO_INVALID


def test_cannot_verify_locally_for_algorithm_the_library_lacks() -> None:
    # ECC-GOST (12): a registered algorithm that dnspython/cryptography do not implement.
    gost = dns.rdata.from_text("IN", "DNSKEY", "257 3 12 " + "A" * 84 + "==")
    assert isinstance(gost, dns.rdtypes.ANY.DNSKEY.DNSKEY)
    sig = sign(A).replace(algorithm=12, key_tag=key_tag(gost))
    result = check_rrsig(A, sig, 300, [gost], ZONE, NOW, LIMITS)
    assert result.status is SigStatus.CANNOT_VERIFY_LOCALLY
    assert STATUS_CODES[result.status] == "CANNOT_VERIFY_LOCALLY"  # the catalog's code
    assert result.crypto_ok is None
    # a definite window failure still beats "cannot verify"
    late = check_rrsig(A, sig, 300, [gost], ZONE, EXPIRATION + 1, LIMITS)
    assert late.status is SigStatus.EXPIRED


def test_signer_not_zone() -> None:
    other = dns.name.from_text("other.test.")
    sig = sign(A, signer=other)
    result = check_rrsig(A, sig, 300, [DNSKEY], ZONE, NOW, LIMITS)
    assert result.status is SigStatus.SIGNER_NOT_ZONE
    outside = rrset("www.elsewhere.test.", "192.0.2.1")
    sig_ok_signer = sign(outside)
    assert (
        check_rrsig(outside, sig_ok_signer, 300, [DNSKEY], ZONE, NOW, LIMITS).status
        is SigStatus.SIGNER_NOT_ZONE
    )


def test_labels_invalid() -> None:
    sig = sign(A).replace(labels=5)
    assert check_rrsig(A, sig, 300, [DNSKEY], ZONE, NOW, LIMITS).status is (
        SigStatus.LABELS_INVALID
    )
    wild = rrset("*.example.test.", "192.0.2.1")
    wsig = sign(wild).replace(labels=1)
    assert check_rrsig(wild, wsig, 300, [DNSKEY], ZONE, NOW, LIMITS).status is (
        SigStatus.LABELS_INVALID
    )


def test_wildcard_expansion_verifies_against_wildcard_owner() -> None:
    wild = rrset("*.example.test.", "192.0.2.1")
    sig = sign(wild)
    assert sig.labels == 2
    expanded = rrset("a.b.example.test.", "192.0.2.1")
    assert check_rrsig(expanded, sig, 300, [DNSKEY], ZONE, NOW, LIMITS).valid
    assert check_rrsig(wild, sig, 300, [DNSKEY], ZONE, NOW, LIMITS).valid


def test_served_ttl_above_original_but_signature_uses_original() -> None:
    sig = sign(A)  # original TTL 300
    served = rrset("www.example.test.", "192.0.2.1", "192.0.2.2", ttl=600)
    result = check_rrsig(served, sig, 600, [DNSKEY], ZONE, NOW, LIMITS)
    assert result.status is SigStatus.TTL_ABOVE_ORIGINAL
    assert result.crypto_ok is True
    # a decremented TTL (as caches serve it) is fine
    cached = rrset("www.example.test.", "192.0.2.1", "192.0.2.2", ttl=17)
    good = check_rrsig(cached, sig, 300, [DNSKEY], ZONE, NOW, LIMITS)
    assert good.valid
    assert good.rrsig_ttl_differs


def test_type_mismatch() -> None:
    sig = sign(A)
    txt = rrset("www.example.test.", '"x"', rdtype="TXT")
    assert check_rrsig(txt, sig, 300, [DNSKEY], ZONE, NOW, LIMITS).status is (
        SigStatus.TYPE_MISMATCH
    )


@pytest.mark.parametrize(
    "factory",
    [dnssecalgs.PrivateED25519.generate, lambda: dnssecalgs.PrivateRSASHA256.generate(2048)],
)
def test_other_algorithms_validate(factory: object) -> None:
    key = factory()  # type: ignore[operator]
    dnskey = key.public_key().to_dnskey(flags=256)
    sig = sign(A, key=key, dnskey=dnskey)
    assert check_rrsig(A, sig, 300, [DNSKEY, dnskey], ZONE, NOW, LIMITS).valid


def _forge_tag(tag: int, algorithm: int, seed: int) -> dns.rdtypes.ANY.DNSKEY.DNSKEY:
    """A 64-octet key with the given tag: the last 16-bit word absorbs the difference."""
    head = bytes((1, 1, 3, algorithm)) + bytes((seed * 7 + i) % 256 for i in range(62))
    partial = sum((head[i] << 8) + head[i + 1] for i in range(0, len(head), 2))
    for carry in range(64):
        word = (tag - partial - carry) & 0xFFFF
        wire = head + word.to_bytes(2, "big")
        if key_tag_from_rdata_wire(algorithm, wire) == tag:
            key = dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DNSKEY, wire, 0, len(wire))
            assert isinstance(key, dns.rdtypes.ANY.DNSKEY.DNSKEY)
            return key
    raise AssertionError("no word gives the tag")


def test_fifty_keys_sharing_a_tag_are_bounded_by_the_limit() -> None:
    tag = key_tag(DNSKEY)
    decoys = [_forge_tag(tag, 13, seed) for seed in range(50)]
    assert all(key_tag(k) == tag for k in decoys)
    sig = sign(A)
    limits = Limits(max_keys_per_tag=8)
    # the real key hides behind 50 decoys: only 8 are tried, the answer says so
    hidden = check_rrsig(A, sig, 300, [*decoys, DNSKEY], ZONE, NOW, limits)
    assert hidden.status is SigStatus.CRYPTO_INVALID
    assert (hidden.keys_tried, hidden.keys_skipped) == (8, 43)
    assert "not tried" in hidden.detail
    first = check_rrsig(A, sig, 300, [DNSKEY, *decoys], ZONE, NOW, limits)
    assert first.valid
    assert first.keys_tried == 8


def test_bulk_entry_point_agrees_with_check_rrsig() -> None:
    sig = sign(A)
    fields = RrsigFields.from_wire(sig.to_wire())
    assert (fields.key_tag, fields.signer, fields.signature) == (
        sig.key_tag,
        sig.signer,
        sig.signature,
    )
    upper = RrsigFields.from_wire(sig.replace(signer=dns.name.from_text("EXAMPLE.Test.")).to_wire())
    assert upper.header == canonical.rrsig_header(sig)  # signer folded to lower case
    ring = KeyRing([DNSKEY])
    result = check_signature(SignedRRset.from_rrset(A), fields, 300, ring, ZONE, NOW, LIMITS)
    assert result.valid
    with pytest.raises(ValueError, match="short"):
        RrsigFields.from_wire(b"\x00" * 10)
