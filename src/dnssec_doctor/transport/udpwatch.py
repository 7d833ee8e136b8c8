"""Watching many short-lived UDP sockets for readability with one event-loop reader.

Every attempt has a socket of its own (a fresh port, RFC 5452 §9), so a scan adds
and removes a socket to the event loop's selector for each of its queries. Through
``loop.add_reader`` that is several dictionary look-ups that fail with an exception,
a selector key and a handle each way: about a tenth of a scan's probing CPU. Here the
sockets go into one ``epoll`` set of our own (Linux), which the loop watches as one
descriptor: adding or removing a socket is one system call and a dictionary entry.

The set is level-triggered like the loop's own: a socket that still holds a datagram
after its callback ran is reported again on the loop's next pass. Where ``epoll`` is
missing, sockets are given to ``loop.add_reader`` one by one, as before.
"""

from __future__ import annotations

import asyncio
import select
import weakref
from collections.abc import Callable

# Readiness events handled per wake-up of the loop (more are handled on its next pass).
_EVENTS_PER_WAKEUP = 256


class _EpollSet:
    """The sockets of one event loop that wait for a datagram, in one epoll set."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._epoll = select.epoll()
        self._callbacks: dict[int, Callable[[], None]] = {}
        loop.add_reader(self._epoll.fileno(), self._ready)

    def add(self, fd: int, callback: Callable[[], None]) -> None:
        self._epoll.register(fd, select.EPOLLIN)
        self._callbacks[fd] = callback

    def remove(self, fd: int) -> None:
        """Stop watching ``fd`` (before it is closed); the last one closes the set."""
        del self._callbacks[fd]
        self._epoll.unregister(fd)
        if not self._callbacks:
            # Idle: give the descriptor back rather than hold it for the loop's lifetime
            # (a loop may end without a word to us: ``asyncio.run`` per check).
            self._loop.remove_reader(self._epoll.fileno())
            self._epoll.close()
            del _SETS[self._loop]

    def _ready(self) -> None:
        # An error (ICMP port unreachable) is an event too: the callback's read reports it.
        for fd, _ in self._epoll.poll(0, _EVENTS_PER_WAKEUP):
            callback = self._callbacks.get(fd)
            if callback is not None:
                callback()


_Loop = asyncio.AbstractEventLoop
_SETS: weakref.WeakKeyDictionary[_Loop, _EpollSet] = weakref.WeakKeyDictionary()


def watch(loop: asyncio.AbstractEventLoop, fd: int, callback: Callable[[], None]) -> None:
    """Call ``callback`` in ``loop`` whenever ``fd`` is readable (or has an error),
    until :func:`unwatch`."""
    if not hasattr(select, "epoll"):
        loop.add_reader(fd, callback)
        return
    watched = _SETS.get(loop)
    if watched is None:
        watched = _SETS[loop] = _EpollSet(loop)
    watched.add(fd, callback)


def unwatch(loop: asyncio.AbstractEventLoop, fd: int) -> None:
    """Stop calling back for ``fd``; call it before the socket is closed."""
    if not hasattr(select, "epoll"):
        loop.remove_reader(fd)
        return
    _SETS[loop].remove(fd)
