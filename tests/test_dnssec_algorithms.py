"""The policy tables: algorithm numbers, digest types, NSEC3 iteration guidance."""

from __future__ import annotations

import pytest

from dnssec_doctor.dnssec.algorithms import (
    RSA_MODULUS_LIMITS,
    PolicyStatus,
    algorithm_info,
    algorithm_name,
    digest_info,
    nsec3_iteration_behaviour,
)


@pytest.mark.parametrize(
    ("number", "status"),
    [
        (0, PolicyStatus.INVALID),
        (1, PolicyStatus.PROHIBITED),
        (2, PolicyStatus.INVALID),
        (3, PolicyStatus.PROHIBITED),
        (4, PolicyStatus.INVALID),
        (5, PolicyStatus.PROHIBITED),
        (6, PolicyStatus.PROHIBITED),
        (7, PolicyStatus.PROHIBITED),
        (8, PolicyStatus.RECOMMENDED),
        (9, PolicyStatus.INVALID),
        (10, PolicyStatus.NOT_RECOMMENDED),
        (12, PolicyStatus.PROHIBITED),
        (13, PolicyStatus.RECOMMENDED),
        (14, PolicyStatus.RECOMMENDED),
        (15, PolicyStatus.RECOMMENDED),
        (16, PolicyStatus.NOT_RECOMMENDED),
        (20, PolicyStatus.INVALID),
        (200, PolicyStatus.INVALID),
        (252, PolicyStatus.INVALID),
        (253, PolicyStatus.INVALID),
        (254, PolicyStatus.INVALID),
        (255, PolicyStatus.INVALID),
    ],
)
def test_algorithm_status(number: int, status: PolicyStatus) -> None:
    info = algorithm_info(number)
    assert info.status is status
    assert info.number == number
    if status is not PolicyStatus.RECOMMENDED:
        assert info.reason  # every non-recommended row says why


def test_algorithm_facts() -> None:
    assert algorithm_name(13) == "ECDSAP256SHA256"
    assert algorithm_name(99) == "ALG99"
    assert "reserved" in algorithm_info(130).reason
    assert "unassigned" in algorithm_info(99).reason
    assert algorithm_info(5).validation == "MAY"  # still validated, never "bogus"
    assert not algorithm_info(5).nsec3_capable
    assert algorithm_info(7).nsec3_capable
    assert algorithm_info(8).is_rsa and not algorithm_info(13).is_rsa
    assert algorithm_info(15).key_bytes == 32
    assert set(RSA_MODULUS_LIMITS) == {1, 5, 7, 8, 10}


@pytest.mark.parametrize(
    ("number", "status", "length"),
    [
        (0, PolicyStatus.INVALID, None),
        (1, PolicyStatus.NOT_RECOMMENDED, 20),
        (2, PolicyStatus.RECOMMENDED, 32),
        (3, PolicyStatus.INVALID, 32),
        (4, PolicyStatus.RECOMMENDED, 48),
        (7, PolicyStatus.INVALID, None),
    ],
)
def test_digest_status(number: int, status: PolicyStatus, length: int | None) -> None:
    info = digest_info(number)
    assert (info.status, info.length) == (status, length)


@pytest.mark.parametrize(
    ("iterations", "behaviour"),
    [(0, "ok"), (1, "discouraged"), (100, "discouraged"), (101, "servfail-some"),
     (150, "servfail-some"), (151, "insecure"), (2500, "insecure")],
)  # fmt: skip
def test_nsec3_iterations(iterations: int, behaviour: str) -> None:
    assert nsec3_iteration_behaviour(iterations) == behaviour
