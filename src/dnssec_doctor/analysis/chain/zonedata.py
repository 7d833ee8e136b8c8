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
from dnssec_doctor.analysis.chain.rrsigs import RRsetVerdict, SignatureTally
from dnssec_doctor.analysis.chain.zones import ZoneEval
from dnssec_doctor.analysis.denial.model import DenialCheck, DenialProblem
from dnssec_doctor.analysis.denial.proof import check_denial, compare_servers
from dnssec_doctor.analysis.observed import SignedRRset, signed_rrsets
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.cnamechain import AnswerChain, answer_chain
from dnssec_doctor.dnssec.signatures import SigStatus
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.survey import QueryKey
from dnssec_doctor.names import name_of

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
    unchecked: dict[QueryKey, str] = field(default_factory=dict)
    """Negative answer → why its proof was not checked (NSEC3 iterations above the
    limit: insecure by RFC 9276 §3.2, never bogus)."""
    soa_expire: int | None = None
    dnskey_ttl: int | None = None
    signing_algorithms: set[int] = field(default_factory=set)
    chains: dict[QueryKey, AnswerChain] = field(default_factory=dict)
    """Query → the part of its answer that answers it (the CNAME chain from QNAME)."""

    @property
    def valid_until(self) -> int | None:
        """The earliest expiration among valid signatures: when the zone breaks unre-signed."""
        times = [
            c.expiration for v in self.verdicts for c in v.checks if c.status is SigStatus.VALID
        ]
        return min(times, default=None)


def check_zone_data(
    ev: ZoneEval,
    is_target: bool,
    now: int,
    limits: Limits,
    warn_seconds: int = DEFAULT_EXPIRY_WARNING,
) -> tuple[ZoneData, list[Finding]]:
    """Check every RRset (and, for the target zone, every negative answer) of one zone."""
    zone = name_of(ev.name)
    tally = SignatureTally(zone, now, limits)
    data = ZoneData()
    findings: list[Finding] = []
    servers = [str(a) for a in ev.cut.server_addresses()]
    answers: list[tuple[QueryKey, Exchange, dns.message.Message]] = []
    # Without any DNSKEY answer (the servers never answered it, or the budget stopped it)
    # a signature can be judged neither good nor bad: "key not found" would be made up.
    judged = ev.signed or any(
        e.outcome == "response" for e in ev.cut.child(ev.name, "DNSKEY").values()
    )
    # Servers that sent the same answer (all but its ID: one parse, ``parse_wire``) share
    # its chain and the RRsets to check, which depend on nothing else of theirs.
    read: dict[tuple[bytes, str, str], tuple[AnswerChain, list[SignedRRset]]] = {}
    for key, exchange in sorted(ev.cut.queries.items()):
        if key.side != "child" or key.variant:
            continue
        msg = exchange.message()
        if msg is None or not _authoritative_answer(msg):
            continue
        same = (exchange.wire or b"")[2:], key.qname, key.qtype
        if same not in read:
            chain = answer_chain(
                msg,
                name_of(key.qname),
                dns.rdatatype.from_text(key.qtype),
                limits.max_cname_depth,
            )
            read[same] = chain, _zone_rrsets(msg, "", zone, chain) if judged else []
        chain, sent = read[same]
        data.chains[key] = chain
        answers.append((key, exchange, msg))
        for shared in sent:
            item = SignedRRset(shared.rrset, shared.rrsigs, shared.rrsig_ttl, exchange.server)
            verdict = tally.check(item, ev.keys, ev.signed)
            if item.rrset.rdtype == dns.rdatatype.SOA and item.owner == zone:
                data.soa_expire = item.rrset[0].expire
            if item.rrset.rdtype == dns.rdatatype.DNSKEY and item.owner == zone:
                data.dnskey_ttl = item.rrset.ttl
            data.signing_algorithms.update(s.algorithm for s in item.rrsigs)
            data.verdicts.append(verdict)
            data.by_query.setdefault(key, []).append(verdict)
    if is_target and ev.signed:
        findings.extend(_denials(ev, zone, answers, data, limits))
    findings.extend(tally.findings(ev.name, servers))
    findings.extend(tally.timing_findings(ev.name, data.soa_expire, warn_seconds, servers))
    return data, findings


def check_ds_rrsets(
    parent: ZoneEval, child: ZoneEval, now: int, limits: Limits
) -> tuple[list[Finding], list[RRsetVerdict]]:
    """The DS RRset at the parent is parent data: check its signatures with the parent's keys.

    Returns the findings and the verdict on each server's DS RRset (for the graph, and
    for :func:`earliest_valid_expiration`)."""
    if not parent.signed:
        return [], []
    tally = SignatureTally(name_of(parent.name), now, limits)
    for item in child.ds_rrsets.values():
        tally.check(item, parent.keys, True)
    return tally.findings(parent.name, [str(s) for s in child.cut.parent_servers]), tally.verdicts


def earliest_valid_expiration(verdicts: list[RRsetVerdict]) -> int | None:
    """The earliest expiration among the valid signatures of these verdicts: the parent's
    signature over the DS breaks the chain as surely as one over its own apex."""
    valid = [c.expiration for v in verdicts for c in v.checks if c.status is SigStatus.VALID]
    return min(valid, default=None)


