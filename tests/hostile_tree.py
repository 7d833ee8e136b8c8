"""A hostile authoritative tree on loopback: the lab's signed root and ``test.``, a few
zones built to attack a validator, and per-address faults on the wire.

The zones (signed with the lab's signer and fixed keys, delegated from ``test.``):

- ``keytrap.test.``: 50 extra DNSKEYs sharing the KSK's key tag (KeyTrap,
  CVE-2023-50387); the DS is right.
- ``nsec3-bomb.test.``: NSEC3 with 2,500 extra iterations (above the tool's limit).
- ``cname-trap.test.``: a CNAME loop and a 50-link CNAME chain.
- ``tiny-key.test.``: a 512-bit RSA zone-signing key.
- ``big-ns.test.``: a healthy zone whose delegation the ``test.`` servers blow up
  to 500 NS names (see :func:`big_ns_referral`).
- ``victim.test.``: a healthy zone; wire faults (garbage, wrong IDs, TC then a
  stalled TCP, a slow drip, wrong questions, extra answer RRsets, absurd RRSIGs)
  go on its servers.

Each server address listens on port 53 of the tests' hostile range
(``labbases.HOSTILE``) through ``hostile_server.HostileServer``; a fault is an
async script that gets the query, the transport, the server's normal answer
function, and a ``send`` for raw bytes (datagrams, or stream bytes it must frame).
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from unittest.mock import patch

import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.dnssectypes import Algorithm
from dns.rdtypes.ANY.RRSIG import RRSIG

import labbases
from dnssec_doctor.lab import scenarios
from dnssec_doctor.lab.authority import AnswerOptions, Authority
from dnssec_doctor.lab.embedded import EmbeddedServer, load_zones
from dnssec_doctor.lab.nsec3chain import NSEC3Params
from dnssec_doctor.lab.plan import LabPlan, LabServer
from dnssec_doctor.lab.scenarios_env import TTL, ScenarioBuild, ScenarioEnv
from dnssec_doctor.lab.signer import SigningPlan
from dnssec_doctor.limits import Limits, limits_to_dict
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.capture import Capture
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.probe.collect import collect
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import diagnose_capture
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.sockets import SocketWire
from hostile_server import HostileServer, Transport, frame
from test_keytag_collision import colliding_key

LAB_NOW = 1_800_000_000
NSEC3_BOMB_ITERATIONS = 2500
CNAME_CHAIN = 50
BIG_NS_COUNT = 500
HOSTILE_LABEL = "<script>alert(1)</script>\x1b[2J"
"""A label with markup and a terminal escape (clear screen)."""

Normal = Callable[[bytes], bytes | None]
Send = Callable[[bytes], Awaitable[None]]
Fault = Callable[[bytes, Transport, Normal, Send], Awaitable[None]]
"""(query, transport, the server's normal answer, send raw bytes) → sends what it likes."""


# --- the zones --------------------------------------------------------------------------


def _keytrap(env: ScenarioEnv) -> ScenarioBuild:
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    rng = random.Random(13)
    fakes = [colliding_key(ksk.dnskey, rng) for _ in range(50)]
    content = env.builder().build()
    dnskeys = dns.rrset.from_rdata_list(env.origin, TTL, [*fakes, ksk.dnskey, zsk.dnskey])
    plan = SigningPlan.standard(ksk, zsk, *env.window())
    text = env.signed(content.replace(dnskeys), plan)
    info = env.info("50 DNSKEYs share the KSK's key tag; the DS is right.", "secure")
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def _nsec3_bomb(env: ScenarioEnv) -> ScenarioBuild:
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    params = NSEC3Params(iterations=NSEC3_BOMB_ITERATIONS, salt=b"\xab\xcd")
    text = env.signed(
        env.builder().build(), SigningPlan.standard(ksk, zsk, *env.window(), denial=params)
    )
    info = env.info(f"NSEC3 with {NSEC3_BOMB_ITERATIONS} extra iterations.", "insecure")
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def _cname_trap(env: ScenarioEnv) -> ScenarioBuild:
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    b = env.builder()
    b.add("loop1", TTL, "CNAME", "loop2")
    b.add("loop2", TTL, "CNAME", "loop1")
    for n in range(1, CNAME_CHAIN):
        b.add(f"c{n}", TTL, "CNAME", f"c{n + 1}")
    b.add(f"c{CNAME_CHAIN}", TTL, "CNAME", "www")
    text = env.signed(b.build(), SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info("A CNAME loop and a 50-link CNAME chain.", "secure")
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def _tiny_key(env: ScenarioEnv) -> ScenarioBuild:
    ksk = env.keys.make(f"{env.name}/ksk", algorithm=Algorithm.RSASHA256, ksk=True)
    zsk = env.keys.make(f"{env.name}/zsk", algorithm=Algorithm.RSASHA256, bits=512)
    text = env.signed(env.builder().build(), SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info("A 512-bit RSA ZSK.", "secure")
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def _plain(description: str) -> Callable[[ScenarioEnv], ScenarioBuild]:
    def build(env: ScenarioEnv) -> ScenarioBuild:
        ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
        b = env.builder()
        b.add(_escaped(HOSTILE_LABEL), TTL, "TXT", '"<b>hostile</b>"')
        text = env.signed(b.build(), SigningPlan.standard(ksk, zsk, *env.window()))
        return env.build(env.info(description, "secure"), {1: text, 2: text}, (env.ds(ksk),))

    return build


def _escaped(label: str) -> str:
    """A label in master-file syntax (RFC 1035 §5.1: \\DDD for anything unusual)."""
    return "".join(c if c.isalnum() else f"\\{ord(c):03d}" for c in label)


HOSTILE_ZONES: dict[str, Callable[[ScenarioEnv], ScenarioBuild]] = {
    "keytrap": _keytrap,
    "nsec3-bomb": _nsec3_bomb,
    "cname-trap": _cname_trap,
    "tiny-key": _tiny_key,
    "big-ns": _plain("Healthy; the parent lists 500 NS names for it."),
    "victim": _plain("Healthy; its servers get the wire faults."),
}


def build_tree(base: str = labbases.HOSTILE) -> LabPlan:
    """The lab's root and ``test.`` delegating to the hostile zones (fixed keys)."""
    with patch.dict(scenarios.SCENARIOS, HOSTILE_ZONES):
        return scenarios.build_lab(LAB_NOW, base=base, seed=7, names=list(HOSTILE_ZONES))


def zone_servers(plan: LabPlan, zone: str) -> list[str]:
    """The addresses serving ``zone`` (``victim.test.``), in order."""
    return [str(s.address) for s in plan.servers if s.zones[0].origin == zone]


def tld_servers(plan: LabPlan) -> list[str]:
    """The addresses of ``test.``."""
    return zone_servers(plan, "test.")


# --- faults -----------------------------------------------------------------------------


def _message(wire: bytes | None) -> dns.message.Message | None:
    return None if wire is None else dns.message.from_wire(wire)


async def _send_normal(transport: Transport, send: Send, wire: bytes | None) -> None:
    if wire is not None:
        await send(frame(wire) if transport == "tcp" else wire)


async def garbage(query: bytes, transport: Transport, normal: Normal, send: Send) -> None:
    """Random bytes instead of a DNS message, on both transports."""
    noise = random.Random(query[2:]).randbytes(40)
    await send(frame(noise) if transport == "tcp" else noise)


async def wrong_id(query: bytes, transport: Transport, normal: Normal, send: Send) -> None:
    """The right answer with the query ID changed."""
    wire = normal(query)
    if wire is not None:
        wire = bytes([wire[0] ^ 0x5A, wire[1] ^ 0xA5]) + wire[2:]
    await _send_normal(transport, send, wire)


async def wrong_question(query: bytes, transport: Transport, normal: Normal, send: Send) -> None:
    """The right answer under another question name."""
    msg = _message(normal(query))
    if msg is not None:
        q = msg.question[0]
        msg.question = [dns.rrset.RRset(dns.name.from_text("evil.example."), q.rdclass, q.rdtype)]
    await _send_normal(transport, send, None if msg is None else msg.to_wire())


async def tc_then_stall(query: bytes, transport: Transport, normal: Normal, send: Send) -> None:
    """Every UDP answer truncated (TC=1, empty); TCP connects, then never answers."""
    if transport == "tcp":
        await asyncio.sleep(3600)
        return
    msg = _message(normal(query))
    if msg is not None:
        msg.answer, msg.authority, msg.additional = [], [], []
        msg.flags |= dns.flags.TC
        await send(msg.to_wire())


async def slow_drip(query: bytes, transport: Transport, normal: Normal, send: Send) -> None:
    """UDP truncated; the TCP answer arrives one byte every 0.2 s (never in time)."""
    if transport == "udp":
        await tc_then_stall(query, transport, normal, send)
        return
    wire = normal(query)
    for byte in frame(wire or b""):
        await send(bytes([byte]))
        await asyncio.sleep(0.2)


async def extra_answers(query: bytes, transport: Transport, normal: Normal, send: Send) -> None:
    """Unrelated RRsets added to every answer section (out of zone, in zone, another type)."""
    msg = _message(normal(query))
    if msg is not None:
        qname = msg.question[0].name
        msg.answer.append(dns.rrset.from_text("unrelated.example.", 300, "IN", "A", "192.0.2.9"))
        msg.answer.append(dns.rrset.from_text(f"zzz.{qname}", 300, "IN", "A", "192.0.2.10"))
        msg.answer.append(dns.rrset.from_text(qname, 300, "IN", "SPF", '"v=spf1 -all"'))
    await _send_normal(transport, send, None if msg is None else msg.to_wire())


async def absurd_rrsigs(query: bytes, transport: Transport, normal: Normal, send: Send) -> None:
    """Every RRSIG mangled: Labels 200, expiration before inception, a 4 KB signature."""
    msg = _message(normal(query))
    if msg is not None:
        for section in (msg.answer, msg.authority):
            for index, rrset in enumerate(section):
                if rrset.rdtype != dns.rdatatype.RRSIG:
                    continue
                mangled = [_absurd(sig) for sig in rrset if isinstance(sig, RRSIG)]
                section[index] = dns.rrset.from_rdata_list(rrset.name, rrset.ttl, mangled)
    await _send_normal(transport, send, None if msg is None else msg.to_wire(max_size=65535))


def _absurd(sig: RRSIG) -> RRSIG:
    return RRSIG(
        dns.rdataclass.IN, dns.rdatatype.RRSIG, sig.type_covered, sig.algorithm, 200,
        sig.original_ttl, sig.inception - 1, sig.expiration + 1, sig.key_tag, sig.signer,
        bytes(4000),
    )  # fmt: skip


def big_ns_referral(zone: str, count: int = BIG_NS_COUNT) -> Fault:
    """A ``test.`` server whose referral to ``zone`` lists ``count`` NS names: the zone's
    two real servers (with glue) and ``count - 2`` glueless names inside the zone that do
    not exist, each of which costs an iterative lookup (root, ``test.``, the zone)."""
    owner = dns.name.from_text(zone)

    async def fault(query: bytes, transport: Transport, normal: Normal, send: Send) -> None:
        msg = _message(normal(query))
        if msg is not None:
            for index, rrset in enumerate(msg.authority):
                if rrset.rdtype == dns.rdatatype.NS and rrset.name == owner:
                    names = [r.target.to_text() for r in rrset]
                    names += [f"ns{i}.glueless.{zone}" for i in range(count - len(names))]
                    msg.authority[index] = dns.rrset.from_text_list(owner, TTL, "IN", "NS", names)
        wire = None if msg is None else msg.to_wire(max_size=65535)
        await _send_normal(transport, send, wire)

    return fault


def referral_loop(zone: str, servers: Sequence[str]) -> Fault:
    """A ``test.`` server that answers every question under ``zone`` with a referral to
    ``zone`` at the ``test.`` servers themselves: asked again, they refer again."""
    owner = dns.name.from_text(zone)

    async def fault(query: bytes, transport: Transport, normal: Normal, send: Send) -> None:
        q = dns.message.from_wire(query)
        if not q.question[0].name.is_subdomain(owner):
            await _send_normal(transport, send, normal(query))
            return
        response = dns.message.make_response(q)
        hosts = [f"ns{n}.{zone}" for n in range(1, len(servers) + 1)]
        response.authority.append(dns.rrset.from_text_list(owner, TTL, "IN", "NS", hosts))
        for host, address in zip(hosts, servers, strict=True):
            response.additional.append(dns.rrset.from_text(host, TTL, "IN", "A", address))
        await _send_normal(transport, send, response.to_wire())

    return fault


# --- serving ----------------------------------------------------------------------------


class HostileTree:
    """Every server of ``plan`` on its loopback address, port 53, with ``faults``."""

    def __init__(self, plan: LabPlan, faults: Mapping[str, Fault] | None = None) -> None:
        self.plan = plan
        self.faults = dict(faults or {})
        zones = load_zones(plan.servers)
        self._answers: dict[str, EmbeddedServer] = {}
        for server in plan.servers:
            copies = [zones[(z.origin, z.text)] for z in server.zones]
            authority = Authority(copies, AnswerOptions())
            self._answers[str(server.address)] = EmbeddedServer(server, authority)
        self.servers: list[HostileServer] = []

    def _scripts(self, server: LabServer) -> HostileServer:
        address = str(server.address)
        embedded = self._answers[address]
        fault = self.faults.get(address)

        def normal_udp(wire: bytes) -> bytes | None:
            return embedded.answer(wire, "udp")

        def normal_tcp(wire: bytes) -> bytes | None:
            return embedded.answer(wire, "tcp")

        async def udp(query: bytes, reply: Callable[[bytes], None]) -> None:
            async def send(data: bytes) -> None:
                reply(data)

            if fault is None:
                await _send_normal("udp", send, normal_udp(query))
            else:
                await fault(query, "udp", normal_udp, send)

        async def tcp(query: bytes, writer: asyncio.StreamWriter) -> None:
            async def send(data: bytes) -> None:
                writer.write(data)
                await writer.drain()

            if fault is None:
                await _send_normal("tcp", send, normal_tcp(query))
            else:
                await fault(query, "tcp", normal_tcp, send)

        return HostileServer(udp, tcp, host=server.address.ip, port=53)

    async def __aenter__(self) -> HostileTree:
        try:
            for server in self.plan.servers:
                hostile = self._scripts(server)
                await hostile.__aenter__()
                self.servers.append(hostile)
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for server in self.servers:
            await server.__aexit__(None, None, None)
        self.servers = []

    def server(self, address: str) -> HostileServer:
        """The running server at ``address``."""
        return next(s for s in self.servers if s.host == address)


async def probe(tree: HostileTree, name: str, limits: Limits, types: Sequence[str] = ()) -> Capture:
    """``dnssec-doctor probe NAME`` against the tree (real sockets), as a capture."""
    plan = tree.plan
    request = ProbeRequest(
        name=dns.name.from_text(name),
        root_hints=plan.root_hints,
        trust_anchors=anchors_from_lines(plan.trust_anchor_ds),
        seed="hostile",
        limits=limits,
        extra_types=tuple(types),
    )
    client = Client(SocketWire(), limits=limits, policy=AddressPolicy.permissive())
    await collect(client, request)
    return Capture(
        name=name,
        created="",
        root_hints=[str(a) for a in plan.root_hints],
        trust_anchors=list(plan.trust_anchor_ds),
        seed="hostile",
        types=list(types),
        exchanges=client.exchanges,
        limits=limits_to_dict(limits),
    )


def check(
    plan: LabPlan,
    name: str,
    faults: Mapping[str, Fault] | None = None,
    limits: Limits | None = None,
    types: Sequence[str] = (),
) -> tuple[Diagnosis, Capture, dict[str, HostileServer]]:
    """Serve the tree with ``faults``, probe ``name`` and diagnose it (via its capture).

    Also returns the servers by address, with what they saw.
    """
    limits = limits or Limits(query_timeout=1.0, retries=0, deadline=30)

    async def run() -> tuple[Capture, dict[str, HostileServer]]:
        async with HostileTree(plan, faults) as tree:
            capture = await asyncio.wait_for(
                probe(tree, name, limits, types), timeout=limits.deadline + 10
            )
            return capture, {s.host: s for s in tree.servers}

    capture, servers = asyncio.run(run())
    return diagnose_capture(capture, LAB_NOW), capture, servers


class BackgroundTree:
    """The tree served from a daemon thread (for runs of the CLI in another process)."""

    def __init__(self, plan: LabPlan, faults: Mapping[str, Fault] | None = None) -> None:
        self.tree = HostileTree(plan, faults)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> BackgroundTree:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.tree.__aenter__(), self._loop).result(timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        future = asyncio.run_coroutine_threadsafe(self.tree.__aexit__(None, None, None), self._loop)
        future.result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def anchor_file(self, directory: Path) -> Path:
        """The root DS as a ``--trust-anchor`` file."""
        path = directory / "hostile-anchor.ds"
        path.write_text("\n".join(self.tree.plan.trust_anchor_ds) + "\n", encoding="utf-8")
        return path

    @property
    def root_hints(self) -> str:
        """The root hints as a ``--root-hints`` value."""
        return ",".join(str(a) for a in self.tree.plan.root_hints)
