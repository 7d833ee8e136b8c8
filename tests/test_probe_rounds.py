"""The collection's critical path, counted in round trips without a clock.

``RoundWire`` holds every query until the collection has nothing more to send,
then answers all of them at once (from a recorded capture): each release is one
round trip of a network where every answer takes the same time. A query sent in
round *k* waited for *k* earlier answers. Independent questions must share a round,
so the number of rounds stays at the depth of the delegation chain plus one (the
questions about the name, asked once the walk knows which zone holds it).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Literal

import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import Exchange, load_capture
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.probe.collect import collect
from dnssec_doctor.session import request_from_capture
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.replay import ReplayWire

CASES = Path(__file__).parent / "cases"
IDLE_PASSES = 20
"""Event-loop passes with no new query before the pending ones are answered: enough for
an answer to travel back up through the client, ``gather`` and the next question."""


class RoundWire:
    """A ``Wire`` that answers in rounds: only when no new query arrives any more."""

    def __init__(self, inner: ReplayWire) -> None:
        self._inner = inner
        self._round = 0
        self._waiting: list[asyncio.Future[None]] = []
        self._releaser: asyncio.Task[None] | None = None
        self.rounds: list[int] = []
        """The round each query was sent in, in sending order."""
        self.sent: list[tuple[int, QuerySpec, str]] = []
        """(round, question, transport) of each query, in sending order."""
        self.servers: list[str] = []
        """The server each query went to, in sending order."""

    async def send(
        self,
        server: ServerAddress,
        spec: QuerySpec,
        transport: Literal["udp", "tcp"],
        timeout: float,
    ) -> Exchange:
        self.rounds.append(self._round)
        self.sent.append((self._round, spec, transport))
        self.servers.append(str(server))
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(ready)
        if self._releaser is None or self._releaser.done():
            self._releaser = asyncio.ensure_future(self._release())
        await ready
        return await self._inner.send(server, spec, transport, timeout)

    async def _release(self) -> None:
        while self._waiting:
            idle = 0
            seen = len(self.rounds)
            while idle < IDLE_PASSES:
                await asyncio.sleep(0)
                idle = idle + 1 if len(self.rounds) == seen else 0
                seen = len(self.rounds)
            waiting, self._waiting = self._waiting, []
            self._round += 1
            for ready in waiting:
                ready.set_result(None)
            for _ in range(IDLE_PASSES):  # let the answered tasks send their next questions
                await asyncio.sleep(0)


def run_case(case: str) -> tuple[RoundWire, int, list[tuple[str, QuerySpec, str]]]:
    """The collection of a golden case's capture over a ``RoundWire``: the wire, the
    chain's depth, and the queries the capture lacked."""
    capture = load_capture(CASES / case / "capture.json.gz")
    request = request_from_capture(capture)
    replay = ReplayWire(capture)
    wire = RoundWire(replay)
    client = Client(wire, limits=request.limits, policy=AddressPolicy.permissive())
    survey = asyncio.run(collect(client, request))
    return wire, len(survey.cuts), replay.missing


def rounds_of(case: str) -> tuple[list[int], int, list[tuple[str, QuerySpec, str]]]:
    """Queries per round, the chain's depth, and the queries the capture lacked."""
    wire, depth, missing = run_case(case)
    per_round = Counter(wire.rounds)
    return [per_round[r] for r in sorted(per_round)], depth, missing


def test_a_healthy_chain_costs_its_depth_plus_one_round_trip() -> None:
    rounds, depth, missing = rounds_of("check-good-nsec")
    assert missing == []
    assert depth == 3  # root, test., good-nsec.test.
    # Round 1 asks the root, 2 test. (and the root's own questions), 3 the zone
    # (and test.'s questions); 4 is every question about the name.
    assert len(rounds) == depth + 1, rounds
    assert sum(rounds) == 102


ZONE_CUT_CASES = (
    "check-good-child-same-servers",
    "check-good-optout-child-same-servers",
    "check-good-ent-above-child",
    "check-good-child-subset-servers",
)
"""Healthy names in a child on its parent's servers: the walk finds its cut by asking."""


@pytest.mark.parametrize("case", ZONE_CUT_CASES)
def test_finding_a_cut_no_referral_shows_costs_no_extra_round_trip(case: str) -> None:
    # The walk asks NS at every label between the cut it stands on and the name in the
    # same round as the name itself (probe.cuts): the empty non-terminal on the way to
    # sub.ent.<zone> adds queries, not rounds.
    rounds, depth, missing = rounds_of(case)
    assert missing == []
    assert depth == 4  # root, test., the scenario's zone, its child
    assert len(rounds) == depth + 1, rounds


@pytest.mark.parametrize(
    ("case", "depth"),
    [("check-good-cname-into-sibling", 4), ("check-good-dname-into-sibling", 3)],
)
def test_an_alias_into_a_sibling_walks_on_from_the_shared_cut(case: str, depth: int) -> None:
    # The name is a CNAME (or below a DNAME) onto www.target.<zone>: once the walk has
    # seen it, the target's walk starts at <zone> (already walked, as a resolver's cache
    # would have it), not at the root: one step to target.<zone>, then its questions.
    # From the root it would cost three more rounds (root, test., the zone).
    rounds, walked, missing = rounds_of(case)
    assert missing == []
    assert walked == depth
    assert len(rounds) == depth + 1 + 2, rounds


def test_the_label_questions_share_the_walks_round() -> None:
    wire, _, _ = run_case("check-good-ent-above-child")
    zone = "good-ent-above-child.test."
    labels = {f"ent.{zone}", f"sub.ent.{zone}", f"www.sub.ent.{zone}"}
    tld_servers = {"127.77.1.1", "127.77.1.2"}  # test.: the walk stands there before the zone
    walk_round = {
        r
        for (r, spec, _), server in zip(wire.sent, wire.servers, strict=True)
        if spec.qtype == "NS" and spec.qname == zone and server in tld_servers
    }
    asked = {
        spec.qname: r
        for (r, spec, _), server in zip(wire.sent, wire.servers, strict=True)
        if spec.qtype == "NS" and spec.qname in labels and server in tld_servers
    }
    # Standing on test., the walk asks every label below it at once: with the zone's
    # own name, not label after label.
    assert set(asked) == labels
    assert set(asked.values()) == walk_round, (asked, walk_round)


def test_a_truncated_answer_adds_only_its_tcp_retry() -> None:
    # NSEC3's NXDOMAIN does not fit the 512-byte rung of the size ladder: the TC
    # answer is retried over TCP (its own exchange), one round after it.
    wire, depth, missing = run_case("check-good-nsec3")
    assert missing == []
    last = max(wire.rounds)
    assert last == depth + 1  # rounds are numbered from 0: depth + 2 rounds in all
    retries = [(spec, transport) for r, spec, transport in wire.sent if r == last]
    assert retries
    assert all(transport == "tcp" and spec.payload == 512 for spec, transport in retries)


def test_every_zones_questions_overlap_the_walk_below_it() -> None:
    rounds, _, _ = rounds_of("check-good-nsec")
    # The second round is not just the walk's step into test. (6 queries per server
    # of test.): the root's DS-less apex questions ride along with it.
    assert rounds[1] > rounds[0]
