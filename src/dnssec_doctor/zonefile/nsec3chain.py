"""The NSEC3 chain of a zone (RFC 5155 §7.1, RFC 9276).

The chain is the set of NSEC3 records whose parameters match the apex NSEC3PARAM
(other parameter sets — a second chain being built — are ignored, as BIND and
Knot do). Every authoritative name and empty non-terminal has an NSEC3 with its
hash, except insecure delegations (and ENTs leading only to them) covered by an
Opt-Out NSEC3; hashes are linked in order and wrap around; bitmaps are exact.
"""

from __future__ import annotations

import bisect
import hashlib
import struct
from dataclasses import dataclass

import dns.name
import dns.rdatatype

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.algorithms import NSEC3_INSECURE_ABOVE, nsec3_iteration_behaviour
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.zonefile import namekey
from dnssec_doctor.zonefile.authority import DELEGATION, Authority
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.namekey import SEP
from dnssec_doctor.zonefile.skeleton import (
    Nsec3Info,
    b32hex_encode,
    bitmap_case,
    bitmap_params,
    type_names,
)

T = dns.rdatatype
Ref = int | bytes
"""A name of the zone by its table row, or an empty non-terminal (no row) by its key."""


def nsec3_hash(name: dns.name.Name, salt: bytes, iterations: int) -> bytes:
    """RFC 5155 §5: SHA-1 of the canonical name and salt, iterated."""
    return nsec3_hash_wire(name.to_digestable(), salt, iterations)


def nsec3_hash_wire(wire: bytes, salt: bytes, iterations: int) -> bytes:
    """:func:`nsec3_hash` of a name already in canonical wire form."""
    digest = hashlib.sha1(wire + salt, usedforsecurity=False).digest()
    for _ in range(iterations):
        digest = hashlib.sha1(digest + salt, usedforsecurity=False).digest()
    return digest


@dataclass(frozen=True, slots=True)
class Params:
    """NSEC3PARAM fields (RFC 5155 §4.2)."""

    algorithm: int
    flags: int
    iterations: int
    salt: bytes

    @classmethod
    def from_wire(cls, wire: bytes) -> Params:
        """Decode NSEC3PARAM RDATA; ValueError when malformed."""
        alg, flags, iterations, salt_len = struct.unpack("!BBHB", wire[:5])
        if len(wire) != 5 + salt_len:
            raise ValueError("NSEC3PARAM salt length does not match")
        return cls(alg, flags, iterations, wire[5:])

    @property
    def key(self) -> tuple[int, int, bytes]:
        """What NSEC3 records of the chain share."""
        return (self.algorithm, self.iterations, self.salt)


def choose_params(
    nsec3param: list[bytes], records: list[Nsec3Info], zone: str, line: int | None, out: Emitter
) -> Params | None:
    """The chain's parameters, reporting NSEC3PARAM problems (RFC 5155 §4)."""
    params: list[Params] = []
    for wire in nsec3param:
        try:
            params.append(Params.from_wire(wire))
        except (ValueError, struct.error) as exc:
            out.add(
                Code.NSEC3_PARAMS_INCONSISTENT,
                "zone_nsec3param_malformed",
                {"zone": zone, "error": exc},
                subject="nsec3param-malformed",
                line=line,
            )
    for p in params:
        if p.flags != 0:
            out.add(
                Code.NSEC3_PARAMS_INCONSISTENT,
                "zone_nsec3param_flags",
                {"zone": zone, "flags": p.flags},
                subject="nsec3param-flags",
                line=line,
            )
    present = {r.params for r in records}
    if not params:
        if len(present) == 1:
            alg, iterations, salt = next(iter(present))
            out.add(
                Code.NSEC3_PARAMS_INCONSISTENT,
                "zone_no_nsec3param",
                {"zone": zone},
                subject="nsec3param-missing",
                line=line,
            )
            return Params(alg, 0, iterations, salt)
        out.add(
            Code.NSEC3_PARAMS_INCONSISTENT,
            "zone_no_nsec3param_to_choose",
            {"zone": zone, "count": len(present)},
            subject="nsec3param-missing",
        )
        return None
    for p in params:
        if p.key in present:
            return p
    out.add(
        Code.NSEC3_PARAMS_INCONSISTENT,
        "zone_nsec3param_unused",
        {"zone": zone},
        subject="nsec3param-unused",
        line=line,
    )
    return None


