"""The names of the query variants a capture holds, besides the standard query.

The probe asks each variant and stores its exchange under a ``QueryKey`` whose
``variant`` is one of these names; the analysis reads the exchanges back by the
same names. Keeping the names here, apart from the code that sends the queries,
lets the analysis read a capture without loading the probe.
"""

from __future__ import annotations

# Transport behaviour of an authoritative server (RFC 6891 EDNS, RFC 3225 DO,
# RFC 7766 TCP): see ``probe.behaviour`` for what each query is.
NOEDNS = "noedns"
EDNS_NODO = "edns-nodo"
TCP = "tcp"
EDNS1 = "edns1"
UNKNOWN_OPTION = "unknown-opt"
NS_ADDRESS = "ns-address"
"""A/AAAA of the zone's in-bailiwick NS names, asked of the zone's own servers (glue check)."""

SIZES: tuple[int, ...] = (512, 1232, 1400, 4096)
"""UDP buffer sizes of the size ladder: classic DNS, DNS flag day 2020, about one Ethernet
frame, and the usual maximum."""
STANDARD_SIZE = 1232
"""The standard query's buffer: its exchange doubles as the ladder's ``do-1232`` rung."""

UNKNOWN_OPTION_CODE = 65001
"""An EDNS option code from the local/experimental range (RFC 6891 §9), which no server
implements: it must be ignored (RFC 6891 §6.1.2)."""


def size_variant(size: int) -> str:
    """The variant name of the size-ladder probe with a ``size``-byte buffer (``do-1400``)."""
    return f"do-{size}"


# A recursive resolver asked as a stub would (RFC 4035 §3.2.1, §3.2.2).
VALIDATE = "rd"
"""Variant of the query a validating stub sends: RD=1, DO=1, CD=0."""
CHECKING_DISABLED = "rd-cd"
"""Variant of the same query with CD=1: the resolver must not validate."""
RESOLVER_VARIANTS: tuple[str, ...] = (VALIDATE, CHECKING_DISABLED)

CNAME_VARIANT = "cname"
"""A follow-up query for the next target of the name's in-zone CNAME chain."""
