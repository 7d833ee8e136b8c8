"""Checks one node can answer alone, as soon as it is read (RFC 2181, 4035, 6672)."""

from __future__ import annotations

import dns.name
import dns.rdatatype

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.algorithms import PolicyStatus, algorithm_info, digest_info
from dnssec_doctor.dnssec.keys import DsRecord
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.nodes import Node
from dnssec_doctor.zonefile.skeleton import type_names

T = dns.rdatatype
_BESIDE_CNAME = frozenset({T.CNAME, T.RRSIG, T.NSEC, T.NSEC3})
"""RFC 2181 §10.1 and RFC 4035 §2.5: only DNSSEC records may sit beside a CNAME."""
_APEX_ONLY = {
    T.DNSKEY: Code.DNSKEY_NOT_AT_APEX,
    T.CDS: Code.DNSKEY_NOT_AT_APEX,
    T.CDNSKEY: Code.DNSKEY_NOT_AT_APEX,
    T.SOA: Code.ZONE_DATA_INVALID,
    T.NSEC3PARAM: Code.ZONE_DATA_INVALID,
}


class _LazyName:
    """A node's name that is only built when formatted into a finding."""

    __slots__ = ("_node",)

    def __init__(self, node: Node) -> None:
        self._node = node

    def __format__(self, spec: str) -> str:
        return format(self._node.name.to_text(), spec)


def _t(rdtype: int) -> str:
    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


_NOTABLE = frozenset({T.CNAME, T.DNAME, T.DS, T.ZONEMD, *_APEX_ONLY})
"""Types whose presence needs a closer look (the rest of a node is checked elsewhere)."""


def _odd(node: Node) -> bool:
    """TTLs that differ inside an RRset, or an RRSIG over a type the node lacks."""
    rrsets = node.rrsets
    for rrset in rrsets.values():
        if rrset.ttls_differ:
            return True
    for covered in node.sigs:  # noqa: SIM110 (a loop: no generator on this hot path)
        if covered not in rrsets:
            return True
    return False


def check_node(node: Node, origin: dns.name.Name, out: Emitter) -> None:
    """Report what is wrong inside ``node`` regardless of the rest of the zone."""
    rrsets = node.rrsets
    if _NOTABLE.isdisjoint(rrsets) and not _odd(node):
        return  # nothing here can be wrong on its own (the common case, made cheap)
    name = _LazyName(node)  # the text is made only when a finding is
    types = node.types()
    if T.CNAME in types:
        cname = node.rrsets[T.CNAME]
        if types - _BESIDE_CNAME:
            out.add(
                Code.ZONE_DATA_INVALID,
                "cname_beside",
                {"name": name, "types": type_names(types - _BESIDE_CNAME)},
                subject=f"{name}/CNAME-beside",
                line=cname.line,
            )
        if len(cname.rdatas) > 1:
            out.add(
                Code.ZONE_DATA_INVALID,
                "cname_multiple",
                {"name": name, "count": len(cname.rdatas)},
                subject=f"{name}/CNAME-multiple",
                line=cname.line,
            )
    if T.DNAME in types:
        dname = node.rrsets[T.DNAME]
        if len(dname.rdatas) > 1:
            out.add(
                Code.ZONE_DATA_INVALID,
                "dname_multiple",
                {"name": name, "count": len(dname.rdatas)},
                subject=f"{name}/DNAME-multiple",
                line=dname.line,
            )
        if T.NS in types and not node.is_apex:
            out.add(
                Code.ZONE_DATA_INVALID,
                "dname_ns",
                {"name": name},
                subject=f"{name}/DNAME-NS",
                line=dname.line,
            )
    for rrset in node.rrsets.values():
        if rrset.ttls_differ:
            out.add(
                Code.ZONE_DATA_INVALID,
                "ttls_differ",
                {"type": _t(rrset.rdtype), "name": name, "ttl": rrset.ttl},
                subject=f"{name}/{_t(rrset.rdtype)}/ttl",
                line=rrset.line,
                severity=Severity.WARNING,
            )
    if not node.is_apex:
        for rdtype, code in _APEX_ONLY.items():
            if rdtype in types:
                out.add(
                    code,
                    "below_apex",
                    {"type": _t(rdtype), "name": name, "zone": origin},
                    subject=f"{name}/{_t(rdtype)}",
                    line=node.rrsets[rdtype].line,
                )
    if not node.is_apex and T.ZONEMD in types:
        out.add(
            Code.ZONEMD_MISMATCH,
            "below_apex",
            {"name": name},
            subject=f"{name}/ZONEMD",
            line=node.rrsets[T.ZONEMD].line,
            severity=Severity.NOTICE,
        )
    if T.DS in types:
        _check_ds(node, origin, out)
    _check_orphan_sigs(node, out)


