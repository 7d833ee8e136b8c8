"""NSEC building blocks: canonical name order, coverage, type bitmaps.

RFC 4034 §6.1 defines the canonical order NSEC chains follow; RFC 4034 §4.1.2 the
type bitmap encoding (shared by NSEC3, RFC 5155 §3.2.1); RFC 4035 §5.4 and
RFC 6840 §4.1 say which NSEC records may deny which names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import dns.name
import dns.rdatatype

CanonicalKey = tuple[bytes, ...]


def canonical_key(name: dns.name.Name) -> CanonicalKey:
    """A sort key realising RFC 4034 §6.1 canonical order.

    Labels are compared right to left as octet strings with ASCII upper case
    folded to lower case; a missing label sorts first. Tuples of ``bytes`` compare
    exactly that way, so ``canonical_key(a) < canonical_key(b)`` iff ``a`` precedes
    ``b``. Only ASCII is folded (``bytes.lower``), as the RFC requires.
    """
    return tuple(label.lower() for label in reversed(name.labels))


_Point = TypeVar("_Point", CanonicalKey, bytes)


def interval_covers(owner: _Point, nxt: _Point, point: _Point) -> bool:
    """Whether the chain interval (owner, next) of one NSEC or NSEC3 contains ``point``.

    One rule for both chains: NSEC compares canonical keys of names (RFC 4035 §5.4),
    NSEC3 compares hashes (RFC 5155 §8.3). The last record of a chain points back to
    the first (``next <= owner``): it covers everything after its owner and before its
    next. A chain of one record (``owner == next``) covers everything but its owner.
    The endpoints themselves are never covered. Callers check that the point is in the
    zone and that the record may deny it at all (:func:`may_deny_below`).
    """
    if owner < nxt:
        return owner < point < nxt
    return point > owner or point < nxt


def may_deny_below(owner: dns.name.Name, types: frozenset[int], name: dns.name.Name) -> bool:
    """Whether an NSEC at ``owner`` with ``types`` can deny ``name``.

    RFC 6840 §4.1: an NSEC at a delegation point (NS without SOA) or at a DNAME
    owner says nothing about names below its owner, which are not the zone's data.
    """
    if not name.is_subdomain(owner) or name == owner:
        return True
    is_cut = dns.rdatatype.NS in types and dns.rdatatype.SOA not in types
    return not (is_cut or dns.rdatatype.DNAME in types)


def common_ancestor(a: dns.name.Name, b: dns.name.Name) -> dns.name.Name:
    """The longest name both ``a`` and ``b`` are at or below (compared without case)."""
    _, _, shared = a.fullcompare(b)
    return dns.name.Name(a.labels[len(a.labels) - shared :])


def nsec_closest_encloser(
    owner: dns.name.Name, nxt: dns.name.Name, name: dns.name.Name
) -> dns.name.Name:
    """The closest encloser of ``name`` an NSEC covering it implies.

    The owner and next name exist, and so do all their ancestors; the deepest of
    their common ancestors with ``name`` is therefore the closest existing ancestor
    (RFC 4592 §3.3.1; used for the wildcard proof of RFC 4035 §5.4).
    """
    first = common_ancestor(name, owner)
    second = common_ancestor(name, nxt)
    return first if len(first.labels) >= len(second.labels) else second


def bitmap_types(windows: Iterable[tuple[int, bytes]]) -> frozenset[int]:
    """The RR types a type bitmap lists (RFC 4034 §4.1.2)."""
    found: set[int] = set()
    for window, bitmap in windows:
        base = window * 256
        for index, octet in enumerate(bitmap):
            if not octet:
                continue
            for bit in range(8):
                if octet & (0x80 >> bit):
                    found.add(base + index * 8 + bit)
    return frozenset(found)


def type_name(rdtype: int) -> str:
    """The mnemonic of ``rdtype`` (``TYPE65534`` for types dnspython does not know)."""
    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


def types_text(types: Iterable[int]) -> str:
    """Type mnemonics in numeric order, space-separated."""
    return " ".join(type_name(t) for t in sorted(types))
