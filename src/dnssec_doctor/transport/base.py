"""The transport interface: one attempt of one query to one server."""

from __future__ import annotations

from typing import Literal, Protocol

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.query import QuerySpec


class Wire(Protocol):
    """Sends one query over one transport and returns what happened.

    Implementations: real sockets (``transport.sockets``) and replay of a
    capture (``transport.replay``). Policy, budget, retries and the TC→TCP
    fallback live above this, in ``transport.client.Client``.
    """

    async def send(
        self,
        server: ServerAddress,
        spec: QuerySpec,
        transport: Literal["udp", "tcp"],
        timeout: float,
    ) -> Exchange:
        """One attempt; never raises for network trouble (it is an outcome)."""
        ...
