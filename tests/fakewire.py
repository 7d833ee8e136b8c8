"""A fake transport for unit tests of the walk: scripted authoritative servers, no sockets.

Each server address maps to a handler that turns a query message into a
response message (or None for silence). The exchanges carry real wire bytes,
so everything above the Wire is exercised as in a live run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import dns.flags
import dns.message
import dns.name
import dns.rrset

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.query import QuerySpec

Handler = Callable[[dns.message.Message], dns.message.Message | None]


class FakeWire:
    """Answers from handlers keyed by server address; counts what it was asked."""

    def __init__(self, handlers: dict[str, Handler]) -> None:
        self.handlers = handlers
        self.asked: list[tuple[str, str, str]] = []

    async def send(
        self,
        server: ServerAddress,
        spec: QuerySpec,
        transport: Literal["udp", "tcp"],
        timeout: float,
    ) -> Exchange:
        self.asked.append((str(server), spec.qname, spec.qtype))
        handler = self.handlers.get(str(server))
        query = spec.to_message(4242)
        response = handler(query) if handler is not None else None
        if response is None:
            return Exchange(str(server), spec, transport, "timeout", elapsed=timeout)
        return Exchange(
            str(server),
            spec,
            transport,
            "response",
            wire=response.to_wire(max_size=65535),
            query_id=4242,
        )


def referral(
    query: dns.message.Message, child: str, ns: list[str], glue: dict[str, str] | None = None
) -> dns.message.Message:
    """A referral to ``child`` with NS names and optional glue."""
    response = dns.message.make_response(query)
    response.flags &= ~dns.flags.AA
    response.authority.append(dns.rrset.from_text_list(child, 3600, "IN", "NS", ns))
    for host, address in (glue or {}).items():
        response.additional.append(dns.rrset.from_text(host, 3600, "IN", "A", address))
    return response


def authoritative(
    query: dns.message.Message, records: list[tuple[str, str, str]] | None = None
) -> dns.message.Message:
    """An AA answer with ``records`` (name, type, data), NODATA when there are none."""
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    for name, rdtype, data in records or []:
        response.answer.append(dns.rrset.from_text(name, 3600, "IN", rdtype, data))
    return response
