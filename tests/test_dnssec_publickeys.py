"""Our DNSKEY decoding and signature checks, against dnspython's algorithm classes.

dnspython signs (its own key generation and signature encoding), we verify: any
disagreement on the key formats of RFC 3110, 6605, 8080 or 2536 shows up here.
"""

from __future__ import annotations

import functools
import warnings

import pytest
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.utils import CryptographyDeprecationWarning

from dnssec_doctor.dnssec import crypto, publickeys
from dnssec_doctor.dnssec.crypto import CryptoOutcome, verifier, verify
from dnssec_doctor.dnssec.dnspython_dnssec import dnssecalgs

DATA = b"the RRSIG RDATA and the canonical RRset, as signed"
KEY_SIZES = {3: 1024, 5: 1024, 6: 1024, 7: 1024, 8: 1024, 10: 1024}
ALGORITHMS = (3, 5, 6, 7, 8, 10, 13, 14, 15, 16)
RSA = (5, 7, 8, 10)


@functools.cache
def signed(algorithm: int) -> tuple[bytes, bytes]:
    """A DNSKEY key field and dnspython's signature over DATA with that key."""
    cls = dnssecalgs.get_algorithm_cls(algorithm)
    size = KEY_SIZES.get(algorithm)
    with warnings.catch_warnings():
        # dnspython's DSA signer uses the classes cryptography deprecates; only our
        # verifier has to stay silent, and it runs outside this block.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        private = cls.generate(size) if size else cls.generate()  # type: ignore[call-arg]
        key = private.public_key().to_dnskey().key
        return key, private.sign(DATA, verify=False)


@pytest.mark.parametrize("algorithm", [3, 6])
def test_dsa_verifies_without_a_warning(algorithm: int) -> None:
    key, signature = signed(algorithm)
    crypto._check_for.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert verify(algorithm, key, signature, DATA) is CryptoOutcome.VALID


@pytest.mark.parametrize("algorithm", [3, 6])
def test_dsa_gone_from_the_library_cannot_be_verified_locally(
    algorithm: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # cryptography announces that DSA will be removed: from then on a DSA signature is
    # neither confirmed nor refuted here, never invalid.
    def removed() -> object:
        raise UnsupportedAlgorithm("DSA removed")

    key, signature = signed(algorithm)
    monkeypatch.setattr(publickeys, "_dsa_module", removed)
    crypto._check_for.cache_clear()
    try:
        assert verify(algorithm, key, signature, DATA) is CryptoOutcome.UNSUPPORTED
        assert verify(algorithm, key, signature, DATA + b"!") is CryptoOutcome.UNSUPPORTED
    finally:
        crypto._check_for.cache_clear()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_good_signature_verifies(algorithm: int) -> None:
    key, signature = signed(algorithm)
    assert verify(algorithm, key, signature, DATA) is CryptoOutcome.VALID
    check = verifier(algorithm, key)
    assert check is not None and check(signature, DATA)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_other_data_or_a_damaged_signature_is_invalid(algorithm: int) -> None:
    key, signature = signed(algorithm)
    damaged = signature[:-1] + bytes([signature[-1] ^ 1])
    assert verify(algorithm, key, signature, DATA + b"!") is CryptoOutcome.INVALID
    assert verify(algorithm, key, damaged, DATA) is CryptoOutcome.INVALID
    assert verify(algorithm, key, signature[:-1], DATA) is CryptoOutcome.INVALID
    check = verifier(algorithm, key)
    assert check is not None and not check(damaged, DATA)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_key_that_does_not_decode_is_a_bad_key(algorithm: int) -> None:
    key, signature = signed(algorithm)
    for broken in (b"", key[:1], key[:5]):
        assert verify(algorithm, broken, signature, DATA) is CryptoOutcome.BAD_KEY
        assert verifier(algorithm, broken) is None
    half = key[: len(key) // 2]
    # An RSA key cut short is still an RSA key (a shorter modulus) that signed nothing;
    # the fixed-size keys of the other algorithms no longer decode.
    expected = CryptoOutcome.INVALID if algorithm in RSA else CryptoOutcome.BAD_KEY
    assert verify(algorithm, half, signature, DATA) is expected


def test_the_long_rsa_exponent_length_form_is_read() -> None:
    # RFC 3110 §2: a zero octet, then the exponent length in two octets.
    key, signature = signed(8)
    exponent_length = key[0]
    long_form = b"\x00" + exponent_length.to_bytes(2, "big") + key[1:]
    assert verify(8, long_form, signature, DATA) is CryptoOutcome.VALID
    assert verify(8, b"\x00\x00", signature, DATA) is CryptoOutcome.BAD_KEY


@pytest.mark.parametrize("algorithm", [1, 12, 252, 253, 254])
def test_algorithms_without_a_scheme_cannot_be_checked_here(algorithm: int) -> None:
    key, signature = signed(13)
    assert verify(algorithm, key, signature, DATA) is CryptoOutcome.UNSUPPORTED
    assert verifier(algorithm, key) is None


def test_same_key_bytes_under_another_algorithm_do_not_verify() -> None:
    key, signature = signed(13)
    assert verify(14, key, signature, DATA) is CryptoOutcome.BAD_KEY  # P-384 wants 96 octets
    key, signature = signed(8)
    assert verify(10, key, signature, DATA) is CryptoOutcome.INVALID  # SHA-512, not SHA-256


def test_a_remembered_outcome_is_for_the_same_data_and_signature_only() -> None:
    # verify() remembers outcomes (every server of a zone sends the same signed RRsets):
    # a cache keyed too loosely would call other data or a damaged signature valid.
    key, signature = signed(13)
    damaged = signature[:-1] + bytes([signature[-1] ^ 1])
    for _ in range(2):
        assert verify(13, key, signature, DATA) is CryptoOutcome.VALID
        assert verify(13, key, signature, DATA + b"!") is CryptoOutcome.INVALID
        assert verify(13, key, damaged, DATA) is CryptoOutcome.INVALID
    other, _ = signed(14)
    assert verify(14, other, signature, DATA) is CryptoOutcome.INVALID


def test_the_memory_of_outcomes_stays_bounded_and_keeps_no_signed_data() -> None:
    key, signature = signed(13)
    for n in range(crypto.OUTCOMES_KEPT + 10):
        verify(13, key, signature, DATA + n.to_bytes(4, "big"))
    assert len(crypto._OUTCOMES) <= crypto.OUTCOMES_KEPT
    assert all(len(memo[2]) == 32 for memo in crypto._OUTCOMES)  # a digest, not the data
    assert verify(13, key, signature, DATA) is CryptoOutcome.VALID
