"""The NSEC chain of a zone (RFC 4034 §4, RFC 4035 §2.3).

Every authoritative name — delegation points included, glue and occluded names
excluded, empty non-terminals excluded — has exactly one NSEC; each NSEC's next
name is the following such name in canonical order, the last one points back to
the apex; the type bitmap lists exactly the types present (plus NSEC and RRSIG).
"""

from __future__ import annotations

import bisect

import dns.name
import dns.rdatatype

from dnssec_doctor.zonefile.authority import ZoneView, name_key
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.rdata import type_bitmap
from dnssec_doctor.zonefile.skeleton import decode_bitmap, decode_nsec, type_names

T = dns.rdatatype


def expected_nsec_types(view: ZoneView, name: dns.name.Name) -> frozenset[int]:
    """The bitmap an NSEC at ``name`` must carry (RFC 4034 §4.1.2, RFC 4035 §2.3)."""
    info = view.nodes[name]
    if view.is_delegation(name):
        types = (info.type_set() & {T.NS, T.DS}) | {T.NSEC, T.RRSIG}
    else:
        types = info.type_set() | {T.NSEC, T.RRSIG}
    return frozenset(types)


def wire_key(wire: bytes) -> tuple[bytes, ...]:
    """Lower-cased labels of an uncompressed wire name (as ``authority.name_key``)."""
    labels = []
    pos = 0
    while pos < len(wire):
        length = wire[pos]
        labels.append(wire[pos + 1 : pos + 1 + length].lower())
        if length == 0:
            break
        pos += length + 1
    return tuple(labels)


def check_nsec_chain(
    view: ZoneView, names: list[dns.name.Name], negative_ttl: int | None, out: Emitter
) -> None:
    """Report missing, extra or misplaced NSEC records and wrong bitmaps.

    ``names`` are the authoritative names in canonical order; ``negative_ttl`` is
    min(SOA TTL, SOA MINIMUM) (RFC 9077), None when unknown.
    """
    origin = view.origin
    _check_non_authoritative(view, out)
    with_nsec: list[dns.name.Name] = []
    for name in names:
        info = view.nodes[name]
        text = name  # formatted lazily
        if not info.nsec:
            out.add(
                "NSEC_CHAIN_BROKEN",
                f"{text} has no NSEC record, so its data cannot be "
                "part of a denial proof"
                + (" (the apex NSEC is missing)" if name == origin else ""),
                subject=f"{text}/missing",
                line=info.line,
            )
            continue
        if len(info.nsec) > 1:
            out.add(
                "NSEC_CHAIN_BROKEN",
                f"{text} has {len(info.nsec)} NSEC records; one name has one NSEC",
                subject=f"{text}/multiple",
                line=info.nsec[0][3],
            )
        with_nsec.append(name)
        _, bitmap_wire, ttl, line = info.nsec[0]
        expected = expected_nsec_types(view, name)
        # compare encodings first: decoding every bitmap of a big zone costs
        bitmap = (
            expected
            if bitmap_wire == type_bitmap(sorted(expected))
            else (decode_bitmap(bitmap_wire))
        )
        if bitmap != expected:
            extra, missing = bitmap - expected, expected - bitmap
            parts = []
            if extra:
                parts.append(f"lists {type_names(extra)} that {text} does not have")
            if missing:
                parts.append(f"omits {type_names(missing)} that {text} has")
            out.add(
                "NODATA_BITMAP_CONTRADICTION",
                f"the NSEC at {text} " + " and ".join(parts),
                subject=f"{text}/bitmap",
                line=line,
                evidence={"bitmap": type_names(bitmap), "expected": type_names(expected)},
            )
        if negative_ttl is not None and ttl > negative_ttl:
            out.add(
                "NEGATIVE_TTL_TOO_LONG",
                f"NSEC TTL {ttl} at {text} exceeds min(SOA TTL, "
                f"SOA MINIMUM) = {negative_ttl} (RFC 9077)",
                subject="nsec-ttl",
                line=line,
            )
    _check_links(view, names, with_nsec, out)


def _check_non_authoritative(view: ZoneView, out: Emitter) -> None:
    for name, info in view.nodes.items():
        if info.nsec and view.cut_above(name) is not None:
            out.add(
                "NSEC_CHAIN_BROKEN",
                f"NSEC at {name.to_text()}, which is below the zone "
                f"cut {view.cut_above(name)} (glue or occluded data has no NSEC)",
                subject=f"{name.to_text()}/non-authoritative",
                line=info.nsec[0][3],
            )


def _check_links(
    view: ZoneView, names: list[dns.name.Name], with_nsec: list[dns.name.Name], out: Emitter
) -> None:
    if not with_nsec:
        return
    origin = view.origin
    keys = [name_key(n) for n in with_nsec]
    origin_key = name_key(origin)
    for index, name in enumerate(with_nsec):
        next_wire, _, _, line = view.nodes[name].nsec[0]
        expected_key = keys[index + 1] if index + 1 < len(keys) else origin_key
        if wire_key(next_wire) == expected_key:
            continue
        nxt, _, _, _ = decode_nsec(view.nodes[name].nsec[0])
        expected = with_nsec[index + 1] if index + 1 < len(with_nsec) else origin
        if not nxt.is_subdomain(origin):
            why = f"points outside the zone to {nxt}"
        elif expected == origin:
            why = f"names {nxt} as the next name, but it is the last name: it must be the apex"
        else:
            why = f"names {nxt} as the next name, but the next name is {expected}"
        out.add(
            "NSEC_CHAIN_BROKEN",
            f"the NSEC at {name} {why}",
            subject=f"{name}/next",
            line=line,
            evidence={"next": nxt.to_text(), "expected": expected.to_text()},
        )
        _check_covers_existing(view, names, name, nxt, line, out)


def _check_covers_existing(
    view: ZoneView,
    names: list[dns.name.Name],
    owner: dns.name.Name,
    nxt: dns.name.Name,
    line: int,
    out: Emitter,
) -> None:
    """An NSEC whose span (owner, next) contains a real name denies that name."""
    start = bisect.bisect_right(names, owner)
    wraps = nxt <= owner or not nxt.is_subdomain(view.origin)
    end = len(names) if wraps else bisect.bisect_left(names, nxt)
    for hidden in names[start:end][:3]:
        out.add(
            "EXISTING_NAME_DENIED",
            f"the NSEC at {owner} (next {nxt}) proves that "
            f"{hidden} does not exist, but it does: resolvers with aggressive NSEC caching "
            "(RFC 8198) will deny it",
            subject=f"{hidden}/denied",
            line=line,
        )
