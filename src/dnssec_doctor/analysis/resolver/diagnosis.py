"""Resolver diagnosis: each ``--resolver``'s answers judged against this run's own validation.

The guide's first test for SERVFAIL is to repeat the query with CD=1 (RFC 4035
§3.2.2): an answer then means validation failed, and the authoritative
analysis of the same run says why (expired signatures, a DS that matches no
key …). SERVFAIL even with CD is not a DNSSEC problem. A resolver that cannot
validate the root DNSKEY RRset, which this run validates from its own anchor,
has a stale or wrong trust anchor. Answers for names found bogus show a
resolver that does not validate (no AD anywhere) or that skips one domain (AD
elsewhere: a negative trust anchor, RFC 7646); a secure name without AD from a
resolver that validates others is RESOLVER_AD_NOT_SET (RFC 4035 §3.2.3).
Extended DNS Errors are shown as evidence (``resolver.ede``), never as the verdict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import dns.name
import dns.rcode
import dns.rdatatype

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain.zonedata import ZoneData
from dnssec_doctor.analysis.chain.zones import ZoneEval
from dnssec_doctor.analysis.name.alias import WEAKNESS
from dnssec_doctor.analysis.resolver.ede import SKEW_CODES, collect_ede, ede_findings
from dnssec_doctor.analysis.resolver.validation import clock_skew, validation_findings
from dnssec_doctor.analysis.resolver.view import (
    Asked,
    Expectation,
    View,
    asked_questions,
    breaking_findings,
    by_zone,
    codes_text,
    expectation,
    short_list,
    unique,
)
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.keys import is_sep, key_tag
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.model.survey import QueryKey, Survey

UNREACHABLE_CAUSES: tuple[Code, ...] = (
    Code.AUTH_UDP_UNREACHABLE,
    Code.AUTH_TCP_UNREACHABLE,
    Code.LAME_OR_NOT_AUTHORITATIVE,
    Code.EDNS_QUERIES_DROPPED,
    Code.LARGE_UDP_RESPONSE_LOST,
    Code.NS_NAME_UNUSABLE,
)
"""Zone-side findings that can make a resolver fail a zone whatever the CD flag says."""


@dataclass(frozen=True, slots=True)
class AliasView:
    """The name is an alias (CNAME) of ``target``, whose chain and data are these."""

    name: str
    target: str
    evals: Sequence[ZoneEval]
    data: ZoneData | None


@dataclass(frozen=True, slots=True)
class _Context:
    evals: Sequence[ZoneEval]
    data: ZoneData | None
    findings: Sequence[Finding]
    target_zone: str
    alias: AliasView | None = None


def resolver_findings(
    survey: Survey,
    evals: Sequence[ZoneEval],
    data: ZoneData | None,
    findings: Sequence[Finding],
    alias: AliasView | None = None,
) -> list[Finding]:
    """Findings about every resolver of ``survey``, given the zone-side ``findings``.

    ``evals`` and ``data`` are the chain verdicts and the target zone's data
    checks of the same run; caused_by links point at keys of ``findings``.
    ``alias``: the name is a CNAME into another zone, so a resolver's answer for it
    is only as good as the target's (RFC 4035 §5.3.3).
    """
    ctx = _Context(evals, data, findings, evals[-1].name if evals else ".", alias)
    out: list[Finding] = []
    for server in sorted(survey.resolvers):
        out.extend(_diagnose(server, survey.resolvers[server], ctx))
    return merge_ede(out)


def merge_ede(findings: list[Finding]) -> list[Finding]:
    """One RESOLVER_EDE per zone and EDE code, naming every resolver that sent it: the
    same extended error from two resolvers is one fact about the zone, not two."""
    out: list[Finding] = []
    first: dict[tuple[str, object], int] = {}
    for f in findings:
        if f.code != Code.RESOLVER_EDE:
            out.append(f)
            continue
        group = (f.zone, f.evidence.get("info_code"))
        if group not in first:
            first[group] = len(out)
            out.append(f)
            continue
        old = out[first[group]]
        resolvers = [*old.evidence.get("resolvers", old.servers), *f.servers]
        out[first[group]] = replace(
            old,
            subject=f"EDE {group[1]}",
            servers=tuple(sorted({*old.servers, *f.servers})),
            detail=f"{old.detail} {f.detail}",
            caused_by=tuple(dict.fromkeys((*old.caused_by, *f.caused_by))),
            evidence={**old.evidence, "resolvers": sorted(set(resolvers))},
        )
    return out


def _expectation(asked: Asked, ctx: _Context) -> Expectation:
    """What this run found for ``asked``; for an alias, the weaker of it and its target."""
    own = expectation(asked, ctx.evals, ctx.data, ctx.findings)
    alias = ctx.alias
    if alias is None or asked.qtype == "CNAME" or not _same_name(asked.qname, alias.name):
        return own
    at_target = replace(asked, qname=alias.target)
    target = expectation(at_target, alias.evals, alias.data, ctx.findings)
    return target if WEAKNESS[target.status] > WEAKNESS[own.status] else own


def _same_name(a: str, b: str) -> bool:
    return bool(dns.name.from_text(a) == dns.name.from_text(b))


def _diagnose(server: str, store: dict[QueryKey, Exchange], ctx: _Context) -> list[Finding]:
    asked = asked_questions(store)
    unusable = _unusable(server, asked, ctx.target_zone)
    if unusable is not None:
        return [unusable]
    views = [(a, _expectation(a, ctx)) for a in asked]
    out: list[Finding] = []
    owners: dict[str, str] = {}
    anchor = _trust_anchor(server, views)
    if anchor is not None:
        out.append(anchor)
        owners[". DNSKEY"] = anchor.key
    for finding, labels in _servfails(server, views, anchor, ctx):
        out.append(finding)
        owners.update(dict.fromkeys(labels, finding.key))
    out.extend(_silent(server, views, ctx.target_zone))
    out.extend(validation_findings(server, views, ctx.findings, ctx.target_zone))
    seen = collect_ede(views, owners)
    out.extend(ede_findings(server, seen, ctx.findings, anchor.key if anchor else None))
    return out


def _unusable(server: str, asked: Sequence[Asked], zone: str) -> Finding | None:
    """RESOLVER_UNREACHABLE when the resolver answered nothing usable at all."""
    replies = [r for a in asked for r in a.replies()]
    responded = [r for r in replies if r.responded]
    severity: Severity | None = None
    params: dict[str, object] = {"server": server}
    if replies and all(r.exchange.outcome in ("budget", "policy") for r in replies):
        says = "not_asked"
        params["reasons"] = "; ".join(
            sorted({r.exchange.error or r.exchange.outcome for r in replies})
        )
        severity = Severity.WARNING
    elif not responded:
        outcomes = Counter(r.exchange.outcome for r in replies)
        errors = sorted({r.exchange.error for r in replies if r.exchange.error})
        says = "no_answer_error" if errors else "no_answer"
        params |= {
            "sent": len(replies),
            "outcomes": ", ".join(f"{n}× {o}" for o, n in sorted(outcomes.items())),
            **({"error": errors[0]} if errors else {}),
        }
    elif all(r.rcode == dns.rcode.REFUSED for r in responded):
        says = "refuses_this_host"
    elif not any(r.ra for r in responded):
        says = "no_recursion"
    else:
        return None
    return catalog.finding(
        Code.RESOLVER_UNREACHABLE,
        zone=zone,
        subject=server,
        servers=(server,),
        severity=severity,
        says=says,
        params=params,
        evidence={"resolver": server, "queries": [a.evidence() for a in asked]},
    )


def _trust_anchor(server: str, views: Sequence[View]) -> Finding | None:
    """TRUST_ANCHOR_STALE_OR_MISMATCHED: the root DNSKEY RRset fails, but not with CD."""
    root = next((v for v in views if v[0].qname == "." and v[0].qtype == "DNSKEY"), None)
    if root is None or not root[0].validation_failed or root[1].status == "bogus":
        return None
    asked, exp = root
    tags = _sep_tags(asked)
    others = [a.label for a, _ in views if a.validation_failed and a is not asked]
    says = "root_fine" if exp.status == "secure" else "root_unproven"
    return catalog.finding(
        Code.TRUST_ANCHOR_STALE_OR_MISMATCHED,
        zone=".",
        subject=server,
        servers=(server,),
        says=f"{says}_others" if others else says,
        params={
            "server": server,
            "tags": ", ".join(map(str, tags)) or "none",
            **({} if exp.status == "secure" else {"reason": exp.reason}),
            **({"others": short_list(others)} if others else {}),
        },
        evidence={"resolver": server, "root_ksk_tags": tags, "query": asked.evidence()},
    )


def _servfails(
    server: str, views: Sequence[View], anchor: Finding | None, ctx: _Context
) -> list[tuple[Finding, list[str]]]:
    """RESOLVER_SERVFAIL_DNSSEC and RESOLVER_SERVFAIL_NOT_DNSSEC, one per zone."""
    out: list[tuple[Finding, list[str]]] = []
    root_done = anchor is not None
    failed = [
        v
        for v in views
        if v[0].validation_failed
        and not (root_done and (v[0].qname, v[0].qtype) == (".", "DNSKEY"))
    ]
    for zone, group in by_zone(failed).items():
        out.extend(_validation_failure(server, zone, group, anchor, ctx))
    for zone, group in by_zone([v for v in views if v[0].fails_anyway]).items():
        causes = [
            f
            for f in ctx.findings
            if f.code in UNREACHABLE_CAUSES and f.zone in (zone, ctx.target_zone)
        ]
        labels = [a.label for a, _ in group]
        f = catalog.finding(
            Code.RESOLVER_SERVFAIL_NOT_DNSSEC,
            zone=zone,
            subject=server,
            servers=(server,),
            says="cannot_resolve_explained" if causes else "cannot_resolve",
            params={
                "server": server,
                "failed": short_list(labels),
                "zone": zone,
                **({"causes": codes_text(causes)} if causes else {}),
            },
            evidence={"resolver": server, "queries": [a.evidence() for a, _ in group]},
        )
        out.append((f.with_cause(*(c.key for c in causes)) if causes else f, labels))
    return out


def _validation_failure(
    server: str, zone: str, group: list[View], anchor: Finding | None, ctx: _Context
) -> list[tuple[Finding, list[str]]]:
    out: list[tuple[Finding, list[str]]] = []
    labels = [a.label for a, _ in group]
    causes = unique([c for _, e in group for c in e.causes])
    statuses = sorted({e.status for _, e in group})
    edes = sorted({code for a, _ in group for r in a.replies() for code, _t in r.ede})
    params: dict[str, object] = {"server": server, "failed": short_list(labels)}
    if anchor is not None:
        says = "anchor_fails"
        params["anchor"] = anchor.code
        broken = [a.label for a, e in group if e.causes]
        if broken:
            says = "anchor_fails_and_broken"
            params |= {"broken": short_list(broken), "causes": codes_text(causes)}
        keys = [anchor.key, *(c.key for c in causes)]
    elif causes:
        says = "explained"
        params["causes"] = codes_text(causes)
        keys = [c.key for c in causes]
    else:
        suspects = unique(
            [f for a, _ in group for f in breaking_findings(zone, ctx.findings, a.qname, a.qtype)]
        )
        skew = [code for code in edes if code in SKEW_CODES]
        keys = [c.key for c in suspects]
        if statuses == ["secure"] and suspects:
            says = "broken_server_suspected"
            params["suspects"] = codes_text(suspects)
        elif statuses == ["secure"] and skew:
            clock = clock_skew(server, zone, labels, skew, resolver_wrong=True)
            out.append((clock, []))
            keys = [clock.key]
            says = "resolver_clock"
        else:
            says = "unexplained"
            params["statuses"] = "/".join(statuses)
    if edes:
        says = f"{says}_ede"
        params["edes"] = ", ".join(str(c) for c in edes)
    f = catalog.finding(
        Code.RESOLVER_SERVFAIL_DNSSEC,
        zone=zone,
        subject=server,
        servers=(server,),
        says=says,
        params=params,
        evidence={
            "resolver": server,
            "queries": [a.evidence() for a, _ in group],
            "zone_status": statuses,
            "causes": [c.key for c in causes],
        },
    )
    out.append((f.with_cause(*keys) if keys else f, labels))
    return out


def _silent(server: str, views: Sequence[View], zone: str) -> list[Finding]:
    """Questions left unanswered by a resolver that answers others."""
    missing = [a for a, _ in views if a.plain is not None and not a.plain.responded]
    refused = [a for a, _ in views if a.plain is not None and a.plain.rcode == dns.rcode.REFUSED]
    # FORMERR, NOTIMP …: neither an answer nor a failure to resolve (an old resolver?).
    odd = [
        a
        for a, _ in views
        if a.plain is not None
        and a.plain.responded
        and not (a.plain.answered or a.plain.servfail or a.plain.rcode == dns.rcode.REFUSED)
    ]
    if not missing and not refused and not odd:
        return []
    parts = []
    if missing:
        parts.append(f"did not answer {short_list([a.label for a in missing])}")
    if refused:
        parts.append(f"refused {short_list([a.label for a in refused])}")
    if odd:
        parts.append(
            "answered "
            + short_list([f"{a.label} with {a.plain.describe()}" for a in odd if a.plain])
        )
    return [
        catalog.finding(
            Code.RESOLVER_UNREACHABLE,
            zone=zone,
            subject=server,
            servers=(server,),
            severity=Severity.WARNING,
            title="Resolver leaves some queries unanswered",
            says="some_unanswered",
            params={"server": server, "gaps": " and ".join(parts)},
            evidence={
                "resolver": server,
                "queries": [a.evidence() for a in (*missing, *refused, *odd)],
            },
        )
    ]


def _sep_tags(asked: Asked) -> list[int]:
    """Key tags of the SEP keys in the resolver's CD=1 answer for the root DNSKEY RRset."""
    msg = asked.cd.exchange.message() if asked.cd is not None else None
    if msg is None:
        return []
    tags: set[int] = set()
    for rrset in msg.answer:
        if rrset.rdtype == dns.rdatatype.DNSKEY:
            tags.update(key_tag(k) for k in rrset if is_sep(k))
    return sorted(tags)
