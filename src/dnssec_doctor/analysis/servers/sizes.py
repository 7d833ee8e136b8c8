"""The UDP size ladder: which answer sizes get through from a server, and which do not.

The probes ask the same large answers (DNSKEY with DO, an NXDOMAIN with its
proof) with buffers of 512, 1232, 1400 and 4096 bytes. An answer that arrives at
a small buffer (whole, or truncated with TC=1) but never at a larger one is lost
on the path: a firewall limiting DNS over UDP to 512 bytes, or dropped IP
fragments (RFC 6891 §6.2.5; RFC 8085 §3.2). Answers above 1232 bytes are a
risk even where they arrive (DNS flag day 2020).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import dns.rcode

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.capture import NOT_IN_CAPTURE, Exchange
from dnssec_doctor.model.findings import Finding, JsonValue
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.model.survey import QueryKey, ZoneCut
from dnssec_doctor.model.variants import SIZES, STANDARD_SIZE, TCP, size_variant

SAFE_UDP_SIZE = 1232
"""The UDP answer size that avoids IP fragmentation on nearly every path (DNS flag day 2020)."""

Rung = Literal["full", "truncated", "lost", "other"]
_OK_RCODES = (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)


def exchange_of(
    cut: ZoneCut, server: str, qname: str, qtype: str, variant: str = ""
) -> Exchange | None:
    """The child-side exchange of one server for one query and variant, if asked.

    A capture made by an older version lacks some probes; replayed, they come back
    as ``not in capture`` timeouts, which say nothing about the server.
    """
    exchange = cut.queries.get(QueryKey("child", server, qname, qtype, variant))
    if exchange is None or exchange.error == NOT_IN_CAPTURE:
        return None
    return exchange


def answered_ok(exchange: Exchange | None) -> bool:
    """True when the exchange holds a NOERROR or NXDOMAIN response."""
    msg = None if exchange is None else exchange.message()
    return msg is not None and msg.rcode() in _OK_RCODES


def how_it_ended(exchange: Exchange | None) -> str:
    """How a probe ended, for reports: ``timed out`` or ``answered FORMERR``."""
    if exchange is None:
        return "was not asked"
    msg = exchange.message()
    if msg is not None:
        return f"answered {dns.rcode.to_text(msg.rcode())}"
    return {
        "timeout": "timed out",
        "refused": "was refused (port unreachable)",
        "reset": "had its connection reset",
        "malformed": "got an unparseable answer",
    }.get(exchange.outcome, f"failed ({exchange.outcome})")


def rung(exchange: Exchange | None) -> Rung | None:
    """What became of one rung's UDP answer (None: not asked)."""
    if exchange is None or exchange.outcome in ("policy", "budget"):
        return None
    if exchange.transport == "tcp" and not exchange.query.tcp:
        return "truncated"  # the UDP answer came with TC=1; TCP was tried next
    if exchange.outcome == "response":
        return "full"
    if exchange.outcome in ("timeout", "refused", "reset", "error"):
        return "lost"
    return "other"


def ladder(cut: ZoneCut, server: str, qname: str, qtype: str) -> dict[int, Exchange]:
    """Buffer size → the exchange of that rung, for one server and query."""
    sizes = SIZES if qtype != "SOA" else (512, STANDARD_SIZE)
    found: dict[int, Exchange] = {}
    for size in sizes:
        variant = "" if qtype == "SOA" and size == STANDARD_SIZE else size_variant(size)
        exchange = exchange_of(cut, server, qname, qtype, variant)
        if exchange is not None:
            found[size] = exchange
    return found


def full_size(cut: ZoneCut, qname: str, qtype: str) -> tuple[int, str] | None:
    """The largest complete DO answer any server gave for the query, and that server."""
    best: tuple[int, str] | None = None
    for key, exchange in cut.queries.items():
        if key.side != "child" or key.qname != qname or key.qtype != qtype:
            continue
        if key.variant not in ("", *(size_variant(s) for s in SIZES)):
            continue
        if exchange.outcome != "response" or exchange.wire is None:
            continue
        if best is None or len(exchange.wire) > best[0]:
            best = (len(exchange.wire), key.server)
    return best


