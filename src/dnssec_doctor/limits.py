"""Budgets for one analysis (STYLE.md §10): exceeding one is a finding, never a hang."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Every bound an analysis works within."""

    query_timeout: float = 2.0
    """Seconds to wait for one answer (per attempt)."""
    retries: int = 1
    """Extra UDP attempts after a timeout."""
    max_queries: int = 2000
    """Queries one analysis may send."""
    deadline: float = 60.0
    """Seconds one analysis may take in all."""
    concurrency: int = 128
    """Queries in flight at once (a healthy three-zone chain asks about 100 at its peak;
    a lower cap would turn one burst into two)."""
    max_ns_per_zone: int = 20
    """NS names of one zone that are followed (huge NS sets are cut here)."""
    max_referrals: int = 30
    """Zone cuts followed before a walk is called a loop."""
    max_glueless_depth: int = 3
    """Nested lookups of glueless NS names."""
    max_nsec3_iterations: int = 500
    """NSEC3 hashes beyond this iteration count are not computed."""
    max_cname_depth: int = 12
    """CNAME links followed from the name (a longer chain is reported: resolvers stop
    after about a dozen links, Unbound and BIND after 11, and answer SERVFAIL)."""
    max_keys_per_tag: int = 8
    """DNSKEYs tried for one RRSIG key tag (colliding key tags are an attack)."""


def limits_to_dict(limits: Limits) -> dict[str, float]:
    """The limits as numbers (stored in captures)."""
    return {name: float(getattr(limits, name)) for name in Limits.__dataclass_fields__}


def limits_from_dict(data: dict[str, float]) -> Limits:
    """Limits from a capture; unknown keys are ignored, missing ones take defaults."""
    defaults = Limits()
    values: dict[str, float | int] = {}
    for name in Limits.__dataclass_fields__:
        if name in data:
            kind = type(getattr(defaults, name))
            values[name] = kind(data[name])
    return Limits(**values)  # type: ignore[arg-type]
