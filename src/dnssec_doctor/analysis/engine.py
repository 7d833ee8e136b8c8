"""The analysis: survey + exchanges + now + limits → diagnosis. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

import dns.name

from dnssec_doctor.analysis.budget import budget_finding
from dnssec_doctor.analysis.chain.keypolicy import ds_findings, key_findings
from dnssec_doctor.analysis.chain.ownernames import mistyped_owner_findings
from dnssec_doctor.analysis.chain.rollover import rollover_findings
from dnssec_doctor.analysis.chain.rrsigs import RRsetVerdict
from dnssec_doctor.analysis.chain.zonedata import (
    DEFAULT_EXPIRY_WARNING,
    ZoneData,
    check_ds_rrsets,
    check_zone_data,
    earliest_valid_expiration,
)
from dnssec_doctor.analysis.chain.zones import ZoneEval, evaluate_chain
from dnssec_doctor.analysis.findingset import FindingSet
from dnssec_doctor.analysis.graph.keys import build_key_graph
from dnssec_doctor.analysis.name.alias import ChainParts, joined_parts, with_alias
from dnssec_doctor.analysis.name.cnames import cname_findings
from dnssec_doctor.analysis.name.existence import is_nxdomain
from dnssec_doctor.analysis.rootcause import link_causes
from dnssec_doctor.analysis.servers.diagnose import server_findings
from dnssec_doctor.analysis.servers.malformed import malformed_findings
from dnssec_doctor.analysis.servers.unrelated import unrelated_answer_findings
from dnssec_doctor.analysis.verdict import decide_status
from dnssec_doctor.analysis.walk import walk_findings
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.findings import Diagnosis, Finding, Status, ZoneReport
from dnssec_doctor.model.survey import Survey
from dnssec_doctor.names import name_of

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
    return _analyse(survey, exchanges, now, limits, options or AnalysisOptions()).diagnosis


@dataclass(frozen=True, slots=True)
class _Analysis:
    diagnosis: Diagnosis
    evals: list[ZoneEval]
    data: ZoneData | None
    parts: ChainParts
    """The zones the key graph is drawn from (the alias's target's too)."""


def _analyse(
    survey: Survey,
    exchanges: Sequence[Exchange],
    now: int,
    limits: Limits,
    options: AnalysisOptions,
) -> _Analysis:
    # The name's answer goes on in another zone (analysis.alias): that zone's verdict
    # first, so the resolvers' failures can be traced to its findings too.
    alias = None
    if survey.alias is not None:
        alias = _analyse(survey.alias, exchanges, now, limits, options)
    found = FindingSet()
    found.extend(walk_findings(survey))
    evals = evaluate_chain(survey, now, limits, found)
    data: ZoneData | None = None
    valid_until: dict[str, int | None] = {}
    zone_datas: list[ZoneData] = []
    ds_verdicts: list[list[RRsetVerdict]] = [[] for _ in evals]
    for index, ev in enumerate(evals):
        is_target = index == len(evals) - 1
        zone_data, zone_findings = check_zone_data(
            ev, is_target, now, limits, options.expiry_warning
        )
        found.extend(zone_findings)
        zone_datas.append(zone_data)
        valid_until[ev.name] = zone_data.valid_until
        if is_target:
            data = zone_data
            found.extend(mistyped_owner_findings(ev.cut, name_of(survey.name)))
            if survey.types:
                found.extend(cname_findings(ev.cut, survey.name, survey.types[0], limits))
            found.extend(unrelated_answer_findings(ev.cut, zone_data))
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
            ds_checks, ds_verdicts[index] = check_ds_rrsets(parent, ev, now, limits)
            found.extend(ds_checks)
            valid_until[parent.name] = _earliest(
                valid_until.get(parent.name), earliest_valid_expiration(ds_verdicts[index])
            )
            ds_set = [d for item in ev.ds_rrsets.values() for d in item.rrset]
            found.extend(ds_findings(ev.name, _dedupe(ds_set), ev.keys))
    found.extend(server_findings(evals, survey))
    found.extend(malformed_findings(exchanges, _zone_of(survey)))
    budget = budget_finding(exchanges, survey.name, evals[-1].name if evals else ".", limits)
    if budget is not None:
        found.add(budget)
    if alias is not None:
        for finding in alias.diagnosis.findings:
            if found.get(finding.key) is None:
                found.add(finding)
    if survey.resolvers:
        # Imported only when a resolver was asked: most checks ask none, and this
        # part of the analysis costs a fast check a few milliseconds to import.
        from dnssec_doctor.analysis.resolver.diagnosis import AliasView, resolver_findings

        view = None
        if alias is not None:
            view = AliasView(survey.name, survey.alias_target, alias.evals, alias.data)
        found.extend(resolver_findings(survey, evals, data, found.all(), view))
    verdict = decide_status(survey.name, evals, data, found)
    findings = link_causes(found.all())
    status: Status = verdict.status
    reason = verdict.reason
    nxdomain = bool(evals) and data is not None and is_nxdomain(survey.name, evals[-1].cut)
    diagnosis = Diagnosis(
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
    parts = ChainParts.linear(evals, zone_datas, ds_verdicts)
    if alias is not None:
        diagnosis = with_alias(diagnosis, survey.alias_target, alias.diagnosis)
        diagnosis = replace(diagnosis, findings=tuple(_order(list(diagnosis.findings))))
        parts = joined_parts(parts, alias.parts)
    graph = build_key_graph(
        parts.evals,
        parts.data,
        parts.ds_verdicts,
        survey.trust_anchors,
        diagnosis.findings,
        limits,
        parts.parents,
    )
    return _Analysis(replace(diagnosis, graph=graph), evals, data, parts)


def _report(ev: ZoneEval, valid_until: int | None) -> ZoneReport:
    return ZoneReport(
        name=ev.name,
        status=ev.status,
        servers=tuple(str(a) for a in ev.cut.server_addresses()),
        reason=ev.reason,
        valid_until=valid_until,
    )


def _earliest(a: int | None, b: int | None) -> int | None:
    """The earlier of two optional times."""
    return min((t for t in (a, b) if t is not None), default=None)


def _order(findings: list[Finding]) -> list[Finding]:
    """Root causes first, then by severity, zone depth, and code."""
    return sorted(
        findings,
        key=lambda f: (
            not f.is_root_cause,
            -f.severity,
            -len(name_of(f.zone).labels) if _is_name(f.zone) else 0,
            f.code,
            f.subject,
        ),
    )


def _is_name(text: str) -> bool:
    try:
        name_of(text)
    except Exception:
        return False
    return True


def _zone_of(survey: Survey) -> Callable[[Exchange], str]:
    """Map an exchange to the zone it was asked about (deepest zone containing its qname)."""
    zones = [name_of(c.zone) for c in survey.cuts]

    def zone_of(exchange: Exchange) -> str:
        qname = name_of(exchange.query.qname)
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
