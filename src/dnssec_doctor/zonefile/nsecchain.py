"""The NSEC chain of a zone (RFC 4034 §4, RFC 4035 §2.3).

Every authoritative name — delegation points included, glue and occluded names
excluded, empty non-terminals excluded — has exactly one NSEC; each NSEC's next
name is the following such name in canonical order, the last one points back to
the apex; the type bitmap lists exactly the types present (plus NSEC and RRSIG).
The names are checked in one pass in canonical order; a bitmap is compared per
shape (names with the same types share the verdict).
"""

from __future__ import annotations

import dns.name
import dns.rdatatype

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.zonefile.authority import BELOW_CUT, DELEGATION, NSEC3_NODE, Authority
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.rdata import type_bitmap
from dnssec_doctor.zonefile.skeleton import bitmap_case, bitmap_params, decode_bitmap, type_names
from dnssec_doctor.zonefile.table import NOT_A_KEY, Shape, next_key

T = dns.rdatatype
_AT_CUT = frozenset({T.NS, T.DS})


def expected_nsec_types(types: tuple[int, ...], delegation: bool) -> frozenset[int]:
    """The bitmap an NSEC must carry (RFC 4034 §4.1.2, RFC 4035 §2.3)."""
    present = frozenset(types)
    if delegation:
        present &= _AT_CUT
    return present | {T.NSEC, T.RRSIG}


def _bitmap_problem(shape: Shape, delegation: bool) -> tuple[frozenset[int], frozenset[int]] | None:
    """(listed, expected) types when the NSEC bitmap is wrong, else None."""
    expected = expected_nsec_types(shape.types, delegation)
    assert shape.nsec_bitmap is not None
    # compare encodings first: decoding every bitmap of a big zone costs
    if shape.nsec_bitmap == type_bitmap(sorted(expected)):
        return None
    listed = decode_bitmap(shape.nsec_bitmap)
    return None if listed == expected else (listed, expected)


def check_nsec_chain(auth: Authority, negative_ttl: int | None, out: Emitter) -> None:
    """Report missing, extra or misplaced NSEC records and wrong bitmaps.

    ``negative_ttl`` is min(SOA TTL, SOA MINIMUM) (RFC 9077), None when unknown.
    """
    table = auth.table
    _check_non_authoritative(auth, out)
    with_nsec: list[int] = []
    memo: dict[tuple[int, bool], tuple[frozenset[int], frozenset[int]] | None] = {}
    shapes, shape_ids, flags = table.shapes, table.shape_ids, auth.flags
    for index in auth.authoritative():
        shape = shapes[shape_ids[index]]
        if shape.nsec_bitmap is None:
            text = table.name(index)
            out.add(
                Code.NSEC_CHAIN_BROKEN,
                "zone_nsec_missing" if table.keys[index] else "zone_nsec_missing_apex",
                {"name": text},
                subject=f"{text}/missing",
                line=table.lines[index],
            )
            continue
        line = table.lines[index] + shape.nsec_offset
        if shape.nsec_count > 1:
            text = table.name(index)
            out.add(
                Code.NSEC_CHAIN_BROKEN,
                "zone_nsec_multiple",
                {"name": text, "count": shape.nsec_count},
                subject=f"{text}/multiple",
                line=line,
            )
        with_nsec.append(index)
        delegation = bool(flags[index] & DELEGATION)
        memo_key = (shape_ids[index], delegation)
        if memo_key not in memo:
            memo[memo_key] = _bitmap_problem(shape, delegation)
        wrong = memo[memo_key]
        if wrong is not None:
            _report_bitmap(table.name(index), wrong, line, out)
        if negative_ttl is not None and shape.nsec_ttl > negative_ttl:
            out.add(
                Code.NEGATIVE_TTL_TOO_LONG,
                "zone_nsec",
                {"ttl": shape.nsec_ttl, "name": table.name(index), "negative_ttl": negative_ttl},
                subject="nsec-ttl",
                line=line,
            )
    _check_links(auth, with_nsec, out)


def _report_bitmap(
    text: dns.name.Name, wrong: tuple[frozenset[int], frozenset[int]], line: int, out: Emitter
) -> None:
    bitmap, expected = wrong
    extra, missing = bitmap - expected, expected - bitmap
    out.add(
        Code.NODATA_BITMAP_CONTRADICTION,
        "zone_nsec_" + bitmap_case(extra, missing),
        {"name": text, **bitmap_params(extra, missing)},
        subject=f"{text}/bitmap",
        line=line,
        evidence={"bitmap": type_names(bitmap), "expected": type_names(expected)},
    )


def _check_non_authoritative(auth: Authority, out: Emitter) -> None:
    table = auth.table
    for index, flag in enumerate(auth.flags):
        if flag & BELOW_CUT and table.shape(index).nsec_bitmap is not None:
            key = table.keys[index]
            name = table.name(index).to_text()
            cut = auth.cut_above(key)
            out.add(
                Code.NSEC_CHAIN_BROKEN,
                "zone_nsec_below_cut",
                {"name": name, "cut": auth.name(cut) if cut is not None else "?"},
                subject=f"{name}/non-authoritative",
                line=table.nsec_records(index)[0][3],
            )


def _check_links(auth: Authority, with_nsec: list[int], out: Emitter) -> None:
    table = auth.table
    keys, nexts = table.keys, table.nsec_next
    count = len(with_nsec)
    for position, index in enumerate(with_nsec):
        expected_key = keys[with_nsec[position + 1]] if position + 1 < count else b""
        found: bytes | None = nexts[index]
        if table.shape(index).nsec_count > 1:
            found = next_key(table.zone, table.nsec_records(index)[0][0])[0]
        if found == expected_key:
            continue
        next_wire, _, _, line = table.nsec_records(index)[0]
        nxt = dns.name.from_wire(next_wire, 0)[0]
        name = table.name(index)
        origin = table.zone.name
        expected = table.name_of(expected_key)
        params: dict[str, object] = {"name": name, "next": nxt}
        if not nxt.is_subdomain(origin):
            case = "zone_nsec_outside"
        elif not expected_key:
            case = "zone_nsec_last"
        else:
            case, params["expected"] = "zone_nsec_next", expected
        out.add(
            Code.NSEC_CHAIN_BROKEN,
            case,
            params,
            subject=f"{name}/next",
            line=line,
            evidence={"next": nxt.to_text(), "expected": expected.to_text()},
        )
        _check_covers_existing(auth, index, name, nxt, found, line, out)


def _check_covers_existing(
    auth: Authority,
    index: int,
    owner: dns.name.Name,
    nxt: dns.name.Name,
    nxt_key: bytes | None,
    line: int,
    out: Emitter,
) -> None:
    """An NSEC whose span (owner, next) contains a real name denies that name."""
    table = auth.table
    keys = table.keys
    wraps = nxt_key is None or nxt_key[:1] == NOT_A_KEY or nxt_key <= keys[index]
    found = 0
    for later in range(index + 1, len(keys)):
        if not wraps and nxt_key is not None and keys[later] >= nxt_key:
            break
        if auth.flags[later] & (BELOW_CUT | NSEC3_NODE):
            continue
        hidden = table.name(later)
        out.add(
            Code.EXISTING_NAME_DENIED,
            "zone_nsec",
            {"owner": owner, "next": nxt, "name": hidden},
            subject=f"{hidden}/denied",
            line=line,
        )
        found += 1
        if found == 3:
            break