def check_rfc9276(params: Params, zone: str, line: int | None, out: Emitter) -> None:
    """RFC 9276 §3.1: iterations 0 and no salt; above resolver limits it breaks."""
    behaviour = nsec3_iteration_behaviour(params.iterations)
    if params.iterations == 0 and not params.salt:
        return
    severity = Severity.ERROR if params.iterations > NSEC3_INSECURE_ABOVE else None
    out.add(
        Code.NSEC3_PARAMS_NOT_RFC9276,
        "zone",
        {
            "zone": zone,
            "iterations": params.iterations,
            "salt_length": len(params.salt),
            "behaviour": behaviour,
        },
        subject="nsec3-params",
        line=line,
        severity=severity,
        evidence={"iterations": params.iterations, "salt": params.salt.hex()},
    )


def check_nsec3_chain(
    auth: Authority,
    records: list[Nsec3Info],
    params: Params,
    negative_ttl: int | None,
    limits: Limits,
    out: Emitter,
) -> None:
    """Report missing, orphan and misplaced NSEC3 records and wrong bitmaps."""
    table = auth.table
    zone = table.zone.name.to_text()
    if params.algorithm != 1:
        out.add(
            Code.NSEC3_PARAMS_INCONSISTENT,
            "zone_hash_algorithm",
            {"algorithm": params.algorithm, "zone": zone},
            subject="nsec3-hash-alg",
        )
        return
    if params.iterations > limits.max_nsec3_iterations:
        out.add(
            Code.ANALYSIS_BUDGET_EXCEEDED,
            "zone_nsec3_iterations",
            {"iterations": params.iterations, "limit": limits.max_nsec3_iterations},
            subject="nsec3-iterations",
        )
        return
    # the chain: the records with NSEC3PARAM's parameters (usually all of them)
    if records and not _mixed(records):
        ours = records if records[0].params == params.key else []
    else:
        ours = [r for r in records if r.params == params.key]
    chain = {r.hashed: r for r in ours if r.hashed}
    for record in ours:
        if not record.owner or SEP in record.owner:
            owner = auth.name(record.owner)
            out.add(
                Code.NSEC_CHAIN_BROKEN,
                "zone_nsec3_owner",
                {"owner": owner, "zone": zone},
                subject=f"{owner}/owner",
                line=record.line,
            )
    ordered = sorted(chain)
    rows = list(auth.authoritative())
    ents = auth.empty_non_terminals()
    wire_of, keys = table.zone.wire_of, table.keys
    salt, iterations = params.salt, params.iterations
    # a name is referred to by its row, an empty non-terminal (no row) by its key
    expected: dict[bytes, Ref] = {
        nsec3_hash_wire(wire_of(keys[row]), salt, iterations): row for row in rows
    }
    for ent in ents:
        expected[nsec3_hash_wire(wire_of(ent), salt, iterations)] = ent
    _check_links(auth, chain, ordered, out)
    _check_coverage(auth, rows, set(ents), expected, chain, ordered, out)
    for hashed, record in chain.items():
        ref = expected.get(hashed)
        if ref is None:
            owner = auth.name(record.owner)
            out.add(
                Code.NSEC_CHAIN_BROKEN,
                "zone_nsec3_orphan",
                {"owner": owner},
                subject=f"{owner}/orphan",
                line=record.line,
            )
            continue
        _check_bitmap(auth, ref, record, out)
        if negative_ttl is not None and record.ttl > negative_ttl:
            out.add(
                Code.NEGATIVE_TTL_TOO_LONG,
                "zone_nsec3",
                {"ttl": record.ttl, "negative_ttl": negative_ttl},
                subject="nsec3-ttl",
                line=record.line,
            )


def _mixed(records: list[Nsec3Info]) -> bool:
    """True when the records do not all share one parameter set (a second chain)."""
    if not records:
        return False
    first = records[0]
    algorithm, iterations, salt = first.algorithm, first.iterations, first.salt
    return any(
        r.algorithm != algorithm or r.iterations != iterations or r.salt != salt for r in records
    )