def _check_ds(node: Node, origin: dns.name.Name, out: Emitter) -> None:
    name = _LazyName(node)  # the text is made only when a finding is
    ds_set = node.rrsets[T.DS]
    if node.is_apex:
        out.add(
            Code.ZONE_DATA_INVALID,
            "ds_at_apex",
            {"name": name},
            subject=f"{name}/DS-apex",
            line=ds_set.line,
        )
    elif T.NS not in node.rrsets:
        out.add(
            Code.ZONE_DATA_INVALID,
            "ds_not_at_cut",
            {"name": name},
            subject=f"{name}/DS-no-NS",
            line=ds_set.line,
        )
    for index, rdata in enumerate(ds_set.rdatas):
        try:
            ds = DsRecord.from_rdata_wire(rdata)
        except ValueError as exc:
            out.add(
                Code.DS_DIGEST_INVALID_TYPE,
                "zone_undecodable",
                {"name": name, "error": exc},
                subject=f"{name}/DS#{index}",
                line=ds_set.line,
            )
            continue
        digest = digest_info(ds.digest_type)
        if digest.status is PolicyStatus.INVALID:
            out.add(
                Code.DS_DIGEST_INVALID_TYPE,
                "zone_digest_type",
                {
                    "tag": ds.key_tag,
                    "name": name,
                    "digest_type": ds.digest_type,
                    "mnemonic": digest.mnemonic,
                    "reason": digest.reason,
                },
                subject=f"{name}/DS {ds.key_tag}/{ds.digest_type}",
                line=ds_set.line,
                evidence={"ds": ds.to_text()},
            )
        elif digest.length is not None and len(ds.digest) != digest.length:
            out.add(
                Code.DS_DIGEST_INVALID_TYPE,
                "zone_digest_length",
                {
                    "tag": ds.key_tag,
                    "name": name,
                    "length": len(ds.digest),
                    "mnemonic": digest.mnemonic,
                    "expected": digest.length,
                },
                subject=f"{name}/DS {ds.key_tag}/{ds.digest_type}",
                line=ds_set.line,
                evidence={"ds": ds.to_text()},
            )
        alg = algorithm_info(ds.algorithm)
        if alg.status is PolicyStatus.INVALID:
            out.add(
                Code.ALGORITHM_INVALID,
                "zone_ds",
                {
                    "tag": ds.key_tag,
                    "name": name,
                    "algorithm": ds.algorithm,
                    "mnemonic": alg.mnemonic,
                    "reason": alg.reason,
                },
                subject=f"{name}/DS {ds.key_tag}/alg",
                line=ds_set.line,
            )


def _check_orphan_sigs(node: Node, out: Emitter) -> None:
    name = _LazyName(node)  # the text is made only when a finding is
    signatures = sorted((sig[2], c) for c, group in node.sigs.items() for sig in group)
    for line, covered in signatures:  # in file order
        if covered == T.RRSIG:
            out.add(
                Code.RRSIG_FIELDS_INVALID,
                "covers_rrsig",
                {"name": name},
                subject=f"{name}/RRSIG-RRSIG",
                line=line,
            )
        elif covered not in node.rrsets:
            out.add(
                Code.RRSIG_FIELDS_INVALID,
                "orphan",
                {"name": name, "type": _t(covered)},
                subject=f"{name}/RRSIG-{_t(covered)}-orphan",
                line=line,
            )