def largest_udp(cut: ZoneCut, server: str) -> int:
    """The largest UDP answer that arrived from ``server`` (0 when none did)."""
    sizes = [
        len(e.wire)
        for k, e in cut.queries.items()
        if k.server == server and e.transport == "udp" and e.outcome == "response" and e.wire
    ]
    return max(sizes, default=0)


@dataclass(frozen=True, slots=True)
class SizeLoss:
    """Large answers lost on the way from one server: what to say, and how bad."""

    line: str
    evidence: dict[str, JsonValue]
    severity: Severity


def size_losses(cut: ZoneCut, server: str, nxname: str) -> SizeLoss | None:
    """The answers from ``server`` that arrive at small buffer sizes but are lost at larger
    ones, said in one paragraph (None when every size that was tried got through)."""
    queries = [(cut.zone, "DNSKEY", "DNSKEY answer"), (cut.zone, "SOA", "SOA answer")]
    if nxname:
        queries.append((nxname, "A", "negative (NXDOMAIN) answer"))
    # (lost sizes, arrived sizes, truncated sizes, how the TCP retry ended) → answers
    groups: dict[tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], str], list[str]] = {}
    evidence: dict[str, JsonValue] = {}
    for qname, qtype, label in queries:
        steps = ladder(cut, server, qname, qtype)
        rungs = {size: rung(e) for size, e in steps.items()}
        arrived = tuple(sorted(s for s, r in rungs.items() if r in ("full", "truncated")))
        lost = tuple(sorted(s for s, r in rungs.items() if r == "lost"))
        if not lost or not arrived or max(lost) < min(arrived):
            continue
        truncated = tuple(s for s in arrived if rungs[s] == "truncated")
        retry = ""
        if truncated:
            last = steps[truncated[0]]
            retry = "worked" if last.outcome == "response" else how_it_ended(last)
        size = full_size(cut, qname, qtype)
        groups.setdefault((lost, arrived, truncated, retry), []).append(
            f"the {label} ({size[0]} bytes from {size[1]})" if size else f"the {label}"
        )
        evidence[f"{qname} {qtype}"] = {str(s): r for s, r in sorted(rungs.items())}
    if not groups:
        return None
    largest = largest_udp(cut, server)
    tcp_ok = answered_ok(exchange_of(cut, server, cut.zone, "SOA", TCP))
    sentences = []
    for (lost, arrived, truncated, retry), answers in groups.items():
        text = (
            f"{_and(answers)} never arrived over UDP with a buffer of {_or(lost)} bytes, "
            f"but did with {_or(arrived)} bytes"
        )
        if truncated:
            text += f" (truncated, TC=1, at {_or(truncated)} bytes; the TCP retry " + (
                "worked)" if retry == "answered NOERROR" else f"{retry})"
            )
        sentences.append(text[0].upper() + text[1:] + ".")
    if largest:
        sentences.append(
            f"Answers above about {largest} bytes (the largest that arrived from this server) "
            "are lost on the way."
        )
    if not tcp_ok:
        sentences.append("TCP/53 fails too, so resolvers cannot fetch these answers at all.")
    evidence["largest_udp_answer"] = largest
    evidence["tcp"] = "works" if tcp_ok else "fails"
    return SizeLoss(" ".join(sentences), evidence, Severity.WARNING if tcp_ok else Severity.ERROR)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _or(sizes: tuple[int, ...]) -> str:
    words = [str(s) for s in sizes]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def size_risk_findings(cut: ZoneCut, nxname: str) -> list[Finding]:
    """RESPONSE_SIZE_RISK for DNSKEY and negative answers above 1232 bytes."""
    out: list[Finding] = []
    for qname, qtype, subject in ((cut.zone, "DNSKEY", "DNSKEY"), (nxname, "A", "negative")):
        size = full_size(cut, qname, qtype) if qname else None
        if size is None or size[0] <= SAFE_UDP_SIZE:
            continue
        out.append(
            catalog.finding(
                Code.RESPONSE_SIZE_RISK,
                zone=cut.zone,
                subject=subject,
                says=subject,
                params={
                    "zone": cut.zone,
                    "bytes": size[0],
                    "server": size[1],
                    "safe": SAFE_UDP_SIZE,
                },
                evidence={"bytes": size[0], "server": size[1], "query": f"{qname} {qtype}"},
            )
        )
    return out