def _denials(
    ev: ZoneEval,
    zone: dns.name.Name,
    answers: list[tuple[QueryKey, Exchange, dns.message.Message]],
    data: ZoneData,
    limits: Limits,
) -> list[Finding]:
    """Check every negative or wildcard-expanded answer, then compare servers per question."""
    existing = _existing_names(zone, answers, data.chains)
    algorithms = {k.algorithm for k in ev.keys}
    per_question: dict[tuple[str, str], dict[str, DenialCheck]] = {}
    # Servers that sent the same answer (all but its ID: one parse, ``parse_wire``) get
    # the same verdict: it depends on nothing else of theirs.
    judged: dict[tuple[bytes, str, str], DenialCheck] = {}
    out: list[Finding] = []
    for key, exchange, msg in answers:
        qname = name_of(key.qname)
        qtype = dns.rdatatype.from_text(key.qtype)
        negative = _is_negative(msg, data.chains[key], qtype)
        if not (negative or _is_wildcard_expansion(msg)):
            continue
        same = (exchange.wire[2:] if exchange.wire else b"", key.qname, key.qtype)
        result = judged.get(same) if exchange.wire else None
        if result is None:
            result = check_denial(
                msg, qname, qtype, zone, limits, existing=existing, dnskey_algorithms=algorithms
            )
            judged[same] = result
        if negative:
            data.denials[key] = result.proven
            skipped = [p.detail for p in result.problems if p.evidence.get("budget")]
            if skipped:
                data.unchecked[key] = skipped[0]
        per_question.setdefault((key.qname, key.qtype), {})[exchange.server] = result
        prefix = f"{key.qname} {key.qtype} → {dns.rcode.to_text(msg.rcode())}: "
        out.extend(
            _problem_finding(ev.name, p, prefix, (exchange.server,)) for p in result.problems
        )
    for (qname_text, qtype_text), results in per_question.items():
        for p in compare_servers(results):
            out.append(_problem_finding(ev.name, p, f"{qname_text} {qtype_text}: ", ()))
    return out


def _problem_finding(
    zone: str, problem: DenialProblem, prefix: str, servers: tuple[str, ...]
) -> Finding:
    return catalog.finding(
        Code(problem.code),
        zone=zone,
        detail=prefix + problem.detail,
        servers=servers,
        severity=problem.severity,
        evidence=dict(problem.evidence),
    )


def _existing_names(
    zone: dns.name.Name,
    answers: list[tuple[QueryKey, Exchange, dns.message.Message]],
    chains: dict[QueryKey, AnswerChain],
) -> set[dns.name.Name]:
    """Names some server showed to exist (in answers to the question): a proof must not
    deny them."""
    names = {zone}
    for key, _exchange, msg in answers:
        for rrset in chains[key].rrsets:
            proof = rrset.rdtype in (dns.rdatatype.RRSIG, dns.rdatatype.NSEC, dns.rdatatype.NSEC3)
            if not proof and rrset.name.is_subdomain(zone) and not _is_wildcard_expansion(msg):
                names.add(rrset.name)
    return names


def _is_wildcard_expansion(msg: dns.message.Message) -> bool:
    """True when an answer RRSIG's labels field is below its owner's labels (RFC 4035 §5.3.4)."""
    for rrset in msg.answer:
        if rrset.rdtype != dns.rdatatype.RRSIG:
            continue
        owner_labels = len(rrset.name.labels) - 1
        if rrset.name.labels and rrset.name.labels[0] == b"*":
            owner_labels -= 1
        if any(sig.labels < owner_labels for sig in rrset):
            return True
    return False


def _authoritative_answer(msg: dns.message.Message) -> bool:
    return bool(msg.flags & dns.flags.AA) and msg.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)


def _is_negative(msg: dns.message.Message, chain: AnswerChain, qtype: int) -> bool:
    """NXDOMAIN, or nothing on the answer's chain answers the question (NODATA); records
    that do not answer the question do not make an answer positive (RFC 2181 §5.4.1)."""
    if msg.rcode() == dns.rcode.NXDOMAIN:
        return True
    return not chain.answers(qtype)


def _zone_rrsets(
    msg: dns.message.Message, server: str, zone: dns.name.Name, chain: AnswerChain
) -> list[SignedRRset]:
    """RRsets the zone is authoritative for: answers in the zone on the question's chain,
    and negative-proof records."""
    proof_types = (dns.rdatatype.SOA, dns.rdatatype.NSEC, dns.rdatatype.NSEC3)
    relevant = {(r.name, r.rdtype) for r in chain.rrsets}
    answers = [
        item
        for item in signed_rrsets(msg, server, ("answer",))
        if (item.owner, item.rrset.rdtype) in relevant
    ]
    proofs = [
        item
        for item in signed_rrsets(msg, server, ("authority",))
        if item.rrset.rdtype in proof_types
    ]
    synthesised = _synthesised_cnames(msg)
    return [
        item
        for item in (*answers, *proofs)
        if item.owner.is_subdomain(zone)
        and not (item.rrset.rdtype == dns.rdatatype.CNAME and item.owner in synthesised)
    ]


def _synthesised_cnames(msg: dns.message.Message) -> set[dns.name.Name]:
    """Owners of CNAMEs the server synthesised from a DNAME in the same answer: they
    come unsigned, and a validator checks them against the signed DNAME instead
    (RFC 6672 §5.3.1, RFC 4035 §3.2.3)."""
    dnames = [r for r in msg.answer if r.rdtype == dns.rdatatype.DNAME and len(r)]
    out: set[dns.name.Name] = set()
    for rrset in msg.answer:
        if rrset.rdtype != dns.rdatatype.CNAME or len(rrset) != 1:
            continue
        for dname in dnames:
            owner: dns.name.Name = rrset.name
            if owner == dname.name or not owner.is_subdomain(dname.name):
                continue
            try:
                expected = owner.relativize(dname.name).derelativize(next(iter(dname)).target)
            except dns.name.NameTooLong:
                continue
            if next(iter(rrset)).target == expected:
                out.add(owner)
    return out
