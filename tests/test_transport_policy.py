"""The address policy against a table of addresses, permissive and strict."""

from __future__ import annotations

import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.transport.policy import AddressPolicy

pytestmark = pytest.mark.timeout(10)

# address, allowed by permissive, allowed by strict, a word the refusal must contain
TABLE: list[tuple[str, bool, bool, str]] = [
    ("127.0.0.1", True, False, "loopback"),
    ("127.45.6.7", True, False, "loopback"),
    ("::1", True, False, "loopback"),
    ("10.0.0.1", True, False, "RFC 1918"),
    ("172.16.5.4", True, False, "RFC 1918"),
    ("172.31.255.255", True, False, "RFC 1918"),
    ("192.168.1.1", True, False, "RFC 1918"),
    ("169.254.10.20", True, False, "link-local"),
    ("fe80::1", True, False, "link-local"),
    ("fd12:3456::1", True, False, "unique local"),
    ("100.64.0.1", True, False, "carrier-grade NAT"),
    ("100.127.255.254", True, False, "carrier-grade NAT"),
    ("::ffff:127.0.0.1", True, False, "IPv4-mapped"),
    ("::ffff:10.1.1.1", True, False, "IPv4-mapped"),
    ("::ffff:9.9.9.9", True, True, ""),
    ("64:ff9b::10.0.0.1", True, False, "NAT64"),
    ("64:ff9b::a9fe:a9fe", True, False, "169.254.169.254"),
    ("64:ff9b::8.8.8.8", True, True, ""),
    ("64:ff9b:1::8.8.8.8", True, False, "RFC 8215"),
    ("2002:c0a8:0101::1", True, False, "6to4"),
    ("2002:7f00:1::1", True, False, "127.0.0.1"),
    ("2002:0808:0808::1", True, True, ""),
    # Teredo: server 65.54.227.120, client 192.168.1.1 (obfuscated as 3f57:fefe)
    ("2001:0:4136:e378:8000:63bf:3f57:fefe", True, False, "Teredo client"),
    ("224.0.0.1", False, False, "multicast"),
    ("239.255.255.250", False, False, "multicast"),
    ("ff02::1", False, False, "multicast"),
    ("::ffff:224.0.0.251", False, False, "multicast"),
    ("0.0.0.0", False, False, "unspecified"),
    ("::", False, False, "unspecified"),
    ("0.1.2.3", False, False, "this network"),
    ("255.255.255.255", False, False, "broadcast"),
    ("240.0.0.1", False, False, "reserved"),
    ("192.0.2.1", False, False, "documentation"),
    ("2001:db8::1", False, False, "documentation"),
    ("198.18.0.1", False, False, "benchmarking"),
    ("9.9.9.9", True, True, ""),
    ("193.0.14.129", True, True, ""),
    ("172.32.0.1", True, True, ""),
    ("100.128.0.1", True, True, ""),
    ("2001:500:2f::f", True, True, ""),
    ("2620:fe::fe", True, True, ""),
]


@pytest.mark.parametrize(("ip", "permissive", "strict", "word"), TABLE)
def test_policy_table(ip: str, permissive: bool, strict: bool, word: str) -> None:
    address = ServerAddress(ip, 53)
    loose = AddressPolicy.permissive().refusal(address)
    tight = AddressPolicy.strict().refusal(address)
    assert (loose is None) == permissive, loose
    assert (tight is None) == strict, tight
    refusal = tight or loose
    if word:
        assert refusal is not None and word in refusal


def test_loopback_only_policy() -> None:
    policy = AddressPolicy(allow_loopback=True, allow_private=False)
    assert policy.refusal(ServerAddress("127.0.0.1", 5300)) is None
    assert policy.refusal(ServerAddress("::ffff:127.0.0.1")) is None
    assert policy.refusal(ServerAddress("192.168.0.1")) is not None
    assert policy.refusal(ServerAddress("9.9.9.9")) is None


def test_ports_and_junk() -> None:
    policy = AddressPolicy.permissive()
    assert policy.refusal(ServerAddress("9.9.9.9", 5353)) is None
    assert policy.refusal(ServerAddress("9.9.9.9", 0)) is not None
    refusal = policy.refusal(ServerAddress("not-an-ip"))
    assert refusal is not None and "not an IP address" in refusal


def test_trusted_addresses_are_exactly_those_configured() -> None:
    # serve's own root hints on loopback are allowed; a server DNS data names is not,
    # not even the same address on another port or in its IPv4-mapped form.
    hint = ServerAddress("127.0.0.1", 5300)
    policy = AddressPolicy.strict().trusting([hint])
    assert policy.refusal(hint) is None
    assert policy.refusal(ServerAddress("127.0.0.1", 53)) is not None
    assert policy.refusal(ServerAddress("::ffff:127.0.0.1", 5300)) is not None
    assert policy.refusal(ServerAddress("127.0.0.2", 5300)) is not None
    assert AddressPolicy.strict().refusal(hint) is not None


def test_verdicts_are_remembered_per_policy_and_address() -> None:
    # refusal() is cached: a verdict must never carry over to another policy or port.
    address = ServerAddress("10.0.0.1")
    for _ in range(2):
        assert AddressPolicy.permissive().refusal(address) is None
        assert AddressPolicy.strict().refusal(address) is not None
        assert AddressPolicy.strict().refusal(ServerAddress("10.0.0.1", 0)) is not None
        assert AddressPolicy.strict().trusting([address]).refusal(address) is None
