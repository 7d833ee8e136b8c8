"""Finding the addresses of NS names that came without glue, iteratively from the root."""

from __future__ import annotations

from collections.abc import Sequence

import dns.message
import dns.name
import dns.rdatatype

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.classify import Kind, classify, referral_owner
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.model.survey import WalkEvent
from dnssec_doctor.names import name_of
from dnssec_doctor.transport.client import Client

MAX_SERVERS_TRIED = 3
MAX_LOOKUPS = 60
"""Address lookups one probe may start for glueless NS names (hostile trees fan out)."""


class AddressResolver:
    """Resolves host names to addresses by iteration, sharing one cache per probe.

    Each name is resolved once (concurrent requests share the work), nesting of
    glueless lookups is bounded by ``limits.max_glueless_depth``.
    """

    def __init__(self, client: Client, root_hints: Sequence[ServerAddress], limits: Limits) -> None:
        self._client = client
        self._limits = limits
        self._roots = list(root_hints)
        self._done: dict[str, list[ServerAddress]] = {}
        self._lookups = 0
        self.events: list[WalkEvent] = []
        self.problems: dict[str, str] = {}
        """Host name → why no address could be found for it (when known)."""
        self.not_looked_up: set[str] = set()
        """Host names whose lookup the query budget stopped (no fault of theirs)."""

    async def resolve(
        self, hostname: str, depth: int = 0, chain: frozenset[str] = frozenset()
    ) -> list[ServerAddress]:
        """The IPv4 and IPv6 addresses of ``hostname`` (empty when none were found).

        ``chain`` holds the names whose resolution led here: a name that needs
        itself (glueless NS names inside their own zone) is a cycle, not a wait.
        Only finished results are shared; sharing unfinished lookups between
        chains could make two lookups wait for each other forever.
        """
        if hostname in self._done:
            return list(self._done[hostname])
        if self._lookups >= MAX_LOOKUPS:
            self.problems.setdefault(
                hostname, f"not looked up: over {MAX_LOOKUPS} glueless NS lookups in one probe"
            )
            if not any(
                e.code == "ANALYSIS_BUDGET_EXCEEDED" and e.subject == "glueless"
                for e in self.events
            ):
                self.events.append(
                    WalkEvent(
                        "ANALYSIS_BUDGET_EXCEEDED",
                        ".",
                        "walk_glueless_lookups",
                        {"limit": MAX_LOOKUPS},
                        subject="glueless",
                    )
                )
            return []
        self._lookups += 1
        if hostname in chain:
            self.problems.setdefault(
                hostname, "its address can only be found through itself (glueless cycle)"
            )
            return []
        found = await self._resolve(hostname, depth, chain | {hostname})
        self._done[hostname] = found
        return list(found)

    async def _resolve(
        self, hostname: str, depth: int, chain: frozenset[str]
    ) -> list[ServerAddress]:
        limits = self._limits
        if depth > limits.max_glueless_depth:
            self.problems.setdefault(
                hostname,
                f"more than {limits.max_glueless_depth} nested glueless NS lookups needed",
            )
            if not any(e.subject == "glueless-depth" for e in self.events):
                self.events.append(
                    WalkEvent(
                        "ANALYSIS_BUDGET_EXCEEDED",
                        ".",
                        "walk_glueless_depth",
                        {"first": hostname, "limit": limits.max_glueless_depth},
                        subject="glueless-depth",
                    )
                )
            return []
        found: list[ServerAddress] = []
        for rdtype in ("A", "AAAA"):
            found.extend(await self._lookup(hostname, rdtype, depth, chain))
        return found

    async def _lookup(
        self, hostname: str, rdtype: str, depth: int, chain: frozenset[str]
    ) -> list[ServerAddress]:
        name = name_of(hostname)
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
                self.problems[hostname] = (
                    "it is an alias (CNAME); NS must name a host with its own address "
                    "records (RFC 2181 §10.3)"
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
            servers = await self._referral_servers(msg, depth, chain)
            if not servers:
                return []
        return []

    async def _referral_servers(
        self, msg: dns.message.Message, depth: int, chain: frozenset[str]
    ) -> list[ServerAddress]:
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
            addresses = await self.resolve(ns_name, depth + 1, chain)
            if addresses:
                return addresses
        return []

    async def _ask_any(self, servers: Sequence[ServerAddress], spec: QuerySpec) -> Exchange | None:
        """Ask servers one after another until one answers (resolution needs only one)."""
        for server in list(servers)[:MAX_SERVERS_TRIED]:
            # Optional: the walk needs one working server per zone, not every NS name's
            # address, and the name's own questions come first (Client.RESERVED_SHARE).
            exchange = await self._client.query(server, spec, optional=True)
            if exchange.outcome == "response" and exchange.message() is not None:
                return exchange
            if exchange.outcome == "budget":
                self.not_looked_up.add(spec.qname)
                self.problems.setdefault(spec.qname, "not looked up: the query budget ran out")
                return None
        return None
