"""MALFORMED_RESPONSE: servers that answered with garbage or mismatched answers.

The transport keeps every datagram it rejected (``Exchange.stray``) and the
raw bytes of every answer; this module turns them into one finding per server
and zone, with counts by kind and the first bytes of an example as evidence.
Pure: it reads exchanges only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import dns.exception
import dns.message

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.capture import Exchange, parse_wire
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.mismatch import MISMATCH_KINDS, mismatch

_HEX_PREFIX = 48
"""Bytes of an example shown as evidence (a header and the start of a question)."""

_KINDS: dict[str, str] = {
    **MISMATCH_KINDS,
    # Acceptable in itself, yet not the answer taken (a hand-made capture).
    "duplicate": "repeating an answer",
}


@dataclass(slots=True)
class _Tally:
    queries: set[tuple[str, str, str]] = field(default_factory=set)
    kinds: Counter[str] = field(default_factory=Counter)
    no_answer: int = 0
    example: bytes | None = None


def malformed_findings(
    exchanges: Sequence[Exchange], zone_of: Callable[[Exchange], str]
) -> list[Finding]:
    """One MALFORMED_RESPONSE per (zone, server) that sent unacceptable data.

    Unacceptable (RFC 1035 §4.1.1, RFC 5452 §9.1): bytes that do not parse as
    a DNS message, or a message whose ID, question, opcode or QR bit does not
    match the query. ``zone_of`` names the zone an exchange was asked about.
    """
    tallies: dict[tuple[str, str], _Tally] = {}
    for exchange in exchanges:
        kinds = [_classify(exchange, data) for data in exchange.stray]
        examples = list(exchange.stray)
        if exchange.wire is not None and not _acceptable_answer(exchange.wire):
            kinds.append("unparseable")
            examples.append(exchange.wire)
        if not kinds:
            continue
        tally = tallies.setdefault((zone_of(exchange), exchange.server), _Tally())
        q = exchange.query
        tally.queries.add((q.qname, q.qtype, exchange.transport))
        tally.kinds.update(kinds)
        if exchange.outcome == "malformed":
            tally.no_answer += 1
        if tally.example is None:
            tally.example = examples[0]
    return [_finding(zone, server, tally) for (zone, server), tally in sorted(tallies.items())]


def _finding(zone: str, server: str, tally: _Tally) -> Finding:
    total = sum(tally.kinds.values())
    parts = ", ".join(f"{n} {_KINDS[kind]}" for kind, n in sorted(tally.kinds.items()))
    queries = len(tally.queries)
    example = tally.example or b""
    return catalog.finding(
        Code.MALFORMED_RESPONSE,
        zone=zone,
        says="unacceptable_no_answer" if tally.no_answer else "unacceptable",
        params={
            "server": server,
            "sent": total,
            "responses": "response" if total == 1 else "responses",
            "asked": queries,
            "queries": "query" if queries == 1 else "queries",
            "kinds": parts,
            **({"no_answer": tally.no_answer} if tally.no_answer else {}),
        },
        servers=(server,),
        subject=server,
        evidence={
            "server": server,
            "unacceptable": total,
            **{kind: tally.kinds.get(kind, 0) for kind in _KINDS},
            "queries": queries,
            "no_answer": tally.no_answer,
            "example_length": len(example),
            "example_hex": example[:_HEX_PREFIX].hex(),
        },
    )


def _classify(exchange: Exchange, data: bytes) -> str:
    """The kind of one rejected datagram, judged against the exchange's query."""
    try:
        query = exchange.query.to_message(exchange.query_id)
    except (dns.exception.DNSException, ValueError):
        return "unparseable"
    return mismatch(query, data) or "duplicate"


def _acceptable_answer(wire: bytes) -> bool:
    """True when an accepted answer parses (or is a TC=1 answer cut short)."""
    if len(wire) >= 4 and wire[2] & 0x02:
        return True  # truncated answers need only header and question
    return parse_wire(wire) is not None
