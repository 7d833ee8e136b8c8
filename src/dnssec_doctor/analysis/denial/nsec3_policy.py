"""NSEC3 parameter policy: which records a validator uses, and RFC 9276.

RFC 5155 §8.1 and §8.2 (unknown hash algorithms and flags are ignored), RFC 9276
§3.1 (iterations 0, no salt) and §3.2 (what resolvers do above their limits).
"""

from __future__ import annotations

import dns.name

from dnssec_doctor.analysis.denial.model import DenialProblem, Nsec3Record, problem, quote
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.nsec3 import OPT_OUT, SHA1, SHA1_LENGTH, Nsec3Params
from dnssec_doctor.model.severity import Severity

RESOLVER_ITERATION_LIMIT = 150
"""RFC 9276 §3.2: above this, BIND, Unbound, PowerDNS and Knot treat the zone as insecure."""


def usable_records(
    records: tuple[Nsec3Record, ...], zone: dns.name.Name, problems: list[DenialProblem]
) -> list[Nsec3Record]:
    """Records a validator would consider (RFC 5155 §8.1, §8.2); the rest are reported."""
    usable: list[Nsec3Record] = []
    malformed: list[str] = []
    odd_flags: list[str] = []
    for record in records:
        if record.flags & ~OPT_OUT:
            odd_flags.append(record.text)
            continue
        # one hash label directly below the zone (the owner is known to be in the zone)
        well_formed = record.owner_hash is not None and len(record.owner) == len(zone) + 1
        if record.params.algorithm == SHA1:
            well_formed = (
                well_formed
                and record.owner_hash is not None
                and len(record.owner_hash) == SHA1_LENGTH
                and len(record.next_hash) == SHA1_LENGTH
            )
        if not well_formed:
            malformed.append(record.text)
            continue
        usable.append(record)
    if odd_flags:
        problems.append(
            problem(
                Code.NSEC3_PARAMS_INCONSISTENT,
                "odd_flags",
                {},
                {"nsec3": quote(odd_flags)},
            )
        )
    if malformed:
        problems.append(
            problem(
                Code.NSEC3_PROOF_INVALID,
                "malformed",
                {"count": len(malformed), "zone": zone, "length": SHA1_LENGTH},
                {"nsec3": quote(malformed)},
            )
        )
    return usable


def params_text(params: Nsec3Params) -> str:
    salt = params.salt.hex().upper() or "-"
    return f"algorithm {params.algorithm}, {params.iterations} iterations, salt {salt}"


def reported_params(
    usable: list[Nsec3Record], params: Nsec3Params | None
) -> tuple[int, int, bytes, int] | None:
    if params is None:
        return None
    flags = 0
    for record in usable:
        if record.params == params:
            flags |= record.flags
    return (params.algorithm, flags, params.salt, params.iterations)


def rfc9276_problems(sets: list[Nsec3Params]) -> list[DenialProblem]:
    """RFC 9276 §3.1: iterations 0 and no salt; an error above resolver limits (§3.2)."""
    offending = [p for p in sets if p.iterations > 0 or p.salt]
    if not offending:
        return []
    worst = max(p.iterations for p in offending)
    severity = Severity.ERROR if worst > RESOLVER_ITERATION_LIMIT else Severity.WARNING
    above = worst > RESOLVER_ITERATION_LIMIT
    params: dict[str, object] = {"parameters": params_text(offending[0])}
    if above:
        params["limit"] = RESOLVER_ITERATION_LIMIT
    return [
        problem(
            Code.NSEC3_PARAMS_NOT_RFC9276,
            "above_resolver_limit" if above else "not_rfc9276",
            params,
            {
                "parameters": quote([params_text(p) for p in offending]),
                "iterations": worst,
                "resolver_limit": RESOLVER_ITERATION_LIMIT,
            },
            severity,
        )
    ]


def budget_problem(params: Nsec3Params, limit: int) -> DenialProblem:
    """RFC 9276 §3.2: above a validator's iteration limit the answer is insecure (its
    signatures still checked), not bogus; this tool's limit is ``max_nsec3_iterations``."""
    return problem(
        Code.ANALYSIS_BUDGET_EXCEEDED,
        "nsec3_iterations",
        {"iterations": params.iterations, "limit": limit},
        {"iterations": params.iterations, "limit": limit, "budget": "max_nsec3_iterations"},
    )
