"""From one node to what outlives it: its table row, signature jobs, NSEC3 records.

Called once per name of the zone, so it is written for speed: shapes are built
as plain tuples and interned, signatures grouped by type in one pass.
"""

from __future__ import annotations

import struct

import dns.rdatatype

from dnssec_doctor.zonefile.nodes import Node
from dnssec_doctor.zonefile.sigverify import SigJob
from dnssec_doctor.zonefile.skeleton import Nsec3Info, decode_nsec3
from dnssec_doctor.zonefile.table import NameTable, Nsec, Shape, next_key, nsec_fields

T = dns.rdatatype
_NSEC, _NSEC3, _NS, _MX = int(T.NSEC), int(T.NSEC3), int(T.NS), int(T.MX)


class NodeFacts:
    """Turns nodes into table rows and signature jobs for one zone."""

    def __init__(self, table: NameTable) -> None:
        self.table = table
        self._shapes: dict[tuple[object, ...], int] = {}
        self._zone_wire = table.zone.wire

    def record(self, node: Node) -> tuple[list[SigJob], list[tuple[str, str]]]:
        """Add ``node``'s row to the table; its signature jobs and decoding problems (the
        type that cannot be decoded, and why)."""
        table = self.table
        owner = node.owner
        key = owner.key
        assert key is not None
        rrsets = node.rrsets
        base = node.line
        by_type = node.sigs
        masks: dict[int, int] = {}
        for covered, group in by_type.items():
            mask = 0
            for rdata, _, _ in group:
                mask |= 1 << (rdata[2] if len(rdata) > 2 else 0)
            masks[covered] = mask
        types = tuple(sorted(rrsets))
        problems: list[tuple[str, str]] = []
        nsec: list[Nsec] = []
        next_name: bytes | None = None
        next_case: bytes | None = None
        nsec_set = rrsets.get(_NSEC)
        if nsec_set is not None:
            for rdata in nsec_set.rdatas:
                try:
                    next_wire, bitmap, found, case = nsec_fields(table.zone, rdata)
                except ValueError as exc:
                    problems.append(("NSEC", str(exc)))
                    continue
                if not nsec:
                    next_name, next_case = found, case
                nsec.append((next_wire, bitmap, nsec_set.ttl, nsec_set.line))
        raw_shape = (
            types,
            tuple(masks.get(t, 0) for t in types),
            tuple(rrsets[t].line - base for t in types),
            nsec[0][1] if nsec else None,
            nsec_set.ttl if nsec_set is not None and nsec else 0,
            nsec_set.line - base if nsec_set is not None and nsec else 0,
            len(nsec),
        )
        shape_id = self._shapes.get(raw_shape)
        if shape_id is None:
            shape_id = self._shapes[raw_shape] = table.shape_id(Shape(*raw_shape))
        if next_case is not None:
            table.next_cases[key] = next_case
        if len(nsec) > 1:
            table.more_nsec[key] = nsec
        if owner.case is not None:
            table.cases[key] = owner.case
        table.add(key, base, shape_id, next_name)
        if _NSEC3 in rrsets:
            self._nsec3(node, problems)
        if _NS in rrsets:
            self._targets(key, rrsets[_NS].rdatas, 0, is_ns=True)
        if _MX in rrsets:
            self._targets(key, rrsets[_MX].rdatas, 2, is_ns=False)
        jobs: list[SigJob] = []
        wire = owner.wire
        for rdtype, group in by_type.items():
            rrset = rrsets.get(rdtype)
            if rrset is None:
                continue  # an RRSIG over nothing: reported by the node check
            rdatas = rrset.rdatas
            ordered = tuple(sorted(rdatas)) if len(rdatas) > 1 else (rdatas[0],)
            jobs.append((wire, rdtype, rrset.rdclass, rrset.ttl, ordered, tuple(group)))
        return jobs, problems

    def _nsec3(self, node: Node, problems: list[tuple[str, str]]) -> None:
        nsec3_set = node.rrsets[_NSEC3]
        key = node.owner.key
        assert key is not None
        wire = node.owner.wire
        first_label = wire[1 : 1 + wire[0]] if wire[0] else b""
        for rdata in nsec3_set.rdatas:
            try:
                info: Nsec3Info = decode_nsec3(key, first_label, rdata, nsec3_set.ttl,
                                               nsec3_set.line)  # fmt: skip
            except (ValueError, IndexError, struct.error) as exc:
                problems.append(("NSEC3", str(exc)))
                continue
            self.table.nsec3.append(info)

    def _targets(self, key: bytes, rdatas: list[bytes], skip: int, *, is_ns: bool) -> None:
        zone = self._zone_wire
        found = []
        for rdata in rdatas:
            target = rdata[skip:]
            if len(target) >= len(zone) and target.endswith(zone):
                target_key = next_key(self.table.zone, target)[0]
                if target_key[:1] != b"\x00":
                    found.append(target_key)
        if not found:
            return
        if is_ns:
            self.table.ns_targets[key] = tuple(found)
        else:
            self.table.mx_targets.extend((key, t) for t in found)
