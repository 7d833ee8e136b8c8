"""A zone's own data: every RRset's signatures on every server, and the denial proofs.

Runs for every zone on the chain (its apex RRsets) and, for the zone holding
the name, for the answers at the name and the denial-of-existence probes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain import ZoneEval
from dnssec_doctor.analysis.denial import check_denial
from dnssec_doctor.analysis.observed import SignedRRset, signed_rrsets
from dnssec_doctor.analysis.rrsigs import RRsetVerdict, SignatureTally
from dnssec_doctor.capture import Exchange
from dnssec_doctor.findings import Finding
from dnssec_doctor.limits import Limits
from dnssec_doctor.probe.survey import QueryKey

DEFAULT_EXPIRY_WARNING = 7 * 86400
"""Warn when the earliest signature expires within this many seconds (7 days)."""


@dataclass(slots=True)
class ZoneData:
    """Results of the data checks of one zone."""

    verdicts: list[RRsetVerdict] = field(default_factory=list)
    by_query: dict[QueryKey, list[RRsetVerdict]] = field(default_factory=dict)
    """Query → verdicts of the RRsets its answer carried."""
    denials: dict[QueryKey, bool] = field(default_factory=dict)
    """Negative answer → whether its proof is complete (signatures aside)."""
    soa_expire: int | None = None
    dnskey_ttl: int | None = None
    signing_algorithms: set[int] = field(default_factory=set)


def check_zone_data(
    ev: ZoneEval,
    is_target: bool,
    now: int,
    limits: Limits,
    warn_seconds: int = DEFAULT_EXPIRY_WARNING,
) -> tuple[ZoneData, list[Finding]]:
    """Check every RRset (and, for the target zone, every negative answer) of one zone."""
    zone = dns.name.from_text(ev.name)
    tally = SignatureTally(zone, now, limits)
    data = ZoneData()
    findings: list[Finding] = []
    servers = [str(a) for a in ev.cut.server_addresses()]
    for key, exchange in sorted(ev.cut.queries.items()):
        if key.side != "child" or key.variant:
            continue
        msg = exchange.message()
        if msg is None or not _authoritative_answer(msg):
            continue
        for item in _zone_rrsets(msg, exchange.server, zone):
            verdict = tally.check(item, ev.keys, ev.signed)
            if item.rrset.rdtype == dns.rdatatype.SOA and item.owner == zone:
                data.soa_expire = item.rrset[0].expire
            if item.rrset.rdtype == dns.rdatatype.DNSKEY and item.owner == zone:
                data.dnskey_ttl = item.rrset.ttl
            data.signing_algorithms.update(s.algorithm for s in item.rrsigs)
            data.verdicts.append(verdict)
            data.by_query.setdefault(key, []).append(verdict)
        if is_target and ev.signed and _is_negative(msg):
            findings.extend(_denial(ev, zone, key, exchange, msg, data, limits))
    findings.extend(tally.findings(ev.name, servers))
    findings.extend(tally.timing_findings(ev.name, data.soa_expire, warn_seconds))
    return data, findings


def check_ds_rrsets(parent: ZoneEval, child: ZoneEval, now: int, limits: Limits) -> list[Finding]:
    """The DS RRset at the parent is parent data: check its signatures with the parent's keys."""
    if not parent.signed:
        return []
    tally = SignatureTally(dns.name.from_text(parent.name), now, limits)
    for item in child.ds_rrsets.values():
        tally.check(item, parent.keys, True)
    return tally.findings(parent.name, [str(s) for s in child.cut.parent_servers])


def _denial(
    ev: ZoneEval,
    zone: dns.name.Name,
    key: QueryKey,
    exchange: Exchange,
    msg: dns.message.Message,
    data: ZoneData,
    limits: Limits,
) -> list[Finding]:
    qname = dns.name.from_text(key.qname)
    qtype = dns.rdatatype.from_text(key.qtype)
    algorithms = {k.algorithm for k in ev.keys}
    result = check_denial(msg, qname, qtype, zone, limits, dnskey_algorithms=algorithms)
    data.denials[key] = result.proven
    out: list[Finding] = []
    for problem in result.problems:
        out.append(
            catalog.finding(
                problem.code,
                zone=ev.name,
                detail=(
                    f"{key.qname} {key.qtype} → {dns.rcode.to_text(msg.rcode())}: {problem.detail}"
                ),
                servers=(exchange.server,),
                severity=problem.severity,
                evidence=dict(problem.evidence),
            )
        )
    return out


def _authoritative_answer(msg: dns.message.Message) -> bool:
    return bool(msg.flags & dns.flags.AA) and msg.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)


def _is_negative(msg: dns.message.Message) -> bool:
    if msg.rcode() == dns.rcode.NXDOMAIN:
        return True
    return not any(r.rdtype != dns.rdatatype.RRSIG for r in msg.answer)


def _zone_rrsets(msg: dns.message.Message, server: str, zone: dns.name.Name) -> list[SignedRRset]:
    """RRsets the zone is authoritative for: answers in the zone, and negative-proof records."""
    proof_types = (dns.rdatatype.SOA, dns.rdatatype.NSEC, dns.rdatatype.NSEC3)
    answers = signed_rrsets(msg, server, ("answer",))
    proofs = [
        item
        for item in signed_rrsets(msg, server, ("authority",))
        if item.rrset.rdtype in proof_types
    ]
    return [item for item in (*answers, *proofs) if item.owner.is_subdomain(zone)]
