"""Name-server and alias sanity inside one zone (RFC 1034 §4.2.2, RFC 2181 §10.3, RFC 6672).

- An in-zone NS target that the zone itself serves (not below some other cut)
  must have an address, or nobody can reach it; a target below the delegation it
  serves needs glue; targets below another delegation or outside the zone are
  someone else's business.
- NS and MX targets must not be aliases (CNAME).
- Nothing may live below a DNAME.
"""

from __future__ import annotations

import dns.rdatatype

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.zonefile import namekey
from dnssec_doctor.zonefile.authority import (
    BELOW_CUT,
    BELOW_DNAME,
    DELEGATION,
    NSEC3_NODE,
    Authority,
)
from dnssec_doctor.zonefile.emit import Emitter

T = dns.rdatatype
_ADDRESS = frozenset({T.A, T.AAAA})


def _has_address(auth: Authority, target: bytes) -> bool:
    types = auth.table.types_at(target)
    if types is not None:
        return any(t in _ADDRESS for t in types)
    # no node: a wildcard at or below the closest existing ancestor may supply it
    current = target
    while current:
        current = namekey.parent(current)
        wildcard = auth.table.types_at(current + namekey.SEP + b"*" if current else b"*")
        if wildcard is not None:
            return any(t in _ADDRESS for t in wildcard)
        if auth.table.find(current) >= 0:
            return False
    return False


def _report_ns(
    auth: Authority,
    index: int,
    target_key: bytes,
    below: bool,
    missing: bool,
    alias: bool,
    out: Emitter,
) -> None:
    table = auth.table
    owner = table.name(index)
    target = table.zone.name_of(target_key)  # as the NS RDATA has it (canonical)
    if missing:
        out.add(
            Code.GLUE_MISMATCH_OR_MISSING,
            "zone_glue_missing" if below else "zone_address_missing",
            {"owner": owner, "target": target, "zone": table.zone.name},
            subject=f"{owner}/{target}",
            line=table.line_of(index, T.NS),
        )
    if alias:
        out.add(
            Code.NS_NAME_UNUSABLE,
            "zone_ns_alias",
            {"target": target, "owner": owner},
            subject=f"{owner}/{target}/cname",
            line=table.line_of(index, T.NS),
        )


def check_glue(auth: Authority, out: Emitter) -> None:
    """Missing addresses for in-zone name servers, alias targets, data below DNAME."""
    table = auth.table
    owners = [i for i, flag in enumerate(auth.flags) if flag & DELEGATION]
    apex = table.find(b"")
    for index in ([apex] if apex >= 0 else []) + owners:
        if auth.flags[index] & BELOW_CUT:
            continue
        key = table.keys[index]
        targets = table.ns_targets.get(key, ())
        if not targets:
            continue
        for target_key in targets:
            delegation = auth.is_delegation_key(target_key)
            cut = target_key if delegation else auth.cut_above(target_key)
            if cut is not None and cut != key:
                continue  # served by another delegation: its glue is optional here
            missing = not _has_address(auth, target_key)
            target_types = table.types_at(target_key)
            alias = target_types is not None and T.CNAME in target_types
            if missing or alias:
                _report_ns(auth, index, target_key, cut == key, missing, alias, out)
    for owner_key, target_key in table.mx_targets:
        target_types = table.types_at(target_key)
        if target_types is not None and T.CNAME in target_types:
            index = table.find(owner_key)
            name, target = table.name(index), table.zone.name_of(target_key)
            out.add(
                Code.ZONE_DATA_INVALID,
                "mx_alias",
                {"name": name, "target": target},
                subject=f"{name}/MX/{target}",
                line=table.line_of(index, T.MX),
            )
    if not auth.has_dname:
        return
    for index, flag in enumerate(auth.flags):
        if flag & BELOW_DNAME and not flag & (NSEC3_NODE | BELOW_CUT):
            key = table.keys[index]
            above = auth.dname_above(key)
            if above is None:
                continue
            name = table.name(index)
            out.add(
                Code.ZONE_DATA_INVALID,
                "below_dname",
                {"name": name, "dname": auth.name(above)},
                subject=f"{name}/below-DNAME",
                line=table.lines[index],
            )
