"""The real wire: one DNS query over UDP or TCP with asyncio sockets.

This is the only module that opens sockets. Every attempt uses its own socket
(a fresh ephemeral port) and a random ID from :mod:`secrets`, so a late answer
to an earlier attempt can never be taken for the answer to this one (RFC 5452
§9). Whatever arrives that is not an acceptable answer is kept as evidence in
``Exchange.stray`` and the wait goes on until the real answer or the timeout:
a spoofer or a broken middlebox must not be able to end the wait.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import secrets
import socket
import time
from typing import Literal

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.rcode

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import Exchange, Outcome
from dnssec_doctor.model.mismatch import MISMATCH_KINDS, Question, answer_mismatch
from dnssec_doctor.model.query import QuerySpec, QueryWire
from dnssec_doctor.transport import udpwatch

# Larger than any UDP payload: a datagram is read whole, never cut.
_MAX_DATAGRAM = 65535
# Datagrams read from one socket per event-loop pass.
_READS_PER_WAKEUP = 64
# Non-blocking from the start where the system can (Linux): one system call less.
_NONBLOCK: int = getattr(socket, "SOCK_NONBLOCK", 0)
# Rejected messages kept per attempt: enough evidence, bounded memory when a
# hostile server floods the socket (the rest are only counted).
MAX_STRAY = 32


class SocketWire:
    """Sends queries over real UDP/TCP sockets (implements ``base.Wire``).

    ``t0`` is the moment ``Exchange.started`` counts from (``time.monotonic``
    seconds); by default the moment this object was made.
    """

    def __init__(self, *, t0: float | None = None) -> None:
        self._t0 = time.monotonic() if t0 is None else t0

    async def send(
        self,
        server: ServerAddress,
        spec: QuerySpec,
        transport: Literal["udp", "tcp"],
        timeout: float,
    ) -> Exchange:
        """One attempt of ``spec`` to ``server``; network trouble is an outcome."""
        started = time.monotonic()
        query_id = secrets.randbelow(65536)
        attempt = _Attempt(server, spec, transport, query_id, started - self._t0)
        try:
            template = _query_template(spec)
        except (dns.exception.DNSException, ValueError) as exc:
            return attempt.done("error", f"cannot build the query: {exc}", started)
        wire = template.with_id(query_id)
        try:
            if transport == "tcp":
                return await _send_tcp(attempt, template.question, wire, timeout, started)
            return await _send_udp(attempt, template.question, wire, timeout, started)
        except OSError as exc:
            return attempt.done("error", f"socket error: {exc.strerror or exc}", started)


@functools.lru_cache(maxsize=1024)
def _query_template(spec: QuerySpec) -> QueryWire:
    # A check asks the same question of every server of a zone, several times over:
    # encoding it once per question, not per attempt, saves CPU time that on a fast
    # network is wall time.
    return spec.to_wire(0)


def _mismatch(attempt: _Attempt, question: Question, data: bytes) -> str | None:
    """``mismatch`` of ``data`` and this attempt's query (opcode QUERY: all we send)."""
    return answer_mismatch(attempt.query_id, dns.opcode.QUERY, [question], data)


class _Attempt:
    """What one attempt has gathered so far (strays, the accepted answer)."""

    def __init__(
        self,
        server: ServerAddress,
        spec: QuerySpec,
        transport: Literal["udp", "tcp"],
        query_id: int,
        offset: float,
    ) -> None:
        self.server = server
        self.spec = spec
        self.transport: Literal["udp", "tcp"] = transport
        self.query_id = query_id
        self.offset = offset
        self.stray: list[bytes] = []
        self.rejections: set[str] = set()
        self.rejected = 0

    def reject(self, data: bytes, reason: str) -> None:
        self.rejected += 1
        self.rejections.add(reason)
        if len(self.stray) < MAX_STRAY:
            self.stray.append(data)

    def done(
        self, outcome: Outcome, error: str, started: float, wire: bytes | None = None
    ) -> Exchange:
        if outcome not in ("response", "refused", "error") and self.stray:
            # Bytes came but none of them was an acceptable answer.
            reasons = ", ".join(MISMATCH_KINDS[r] for r in sorted(self.rejections))
            error = f"{error}; {self.rejected} unacceptable response(s): {reasons}"
            outcome = "malformed"
        return Exchange(
            server=str(self.server),
            query=self.spec,
            transport=self.transport,
            outcome=outcome,
            wire=wire,
            started=self.offset,
            elapsed=time.monotonic() - started,
            error=error,
            stray=tuple(self.stray),
            query_id=self.query_id,
        )


