"""Transport behaviour probes: how each authoritative server reacts to EDNS, DO, sizes, TCP.

The standard query (EDNS0, DO=1, 1232-byte buffer) says what a modern validator
gets. The variants below say *why* a server fails it (RFC 6891 EDNS, RFC 3225
DO, RFC 7766 TCP): a plain query without OPT, EDNS0 without DO, the same large
answers (DNSKEY with DO, an NSEC/NSEC3 NXDOMAIN) at buffer sizes 512, 1232,
1400 and 4096, an unknown EDNS option, EDNS version 1, and TCP. Each exchange is
stored in ``cut.queries`` under a ``QueryKey`` whose ``variant`` is the probe's
name (``model.variants``).

Cost: a dead server costs one timeout. Its first round is the standard SOA
query and, in parallel, SOA without EDNS, with EDNS but no DO, with DO and a
512-byte buffer, and over TCP, so "DO-flagged queries dropped" and "dead" can be
told apart without a second wait. Collection starts the first round as soon as
the walk reaches a zone (``start_first_round``), so it overlaps the walk's own
wait for that server. The rest is asked only once the server has answered
something, and nothing waits for a slow probe before it is needed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.classify import Kind, classify
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.model.survey import QueryKey, ZoneCut
from dnssec_doctor.model.variants import (
    EDNS1,
    EDNS_NODO,
    NOEDNS,
    NS_ADDRESS,
    SIZES,
    STANDARD_SIZE,
    TCP,
    UNKNOWN_OPTION,
    UNKNOWN_OPTION_CODE,
    size_variant,
)
from dnssec_doctor.names import name_of
from dnssec_doctor.transport.client import Client

UNKNOWN_OPTION_DATA = b"dnssec-doctor"

_NO_ANSWER = ("timeout", "refused", "reset", "error", "policy", "budget")


@dataclass(frozen=True, slots=True)
class Probe:
    """One behaviour query: its variant name and what it asks."""

    variant: str
    spec: QuerySpec


@dataclass(frozen=True, slots=True)
class ServerPlan:
    """What to ask one server of one zone.

    ``questions`` are the standard queries (the apex SOA among them goes first, with
    the first-round probes);
    ``full`` adds the EDNS and size probes (the zone holding the name);
    ``nxname`` is the random non-existent name whose negative answer is large;
    ``ns_hosts`` are the in-bailiwick NS names whose addresses the servers are asked for
    (each name of up to ``HOST_ASKERS`` servers).
    """

    zone: str
    questions: tuple[QuerySpec, ...]
    full: bool = False
    nxname: str = ""
    ns_hosts: tuple[str, ...] = ()


def first_round(zone: str) -> list[Probe]:
    """Probes sent together with the standard SOA query (they tell dead from DO-dropping)."""
    return [
        Probe(NOEDNS, QuerySpec(zone, "SOA", do=False, edns=None)),
        Probe(EDNS_NODO, QuerySpec(zone, "SOA", do=False)),
        Probe(size_variant(512), QuerySpec(zone, "SOA", payload=512)),
        Probe(TCP, QuerySpec(zone, "SOA", do=False, tcp=True)),
    ]


@dataclass(slots=True)
class FirstRound:
    """The standard SOA query and the first-round probes of one server, under way."""

    spec: QuerySpec
    standard: asyncio.Task[Exchange]
    side: dict[str, asyncio.Task[Exchange]]


def start_first_round(client: Client, cut: ZoneCut, server: ServerAddress) -> FirstRound:
    """Send the standard SOA query and the first-round probes now, without waiting.

    Collection starts this as soon as the walk reaches a cut, so a dead server's
    timeout runs while the walk itself waits for that server.
    """
    spec = QuerySpec(cut.zone, "SOA")
    return FirstRound(
        spec,
        asyncio.ensure_future(_ask(client, cut, server, spec, "")),
        {
            p.variant: asyncio.ensure_future(_ask(client, cut, server, p.spec, p.variant))
            for p in first_round(cut.zone)
        },
    )


def edns_probes(zone: str) -> list[Probe]:
    """EDNS compliance: version 1 must get BADVERS, an unknown option must be ignored."""
    return [
        Probe(EDNS1, QuerySpec(zone, "SOA", do=False, edns=1)),
        Probe(
            UNKNOWN_OPTION,
            QuerySpec(zone, "SOA", do=False, options=((UNKNOWN_OPTION_CODE, UNKNOWN_OPTION_DATA),)),
        ),
    ]


def size_probes(zone: str, nxname: str) -> list[Probe]:
    """The large answers at every buffer size but the standard one (asked anyway)."""
    probes: list[Probe] = []
    for qname, qtype in ((zone, "DNSKEY"), (nxname, "A")):
        if not qname:
            continue
        for size in SIZES:
            if size != STANDARD_SIZE:
                probes.append(Probe(size_variant(size), QuerySpec(qname, qtype, payload=size)))
    return probes


HOST_ASKERS = 3
"""Servers asked for each NS name's addresses: enough to see the zone's answer even with a
dead server, without asking every server about every name (quadratic in the NS set)."""


def hosts_for(server_index: int, server_count: int, hosts: Sequence[str]) -> tuple[str, ...]:
    """The NS names server number ``server_index`` is asked about: host *j* goes to servers
    *j*, *j*+1 … *j*+HOST_ASKERS-1 (modulo the number of servers)."""
    if server_count <= HOST_ASKERS:
        return tuple(hosts)
    return tuple(h for j, h in enumerate(hosts) if (server_index - j) % server_count < HOST_ASKERS)


def address_probes(hosts: Sequence[str]) -> list[Probe]:
    """A and AAAA of each NS name (the servers' own view of their addresses)."""
    return [Probe(NS_ADDRESS, QuerySpec(h, t)) for h in hosts for t in ("A", "AAAA")]


async def ask_server(
    client: Client,
    cut: ZoneCut,
    server: ServerAddress,
    plan: ServerPlan,
    started: FirstRound | None = None,
) -> None:
    """Ask one server everything in ``plan``, storing each exchange in ``cut.queries``.

    ``started`` is the first round if it is already under way (else it starts
    now); it may be shared by several plans for the same server, and whoever
    started it cancels it if the collection is interrupted. When the standard SOA
    query is answered, the other standard queries, the NS address queries and
    (for a full plan, when the answer is authoritative) the size and EDNS probes
    follow at once, without waiting for slow first-round probes. When it is not,
    only the EDNS probes follow, and only if EDNS without DO was answered: a dead
    server costs one timeout.
    """
    first = started or start_first_round(client, cut, server)
    standard = await first.standard
    if standard.outcome not in _NO_ANSWER:
        rest = [spec for spec in plan.questions if spec != first.spec]
        later = [_ask(client, cut, server, spec, "") for spec in rest]
        servers = cut.server_addresses()
        index = servers.index(server) if server in servers else 0
        hosts = hosts_for(index, len(servers), plan.ns_hosts)
        later += [
            _ask(client, cut, server, p.spec, p.variant, optional=True)
            for p in address_probes(hosts)
        ]
        if plan.full and classify(standard, name_of(plan.zone)) == Kind.ANSWER:
            later += [
                _ask(client, cut, server, p.spec, p.variant)
                for p in (*edns_probes(plan.zone), *size_probes(plan.zone, plan.nxname))
            ]
        await asyncio.gather(*later)
    side = dict(zip(first.side, await asyncio.gather(*first.side.values()), strict=True))
    nodo = side.get(EDNS_NODO)
    if standard.outcome in _NO_ANSWER and plan.full and nodo and nodo.outcome == "response":
        await asyncio.gather(
            *(_ask(client, cut, server, p.spec, p.variant) for p in edns_probes(plan.zone))
        )


def alias_standard_rung(cut: ZoneCut, server: ServerAddress, plan: ServerPlan) -> None:
    """The standard DNSKEY and NXDOMAIN queries are the ladder's 1232-byte rung.

    Called once every question of the server is answered (the DNSKEY query is one
    of every zone's questions, the NXDOMAIN one of the target's).
    """
    if not plan.full:
        return
    for qname, qtype in ((plan.zone, "DNSKEY"), (plan.nxname, "A")):
        exchange = cut.queries.get(QueryKey("child", str(server), qname, qtype))
        if exchange is not None:
            key = QueryKey("child", str(server), qname, qtype, size_variant(STANDARD_SIZE))
            cut.queries[key] = exchange


async def _ask(
    client: Client,
    cut: ZoneCut,
    server: ServerAddress,
    spec: QuerySpec,
    variant: str,
    *,
    optional: bool = False,
) -> Exchange:
    exchange = await client.query(server, spec, optional=optional)
    cut.queries[QueryKey("child", str(server), spec.qname, spec.qtype, variant)] = exchange
    return exchange
