"""The delegation against the zone: NS sets, glue, and the DS set on every parent server.

The parent's NS RRset and glue are copies of the child's data that the
registrar keeps (RFC 1034 §4.2.2); they drift when one side changes alone. The
DS set must be the same on every parent server, or validation depends on
which one a resolver asked (a change still propagating).
"""

from __future__ import annotations

import ipaddress
from collections import Counter

import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype
from dns.rdtypes.ANY.DS import DS

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain.dsreferral import parent_ds_referral_findings, wrong_side
from dnssec_doctor.analysis.servers.view import ServerView, others_fine, server_list
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.model.survey import ZoneCut
from dnssec_doctor.names import name_of


def delegation_findings(
    cut: ZoneCut, views: dict[str, ServerView], current: tuple[str, ...]
) -> list[Finding]:
    """NS, glue and DS checks for ``cut`` (nothing for the root or a ``--ns`` override).

    ``current`` are the servers with the newest serial: their data is the zone's.
    """
    if cut.parent is None:
        return []
    out = parent_ds_referral_findings(cut)
    out += _ds_at_parent(cut)
    if cut.overridden:
        return out
    reference = [views[s] for s in current if s in views] or list(views.values())
    out += _ns_sets(cut, reference)
    out += _glue(cut, reference)
    return out


def _ns_sets(cut: ZoneCut, reference: list[ServerView]) -> list[Finding]:
    parent = {h.lower() for hosts in cut.ns_from_parent.values() for h in hosts}
    sets = Counter(v.ns for v in reference if v.ns)
    if not parent or not sets:
        return []
    child = set(sets.most_common(1)[0][0] or ())
    if parent == child:
        return []
    only_parent, only_child = sorted(parent - child), sorted(child - parent)
    sides = {"only_parent": ", ".join(only_parent), "only_child": ", ".join(only_child)}
    return [
        catalog.finding(
            Code.NS_SET_PARENT_CHILD_MISMATCH,
            zone=cut.zone,
            says="both_sides"
            if only_parent and only_child
            else next(k for k, v in sides.items() if v),
            params={
                "zone": cut.zone,
                "parent": cut.parent,
                **{side: names for side, names in sides.items() if names},
                "names": ", ".join(sorted(parent | child)),
            },
            evidence={"parent": sorted(parent), "child": sorted(child)},
        )
    ]


def _glue(cut: ZoneCut, reference: list[ServerView]) -> list[Finding]:
    zone = name_of(cut.zone)
    hosts = sorted({h for hosts in cut.ns_from_parent.values() for h in hosts})
    problems: list[str] = []
    severity = Severity.WARNING
    evidence: dict[str, dict[str, list[str]]] = {}
    glue_by_host = {h.lower(): addrs for h, addrs in cut.glue.items()}
    for host in hosts:
        if not name_of(host).is_subdomain(zone):
            continue  # out-of-bailiwick: the parent must not carry glue for it
        glue = set(glue_by_host.get(host.lower(), []))
        own: set[str] = set()
        answered: set[int] = set()
        for view in reference:
            own |= view.host_addresses.get(host, set())
            for qtype, family in (("A", 4), ("AAAA", 6)):
                if (host, qtype) in view.host_answered:
                    answered.add(family)
        if not answered:
            continue
        evidence[host] = {"glue": sorted(glue), "zone": sorted(own)}
        glue_seen = {a for a in glue if _family(a) in answered}
        if not glue and own:
            problems.append(f"{host} is inside the zone but the parent gives no glue for it")
            severity = Severity.ERROR
            continue
        wrong = sorted(glue_seen - own)
        absent = sorted(a for a in own - glue if _family(a) in {_family(g) for g in glue})
        lacking = sorted(a for a in own - glue if a not in absent)
        if wrong:
            problems.append(
                f"glue for {host} says {', '.join(wrong)}, but the zone gives "
                f"{', '.join(sorted(own)) or 'no address'}"
            )
            severity = Severity.ERROR
        if absent:
            problems.append(f"the glue for {host} lacks {', '.join(absent)}")
        if lacking:
            problems.append(f"the glue for {host} has no record for {', '.join(lacking)}")
    if not problems:
        return []
    return [
        catalog.finding(
            Code.GLUE_MISMATCH_OR_MISSING,
            zone=cut.zone,
            severity=severity,
            says="glue_differs",
            params={
                "parent": cut.parent,
                "zone": cut.zone,
                "problems": "; ".join(problems),
                "addresses": "; ".join(
                    f"{h} {' '.join(e['zone'])}" for h, e in evidence.items() if e["zone"]
                ),
            },
            evidence=evidence,
        )
    ]


def _family(address: str) -> int:
    try:
        return ipaddress.ip_address(address).version
    except ValueError:
        return 0


def _ds_at_parent(cut: ZoneCut) -> list[Finding]:
    zone = name_of(cut.zone)
    sets: dict[str, frozenset[bytes]] = {}
    tags: dict[str, list[str]] = {}
    for server, exchange in cut.parent_side(cut.zone, "DS").items():
        msg = exchange.message()
        if msg is None or msg.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            continue
        if not msg.flags & dns.flags.AA:
            continue  # a referral: PARENT_DS_REFERRAL's business, not a DS set
        if msg.rcode() == dns.rcode.NOERROR and wrong_side(msg, zone) is not None:
            continue  # the child's NODATA: PARENT_DS_REFERRAL's business, not the parent's set
        found = [
            r
            for rrset in msg.answer
            if rrset.name == zone and rrset.rdtype == dns.rdatatype.DS
            for r in rrset
            if isinstance(r, DS)
        ]
        sets[server] = frozenset(r.to_digestable() for r in found)
        tags[server] = sorted(f"{r.key_tag}/{r.algorithm}/{r.digest_type}" for r in found)
    if len(set(sets.values())) < 2:
        return []
    counts = Counter(sets.values())
    top = counts.most_common()
    tie = top[0][1] == top[1][1]
    bad = sorted(sets) if tie else sorted(s for s, v in sets.items() if v != top[0][0])
    ok = [s for s in sets if s not in bad]
    lines = "; ".join(f"{s}: {', '.join(tags[s]) or 'no DS'}" for s in sorted(sets))
    says, fine = others_fine("propagating", bad, ok)
    return [
        catalog.finding(
            Code.DS_INCONSISTENT_AT_PARENT,
            zone=cut.zone,
            says=says,
            params={
                "parent": cut.parent,
                "zone": cut.zone,
                "sets": lines,
                "parent_servers": server_list(sets),
                **fine,
            },
            servers=tuple(bad),
            servers_ok=tuple(ok),
            evidence={"ds": tags},
        )
    ]
