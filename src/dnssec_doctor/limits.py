"""Budgets for one analysis, as configuration: exceeding one is a finding, never a hang."""

from __future__ import annotations

from dataclasses import dataclass

OPTIONAL_LIMIT = "optional_queries"
"""The limit name in budget exchanges refused to optional queries (the transport writes
it, the analysis's budget finding reads it; both import it from here)."""


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


MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class InputLimits:
    """Caps on what one command reads from files (budgets are configuration).

    Input files come from anywhere (a customer's zone, a capture attached to a bug
    report, a path to a device): each is read with a cap, and going over one is one
    clear line naming the file and the cap, exit 3. These are not stored in captures.
    """

    anchor_file_bytes: int = 1 * MIB
    """``--trust-anchor FILE`` (the IANA root anchors are 2 KB)."""
    root_hints_file_bytes: int = 1 * MIB
    """``--root-hints FILE`` (IANA's named.root is 3 KB)."""
    ds_file_bytes: int = 1 * MIB
    """``--ds FILE`` of ``ds`` and ``zone``."""
    capture_file_bytes: int = 64 * MIB
    """``--replay FILE`` as stored (gzipped or not)."""
    capture_json_bytes: int = 64 * MIB
    """A capture's JSON after decompression (a gzip bomb stops here)."""
    zone_file_bytes: int = 16 * 1024 * MIB
    """Zone data over a zone file and its includes (read as a stream, never whole)."""
    zone_records: int = 100_000_000
    """Records in one zone file."""
    zone_entry_chars: int = 1 * MIB
    """Characters in one line or parenthesised entry of a zone file."""
    zone_generate_records: int = 65_536
    """Records one ``$GENERATE`` may produce (a /16 of reverse names)."""
    zone_generate_total: int = 131_072
    """Records all ``$GENERATE`` lines of one file may produce together."""
    zone_deadline: float = 3600.0
    """Seconds reading and verifying one zone file may take (``zone --deadline``)."""


INPUT_LIMITS = InputLimits()
"""The caps every command uses unless told otherwise."""
