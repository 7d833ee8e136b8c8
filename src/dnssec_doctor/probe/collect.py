"""Collection: the walk, and every query the analysis needs, sent in parallel.

For every zone cut: the DS at each parent server, and SOA, NS and DNSKEY at each
of the zone's servers, asked as soon as the walk reaches the zone (so they overlap
the walk below it). For the zone holding the name, once the walk has found it: the
name's types, CDS/CDNSKEY/NSEC3PARAM at the apex, the denial probes (a random name
that does not exist, a type that does not exist at the name and at the apex), and
the transport behaviour probes of ``probe.behaviour`` (whose first round starts
with the zone's questions, so a dead server's timeout overlaps the walk's). The
critical path is the walk's round trips plus one or two (the name's questions, a
TC answer's retry over TCP).
Each ``--resolver`` is asked too (``probe.resolvers``); its first questions go out
before the walk starts.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import dns.name

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import NOT_SENT
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.model.survey import QueryKey, Side, Survey, ZoneCut
from dnssec_doctor.names import doubled_origin_name, name_of
from dnssec_doctor.probe.aliases import alias_target
from dnssec_doctor.probe.behaviour import (
    FirstRound,
    ServerPlan,
    alias_standard_rung,
    ask_server,
    start_first_round,
)
from dnssec_doctor.probe.cnames import chase_cnames
from dnssec_doctor.probe.request import NODATA_PROBE_TYPE, ProbeRequest
from dnssec_doctor.probe.resolve import AddressResolver
from dnssec_doctor.probe.resolvers import finish_resolvers, start_resolvers
from dnssec_doctor.probe.walk import DelegationWalk
from dnssec_doctor.transport.client import Client

APEX_TYPES: tuple[str, ...] = ("SOA", "NS", "DNSKEY")
TARGET_APEX_TYPES: tuple[str, ...] = ("CDS", "CDNSKEY", "NSEC3PARAM")


async def collect(client: Client, request: ProbeRequest) -> Survey:
    """Walk to the name and ask every server what the analysis needs."""
    zones = _ZoneQuestions(client)
    return await _collect(client, request, zones, (request.name,), [])


async def _collect(
    client: Client,
    request: ProbeRequest,
    zones: _ZoneQuestions,
    chain: tuple[dns.name.Name, ...],
    known: list[ZoneCut],
) -> Survey:
    """The collection for ``request.name``; ``chain`` holds the aliases that led here,
    ``known`` the cuts already walked that enclose the name (shared with the alias's
    name, like the zones' questions: each zone is asked once)."""
    resolver = AddressResolver(client, request.root_hints, request.limits)
    survey = Survey(
        name=request.name.to_text(),
        trust_anchors=request.trust_anchors,
        types=list(request.types),
    )
    resolver_rounds = start_resolvers(client, request, survey)
    walk = DelegationWalk(client, request, resolver, zones.start, known)
    try:
        cuts = await walk.run()
        survey.cuts = cuts
        for cut in cuts:  # cuts the walk did not announce (``--ns`` overrides)
            zones.start(cut)
        target = cuts[-1]
        plans = _target_plans(request, survey, target)
        target_jobs = [
            ask_server(client, target, server, plan, zones.first_round(target, server))
            for server, plan in plans
        ]
        alias = alias_target(target, request.name)
        alias_jobs = []
        if (
            alias is not None
            and alias not in chain
            and len(chain) <= request.limits.max_cname_depth
        ):
            survey.alias_target = alias.to_text()
            alias_request = replace(request, name=alias, ns_override=(), resolvers=())
            enclosing = [c for c in cuts if alias.is_subdomain(name_of(c.zone))]
            alias_jobs.append(_collect(client, alias_request, zones, (*chain, alias), enclosing))
        results = await asyncio.gather(
            *zones.jobs,
            *target_jobs,
            finish_resolvers(client, request, survey, resolver_rounds),
            *alias_jobs,
        )
        if alias_jobs:
            survey.alias = results[-1]
        for server, plan in plans:
            alias_standard_rung(target, server, plan)
        # The name's chain inside its zone; where it leaves the zone the alias's own walk
        # goes on (asking the target here too would cost a round and say it twice).
        await chase_cnames(
            client, target, survey.name, request.types[0], request.limits, stop_at=alias
        )
    finally:
        if len(chain) == 1:
            zones.cancel()
    survey.events = [*walk.events, *resolver.events]
    # Exchanges the budget or the address policy stopped are recorded but never sent.
    survey.exchanges_sent = sum(1 for e in client.exchanges if e.outcome not in NOT_SENT)
    survey.budget_exhausted = client.budget_exhausted
    return survey


class _ZoneQuestions:
    """The questions every zone gets, started as soon as the walk reaches the zone.

    The DS at each parent server, and SOA (with the first-round behaviour probes),
    NS, DNSKEY and the in-bailiwick NS addresses at each of the zone's servers go
    out while the walk goes on below, so the collection's round trips are the
    walk's plus one (the questions about the name itself, asked once the walk
    knows which zone holds it).
    """

    def __init__(self, client: Client) -> None:
        self._client = client
        self._rounds: dict[tuple[str, ServerAddress], FirstRound] = {}
        self._zones: set[str] = set()
        self.jobs: list[asyncio.Task[None]] = []

    def start(self, cut: ZoneCut) -> None:
        """Start the zone's questions (once per zone and server)."""
        client = self._client
        if cut.zone not in self._zones and cut.parent is not None:
            for server in cut.parent_servers:
                spec = QuerySpec(cut.zone, "DS")
                self.jobs.append(asyncio.ensure_future(_ask(client, cut, "parent", server, spec)))
        self._zones.add(cut.zone)
        plan = ServerPlan(
            cut.zone,
            tuple(QuerySpec(cut.zone, t) for t in APEX_TYPES),
            ns_hosts=_in_bailiwick_hosts(cut),
        )
        for server in cut.server_addresses():
            if (cut.zone, server) in self._rounds:
                continue
            first = start_first_round(client, cut, server)
            self._rounds[(cut.zone, server)] = first
            self.jobs.append(asyncio.ensure_future(ask_server(client, cut, server, plan, first)))

    def first_round(self, cut: ZoneCut, server: ServerAddress) -> FirstRound:
        """The first round of a started server."""
        return self._rounds[(cut.zone, server)]

    def cancel(self) -> None:
        """Stop whatever is still under way (only after an error or an interrupt)."""
        for first in self._rounds.values():
            for task in (first.standard, *first.side.values()):
                task.cancel()
        for job in self.jobs:
            job.cancel()


def _target_plans(
    request: ProbeRequest, survey: Survey, cut: ZoneCut
) -> list[tuple[ServerAddress, ServerPlan]]:
    """What the zone holding the name is asked besides every zone's questions."""
    zone = name_of(cut.zone)
    nxname = f"{request.nonexistent_label(zone)}.{cut.zone}".replace("..", ".")
    survey.nonexistent_name = nxname
    questions = [QuerySpec(cut.zone, t) for t in TARGET_APEX_TYPES]
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
    plan = ServerPlan(cut.zone, tuple(questions), full=True, nxname=nxname)
    return [(server, plan) for server in cut.server_addresses()]


def _in_bailiwick_hosts(cut: ZoneCut) -> tuple[str, ...]:
    """NS names inside the zone: their glue must match the zone's own A/AAAA.

    Only the names the walk followed (at most ``max_ns_per_zone``, glued first): asking
    every server about each of a hostile 500-name NS set would spend the whole query
    budget before the questions about the name.
    """
    if cut.parent is None or cut.overridden:
        return ()
    zone = name_of(cut.zone)
    names = sorted({s.hostname for s in cut.servers if s.hostname})
    return tuple(h for h in names if name_of(h).is_subdomain(zone))


async def _ask(
    client: Client, cut: ZoneCut, side: Side, server: ServerAddress, spec: QuerySpec
) -> None:
    exchange = await client.query(server, spec)
    cut.queries[QueryKey(side, str(server), spec.qname, spec.qtype)] = exchange
