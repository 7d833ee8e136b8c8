"""A socket-free ``Wire`` answering from the lab's own authoritative code, with faults.

Each address of a ``LabPlan`` answers through ``lab.embedded.EmbeddedServer.answer``
(the real answer logic and the plan's faults), and a test may add a fault of
its own per address: a function that rewrites, replaces or swallows the reply.
Silence becomes a ``timeout`` exchange at once, so tests of dead and dropping
servers run in milliseconds and do not depend on the clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import dns.message
import dns.name

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.lab.authority import AnswerOptions, Authority
from dnssec_doctor.lab.embedded import EmbeddedServer, load_zones
from dnssec_doctor.lab.plan import LabPlan, ScenarioInfo
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.capture import Capture, Exchange
from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.probe.collect import collect
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import diagnose_capture
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy

LAB_NOW = 1_800_000_000
BASE = "127.86"
"""Addresses only: nothing is bound, so any base outside the shared labs will do."""

Transport = Literal["udp", "tcp"]
Reply = bytes | None | Literal["refused"]
Answer = Callable[[dns.message.Message], bytes | None]
Fault = Callable[[dns.message.Message, Transport, Answer], Reply]
"""(query, transport, the server's normal answer function) → the reply to send, None
for silence, or ``"refused"`` for a refused connection."""


@dataclass(slots=True)
class AuthorityWire:
    """Implements ``transport.base.Wire`` over the plan's servers, without sockets."""

    plan: LabPlan
    faults: Mapping[str, Fault] = field(default_factory=dict)
    sent: list[tuple[str, QuerySpec, Transport]] = field(default_factory=list)
    _servers: dict[str, EmbeddedServer] = field(default_factory=dict)
    _next_id: int = 1

    def __post_init__(self) -> None:
        zones = load_zones(self.plan.servers)
        for server in self.plan.servers:
            options = AnswerOptions(
                refuse_all="refused" in server.faults,
                strip_denial="strip-denial" in server.faults,
            )
            authority = Authority([zones[(z.origin, z.text)] for z in server.zones], options)
            self._servers[str(server.address)] = EmbeddedServer(server, authority)

    async def send(
        self, server: ServerAddress, spec: QuerySpec, transport: Transport, timeout: float
    ) -> Exchange:
        """One attempt, answered at once (or a timeout at once)."""
        await asyncio.sleep(0)
        self.sent.append((str(server), spec, transport))
        self._next_id = (self._next_id + 1) % 65536
        query = spec.to_message(self._next_id)
        target = self._servers.get(str(server))
        reply: Reply = None
        if target is not None:
            if transport == "tcp" and "no-tcp" in target.faults:
                reply = "refused"
            else:
                fault = self.faults.get(str(server))

                def normal(msg: dns.message.Message, srv: EmbeddedServer = target) -> bytes | None:
                    return srv.answer(msg.to_wire(), transport)

                reply = normal(query) if fault is None else fault(query, transport, normal)
        if reply == "refused":
            return Exchange(str(server), spec, transport, "refused", query_id=self._next_id)
        if reply is None:
            return Exchange(str(server), spec, transport, "timeout", query_id=self._next_id)
        return Exchange(
            str(server), spec, transport, "response", wire=reply, query_id=self._next_id
        )


def lab_plan(names: Sequence[str]) -> LabPlan:
    """The lab with only these scenarios (fixed keys and build time)."""
    return build_lab(LAB_NOW, base=BASE, seed=7, names=names)


def scenario(plan: LabPlan, name: str) -> ScenarioInfo:
    """The scenario ``name`` of ``plan``."""
    return next(s for s in plan.scenarios if s.name == name)


def address(plan: LabPlan, name: str, server: int) -> str:
    """The address of server 1, 2 or 3 of scenario ``name``."""
    zone = scenario(plan, name).zone
    hosts = [s for s in plan.servers if s.hostname == f"ns{server}.{zone}"]
    return str(hosts[0].address)


def check(
    plan: LabPlan,
    name: str,
    faults: Mapping[str, Fault] | None = None,
    *,
    qname: str | None = None,
) -> tuple[Diagnosis, Capture]:
    """Probe ``name``'s zone through the fake wire and diagnose it (via its capture)."""
    info = scenario(plan, name)
    target = qname or info.query_name or info.zone
    request = ProbeRequest(
        name=dns.name.from_text(target),
        root_hints=plan.root_hints,
        trust_anchors=anchors_from_lines(plan.trust_anchor_ds),
        seed="test",
        limits=Limits(query_timeout=0.5, retries=0, deadline=20),
    )
    wire = AuthorityWire(plan, faults or {})
    client = Client(wire, limits=request.limits, policy=AddressPolicy.permissive())
    asyncio.run(collect(client, request))
    capture = Capture(
        name=target,
        created="",
        root_hints=[str(a) for a in plan.root_hints],
        trust_anchors=list(plan.trust_anchor_ds),
        seed="test",
        exchanges=client.exchanges,
        limits={"query_timeout": 0.5, "retries": 0, "deadline": 20},
    )
    return diagnose_capture(capture, LAB_NOW), capture


def roots(diagnosis: Diagnosis) -> dict[str, Finding]:
    """Root-cause findings by code (the first of each code)."""
    found: dict[str, Finding] = {}
    for f in diagnosis.root_causes():
        found.setdefault(f.code, f)
    return found


def by_code(diagnosis: Diagnosis, code: str) -> list[Finding]:
    """Every finding with ``code``."""
    return [f for f in diagnosis.findings if f.code == code]
