"""Root causes first: link findings that are consequences of another finding.

A server that serves the unsigned zone makes every RRset it sends look
unsigned; a dead server makes every query to it fail; a server that still
serves an old copy of the zone (an older SOA serial, or the same serial with
other content: the guide's "serial not incremented when the zone was signed")
explains every way its answers differ from the other servers'. The consequence
keeps its evidence but points to its cause (``caused_by``) so reports lead
with the cause, and a cause is as severe as the worst thing it leads to.
"""

from __future__ import annotations

from dataclasses import replace

from dnssec_doctor.model.findings import Finding

SERVER_FAULTS = (
    "AUTH_UDP_UNREACHABLE",
    "AUTH_TCP_UNREACHABLE",
    "LAME_OR_NOT_AUTHORITATIVE",
    "EDNS_QUERIES_DROPPED",
    "LARGE_UDP_RESPONSE_LOST",
    "SOA_SERIAL_DIVERGENT",
    "SOA_SERIAL_NOT_INCREMENTED",
    "SECONDARY_SERVES_UNSIGNED",
    "DNSSEC_RECORDS_NOT_RETURNED",
    "MALFORMED_RESPONSE",
    "NSEC_NSEC3_MIXED",
)
"""Findings that name a misbehaving server, most basic first: what goes wrong on it
follows from them, and a fault is only ever explained by one earlier in this list."""

STALE_COPY = frozenset({"SOA_SERIAL_DIVERGENT", "SOA_SERIAL_NOT_INCREMENTED"})
"""Faults that mean a server serves another copy of the zone (RFC 1996, RFC 5936)."""

CONSEQUENCES = frozenset(
    {
        "RRSIG_MISSING",
        "RRSIG_MISSING_FOR_ALGORITHM",
        "RRSIG_KEY_NOT_FOUND",
        "RRSIG_EXPIRED",
        "NEGATIVE_PROOF_MISSING",
        "NSEC_PROOF_INVALID",
        "NSEC3_PROOF_INVALID",
        "DNSKEY_MISSING_ON_SOME_SERVERS",
        "DNSSEC_DATA_INCONSISTENT",
        "NSEC3_PARAMS_INCONSISTENT",
        "NSEC_NSEC3_MIXED",
        "SOA_SERIAL_DIVERGENT",
        "LAME_OR_NOT_AUTHORITATIVE",
        "DNSSEC_RECORDS_NOT_RETURNED",
        "SECONDARY_SERVES_UNSIGNED",
        "AUTH_TCP_UNREACHABLE",
    }
)
"""Findings that can follow from a server fault on the servers they name."""

CROSS_SERVER = frozenset(
    {
        "NSEC_NSEC3_MIXED",
        "DNSSEC_DATA_INCONSISTENT",
        "NSEC3_PARAMS_INCONSISTENT",
        "DNSKEY_MISSING_ON_SOME_SERVERS",
    }
)
"""Differences between servers: they may name both sides of the difference, so a stale
copy explains them when it is on one side and every server named served a serial."""


def link_causes(findings: list[Finding]) -> list[Finding]:
    """Point consequences at the server fault that explains them (same zone, same servers),
    then raise each root cause to the severity of the worst finding it leads to."""
    out: list[Finding] = []
    for original in findings:
        f = original
        if f.code in CONSEQUENCES and f.servers:
            # A fault can only be caused by a more basic fault (earlier in the list): no cycles.
            rank = SERVER_FAULTS.index(f.code) if f.code in SERVER_FAULTS else len(SERVER_FAULTS)
            causes = [
                cause
                for cause_code in SERVER_FAULTS[:rank]
                if (cause := _covering(findings, f, cause_code)) is not None
                and f.key not in cause.caused_by
            ]
            if causes:
                f = f.with_cause(*_most_basic(causes))
        out.append(f)
    return raise_to_chain(out)


def _most_basic(causes: list[Finding]) -> list[str]:
    """The first cause found, or every stale copy found: a difference between servers
    may follow from an older serial on one of them and an unchanged serial on others."""
    stale = [c.key for c in causes if c.code in STALE_COPY]
    if stale and causes[0].code in STALE_COPY:
        return stale
    return [causes[0].key]


def _covering(findings: list[Finding], f: Finding, code: str) -> Finding | None:
    for c in findings:
        if c.code != code or c.zone != f.zone or not c.servers:
            continue
        if set(f.servers) <= set(c.servers):
            return c
        if (
            code in STALE_COPY
            and f.code in CROSS_SERVER
            and set(f.servers) & set(c.servers)
            and set(f.servers) <= set(c.servers) | set(c.servers_ok)
        ):
            return c
    return None


def raise_to_chain(findings: list[Finding]) -> list[Finding]:
    """Each root cause at the severity of its whole chain (itself and everything it leads
    to, transitively): a stale secondary that makes keys go missing is an error, not the
    warning a stale secondary alone would be."""
    by_key = {f.key: f for f in findings}
    worst = {f.key: f.severity for f in findings}
    for f in findings:
        for root in _roots_of(f, by_key, set()):
            worst[root] = max(worst[root], f.severity)
    return [
        replace(f, severity=worst[f.key]) if f.is_root_cause and worst[f.key] > f.severity else f
        for f in findings
    ]


def _roots_of(f: Finding, by_key: dict[str, Finding], seen: set[str]) -> set[str]:
    """The keys of the root causes ``f`` follows from (``f`` itself when it is one)."""
    if f.key in seen:
        return set()
    seen.add(f.key)
    parents = [by_key[k] for k in f.caused_by if k in by_key]
    if not parents:
        return {f.key}
    return set().union(*(_roots_of(p, by_key, seen) for p in parents))
