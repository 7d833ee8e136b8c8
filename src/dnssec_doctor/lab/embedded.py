"""The embedded lab backend: one asyncio UDP+TCP authoritative server per address.

Each ``LabServer`` of a plan gets its own listener pair on its address (port 0
picks a free port, the same for UDP and TCP) answering from
``lab.authority.Authority``, with the faults of ``lab.plan.FAULTS`` injected
on the wire: silence, REFUSED, dropped large UDP answers, dropped DO queries,
stripped denial proofs, closed TCP, delays.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import struct
from collections.abc import Sequence
from typing import Literal, cast

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab.authority import AnswerOptions, Authority
from dnssec_doctor.lab.plan import FAULTS, LabPlan, LabServer
from dnssec_doctor.lab.zonedata import ZoneData, load_zone

TCP_IDLE_SECONDS = 10.0
"""A TCP connection is closed after this long without a query (RFC 7766 §6.2.3)."""
DELAY_SECONDS = 0.05
CLASSIC_UDP_LIMIT = 512


def load_zones(servers: Sequence[LabServer]) -> dict[tuple[str, str], ZoneData]:
    """Parse every distinct zone copy once; DoctorError naming a zone that cannot load."""
    loaded: dict[tuple[str, str], ZoneData] = {}
    for server in servers:
        for served in server.zones:
            key = (served.origin, served.text)
            if key not in loaded:
                loaded[key] = load_zone(served.origin, served.text)
    return loaded


class EmbeddedServer:
    """One server address: a UDP endpoint and (unless faulted away) a TCP listener."""

    def __init__(self, server: LabServer, authority: Authority) -> None:
        unknown = set(server.faults) - set(FAULTS)
        if unknown:
            raise DoctorError(f"unknown lab fault(s) for {server.hostname}: {sorted(unknown)}")
        self.server = server
        self.authority = authority
        self.faults = frozenset(server.faults)
        self.address = server.address
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()

    async def start(self) -> ServerAddress:
        """Bind and listen; the address actually bound (port filled in when 0)."""
        attempts = 10 if self.server.address.port == 0 else 1
        for attempt in range(attempts):
            try:
                await self._bind()
                return self.address
            except OSError as error:
                await self.close()
                if error.errno != errno.EADDRINUSE or attempt == attempts - 1:
                    raise DoctorError(
                        f"cannot listen on {self.server.address} for {self.server.hostname}: "
                        f"{error.strerror or error}{_busy_hint(error, self.server.address)}"
                    ) from None
        raise AssertionError("unreachable")

    async def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        wanted = self.server.address
        family = socket.AF_INET6 if wanted.family_v6 else socket.AF_INET
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self), local_addr=(wanted.ip, wanted.port), family=family
        )
        self._udp = transport
        port = int(transport.get_extra_info("sockname")[1])
        self.address = ServerAddress(wanted.ip, port)
        if "no-tcp" not in self.faults:
            self._tcp = await asyncio.start_server(
                self._serve_tcp, host=wanted.ip, port=port, family=family, reuse_address=True
            )

    async def close(self) -> None:
        """Stop listening and close open TCP connections."""
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._tcp is not None:
            self._tcp.close()
            for writer in list(self._connections):
                writer.close()
            await self._tcp.wait_closed()
            self._tcp = None

    def answer(self, wire: bytes, transport: Literal["udp", "tcp"]) -> bytes | None:
        """The bytes to send back for one query, after the faults; None for silence."""
        if "timeout" in self.faults:
            return None
        if transport == "tcp" and "drop-udp-over-512" in self.faults:
            return None  # the old firewall blocks TCP/53 too: the client times out
        reply = self.authority.handle_wire(wire, transport)
        if reply.wire is None or ("drop-do" in self.faults and reply.do):
            return None
        if (
            transport == "udp"
            and "drop-udp-over-512" in self.faults
            and len(reply.wire) > CLASSIC_UDP_LIMIT
        ):
            return None
        return reply.wire

    @property
    def delay(self) -> float:
        """Seconds to wait before each answer."""
        return DELAY_SECONDS if "delay-50ms" in self.faults else 0.0

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Length-prefixed queries (RFC 1035 §4.2.2), several per connection (RFC 7766)."""
        self._connections.add(writer)
        try:
            while True:
                header = await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_SECONDS)
                (length,) = struct.unpack("!H", header)
                wire = await asyncio.wait_for(reader.readexactly(length), TCP_IDLE_SECONDS)
                answer = self.answer(wire, "tcp")
                if answer is None:
                    continue
                if self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(struct.pack("!H", len(answer)) + answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError, OSError):
            pass  # the client went away or fell idle
        finally:
            self._connections.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()


def _busy_hint(error: OSError, address: ServerAddress) -> str:
    """What to do when a fixed lab address is taken: usually another lab serves there."""
    if error.errno != errno.EADDRINUSE or address.port == 0:
        return ""
    return (
        f" (is a lab already running on {address.ip}? `dnssec-doctor lab down` stops the one"
        " `lab up` started; `--base PREFIX` of `lab up` or `demo` serves a lab on other addresses)"
    )


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's selector datagram transport does not subclass DatagramTransport
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        answer = self.server.answer(data, "udp")
        if answer is None or self.transport is None:
            return
        delay = self.server.delay
        if delay:
            asyncio.get_running_loop().call_later(delay, self._send, answer, addr)
        else:
            self._send(answer, addr)

    def _send(self, answer: bytes, addr: tuple[str | int, ...]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(answer, addr)

    def error_received(self, exc: Exception) -> None:
        pass  # ICMP errors for answers to vanished clients are not our problem


class EmbeddedLab:
    """All servers of a plan, started together and stopped together."""

    def __init__(self, plan: LabPlan) -> None:
        self.plan = plan
        self.servers: list[EmbeddedServer] = []

    async def start(self) -> None:
        """Load every zone, then bind every server; on any failure nothing stays bound."""
        zones = load_zones(self.plan.servers)
        servers = [
            EmbeddedServer(
                server,
                Authority(
                    [zones[(z.origin, z.text)] for z in server.zones],
                    AnswerOptions(
                        refuse_all="refused" in server.faults,
                        strip_denial="strip-denial" in server.faults,
                    ),
                ),
            )
            for server in self.plan.servers
        ]
        try:
            for server in servers:
                await server.start()
                self.servers.append(server)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Stop every server."""
        for server in self.servers:
            await server.close()
        self.servers = []

    def bound(self) -> dict[str, ServerAddress]:
        """Server hostname → address actually bound (differs from the plan for port 0)."""
        return {s.server.hostname: s.address for s in self.servers}

    async def __aenter__(self) -> EmbeddedLab:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