def _check_links(
    auth: Authority, chain: dict[bytes, Nsec3Info], ordered: list[bytes], out: Emitter
) -> None:
    for index, hashed in enumerate(ordered):
        record = chain[hashed]
        expected = ordered[(index + 1) % len(ordered)]
        if record.next_hashed != expected:
            owner = auth.name(record.owner)
            out.add(
                Code.NSEC_CHAIN_BROKEN,
                "zone_nsec3_next",
                {
                    "owner": owner,
                    "next": b32hex_encode(record.next_hashed),
                    "expected": b32hex_encode(expected),
                },
                subject=f"{owner}/next",
                line=record.line,
                evidence={
                    "next": b32hex_encode(record.next_hashed),
                    "expected": b32hex_encode(expected),
                },
            )


def _covering(ordered: list[bytes], chain: dict[bytes, Nsec3Info], hashed: bytes) -> Nsec3Info:
    index = bisect.bisect_left(ordered, hashed) - 1
    return chain[ordered[index]]  # index -1 wraps to the last record (RFC 5155 §7.1)


def _name(auth: Authority, ref: Ref) -> dns.name.Name:
    return auth.table.name(ref) if isinstance(ref, int) else auth.name(ref)


def _secure_or_not(auth: Authority, ref: Ref) -> tuple[bool, bool]:
    """(is a delegation, has DS) for a name's row; an ENT is neither."""
    if not isinstance(ref, int):
        return False, False
    return bool(auth.flags[ref] & DELEGATION), T.DS in auth.table.shape(ref).types


def _check_coverage(
    auth: Authority,
    rows: list[int],
    ents: set[bytes],
    expected: dict[bytes, Ref],
    chain: dict[bytes, Nsec3Info],
    ordered: list[bytes],
    out: Emitter,
) -> None:
    included = {ref for hashed, ref in expected.items() if hashed in chain}
    optable = _opt_out_eligible(auth, rows, ents, included)
    for hashed, ref in expected.items():
        if hashed in chain:
            continue
        if ref in optable and ordered and _covering(ordered, chain, hashed).opt_out:
            continue
        text = _name(auth, ref).to_text()
        kind = "name" if isinstance(ref, int) else "ent"
        if ref in optable:
            why = "optout_uncovered"
        elif _secure_or_not(auth, ref) == (True, True):
            why = "secure_delegation"
        else:
            why = "authoritative"
        out.add(
            Code.NSEC_CHAIN_BROKEN,
            f"zone_nsec3_missing_{kind}_{why}",
            {"name": text},
            subject=f"{text}/missing",
            line=auth.table.lines[ref] if isinstance(ref, int) else None,
            evidence={"hash": b32hex_encode(hashed)},
        )


def _opt_out_eligible(
    auth: Authority, rows: list[int], ents: set[bytes], included: set[Ref]
) -> set[Ref]:
    """Insecure delegations, and ENTs with nothing below them but omitted insecure delegations.

    RFC 5155 §7.1: an ENT may lack an NSEC3 only when it exists solely because of
    insecure delegations left out of the chain; one included name below it
    (``included``) makes its NSEC3 mandatory.
    """
    insecure: set[Ref] = {r for r in rows if _secure_or_not(auth, r) == (True, False)}
    needed_ents: set[bytes] = set()
    keys = auth.table.keys
    for row in rows:
        if row in insecure and row not in included:
            continue
        for ancestor in namekey.ancestors(keys[row]):
            if ancestor in ents:
                needed_ents.add(ancestor)
    return insecure | (ents - needed_ents)


def _check_bitmap(auth: Authority, ref: Ref, record: Nsec3Info, out: Emitter) -> None:
    if not isinstance(ref, int):
        expected: frozenset[int] = frozenset()
    else:
        types = frozenset(auth.table.shape(ref).types)
        if auth.flags[ref] & DELEGATION:
            cut = types & {T.NS, T.DS}
            expected = frozenset(cut | ({T.RRSIG} if T.DS in cut else set()))
        else:
            expected = frozenset((types - {T.NSEC3}) | {T.RRSIG})
    if record.types == expected:
        return
    name = _name(auth, ref)
    extra, missing = record.types - expected, expected - record.types
    out.add(
        Code.NODATA_BITMAP_CONTRADICTION,
        "zone_nsec3_" + bitmap_case(extra, missing),
        {"name": name, "owner": auth.name(record.owner), **bitmap_params(extra, missing)},
        subject=f"{name}/nsec3-bitmap",
        line=record.line,
        evidence={"bitmap": type_names(record.types), "expected": type_names(expected)},
    )
