"""Resolver probes: what each ``--resolver`` answers, with and without checking disabled.

Every question is asked twice with RD=1 and DO=1 (RFC 4035 §3.2.1): once as a
validating client asks (CD=0) and once with CD=1 (RFC 4035 §3.2.2), which makes
a validating resolver hand back the data it would otherwise reject. SERVFAIL
without CD but an answer with CD is the guide's first test for a validation
failure; the AD bit on the CD=0 answer says whether the resolver validated.

Questions: the root DNSKEY RRset (a stale trust anchor fails right there) and
the name's first type go out at once, in parallel with the walk; once the walk
is done, the DNSKEY RRset of every zone on the chain, the SOA at the target's
apex, every type asked at the name and the random non-existent name follow.
A resolver that answers nothing in the first round is asked nothing more, so
a dead resolver costs one timeout. Exchanges are stored in
``Survey.resolvers[server]`` under ``QueryKey("resolver", server, qname, qtype,
variant)``; the questions depend only on the request and on the walk, so a
replay of the capture asks exactly the same ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.model.survey import QueryKey, Survey
from dnssec_doctor.model.variants import CHECKING_DISABLED, RESOLVER_VARIANTS
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.transport.client import Client

Question = tuple[str, str]
"""(qname, qtype) in presentation form, as in ``QueryKey``."""


def resolver_spec(qname: str, qtype: str, variant: str) -> QuerySpec:
    """The query of ``variant`` for ``qname``/``qtype`` (EDNS0, DO=1, 1232 bytes)."""
    return QuerySpec(qname, qtype, rd=True, cd=variant == CHECKING_DISABLED, do=True)


def first_questions(request: ProbeRequest) -> list[Question]:
    """Asked before the walk ends: the root DNSKEY RRset and the name's first type."""
    return _unique([(".", "DNSKEY"), (request.name.to_text(), request.types[0])])


def later_questions(request: ProbeRequest, survey: Survey) -> list[Question]:
    """Asked once the walk is done: the chain's DNSKEYs, the target apex, the name, NXDOMAIN."""
    questions: list[Question] = [(cut.zone, "DNSKEY") for cut in survey.cuts]
    target = survey.target
    if target is not None:
        questions.append((target.zone, "SOA"))
    name = request.name.to_text()
    questions += [(name, t) for t in request.types]
    if survey.nonexistent_name:
        questions.append((survey.nonexistent_name, "A"))
    first = set(first_questions(request))
    return [q for q in _unique(questions) if q not in first]


@dataclass(slots=True)
class ResolverRound:
    """The first questions to one resolver, under way."""

    server: ServerAddress
    tasks: list[asyncio.Task[None]]


def start_resolvers(client: Client, request: ProbeRequest, survey: Survey) -> list[ResolverRound]:
    """Send the first questions to every resolver now, without waiting (needs a running loop)."""
    rounds: list[ResolverRound] = []
    for server in dict.fromkeys(request.resolvers):
        store = survey.resolvers.setdefault(str(server), {})
        tasks = [
            asyncio.ensure_future(_ask(client, server, store, q, v))
            for q in first_questions(request)
            for v in RESOLVER_VARIANTS
        ]
        rounds.append(ResolverRound(server, tasks))
    return rounds


async def finish_resolvers(
    client: Client, request: ProbeRequest, survey: Survey, rounds: Sequence[ResolverRound]
) -> None:
    """Wait for the first questions, then ask every resolver that answered the rest."""
    await asyncio.gather(*(_finish(client, request, survey, r) for r in rounds))


async def _finish(
    client: Client, request: ProbeRequest, survey: Survey, started: ResolverRound
) -> None:
    await asyncio.gather(*started.tasks)
    store = survey.resolvers[str(started.server)]
    if not any(e.outcome == "response" for e in store.values()):
        return  # dead, refused by policy or out of budget: one timeout is enough
    await asyncio.gather(
        *(
            _ask(client, started.server, store, q, v)
            for q in later_questions(request, survey)
            for v in RESOLVER_VARIANTS
        )
    )


async def _ask(
    client: Client,
    server: ServerAddress,
    store: dict[QueryKey, Exchange],
    question: Question,
    variant: str,
) -> None:
    qname, qtype = question
    exchange = await client.query(server, resolver_spec(qname, qtype, variant))
    store[QueryKey("resolver", str(server), qname, qtype, variant)] = exchange


def _unique(questions: list[Question]) -> list[Question]:
    return list(dict.fromkeys(questions))
