"""The analysis: survey + exchanges + now + limits → diagnosis. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import dns.name

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain import ZoneEval, evaluate_chain
from dnssec_doctor.analysis.existence import is_nxdomain
from dnssec_doctor.analysis.findingset import FindingSet
from dnssec_doctor.analysis.keypolicy import ds_findings, key_findings
from dnssec_doctor.analysis.malformed import malformed_findings
from dnssec_doctor.analysis.namestatus import name_status
from dnssec_doctor.analysis.ownernames import mistyped_owner_findings
from dnssec_doctor.analysis.rollover import rollover_findings
from dnssec_doctor.analysis.rootcause import link_causes
from dnssec_doctor.analysis.servers import server_findings
from dnssec_doctor.analysis.zonedata import (
    DEFAULT_EXPIRY_WARNING,
    ZoneData,
    check_ds_rrsets,
    check_zone_data,
)
from dnssec_doctor.capture import Exchange
from dnssec_doctor.findings import Diagnosis, Finding, Status, ZoneReport
from dnssec_doctor.limits import Limits
from dnssec_doctor.probe.survey import Survey

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """Knobs of the analysis that are policy, not input."""

    expiry_warning: int = DEFAULT_EXPIRY_WARNING
    """Warn when the earliest signature expires within this many seconds."""


def analyse(
    survey: Survey,
    exchanges: Sequence[Exchange],
    now: int,
    limits: Limits,
    options: AnalysisOptions | None = None,
) -> Diagnosis:
    """Diagnose the name of ``survey`` as of ``now``."""
    options = options or AnalysisOptions()
    found = FindingSet()
    for event in survey.events:
        found.add(
            catalog.finding(
                event.code,
                zone=event.zone,
                detail=event.detail,
                servers=event.servers,
                subject=event.subject,
                evidence=dict(event.evidence),
            )
        )
    evals = evaluate_chain(survey, now, limits, found)
    data: ZoneData | None = None
    valid_until: dict[str, int | None] = {}
    for index, ev in enumerate(evals):
        is_target = index == len(evals) - 1
        zone_data, zone_findings = check_zone_data(
            ev, is_target, now, limits, options.expiry_warning
        )
        found.extend(zone_findings)
        valid_until[ev.name] = zone_data.valid_until
        if is_target:
            data = zone_data
            found.extend(mistyped_owner_findings(ev.cut, dns.name.from_text(survey.name)))
        if ev.signed:
            found.extend(
                key_findings(
                    ev.name, ev.keys, zone_data.signing_algorithms, limits.max_keys_per_tag
                )
            )
            found.extend(
                rollover_findings(ev.name, ev.keys, zone_data.verdicts, zone_data.dnskey_ttl)
            )
        if index > 0:
            parent = evals[index - 1]
            found.extend(check_ds_rrsets(parent, ev, now, limits))
            ds_set = [d for item in ev.ds_rrsets.values() for d in item.rrset]
            found.extend(ds_findings(ev.name, _dedupe(ds_set), ev.keys))
    found.extend(server_findings(evals, survey))
    found.extend(malformed_findings(exchanges, _zone_of(survey)))
    if survey.budget_exhausted and not any(
        f.code == "ANALYSIS_BUDGET_EXCEEDED" for f in found.all()
    ):
        found.add(
            catalog.finding(
                "ANALYSIS_BUDGET_EXCEEDED",
                zone=evals[-1].name if evals else ".",
                detail=(
                    f"The query budget ({limits.max_queries} queries) or deadline "
                    f"({limits.deadline:g} s) ran out; some queries were not sent."
                ),
            )
        )
    if survey.resolvers:
        # Imported only when a resolver was asked: most checks ask none, and this
        # part of the analysis costs a fast check a few milliseconds to import.
        from dnssec_doctor.analysis.resolver import resolver_findings

        found.extend(resolver_findings(survey, evals, data, found.all()))
    findings = link_causes(found.all())
    status: Status = "indeterminate"
    reason = "the walk found no zone"
    nxdomain = False
    if evals and data is not None:
        status, reason = name_status(survey.name, evals[-1], data)
        nxdomain = is_nxdomain(survey.name, evals[-1].cut)
    return Diagnosis(
        name=survey.name,
        at=now,
        status=status,
        findings=tuple(_order(findings)),
        zones=tuple(_report(ev, valid_until.get(ev.name)) for ev in evals),
        servers=tuple(sorted({str(a) for ev in evals for a in ev.cut.server_addresses()}, key=str)),
        stats={
            "queries": survey.exchanges_sent,
            "status_reason": reason,
            "nxdomain": nxdomain,
        },
    )


def _report(ev: ZoneEval, valid_until: int | None) -> ZoneReport:
    return ZoneReport(
        name=ev.name,
        status=ev.status,
        servers=tuple(str(a) for a in ev.cut.server_addresses()),
        reason=ev.reason,
        valid_until=valid_until,
    )


def _order(findings: list[Finding]) -> list[Finding]:
    """Root causes first, then by severity, zone depth, and code."""
    return sorted(
        findings,
        key=lambda f: (
            not f.is_root_cause,
            -f.severity,
            -len(dns.name.from_text(f.zone).labels) if _is_name(f.zone) else 0,
            f.code,
            f.subject,
        ),
    )


def _is_name(text: str) -> bool:
    try:
        dns.name.from_text(text)
    except Exception:
        return False
    return True


def _zone_of(survey: Survey) -> Callable[[Exchange], str]:
    """Map an exchange to the zone it was asked about (deepest zone containing its qname)."""
    zones = [dns.name.from_text(c.zone) for c in survey.cuts]

    def zone_of(exchange: Exchange) -> str:
        qname = dns.name.from_text(exchange.query.qname)
        best = dns.name.root
        for z in zones:
            if qname.is_subdomain(z) and len(z.labels) > len(best.labels):
                best = z
        return best.to_text()

    return zone_of


def _dedupe(items: list[T]) -> list[T]:
    seen: dict[T, T] = {}
    for item in items:
        seen.setdefault(item, item)
    return list(seen.values())
