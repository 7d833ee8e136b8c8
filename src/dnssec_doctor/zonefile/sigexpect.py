"""Which RRsets must carry signatures, with which algorithms — and which must not.

RFC 4035 §2.2: every authoritative RRset is signed, with at least one key of
each algorithm in the apex DNSKEY RRset; delegation NS RRsets and glue are not
signed. RFC 4035 §2.4: DS (and NSEC) at a delegation point are signed.
"""

from __future__ import annotations

import dns.name
import dns.rdatatype

from dnssec_doctor.dnssec.algorithms import algorithm_name
from dnssec_doctor.zonefile.authority import AUTHORITATIVE_AT_CUT, ZoneView
from dnssec_doctor.zonefile.emit import Emitter

T = dns.rdatatype


def _t(rdtype: int) -> str:
    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


def check_signing_coverage(view: ZoneView, algorithms: frozenset[int], out: Emitter) -> None:
    """Report unsigned authoritative RRsets, missing algorithms, and signed glue."""
    for name, info in view.nodes.items():
        text = name  # formatted lazily
        cut = view.cut_above(name)
        at_cut = view.is_delegation(name)
        for rdtype, line, mask in zip(info.types, info.lines, info.algs, strict=True):
            signed_with = info.algorithms(rdtype) if mask else frozenset()
            authoritative = cut is None and (not at_cut or rdtype in AUTHORITATIVE_AT_CUT)
            if not authoritative:
                if signed_with:
                    what = "delegation NS" if at_cut and rdtype == T.NS else "glue/occluded"
                    if cut is None and at_cut and rdtype != T.NS:
                        what = "data at a delegation point (occluded)"
                    out.add(
                        "ZONE_DATA_INVALID",
                        f"{_t(rdtype)} at {text} is signed, but it is {what}: the zone is not "
                        "authoritative for it and must not sign it (RFC 4035 §2.2)",
                        subject=f"{text}/{_t(rdtype)}/signed-non-authoritative",
                        line=line,
                    )
                continue
            if not signed_with:
                out.add(
                    "RRSIG_MISSING",
                    f"the {_t(rdtype)} RRset at {text} has no RRSIG",
                    subject=f"{text}/{_t(rdtype)}",
                    line=line,
                )
                continue
            for alg in sorted(algorithms - signed_with):
                out.add(
                    "RRSIG_MISSING_FOR_ALGORITHM",
                    f"the {_t(rdtype)} RRset at {text} has no RRSIG of algorithm {alg} "
                    f"({algorithm_name(alg)}), which the apex DNSKEY RRset contains "
                    "(RFC 4035 §2.2, RFC 6840 §5.11)",
                    subject=f"{text}/{_t(rdtype)}/alg{alg}",
                    line=line,
                )


def sig_is_for_authoritative(view: ZoneView, owner: dns.name.Name, rdtype: int) -> bool:
    """Whether a signature over (owner, type) covers data the zone is authoritative for."""
    if owner not in view.nodes:
        return True
    if view.cut_above(owner) is not None:
        return False
    return not (view.is_delegation(owner) and rdtype not in AUTHORITATIVE_AT_CUT)
