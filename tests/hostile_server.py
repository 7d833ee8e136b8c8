"""A DNS server on loopback whose every reply is scripted by the test.

UDP and TCP listen on the same ephemeral port of 127.0.0.1. A UDP script gets
each query's bytes and a ``send`` function (it may send nothing, garbage,
several datagrams, late); a TCP script gets each framed query and the stream
writer (it may stay silent, send half, close, or reset). The server counts
what it saw, including how many scripts ran at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Literal, cast

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rrset

from dnssec_doctor.addresses import ServerAddress

Transport = Literal["udp", "tcp"]
UdpScript = Callable[[bytes, Callable[[bytes], None]], Awaitable[None]]
TcpScript = Callable[[bytes, asyncio.StreamWriter], Awaitable[None]]


def answer(
    query: bytes,
    *,
    query_id: int | None = None,
    qname: str | None = None,
    tc: bool = False,
    qr: bool = True,
    address: str = "192.0.2.1",
    rcode: dns.rcode.Rcode = dns.rcode.NOERROR,
) -> bytes:
    """A response to ``query``, optionally wrong in the ways a test needs."""
    msg = dns.message.from_wire(query)
    response = dns.message.make_response(msg)
    question = msg.question[0]
    if qname is not None:
        response.question = [
            dns.rrset.RRset(dns.name.from_text(qname), question.rdclass, question.rdtype)
        ]
    if query_id is not None:
        response.id = query_id
    response.set_rcode(rcode)
    if tc:
        response.flags |= dns.flags.TC
    elif rcode == dns.rcode.NOERROR:
        response.answer.append(
            dns.rrset.from_text(response.question[0].name, 300, "IN", "A", address)
        )
    if not qr:
        response.flags &= ~dns.flags.QR
    return response.to_wire()


def query_id(query: bytes) -> int:
    """The ID of a query in wire format."""
    return int.from_bytes(query[:2], "big")


def frame(message: bytes) -> bytes:
    """``message`` with its two-byte TCP length prefix (RFC 1035 §4.2.2)."""
    return len(message).to_bytes(2, "big") + message


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST instead of a FIN (SO_LINGER with zero timeout)."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def answer_udp(query: bytes, send: Callable[[bytes], None]) -> None:
    """The well-behaved UDP script."""
    send(answer(query))


async def answer_tcp(query: bytes, writer: asyncio.StreamWriter) -> None:
    """The well-behaved TCP script."""
    writer.write(frame(answer(query)))
    await writer.drain()


async def silent_udp(query: bytes, send: Callable[[bytes], None]) -> None:
    """Never answers."""


class _UdpServer(asyncio.DatagramProtocol):
    def __init__(self, owner: HostileServer) -> None:
        self.owner = owner
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        def send(reply: bytes) -> None:
            if self.transport is not None and not self.transport.is_closing():
                self.transport.sendto(reply, addr)

        self.owner.udp_queries.append(data)
        self.owner.spawn(lambda: self.owner.udp_script(data, send))


class HostileServer:
    """Scripted UDP+TCP server on 127.0.0.1; use as ``async with``."""

    def __init__(
        self,
        udp: UdpScript = answer_udp,
        tcp: TcpScript = answer_tcp,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.udp_script = udp
        self.tcp_script = tcp
        self.host = host
        self.wanted_port = port
        """0: any free port (the same for UDP and TCP); else exactly this one."""
        self.udp_queries: list[bytes] = []
        self.tcp_queries: list[bytes] = []
        self.tcp_connections = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.port = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None

    @property
    def address(self) -> ServerAddress:
        """Where the server listens."""
        return ServerAddress(self.host, self.port)

    def spawn(self, script: Callable[[], Awaitable[None]]) -> None:
        """Run one script invocation, counting how many run at once.

        The script's coroutine is made only when the task runs: a task cancelled
        before it started (the server closing) then leaves no coroutine unawaited.
        """

        async def run() -> None:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await script()
            finally:
                self.in_flight -= 1

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def __aenter__(self) -> HostileServer:
        loop = asyncio.get_running_loop()
        for _ in range(20 if self.wanted_port == 0 else 1):
            udp, _protocol = await loop.create_datagram_endpoint(
                lambda: _UdpServer(self), local_addr=(self.host, self.wanted_port)
            )
            port = udp.get_extra_info("sockname")[1]
            try:
                self._tcp = await asyncio.start_server(
                    self._serve_tcp, self.host, port, reuse_address=True
                )
            except OSError:
                udp.close()  # the TCP port is taken: try another pair
                if self.wanted_port:
                    raise
                continue
            self._udp, self.port = udp, port
            return self
        raise RuntimeError("no free UDP+TCP port pair on loopback")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            # Python 3.12+ waits for open connections here; ours may hang.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._tcp.wait_closed(), 1.0)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.tcp_connections += 1
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)  # so that __aexit__ can cancel a stalled script
        try:
            while True:
                length = int.from_bytes(await reader.readexactly(2), "big")
                query = await reader.readexactly(length)
                self.tcp_queries.append(query)
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
                try:
                    await self.tcp_script(query, writer)
                finally:
                    self.in_flight -= 1
                if writer.is_closing():
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        except asyncio.CancelledError:
            # Stopped by __aexit__ (a stalled script): end quietly, since asyncio logs a
            # cancelled connection handler as an error.
            return
        finally:
            if task is not None:
                self._tasks.discard(task)
            writer.close()


def closed_port() -> int:
    """A loopback port with nothing listening (UDP and TCP) right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        tcp.bind(("127.0.0.1", 0))
        port: int = tcp.getsockname()[1]
    return port
