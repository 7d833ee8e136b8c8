"""ZONEMD verification (RFC 8976), SIMPLE scheme with SHA-384 and SHA-512.

The digest covers every RR of the zone in canonical form and order (RFC 8976
§3.3, RFC 4034 §6), glue and occluded data included, except the apex ZONEMD
RRset and the RRSIGs covering it. It needs the whole zone sorted, so it runs as a
second pass over the file, and only when the apex has a ZONEMD.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass

import dns.name
import dns.rdatatype

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.model import Record

T = dns.rdatatype
SIMPLE = 1
_HASHES = {1: ("sha384", 48), 2: ("sha512", 64)}


@dataclass(frozen=True, slots=True)
class Zonemd:
    """One ZONEMD record (RFC 8976 §2.2)."""

    serial: int
    scheme: int
    algorithm: int
    digest: bytes

    @classmethod
    def from_wire(cls, wire: bytes) -> Zonemd:
        """Decode ZONEMD RDATA; ValueError when shorter than its fixed part."""
        if len(wire) < 6:
            raise ValueError("ZONEMD RDATA too short")
        serial, scheme, algorithm = struct.unpack("!IBB", wire[:6])
        return cls(serial, scheme, algorithm, bytes(wire[6:]))


def zone_digest(records: Iterable[Record], origin: dns.name.Name, algorithm: int) -> bytes:
    """The SIMPLE-scheme digest of ``records`` (RFC 8976 §3.3.1)."""
    name, _ = _HASHES[algorithm]
    rows = set()
    for r in records:
        if not r.owner.is_subdomain(origin):
            continue
        if r.owner == origin and (
            r.rdtype == T.ZONEMD
            or (r.rdtype == T.RRSIG and r.rdata[:2] == struct.pack("!H", T.ZONEMD))
        ):
            continue
        rows.add((r.owner, r.rdtype, r.rdclass, r.ttl, r.rdata))
    digest = hashlib.new(name)
    for owner, rdtype, rdclass, ttl, rdata in sorted(rows, key=lambda x: (x[0], x[1], x[4])):
        digest.update(owner.to_digestable())
        digest.update(struct.pack("!HHIH", rdtype, rdclass, ttl, len(rdata)))
        digest.update(rdata)
    return digest.digest()


def check_zonemd(
    wires: list[bytes],
    serial: int | None,
    records: Iterable[Record],
    origin: dns.name.Name,
    line: int | None,
    out: Emitter,
) -> None:
    """Report ZONEMD_MISMATCH unless some supported ZONEMD verifies (RFC 8976 §4)."""
    zone = origin.to_text()
    items = []
    for wire in wires:
        try:
            items.append(Zonemd.from_wire(wire))
        except ValueError as exc:
            out.add(
                Code.ZONEMD_MISMATCH,
                "malformed",
                {"zone": zone, "error": exc},
                subject="malformed",
                line=line,
            )
    pairs = [(z.scheme, z.algorithm) for z in items]
    for pair in sorted(set(pairs)):
        if pairs.count(pair) > 1:
            out.add(
                Code.ZONEMD_MISMATCH,
                "duplicate",
                {"zone": zone, "count": pairs.count(pair), "scheme": pair[0], "algorithm": pair[1]},
                subject=f"duplicate {pair}",
                line=line,
            )
    usable = [z for z in items if z.scheme == SIMPLE and z.algorithm in _HASHES]
    usable = [z for z in usable if len(z.digest) == _HASHES[z.algorithm][1]]
    if not usable:
        out.add(
            Code.ZONEMD_MISMATCH,
            "unsupported",
            {"zone": zone},
            subject="unsupported",
            line=line,
            severity=Severity.NOTICE,
        )
        return
    wrong_serial = [z for z in usable if z.serial != serial]
    for z in wrong_serial:
        out.add(
            Code.ZONEMD_MISMATCH,
            "serial",
            {"serial": z.serial, "soa_serial": serial, "zone": zone},
            subject=f"serial {z.algorithm}",
            line=line,
        )
    candidates = [z for z in usable if z.serial == serial]
    if not candidates:
        return
    rows = list(records)
    computed = {alg: zone_digest(rows, origin, alg) for alg in {z.algorithm for z in candidates}}
    if not any(computed[z.algorithm] == z.digest for z in candidates):
        z = candidates[0]
        out.add(
            Code.ZONEMD_MISMATCH,
            "digest",
            {"zone": zone},
            subject="digest",
            line=line,
            evidence={"published": z.digest.hex(), "computed": computed[z.algorithm].hex()},
        )
