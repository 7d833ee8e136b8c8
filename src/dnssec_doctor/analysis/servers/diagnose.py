"""Which server is wrong, and why: reachability, lameness, behaviour and consistency.

``server_findings`` is the analysis's one entry point for per-server problems.
For every zone on the chain it builds a view of each server (``servers.view``)
and reports servers that never answer (RFC 1035 §4.2), that are lame (REFUSED,
no AA, SERVFAIL, referrals: RFC 1034 §4.3.2), and then compares the servers
(``consistency``, ``delegation``, ``chain.cds``). For the zone holding the name it
adds the transport behaviour (``behaviour``). Every finding names the servers
that showed it and the servers that did not: a fault of one server makes
lookups fail only for resolvers that pick it, so the name's status stays what a
validator sees through the good servers.
"""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain.cds import cds_findings
from dnssec_doctor.analysis.chain.zones import ZoneEval
from dnssec_doctor.analysis.servers.behaviour import behaviour_findings
from dnssec_doctor.analysis.servers.consistency import consistency_findings, serial_groups
from dnssec_doctor.analysis.servers.delegation import delegation_findings
from dnssec_doctor.analysis.servers.view import (
    ServerView,
    others_fine,
    server_list,
    server_views,
)
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.classify import Kind, referral_owner
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.survey import Survey, ZoneCut
from dnssec_doctor.names import name_of

_LAME_KINDS: tuple[Kind, ...] = (
    Kind.REFUSED,
    Kind.NOT_AUTHORITATIVE,
    Kind.UPWARD_REFERRAL,
    Kind.REFERRAL,
    Kind.SERVFAIL,
)
"""The SOA answers of a lame server, in report order; each ``Kind`` value is the
finding's subject and its case in the catalog."""


def server_findings(evals: Sequence[ZoneEval], survey: Survey) -> list[Finding]:
    """Per-server findings for every zone of the chain (pure; no I/O)."""
    out: list[Finding] = []
    for index, ev in enumerate(evals):
        cut = ev.cut
        is_target = index == len(evals) - 1
        nxname = survey.nonexistent_name if is_target else ""
        views = server_views(cut, nxname)
        if not views:
            continue
        out += reachability_findings(cut, views, survey, tcp_probed=is_target)
        groups = serial_groups(views)
        out += consistency_findings(cut, views)
        out += delegation_findings(cut, views, groups.current)
        if is_target:
            out += behaviour_findings(cut, views, nxname)
            out += cds_findings(cut, views, groups.stale)
    return out


def reachability_findings(
    cut: ZoneCut,
    views: dict[str, ServerView],
    survey: Survey | None = None,
    *,
    tcp_probed: bool = False,
) -> list[Finding]:
    """AUTH_UDP_UNREACHABLE for silent servers, LAME_OR_NOT_AUTHORITATIVE for lame ones,
    AUTH_TCP_UNREACHABLE for servers whose truncated UDP answers never arrive over TCP
    (unless the zone's TCP probe reports them: ``tcp_probed``, the target zone)."""
    asked = [s for s, v in views.items() if v.asked]
    dead = [s for s in asked if views[s].silent]
    tcp_only = [s for s in asked if views[s].tcp_answered and not views[s].udp_answered]
    stalled = [s for s in asked if views[s].truncated and not views[s].tcp_answered]
    out: list[Finding] = []
    if dead or tcp_only:
        out.append(_unreachable(cut, views, dead, tcp_only, asked))
    if stalled and not tcp_probed:
        out.append(_tcp_after_truncation(cut, stalled, asked))
    walk_flagged = _walk_flagged(survey, cut.zone) if survey is not None else set()
    for kind in _LAME_KINDS:
        lame = [
            s
            for s in asked
            if views[s].soa_kind == kind and s not in dead and s not in walk_flagged
        ]
        if not lame:
            continue
        ok = [s for s in asked if views[s].soa_kind == Kind.ANSWER]
        says, fine = others_fine(kind.value, lame, ok)
        out.append(
            catalog.finding(
                Code.LAME_OR_NOT_AUTHORITATIVE,
                zone=cut.zone,
                subject=kind.value,
                says=says,
                params={
                    "servers": server_list(lame),
                    "are": "is" if len(lame) == 1 else "are",
                    "zone": cut.zone,
                    "referral": _referral_target(views, lame),
                    "parent": cut.parent or "the root hints",
                    **fine,
                },
                servers=tuple(lame),
                servers_ok=tuple(ok),
            )
        )
    return out


def _unreachable(
    cut: ZoneCut,
    views: dict[str, ServerView],
    dead: list[str],
    tcp_only: list[str],
    asked: list[str],
) -> Finding:
    ok = [s for s in asked if s not in dead and s not in tcp_only]
    bad = [*dead, *tcp_only]
    lists = {"silent": server_list(dead), "tcp_only": server_list(tcp_only)}
    case = "silent_and_tcp_only" if dead and tcp_only else "silent" if dead else "tcp_only"
    says, fine = others_fine(case, bad, ok)
    return catalog.finding(
        Code.AUTH_UDP_UNREACHABLE,
        zone=cut.zone,
        says=says,
        params={
            "zone": cut.zone,
            **{name: servers for name, servers in lists.items() if servers},
            "them": "it" if len(bad) == 1 else "them",
            **fine,
        },
        servers=tuple(bad),
        servers_ok=tuple(ok),
        evidence={
            s: sorted({e.outcome for k, e in cut.queries.items() if k.server == s}) for s in bad
        },
    )


def _tcp_after_truncation(cut: ZoneCut, stalled: list[str], asked: list[str]) -> Finding:
    """AUTH_TCP_UNREACHABLE: UDP answers arrive, but truncated, and TCP never delivers
    (RFC 7766 §5): the evidence is a TCP problem, not a dead server."""
    how = sorted(
        {
            e.outcome
            for k, e in cut.queries.items()
            if k.server in stalled and e.transport == "tcp" and e.outcome != "response"
        }
    )
    ok = [s for s in asked if s not in stalled]
    says, fine = others_fine("truncated_then_tcp_fails", stalled, ok)
    return catalog.finding(
        Code.AUTH_TCP_UNREACHABLE,
        zone=cut.zone,
        says=says,
        params={
            "servers": server_list(stalled),
            "outcomes": ", ".join(how) or "no answer",
            "them": "it" if len(stalled) == 1 else "them",
            **fine,
        },
        servers=tuple(stalled),
        servers_ok=tuple(ok),
        evidence={"tcp_outcomes": how, "udp": "truncated (TC=1)"},
    )


def _referral_target(views: dict[str, ServerView], lame: list[str]) -> str:
    targets = set()
    for s in lame:
        exchange = views[s].soa_exchange
        msg = None if exchange is None else exchange.message()
        owner = None if msg is None else referral_owner(msg)
        if owner is not None:
            targets.add(owner.to_text())
    return f"; referral to {', '.join(sorted(targets))}" if targets else ""


def _walk_flagged(survey: Survey, zone: str) -> set[str]:
    """Servers the walk already reported as giving bad referrals for this zone."""
    name = name_of(zone)
    return {
        s
        for event in survey.events
        if event.code == Code.LAME_OR_NOT_AUTHORITATIVE and name_of(event.zone) == name
        for s in event.servers
    }
