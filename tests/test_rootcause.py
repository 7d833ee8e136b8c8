"""Root-cause linking (analysis/rootcause.py) on findings built by hand: which finding
explains which, and the severity a root cause takes from what it leads to."""

from __future__ import annotations

from typing import Any

from dnssec_doctor import catalog
from dnssec_doctor.analysis.rootcause import link_causes
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity

ZONE = "example.test."
A, B, C = "192.0.2.1", "192.0.2.2", "192.0.2.3"


def make(
    code: str, *servers: str, ok: tuple[str, ...] = (), zone: str = ZONE, **kw: Any
) -> Finding:
    return catalog.finding(code, zone=zone, detail=code, servers=servers, servers_ok=ok, **kw)


def by_code(findings: list[Finding]) -> dict[str, Finding]:
    return {f.code: f for f in findings}


def test_a_dead_server_explains_what_fails_on_it() -> None:
    dead = make("AUTH_UDP_UNREACHABLE", B, ok=(A,))
    missing = make("RRSIG_MISSING", B, ok=(A,))
    out = by_code(link_causes([missing, dead]))
    assert out["RRSIG_MISSING"].caused_by == (dead.key,)
    assert out["AUTH_UDP_UNREACHABLE"].is_root_cause


def test_a_fault_on_other_servers_explains_nothing() -> None:
    dead = make("AUTH_UDP_UNREACHABLE", B, ok=(A,))
    missing = make("RRSIG_MISSING", A, ok=(B,))
    other_zone = make("RRSIG_MISSING", B, zone="other.test.")
    out = link_causes([dead, missing, other_zone])
    assert all(f.is_root_cause for f in out)


def test_a_stale_copy_explains_a_difference_that_names_both_sides() -> None:
    """NSEC_NSEC3_MIXED names every server; the stale one is on one side of it."""
    stale = make("SOA_SERIAL_DIVERGENT", A, ok=(B,))
    mixed = make("NSEC_NSEC3_MIXED", A, B)
    out = by_code(link_causes([mixed, stale]))
    assert out["NSEC_NSEC3_MIXED"].caused_by == (stale.key,)
    # A server that served no serial at all is not explained by the stale copy.
    unexplained = make("NSEC_NSEC3_MIXED", A, C)
    assert link_causes([unexplained, stale])[0].is_root_cause


def test_the_same_serial_explains_the_unsigned_secondary_and_not_the_other_way() -> None:
    same = make("SOA_SERIAL_NOT_INCREMENTED", B, ok=(A,), subject="2027011501")
    unsigned = make("SECONDARY_SERVES_UNSIGNED", B, ok=(A,))
    out = by_code(link_causes([unsigned, same]))
    assert out["SECONDARY_SERVES_UNSIGNED"].caused_by == (same.key,)
    assert out["SOA_SERIAL_NOT_INCREMENTED"].is_root_cause


def test_a_root_cause_takes_the_severity_of_its_whole_chain() -> None:
    stale = make("SOA_SERIAL_DIVERGENT", B, ok=(A,))
    assert stale.severity == Severity.WARNING
    unsigned = make("SECONDARY_SERVES_UNSIGNED", B, ok=(A,), severity=Severity.ERROR)
    expired = make("RRSIG_EXPIRED", B, ok=(A,), severity=Severity.CRITICAL)
    out = by_code(link_causes([stale, unsigned, expired]))
    assert out["SOA_SERIAL_DIVERGENT"].severity == Severity.CRITICAL
    assert out["SECONDARY_SERVES_UNSIGNED"].severity == Severity.ERROR  # not a root: unchanged
    # Without consequences, a root cause keeps its own severity.
    assert link_causes([stale])[0].severity == Severity.WARNING


def test_a_more_basic_fault_explains_a_later_one_never_the_reverse() -> None:
    """SERVER_FAULTS is ordered: no cycle of causes, one root."""
    stale = make("SOA_SERIAL_DIVERGENT", B, ok=(A,))
    lame = make("LAME_OR_NOT_AUTHORITATIVE", B, ok=(A,))
    out = link_causes([stale, lame])
    roots = [f for f in out if f.is_root_cause]
    assert len(roots) == 1 and roots[0].code == "LAME_OR_NOT_AUTHORITATIVE"
