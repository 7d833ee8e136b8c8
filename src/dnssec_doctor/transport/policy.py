"""Which addresses may be queried: the address policy, checked at send time.

The CLI runs on the user's own machine and must reach lab servers on loopback
and private resolvers, so it is permissive. A public front-end (web, scan
service) must never become a proxy into its own network, so it is strict: only
globally routable unicast addresses, and addresses that *embed* an IPv4 address
(IPv4-mapped, 6to4, Teredo, NAT64) are judged by that embedded address, because
that is where the packet ends up.

Ranges come from the IANA special-purpose address registries (RFC 6890 and its
updates) and are matched with :mod:`ipaddress`, never with string patterns.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from dnssec_doctor.addresses import IPAddress, ServerAddress

Category = Literal["unspecified", "multicast", "broadcast", "reserved", "loopback", "private"]

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Most specific first: the first matching row decides.
_RANGES: tuple[tuple[_V4 | _V6, Category, str], ...] = (
    # IPv4
    (_V4("0.0.0.0/32"), "unspecified", "the unspecified address"),
    (_V4("0.0.0.0/8"), "reserved", "'this network' (RFC 791)"),
    (_V4("255.255.255.255/32"), "broadcast", "the limited broadcast address (RFC 919)"),
    (_V4("127.0.0.0/8"), "loopback", "a loopback address (RFC 1122)"),
    (_V4("10.0.0.0/8"), "private", "a private address (RFC 1918)"),
    (_V4("172.16.0.0/12"), "private", "a private address (RFC 1918)"),
    (_V4("192.168.0.0/16"), "private", "a private address (RFC 1918)"),
    (_V4("100.64.0.0/10"), "private", "a carrier-grade NAT address (RFC 6598)"),
    (_V4("169.254.0.0/16"), "private", "a link-local address (RFC 3927)"),
    (_V4("192.0.0.0/24"), "reserved", "an IETF protocol assignment (RFC 6890)"),
    (_V4("192.0.2.0/24"), "reserved", "a documentation address (RFC 5737)"),
    (_V4("198.51.100.0/24"), "reserved", "a documentation address (RFC 5737)"),
    (_V4("203.0.113.0/24"), "reserved", "a documentation address (RFC 5737)"),
    (_V4("198.18.0.0/15"), "reserved", "a benchmarking address (RFC 2544)"),
    (_V4("224.0.0.0/4"), "multicast", "a multicast address (RFC 5771)"),
    (_V4("240.0.0.0/4"), "reserved", "a reserved address (RFC 1112)"),
    # IPv6
    (_V6("::/128"), "unspecified", "the unspecified address"),
    (_V6("::1/128"), "loopback", "the loopback address (RFC 4291)"),
    (_V6("fe80::/10"), "private", "a link-local address (RFC 4291)"),
    (_V6("fc00::/7"), "private", "a unique local address (RFC 4193)"),
    (_V6("ff00::/8"), "multicast", "a multicast address (RFC 4291)"),
    (_V6("::/8"), "reserved", "a reserved address (RFC 4291)"),
    (_V6("100::/64"), "reserved", "a discard-only address (RFC 6666)"),
    (_V6("2001:db8::/32"), "reserved", "a documentation address (RFC 3849)"),
    (_V6("3fff::/20"), "reserved", "a documentation address (RFC 9637)"),
    (_V6("fec0::/10"), "reserved", "a deprecated site-local address (RFC 3879)"),
    (_V6("5f00::/16"), "reserved", "an SRv6 SID address (RFC 9602)"),
)

_ALWAYS_REFUSED: frozenset[Category] = frozenset(
    {"unspecified", "multicast", "broadcast", "reserved"}
)
_NAT64_WKP = _V6("64:ff9b::/96")
_NAT64_LOCAL = _V6("64:ff9b:1::/48")


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which server addresses the transport may send to.

    Unspecified, multicast, broadcast and reserved addresses are always refused;
    loopback and private (RFC 1918, ULA, link-local, CGNAT) ones only when
    allowed. Anything else must be globally routable unicast.
    """

    allow_loopback: bool
    allow_private: bool
    trusted: frozenset[ServerAddress] = frozenset()
    """Addresses the operator configured (``serve``'s root hints): always allowed, since
    the policy guards against servers that DNS data names, not against the operator."""

    @classmethod
    def permissive(cls) -> AddressPolicy:
        """The CLI default: loopback and private targets are allowed."""
        return cls(allow_loopback=True, allow_private=True)

    @classmethod
    def strict(cls) -> AddressPolicy:
        """For public front-ends: only globally routable unicast addresses."""
        return cls(allow_loopback=False, allow_private=False)

    def trusting(self, addresses: Iterable[ServerAddress]) -> AddressPolicy:
        """This policy, with ``addresses`` (exactly these, port included) always allowed."""
        return replace(self, trusted=self.trusted | frozenset(addresses))

    def refusal(self, address: ServerAddress) -> str | None:
        """None when ``address`` may be queried, else why it may not.

        Addresses with an embedded IPv4 address (IPv4-mapped ``::ffff:0:0/96``,
        6to4 ``2002::/16`` (RFC 3056), Teredo ``2001::/32`` (RFC 4380), NAT64
        ``64:ff9b::/96`` (RFC 6052) and ``64:ff9b:1::/48`` (RFC 8215)) are judged
        by the IPv4 address they lead to as well.
        """
        return _refusal(self, address)

    def _uncached_refusal(self, address: ServerAddress) -> str | None:
        if not 0 < address.port < 65536:
            return f"port {address.port} is not a valid destination port"
        if address in self.trusted:
            return None
        try:
            ip = address.address
        except ValueError:
            return f"{address.ip!r} is not an IP address"
        reason = self._judge(ip)
        if reason is not None:
            return f"{ip} is {reason}; the address policy refuses it"
        for label, embedded in _embedded_ipv4(ip):
            reason = self._judge(embedded)
            if reason is not None:
                return (
                    f"{ip} leads to {embedded} ({label}), {reason}; the address policy refuses it"
                )
        return None

    def _judge(self, ip: IPAddress) -> str | None:
        """Why this one address (not unwrapped) is refused, or None."""
        if _embedded_ipv4(ip):
            # The IPv6 wrapper is only a route to the embedded IPv4 address,
            # which ``refusal`` judges; the local-use NAT64 prefix is itself
            # private, though (RFC 8215 §2).
            if ip in _NAT64_LOCAL and not self.allow_private:
                return "a local-use NAT64 address (RFC 8215)"
            return None
        for network, category, description in _RANGES:
            if ip.version == network.version and ip in network:
                if category in _ALWAYS_REFUSED:
                    return description
                if category == "loopback" and not self.allow_loopback:
                    return description
                if category == "private" and not self.allow_private:
                    return description
                return None
        if not self.allow_private and not ip.is_global:
            # A backstop for special-purpose ranges the table does not list.
            return "not a globally routable address"
        return None


@functools.lru_cache(maxsize=4096)
def _refusal(policy: AddressPolicy, address: ServerAddress) -> str | None:
    # A pure function of the two, asked before every query: a scan sends hundreds of
    # thousands of queries to a few thousand servers, and judging an address against
    # the table costs more than the rest of deciding to send it.
    return policy._uncached_refusal(address)


def _embedded_ipv4(ip: IPAddress) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address leads to, with the mechanism's name."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if ip.ipv4_mapped is not None:
        found.append(("IPv4-mapped", ip.ipv4_mapped))
    if ip.sixtofour is not None:
        found.append(("6to4", ip.sixtofour))
    if ip.teredo is not None:
        server, client = ip.teredo
        found.append(("Teredo server", server))
        found.append(("Teredo client", client))
    if ip in _NAT64_WKP or ip in _NAT64_LOCAL:
        # RFC 6052 §2.2: with a /96 prefix the IPv4 address is the last 32 bits;
        # that is the layout of the well-known prefix and the usual local one.
        found.append(("NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    return found
