"""Finding the addresses of NS names that came without glue, iteratively from the root."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import dns.message
import dns.name
import dns.rdatatype

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.capture import Exchange
from dnssec_doctor.limits import Limits
from dnssec_doctor.probe.classify import Kind, classify, referral_owner
from dnssec_doctor.probe.survey import WalkEvent
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.query import QuerySpec

MAX_SERVERS_TRIED = 3


class AddressResolver:
    """Resolves host names to addresses by iteration, sharing one cache per probe.

    Each name is resolved once (concurrent requests share the work), nesting of
    glueless lookups is bounded by ``limits.max_glueless_depth``.
    """

    def __init__(self, client: Client, root_hints: Sequence[ServerAddress], limits: Limits) -> None:
        self._client = client
        self._limits = limits
        self._roots = list(root_hints)
        self._tasks: dict[str, asyncio.Task[list[ServerAddress]]] = {}
        self.events: list[WalkEvent] = []

    async def resolve(self, hostname: str, depth: int = 0) -> list[ServerAddress]:
        """The IPv4 and IPv6 addresses of ``hostname`` (empty when none were found)."""
        task = self._tasks.get(hostname)
        if task is None:
            task = asyncio.ensure_future(self._resolve(hostname, depth))
            self._tasks[hostname] = task
        return list(await task)

    async def _resolve(self, hostname: str, depth: int) -> list[ServerAddress]:
        limits = self._limits
        if depth > limits.max_glueless_depth:
            self.events.append(
                WalkEvent(
                    "ANALYSIS_BUDGET_EXCEEDED",
                    hostname,
                    f"stopped resolving {hostname}: more than {limits.max_glueless_depth} "
                    "nested glueless NS lookups",
                    subject=hostname,
                )
            )
            return []
        found: list[ServerAddress] = []
        for rdtype in ("A", "AAAA"):
            found.extend(await self._lookup(hostname, rdtype, depth))
        return found

    async def _lookup(self, hostname: str, rdtype: str, depth: int) -> list[ServerAddress]:
        name = dns.name.from_text(hostname)
        zone = dns.name.root
        servers = list(self._roots)
        for _ in range(self._limits.max_referrals):
            exchange = await self._ask_any(servers, QuerySpec(hostname, rdtype, do=False))
            if exchange is None:
                return []
            kind = classify(exchange, zone)
            msg = exchange.message()
            if msg is None:
                return []
            if kind == Kind.CNAME:
                self.events.append(
                    WalkEvent(
                        "NS_NAME_UNUSABLE",
                        zone.to_text(),
                        f"NS name {hostname} is an alias (CNAME); NS must name a host "
                        "with its own address records (RFC 2181 §10.3)",
                        servers=(exchange.server,),
                        subject=hostname,
                    )
                )
                return []
            if kind == Kind.ANSWER:
                want = dns.rdatatype.from_text(rdtype)
                return [
                    ServerAddress(r.address)
                    for rrset in msg.answer
                    if rrset.rdtype == want and rrset.name == name
                    for r in rrset
                ]
            if kind != Kind.REFERRAL:
                return []
            owner = referral_owner(msg)
            if owner is None or not name.is_subdomain(owner) or not owner.is_subdomain(zone):
                return []
            zone = owner
            servers = await self._referral_servers(msg, depth)
            if not servers:
                return []
        return []

    async def _referral_servers(self, msg: dns.message.Message, depth: int) -> list[ServerAddress]:
        ns_names = [
            r.target.to_text()
            for rrset in msg.authority
            if rrset.rdtype == dns.rdatatype.NS
            for r in rrset
        ]
        glue = [
            ServerAddress(r.address)
            for rrset in msg.additional
            if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)
            and rrset.name.to_text() in ns_names
            for r in rrset
        ]
        if glue:
            return glue
        for ns_name in ns_names[:MAX_SERVERS_TRIED]:
            addresses = await self.resolve(ns_name, depth + 1)
            if addresses:
                return addresses
        return []

    async def _ask_any(self, servers: Sequence[ServerAddress], spec: QuerySpec) -> Exchange | None:
        """Ask servers one after another until one answers (resolution needs only one)."""
        for server in list(servers)[:MAX_SERVERS_TRIED]:
            exchange = await self._client.query(server, spec)
            if exchange.outcome == "response" and exchange.message() is not None:
                return exchange
        return None
