"""Signature verification results → findings (catalog section D, L)."""

from __future__ import annotations

import dns.name
import dns.rdatatype

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.catalog.sigstatus import STATUS_CODES
from dnssec_doctor.dnssec.signatures import SigStatus
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.timefmt import iso
from dnssec_doctor.zonefile.authority import Authority
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.sigverify import SigProblem, SigTotals

_SOFT = frozenset({SigStatus.EXPIRED, SigStatus.NOT_YET_VALID, SigStatus.KEY_NOT_FOUND})
"""Failures that do not break the RRset while another valid signature of the same
algorithm exists (a left-over signature); a signature that does not verify at all
stays at its full severity, because it means the data or the signer is corrupt."""


def _t(rdtype: int) -> str:
    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


def report_problems(auth: Authority, totals: SigTotals, out: Emitter) -> None:
    """One finding per failing RRSIG over authoritative data (signed glue is reported apart)."""
    zone = auth.table.zone
    for problem in totals.problems:
        key = zone.key_of(problem.owner)
        if not auth.is_authoritative_for(key, problem.rdtype):
            continue
        _report(problem, problem.owner if key is None else auth.name(key), out)
    if totals.dropped:
        out.add(
            Code.ANALYSIS_BUDGET_EXCEEDED,
            "zone_signature_problems",
            {"dropped": totals.dropped},
            subject="signature-problems",
        )


def _report(problem: SigProblem, name: dns.name.Name, out: Emitter) -> None:
    code = STATUS_CODES[problem.status]
    owner = name.to_text()
    severity = None
    if problem.status in _SOFT and problem.algorithm in problem.rrset_valid_algorithms:
        severity = Severity.WARNING
    out.add(
        code,
        "zone_rrsig_covered" if severity is Severity.WARNING else "zone_rrsig",
        {
            "type": _t(problem.rdtype),
            "owner": owner,
            "tag": problem.key_tag,
            "algorithm": problem.algorithm,
            "inception": iso(problem.inception),
            "expiration": iso(problem.expiration),
            "problem": problem.detail,
        },
        subject=f"{owner}/{_t(problem.rdtype)}/{problem.key_tag}/{problem.line}",
        line=problem.line,
        severity=severity,
        evidence={
            "owner": owner,
            "type": _t(problem.rdtype),
            "key_tag": problem.key_tag,
            "algorithm": problem.algorithm,
            "inception": iso(problem.inception),
            "expiration": iso(problem.expiration),
            "status": problem.status.value,
        },
    )


def report_timing(
    totals: SigTotals, now: int, warn_within: int, soa_expire: int | None, out: Emitter
) -> None:
    """Earliest expiration, SOA EXPIRE margin, TTLs outliving signatures, RRSIG TTLs."""
    if totals.earliest_expiration is not None:
        expiration, owner, rdtype = totals.earliest_expiration
        remaining = expiration - now
        evidence = {"earliest_expiration": iso(expiration), "owner": owner, "type": _t(rdtype)}
        if remaining < warn_within:
            out.add(
                Code.RRSIG_EXPIRES_SOON,
                "zone_earliest",
                {
                    "type": _t(rdtype),
                    "owner": owner,
                    "expiration": iso(expiration),
                    "days": remaining / 86400,
                },
                subject="earliest",
                evidence=evidence,
            )
        elif soa_expire is not None and remaining < soa_expire:
            out.add(
                Code.RRSIG_VALIDITY_BELOW_SOA_EXPIRE,
                "zone_earliest",
                {
                    "expiration": iso(expiration),
                    "days": remaining / 86400,
                    "expire_days": soa_expire / 86400,
                },
                subject="earliest",
                evidence=evidence,
            )
    for owner, rdtype, ttl, expiration in totals.ttl_outlives[:5]:
        out.add(
            Code.RRSIG_TTL_OUTLIVES_SIGNATURE,
            "zone_rrset",
            {"owner": owner, "type": _t(rdtype), "ttl": ttl, "expiration": iso(expiration)},
            subject=f"{owner}/{_t(rdtype)}",
        )
    if totals.ttl_differs_count:
        owner, rdtype, line = totals.ttl_differs[0]
        out.add(
            Code.RRSIG_FIELDS_INVALID,
            "zone_rrsig_ttl",
            {"count": totals.ttl_differs_count, "owner": owner, "type": _t(rdtype)},
            subject="rrsig-ttl",
            line=line,
            severity=Severity.NOTICE,
        )
