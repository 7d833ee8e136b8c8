"""Collection: the walk, then every query the analysis needs, sent in parallel.

For every zone cut: the DS at each parent server, and SOA, NS and DNSKEY at each
of the zone's servers. For the zone holding the name, also the name's types,
CDS/CDNSKEY/NSEC3PARAM at the apex, and the denial probes (a random name that
does not exist, a type that does not exist at the name and at the apex), and the
transport behaviour probes of ``probe.behaviour`` (whose first round starts as soon
as the walk reaches a zone, so a dead server's timeout overlaps the walk's).
Each ``--resolver`` is asked too (``probe.resolvers``); its first questions go out
before the walk starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import dns.name

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.analysis.ownernames import doubled_origin_name
from dnssec_doctor.probe.behaviour import FirstRound, ServerPlan, ask_server, start_first_round
from dnssec_doctor.probe.request import NODATA_PROBE_TYPE, ProbeRequest
from dnssec_doctor.probe.resolve import AddressResolver
from dnssec_doctor.probe.resolvers import finish_resolvers, start_resolvers
from dnssec_doctor.probe.survey import QueryKey, Side, Survey, ZoneCut
from dnssec_doctor.probe.walk import DelegationWalk
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.query import QuerySpec

APEX_TYPES: tuple[str, ...] = ("SOA", "NS", "DNSKEY")
TARGET_APEX_TYPES: tuple[str, ...] = ("CDS", "CDNSKEY", "NSEC3PARAM")


async def collect(client: Client, request: ProbeRequest) -> Survey:
    """Walk to the name and ask every server what the analysis needs."""
    resolver = AddressResolver(client, request.root_hints, request.limits)
    started: dict[tuple[str, ServerAddress], FirstRound] = {}

    def on_cut(cut: ZoneCut) -> None:
        for server in cut.server_addresses():
            started.setdefault((cut.zone, server), start_first_round(client, cut, server))

    survey = Survey(
        name=request.name.to_text(),
        trust_anchors=request.trust_anchors,
        types=list(request.types),
    )
    resolver_rounds = start_resolvers(client, request, survey)
    walk = DelegationWalk(client, request, resolver, on_cut)
    cuts = await walk.run()
    survey.cuts = cuts
    jobs: list[Awaitable[None]] = []
    for index, cut in enumerate(cuts):
        is_target = index == len(cuts) - 1
        jobs.extend(_zone_jobs(client, request, survey, cut, is_target, started))
    jobs.append(finish_resolvers(client, request, survey, resolver_rounds))
    await asyncio.gather(*jobs)
    for leftover in started.values():  # first rounds of servers the walk later replaced
        await asyncio.gather(leftover.standard, *leftover.side.values())
    survey.events = [*walk.events, *resolver.events]
    survey.exchanges_sent = len(client.exchanges)
    survey.budget_exhausted = client.budget_exhausted
    return survey


def _zone_jobs(
    client: Client,
    request: ProbeRequest,
    survey: Survey,
    cut: ZoneCut,
    is_target: bool,
    started: dict[tuple[str, ServerAddress], FirstRound],
) -> list[Awaitable[None]]:
    jobs: list[Awaitable[None]] = []
    if cut.parent is not None:
        for server in cut.parent_servers:
            jobs.append(_ask(client, cut, "parent", server, QuerySpec(cut.zone, "DS")))
    questions = [QuerySpec(cut.zone, t) for t in APEX_TYPES]
    if is_target:
        zone = dns.name.from_text(cut.zone)
        nxname = f"{request.nonexistent_label(zone)}.{cut.zone}".replace("..", ".")
        survey.nonexistent_name = nxname
        questions += [QuerySpec(cut.zone, t) for t in TARGET_APEX_TYPES]
        questions.append(QuerySpec(cut.zone, NODATA_PROBE_TYPE))
        questions.append(QuerySpec(nxname, "A"))
        if survey.name != cut.zone:
            questions += [QuerySpec(survey.name, t) for t in request.types]
            questions.append(QuerySpec(survey.name, NODATA_PROBE_TYPE))
            doubled = doubled_origin_name(request.name, zone)
            if doubled is not None:  # does the name exist with the origin typed twice?
                questions.append(QuerySpec(doubled.to_text(), "A"))
        else:
            questions += [QuerySpec(cut.zone, t) for t in request.types if t not in APEX_TYPES]
    plan = ServerPlan(
        cut.zone,
        tuple(questions),
        full=is_target,
        nxname=survey.nonexistent_name if is_target else "",
        ns_hosts=_in_bailiwick_hosts(cut),
    )
    for server in cut.server_addresses():
        jobs.append(ask_server(client, cut, server, plan, started.pop((cut.zone, server), None)))
    return jobs


def _in_bailiwick_hosts(cut: ZoneCut) -> tuple[str, ...]:
    """NS names inside the zone: their glue must match the zone's own A/AAAA."""
    if cut.parent is None or cut.overridden:
        return ()
    zone = dns.name.from_text(cut.zone)
    names = sorted({h for hosts in cut.ns_from_parent.values() for h in hosts})
    return tuple(h for h in names if dns.name.from_text(h).is_subdomain(zone))


async def _ask(
    client: Client, cut: ZoneCut, side: Side, server: ServerAddress, spec: QuerySpec
) -> None:
    exchange = await client.query(server, spec)
    cut.queries[QueryKey(side, str(server), spec.qname, spec.qtype)] = exchange
