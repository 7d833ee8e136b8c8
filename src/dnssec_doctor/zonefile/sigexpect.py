"""Which RRsets must carry signatures, with which algorithms — and which must not.

RFC 4035 §2.2: every authoritative RRset is signed, with at least one key of
each algorithm in the apex DNSKEY RRset; delegation NS RRsets and glue are not
signed. RFC 4035 §2.4: DS (and NSEC) at a delegation point are signed.
"""

from __future__ import annotations

import dns.rdatatype

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.algorithms import algorithm_name
from dnssec_doctor.zonefile.authority import AUTHORITATIVE_AT_CUT, BELOW_CUT, DELEGATION, Authority
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.table import Shape

T = dns.rdatatype

Problem = tuple[str, int, int, int]
"""(kind, type, line offset, algorithm): kind is ``signed``, ``unsigned`` or ``alg``."""


def _t(rdtype: int) -> str:
    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


def _problems(shape: Shape, flag: int, algorithms: frozenset[int]) -> list[Problem]:
    below, at_cut = bool(flag & BELOW_CUT), bool(flag & DELEGATION)
    found: list[Problem] = []
    for rdtype, offset, mask in zip(shape.types, shape.offsets, shape.algs, strict=True):
        signed_with = shape.algorithms(rdtype) if mask else frozenset()
        authoritative = not below and (not at_cut or rdtype in AUTHORITATIVE_AT_CUT)
        if not authoritative:
            if signed_with:
                found.append(("signed", rdtype, offset, 0))
            continue
        if not signed_with:
            found.append(("unsigned", rdtype, offset, 0))
            continue
        found.extend(("alg", rdtype, offset, alg) for alg in sorted(algorithms - signed_with))
    return found


def check_signing_coverage(auth: Authority, algorithms: frozenset[int], out: Emitter) -> None:
    """Report unsigned authoritative RRsets, missing algorithms, and signed glue."""
    table = auth.table
    memo: dict[tuple[int, int], list[Problem]] = {}
    flags = auth.flags
    for index, shape_id in enumerate(table.shape_ids):
        flag = flags[index] & (BELOW_CUT | DELEGATION)
        problems = memo.get((shape_id, flag))
        if problems is None:
            problems = memo[(shape_id, flag)] = _problems(table.shapes[shape_id], flag, algorithms)
        if problems:
            _report(auth, index, flag, problems, out)


def _report(auth: Authority, index: int, flag: int, problems: list[Problem], out: Emitter) -> None:
    table = auth.table
    text = table.name(index)
    first = table.lines[index]
    below, at_cut = bool(flag & BELOW_CUT), bool(flag & DELEGATION)
    for kind, rdtype, offset, alg in problems:
        line = first + offset
        if kind == "signed":
            case = "signed_delegation_ns" if at_cut and rdtype == T.NS else "signed_glue"
            if not below and at_cut and rdtype != T.NS:
                case = "signed_occluded"
            out.add(
                Code.ZONE_DATA_INVALID,
                case,
                {"type": _t(rdtype), "name": text},
                subject=f"{text}/{_t(rdtype)}/signed-non-authoritative",
                line=line,
            )
        elif kind == "unsigned":
            out.add(
                Code.RRSIG_MISSING,
                "zone_rrset",
                {"type": _t(rdtype), "name": text},
                subject=f"{text}/{_t(rdtype)}",
                line=line,
            )
        else:
            out.add(
                Code.RRSIG_MISSING_FOR_ALGORITHM,
                "zone_rrset",
                {
                    "type": _t(rdtype),
                    "name": text,
                    "algorithm": alg,
                    "mnemonic": algorithm_name(alg),
                },
                subject=f"{text}/{_t(rdtype)}/alg{alg}",
                line=line,
            )
