"""How a resolver validates: AD bits and answers for bogus names against this run's verdicts.

A validator sets AD only on data it validated (RFC 4035 §3.2.3) and must not
answer data it finds bogus (RFC 4035 §5.5). So: an answer for a name found bogus
from a resolver that sets AD nowhere means it does not validate; from one that
sets AD elsewhere, that it skips this domain (a negative trust anchor, RFC 7646).
A secure name without AD from a resolver that validates others is
RESOLVER_AD_NOT_SET, or RESOLVER_NSEC3_LIMIT for an NSEC3 denial it will not
check (RFC 9276 §3.2). Validating what this run finds outside its signature
window is a clock difference or a skew allowance (CLOCK_SKEW).
"""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor import catalog
from dnssec_doctor.analysis.resolver.ede import NSEC3_LIMIT_CODE, SKEW_CODES
from dnssec_doctor.analysis.resolver.view import (
    Asked,
    View,
    by_zone,
    codes_text,
    has_ede,
    short_list,
    unique,
)
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity


def validation_findings(
    server: str, views: Sequence[View], findings: Sequence[Finding], target_zone: str
) -> list[Finding]:
    """NOT_VALIDATING, NEGATIVE_TRUST_ANCHOR_SUSPECTED, AD_NOT_SET, NSEC3 limit, clock skew."""
    answered = [(a, e) for a, e in views if a.plain is not None and a.plain.answered]
    secure = [(a, e) for a, e in answered if e.status == "secure"]
    with_ad = [a for a, _ in secure if a.plain is not None and a.plain.ad]
    bogus = [(a, e) for a, e in answered if e.status == "bogus"]
    bogus_plain = [(a, e) for a, e in bogus if a.plain is not None and not a.plain.ad]
    out: list[Finding] = []
    for zone, group in by_zone([v for v in bogus if v not in bogus_plain]).items():
        skew = unique([c for _, e in group for c in e.causes if c.code in SKEW_CODES.values()])
        if skew:  # validated what we find outside its window: a clock or a skew allowance
            clock = clock_skew(server, zone, [a.label for a, _ in group], [], resolver_wrong=False)
            out.append(clock.with_cause(*(c.key for c in skew)))
    if bogus_plain:
        out.append(_not_validating(server, bogus_plain, secure, with_ad))
    nsec3: list[View] = []
    no_ad: list[View] = []
    for a, e in secure:
        if a.plain is None or a.plain.ad:
            continue
        limited = has_ede(a, NSEC3_LIMIT_CODE) or (
            a.plain.negative and _has(findings, Code.NSEC3_PARAMS_NOT_RFC9276, e.zone)
        )
        (nsec3 if limited and with_ad else no_ad).append((a, e))
    for zone, group in by_zone(nsec3).items():
        out.append(_nsec3_limit(server, zone, group, findings))
    if no_ad and (with_ad or not bogus_plain):
        out.append(_ad_not_set(server, no_ad, with_ad, target_zone))
    return out


def _not_validating(
    server: str, bogus: list[View], secure: list[View], with_ad: list[Asked]
) -> Finding:
    zone = bogus[0][1].zone
    causes = unique([c for _, e in bogus for c in e.causes])
    labels = [a.label for a, _ in bogus]
    because = {"causes": codes_text(causes)} if causes else {}
    evidence = {
        "resolver": server,
        "bogus_answered": [a.evidence() for a, _ in bogus],
        "secure_with_ad": [a.label for a in with_ad],
        "secure_without_ad": [a.label for a, _ in secure if a not in with_ad],
    }
    if with_ad:
        return catalog.finding(
            Code.NEGATIVE_TRUST_ANCHOR_SUSPECTED,
            zone=zone,
            subject=server,
            servers=(server,),
            says="skips_zone_causes" if causes else "skips_zone",
            params={
                "server": server,
                "answered": short_list(labels),
                "zone": zone,
                "with_ad": short_list([a.label for a in with_ad], 3),
                **because,
            },
            evidence=evidence,
        ).with_cause(*(c.key for c in causes))
    unsigned = [a.label for a, _ in secure]
    return catalog.finding(
        Code.RESOLVER_NOT_VALIDATING,
        zone=zone,
        subject=server,
        servers=(server,),
        says="no_ad" + ("_even_secure" if unsigned else "") + ("_causes" if causes else ""),
        params={
            "server": server,
            "answered": short_list(labels),
            **({"secure": short_list(unsigned, 3)} if unsigned else {}),
            **because,
        },
        evidence=evidence,
    )


def _ad_not_set(server: str, no_ad: list[View], with_ad: list[Asked], zone: str) -> Finding:
    labels = [a.label for a, _ in no_ad]
    params = {"server": server, "no_ad": short_list(labels)}
    if with_ad:
        params["with_ad"] = short_list([a.label for a in with_ad], 3)
        zone = no_ad[0][1].zone
    return catalog.finding(
        Code.RESOLVER_AD_NOT_SET,
        zone=zone,
        subject=server,
        servers=(server,),
        says="validates_others" if with_ad else "ad_nowhere",
        params=params,
        evidence={
            "resolver": server,
            "secure_without_ad": [a.evidence() for a, _ in no_ad],
            "secure_with_ad": [a.label for a in with_ad],
        },
    )


def _nsec3_limit(server: str, zone: str, group: list[View], findings: Sequence[Finding]) -> Finding:
    params = [f for f in findings if f.code == Code.NSEC3_PARAMS_NOT_RFC9276 and f.zone == zone]
    ede = any(NSEC3_LIMIT_CODE in dict(a.plain.ede) for a, _ in group if a.plain)
    f = catalog.finding(
        Code.RESOLVER_NSEC3_LIMIT,
        zone=zone,
        subject=server,
        servers=(server,),
        says="nsec3_insecure_ede" if ede else "nsec3_insecure",
        params={
            "server": server,
            "answered": short_list([a.label for a, _ in group]),
            "zone": zone,
        },
        evidence={"resolver": server, "queries": [a.evidence() for a, _ in group]},
    )
    return f.with_cause(*(p.key for p in params)) if params else f


def clock_skew(
    server: str, zone: str, labels: list[str], edes: list[int], *, resolver_wrong: bool
) -> Finding:
    if resolver_wrong:
        says = "resolver_clock_wrong"
        params = {
            "server": server,
            "rejected": short_list(labels),
            "edes": ", ".join(map(str, edes)),
            "meanings": ", ".join(SKEW_CODES[c] for c in edes),
        }
        severity = Severity.ERROR
    else:
        says = "validates_outside_window"
        params = {"server": server, "validated": short_list(labels)}
        severity = Severity.NOTICE
    return catalog.finding(
        Code.CLOCK_SKEW,
        zone=zone,
        subject=server,
        servers=(server,),
        severity=severity,
        says=says,
        params=params,
        evidence={"resolver": server, "queries": list(labels)},
    )


def _has(findings: Sequence[Finding], code: Code, zone: str) -> bool:
    return any(f.code == code and f.zone == zone for f in findings)