class _UdpInbox:
    """The datagrams (or socket errors) arriving on one attempt's socket, in order.

    A plain non-blocking socket watched by the event loop: half the CPU time per
    query of an asyncio datagram endpoint with a queue (a check sends about a
    hundred queries, and on a fast network CPU time is its wall time).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
        self._loop = loop
        self._sock = sock
        self._items: collections.deque[bytes | OSError] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        udpwatch.watch(loop, sock.fileno(), self._readable)

    def _readable(self) -> None:
        # Bounded: a flood must not keep the event loop in this callback forever
        # (the rest is read on the loop's next pass).
        for _ in range(_READS_PER_WAKEUP):
            try:
                self._items.append(self._sock.recv(_MAX_DATAGRAM))
            except BlockingIOError:
                break
            except OSError as exc:  # ICMP port unreachable arrives here, among others
                self._items.append(exc)
                break
            if self._waiter is not None:
                # Someone waits for this one (usually the answer, which ends the wait):
                # no read that fails for want of a next datagram. Any that follow are
                # read on the loop's next pass (the socket stays readable).
                break
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self, timeout: float) -> bytes | OSError | None:
        """The next datagram or error, or None when ``timeout`` seconds pass first."""
        if not self._items:
            waiter = self._loop.create_future()
            self._waiter = waiter
            timer = self._loop.call_later(timeout, _wake, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None
        return self._items.popleft() if self._items else None

    def close(self) -> None:
        """Stop watching the socket (the caller closes it)."""
        udpwatch.unwatch(self._loop, self._sock.fileno())


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


async def _send_udp(
    attempt: _Attempt,
    question: Question,
    wire: bytes,
    timeout: float,
    started: float,
) -> Exchange:
    family = socket.AF_INET6 if attempt.server.family_v6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM | _NONBLOCK) as sock:
        if not _NONBLOCK:
            sock.setblocking(False)
        # A connected socket: the kernel drops datagrams from other addresses and
        # reports ICMP port unreachable as ConnectionRefusedError.
        sock.connect((attempt.server.ip, attempt.server.port))
        inbox = _UdpInbox(asyncio.get_running_loop(), sock)
        try:
            sock.send(wire)
            deadline = started + timeout
            while True:
                remaining = deadline - time.monotonic()
                item = await inbox.next(remaining) if remaining > 0 else None
                if item is None:
                    return attempt.done("timeout", f"no answer within {timeout:g} s", started)
                if isinstance(item, ConnectionRefusedError):
                    return attempt.done("refused", "port unreachable (ICMP)", started)
                if isinstance(item, OSError):
                    return attempt.done("error", f"socket error: {item.strerror or item}", started)
                reason = _mismatch(attempt, question, item)
                if reason is None:
                    return attempt.done("response", "", started, wire=item)
                attempt.reject(item, reason)
        finally:
            inbox.close()


async def _send_tcp(
    attempt: _Attempt,
    question: Question,
    wire: bytes,
    timeout: float,
    started: float,
) -> Exchange:
    deadline = started + timeout
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(attempt.server.ip, attempt.server.port), timeout
        )
    except TimeoutError:
        return attempt.done("timeout", f"no TCP connection within {timeout:g} s", started)
    except ConnectionRefusedError:
        return attempt.done("refused", "TCP connection refused", started)
    try:
        # RFC 1035 §4.2.2 / RFC 7766 §8: a two-byte length before each message.
        writer.write(len(wire).to_bytes(2, "big") + wire)
        await writer.drain()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            data = await asyncio.wait_for(_read_framed(reader), remaining)
            reason = _mismatch(attempt, question, data)
            if reason is None:
                return attempt.done("response", "", started, wire=data)
            attempt.reject(data, reason)
    except TimeoutError:
        return attempt.done("timeout", f"no answer within {timeout:g} s", started)
    except asyncio.IncompleteReadError as exc:
        where = "before an answer" if not exc.partial else f"after {len(exc.partial)} bytes"
        return attempt.done("reset", f"connection closed {where}", started)
    except ConnectionError as exc:
        return attempt.done("reset", f"connection reset: {exc.strerror or exc}", started)
    finally:
        writer.close()
        # Bounded: a peer that never reads must not stall the close; a peer
        # that reset the connection leaves nothing to clean up.
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 1.0)


async def _read_framed(reader: asyncio.StreamReader) -> bytes:
    """One length-prefixed DNS message; readexactly copes with partial reads."""
    length = int.from_bytes(await reader.readexactly(2), "big")
    return await reader.readexactly(length)
