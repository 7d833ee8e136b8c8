"""udpwatch: many short-lived UDP sockets watched through one event-loop reader."""

from __future__ import annotations

import asyncio
import socket

import pytest

from dnssec_doctor.transport import udpwatch

pytestmark = [pytest.mark.timeout(20)]


def pair() -> tuple[socket.socket, socket.socket]:
    """A receiving socket and a sender connected to it, on loopback."""
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.setblocking(False)
    receiver.bind(("127.0.0.1", 0))
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.connect(receiver.getsockname())
    return receiver, sender


@pytest.mark.asyncio
async def test_each_socket_s_datagrams_reach_its_own_callback() -> None:
    loop = asyncio.get_running_loop()
    got: dict[int, list[bytes]] = {}
    sockets = [pair() for _ in range(20)]
    done = asyncio.Event()

    def reader(number: int, receiver: socket.socket) -> None:
        got.setdefault(number, []).append(receiver.recv(100))
        if sum(len(v) for v in got.values()) == 40:
            done.set()

    try:
        for number, (receiver, _) in enumerate(sockets):
            udpwatch.watch(loop, receiver.fileno(), lambda n=number, r=receiver: reader(n, r))
        for number, (_, sender) in enumerate(sockets):
            sender.send(b"first %d" % number)
            sender.send(b"second %d" % number)
        await asyncio.wait_for(done.wait(), 5)
        # One datagram per call: the second came on a later pass (level-triggered).
        assert got == {n: [b"first %d" % n, b"second %d" % n] for n in range(20)}
    finally:
        for receiver, sender in sockets:
            udpwatch.unwatch(loop, receiver.fileno())
            receiver.close()
            sender.close()
    # The last socket gone, the set is closed and the loop watches nothing of ours.
    assert loop not in udpwatch._SETS


@pytest.mark.asyncio
async def test_an_unwatched_socket_is_not_called_back() -> None:
    loop = asyncio.get_running_loop()
    keep, keep_sender = pair()
    gone, gone_sender = pair()
    calls: list[str] = []
    udpwatch.watch(loop, keep.fileno(), lambda: calls.append(keep.recv(100).decode()))
    udpwatch.watch(loop, gone.fileno(), lambda: calls.append("gone"))
    udpwatch.unwatch(loop, gone.fileno())
    gone_sender.send(b"ignored")
    keep_sender.send(b"kept")
    for _ in range(50):
        await asyncio.sleep(0.01)
        if calls:
            break
    udpwatch.unwatch(loop, keep.fileno())
    for s in (keep, keep_sender, gone, gone_sender):
        s.close()
    assert calls == ["kept"]


def test_a_new_loop_gets_a_set_of_its_own() -> None:
    # asyncio.run per check: nothing may leak from one loop into the next.
    async def one_datagram() -> bytes:
        loop = asyncio.get_running_loop()
        receiver, sender = pair()
        arrived: asyncio.Future[bytes] = loop.create_future()
        udpwatch.watch(loop, receiver.fileno(), lambda: arrived.set_result(receiver.recv(9)))
        sender.send(b"hello")
        try:
            return await asyncio.wait_for(arrived, 5)
        finally:
            udpwatch.unwatch(loop, receiver.fileno())
            receiver.close()
            sender.close()

    assert asyncio.run(one_datagram()) == b"hello"
    assert asyncio.run(one_datagram()) == b"hello"
    assert not udpwatch._SETS
