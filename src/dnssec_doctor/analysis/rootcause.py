"""Root causes first: link findings that are consequences of another finding.

A server that serves the unsigned zone makes every RRset it sends look
unsigned; a dead server makes every query to it fail. The consequence keeps
its evidence but points to its cause (``caused_by``) so reports lead with the
cause.
"""

from __future__ import annotations

from dnssec_doctor.findings import Finding

SERVER_FAULTS = (
    "AUTH_UDP_UNREACHABLE",
    "AUTH_TCP_UNREACHABLE",
    "LAME_OR_NOT_AUTHORITATIVE",
    "EDNS_QUERIES_DROPPED",
    "LARGE_UDP_RESPONSE_LOST",
    "DNSSEC_RECORDS_NOT_RETURNED",
    "SECONDARY_SERVES_UNSIGNED",
    "SOA_SERIAL_DIVERGENT",
    "SOA_SERIAL_NOT_INCREMENTED",
    "MALFORMED_RESPONSE",
    "NSEC_NSEC3_MIXED",
)
"""Findings that name a misbehaving server: what goes wrong on it follows from them."""

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
        "SOA_SERIAL_DIVERGENT",
        "LAME_OR_NOT_AUTHORITATIVE",
        "DNSSEC_RECORDS_NOT_RETURNED",
        "AUTH_TCP_UNREACHABLE",
    }
)


def link_causes(findings: list[Finding]) -> list[Finding]:
    """Point consequences at the server fault that explains them (same zone, same servers)."""
    out: list[Finding] = []
    for original in findings:
        f = original
        if f.code in CONSEQUENCES and f.servers:
            # A fault can only be caused by a more basic fault (earlier in the list): no cycles.
            rank = SERVER_FAULTS.index(f.code) if f.code in SERVER_FAULTS else len(SERVER_FAULTS)
            for cause_code in SERVER_FAULTS[:rank]:
                cause = _covering(findings, f, cause_code)
                if cause is not None and f.key not in cause.caused_by:
                    f = f.with_cause(cause.key)
                    break
        out.append(f)
    return out


def _covering(findings: list[Finding], f: Finding, code: str) -> Finding | None:
    for c in findings:
        if c.code == code and c.zone == f.zone and c.servers and set(f.servers) <= set(c.servers):
            return c
    return None
