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

from dnssec_doctor.dnssec.algorithms import NSEC3_INSECURE_ABOVE, nsec3_iteration_behaviour
from dnssec_doctor.limits import Limits
from dnssec_doctor.severity import Severity
from dnssec_doctor.zonefile import namekey
from dnssec_doctor.zonefile.authority import Authority
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.namekey import SEP
from dnssec_doctor.zonefile.skeleton import Nsec3Info, b32hex_encode, type_names

T = dns.rdatatype


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
                "NSEC3_PARAMS_INCONSISTENT",
                f"NSEC3PARAM at {zone} is malformed: {exc}",
                subject="nsec3param-malformed",
                line=line,
            )
    for p in params:
        if p.flags != 0:
            out.add(
                "NSEC3_PARAMS_INCONSISTENT",
                f"NSEC3PARAM at {zone} has flags {p.flags}; they must be 0 (RFC 5155 §4.1.2)",
                subject="nsec3param-flags",
                line=line,
            )
    present = {r.params for r in records}
    if not params:
        if len(present) == 1:
            alg, iterations, salt = next(iter(present))
            out.add(
                "NSEC3_PARAMS_INCONSISTENT",
                f"{zone} has NSEC3 records but no NSEC3PARAM at the apex",
                subject="nsec3param-missing",
                line=line,
            )
            return Params(alg, 0, iterations, salt)
        out.add(
            "NSEC3_PARAMS_INCONSISTENT",
            f"{zone} has NSEC3 records with {len(present)} "
            "parameter sets and no NSEC3PARAM to choose one",
            subject="nsec3param-missing",
        )
        return None
    for p in params:
        if p.key in present:
            return p
    out.add(
        "NSEC3_PARAMS_INCONSISTENT",
        f"no NSEC3 record of {zone} uses the NSEC3PARAM "
        "parameters (hash algorithm, iterations, salt)",
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
        "NSEC3_PARAMS_NOT_RFC9276",
        f"{zone} uses NSEC3 with {params.iterations} extra "
        f"iterations and a {len(params.salt)}-octet salt ({behaviour}); RFC 9276 asks for "
        "0 and none",
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
            "NSEC3_PARAMS_INCONSISTENT",
            f"NSEC3 hash algorithm {params.algorithm} at {zone} is unknown (only 1, SHA-1, exists)",
            subject="nsec3-hash-alg",
        )
        return
    if params.iterations > limits.max_nsec3_iterations:
        out.add(
            "ANALYSIS_BUDGET_EXCEEDED",
            f"NSEC3 uses {params.iterations} iterations, above "
            f"the limit of {limits.max_nsec3_iterations}: the chain was not hashed",
            subject="nsec3-iterations",
        )
        return
    chain = {r.hashed: r for r in records if r.params == params.key and r.hashed}
    for record in records:
        if record.params == params.key and (not record.owner or SEP in record.owner):
            owner = auth.name(record.owner)
            out.add(
                "NSEC_CHAIN_BROKEN",
                f"NSEC3 owner {owner} is not directly below the apex {zone} (RFC 5155 §7.1)",
                subject=f"{owner}/owner",
                line=record.line,
            )
    ordered = sorted(chain)
    names = [table.keys[i] for i in auth.authoritative()]
    ents = auth.empty_non_terminals()
    wire_of = table.zone.wire_of
    expected = {
        nsec3_hash_wire(wire_of(key), params.salt, params.iterations): key
        for key in [*names, *ents]
    }
    ent_set = set(ents)
    _check_links(auth, chain, ordered, out)
    _check_coverage(auth, names, ent_set, expected, chain, ordered, out)
    for hashed, record in chain.items():
        key = expected.get(hashed)
        if key is None:
            owner = auth.name(record.owner)
            out.add(
                "NSEC_CHAIN_BROKEN",
                f"NSEC3 {owner} matches no name of the zone (stale record of a deleted name?)",
                subject=f"{owner}/orphan",
                line=record.line,
            )
            continue
        _check_bitmap(auth, key, key in ent_set, record, out)
        if negative_ttl is not None and record.ttl > negative_ttl:
            out.add(
                "NEGATIVE_TTL_TOO_LONG",
                f"NSEC3 TTL {record.ttl} exceeds min(SOA TTL, SOA "
                f"MINIMUM) = {negative_ttl} (RFC 9077)",
                subject="nsec3-ttl",
                line=record.line,
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
                "NSEC_CHAIN_BROKEN",
                f"NSEC3 {owner} links to "
                f"{b32hex_encode(record.next_hashed)}, but the next hash in the chain is "
                f"{b32hex_encode(expected)}",
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


def _has_ds(auth: Authority, key: bytes) -> bool:
    types = auth.table.types_at(key)
    return types is not None and T.DS in types


def _check_coverage(
    auth: Authority,
    names: list[bytes],
    ents: set[bytes],
    expected: dict[bytes, bytes],
    chain: dict[bytes, Nsec3Info],
    ordered: list[bytes],
    out: Emitter,
) -> None:
    included = {key for hashed, key in expected.items() if hashed in chain}
    optable = _opt_out_eligible(auth, names, ents, included)
    for hashed, key in expected.items():
        if hashed in chain:
            continue
        text = auth.name(key).to_text()
        kind = "empty non-terminal " if key in ents else ""
        if key in optable and ordered and _covering(ordered, chain, hashed).opt_out:
            continue
        if key in optable:
            why = "and no Opt-Out NSEC3 covers it (RFC 5155 §7.1)"
        elif auth.is_delegation_key(key) and _has_ds(auth, key):
            why = "a secure delegation always needs its own NSEC3, even with Opt-Out"
        else:
            why = "every authoritative name needs one"
        index = auth.table.find(key)
        out.add(
            "NSEC_CHAIN_BROKEN",
            f"no NSEC3 for {kind}{text}; {why}",
            subject=f"{text}/missing",
            line=auth.table.lines[index] if index >= 0 else None,
            evidence={"hash": b32hex_encode(hashed)},
        )


def _opt_out_eligible(
    auth: Authority, names: list[bytes], ents: set[bytes], included: set[bytes]
) -> set[bytes]:
    """Insecure delegations, and ENTs with nothing below them but omitted insecure delegations.

    RFC 5155 §7.1: an ENT may lack an NSEC3 only when it exists solely because of
    insecure delegations left out of the chain; one included name below it
    (``included``) makes its NSEC3 mandatory.
    """
    insecure = {k for k in names if auth.is_delegation_key(k) and not _has_ds(auth, k)}
    needed_ents: set[bytes] = set()
    for key in names:
        if key in insecure and key not in included:
            continue
        for ancestor in namekey.ancestors(key):
            if ancestor in ents:
                needed_ents.add(ancestor)
    return insecure | (ents - needed_ents)


def _check_bitmap(
    auth: Authority, key: bytes, is_ent: bool, record: Nsec3Info, out: Emitter
) -> None:
    if is_ent:
        expected: frozenset[int] = frozenset()
    else:
        types = frozenset(auth.table.types_at(key) or ())
        if auth.is_delegation_key(key):
            cut = types & {T.NS, T.DS}
            expected = frozenset(cut | ({T.RRSIG} if T.DS in cut else set()))
        else:
            expected = frozenset((types - {T.NSEC3}) | {T.RRSIG})
    if record.types == expected:
        return
    name = auth.name(key)
    extra, missing = record.types - expected, expected - record.types
    parts = []
    if extra:
        parts.append(f"lists {type_names(extra)} that {name} does not have")
    if missing:
        parts.append(f"omits {type_names(missing)} that {name} has")
    out.add(
        "NODATA_BITMAP_CONTRADICTION",
        f"the NSEC3 for {name} ({auth.name(record.owner)}) " + " and ".join(parts),
        subject=f"{name}/nsec3-bitmap",
        line=record.line,
        evidence={"bitmap": type_names(record.types), "expected": type_names(expected)},
    )
