"""What a resolver answered, and what the authoritative analysis says it should have.

``asked_questions`` pairs each question's two answers (CD=0 and CD=1);
``expectation`` gives the status this run's own validation found for the
question (RFC 4035 §4.3) and the zone-side findings behind a bogus verdict,
so the resolver's behaviour can be judged against it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from dnssec_doctor.analysis.chain.zonedata import ZoneData
from dnssec_doctor.analysis.chain.zones import ZoneEval
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.edns import extended_errors
from dnssec_doctor.model.findings import Finding, Status
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.model.survey import QueryKey
from dnssec_doctor.model.variants import CHECKING_DISABLED, VALIDATE

MAX_EXTRA_TEXT = 200
"""EXTRA-TEXT is kept up to this many characters (a hostile resolver may send 64 KiB)."""

BREAKING: frozenset[Code] = frozenset(
    {
        Code.RRSIG_EXPIRED,
        Code.RRSIG_NOT_YET_VALID,
        Code.RRSIG_CRYPTO_INVALID,
        Code.RRSIG_MISSING,
        Code.RRSIG_KEY_NOT_FOUND,
        Code.RRSIG_SIGNER_NOT_APEX,
        Code.RRSIG_FIELDS_INVALID,
        Code.NEGATIVE_PROOF_MISSING,
        Code.NSEC_PROOF_INVALID,
        Code.NSEC3_PROOF_INVALID,
        Code.WILDCARD_PROOF_INVALID,
        Code.EXISTING_NAME_DENIED,
        Code.NODATA_BITMAP_CONTRADICTION,
        Code.SECONDARY_SERVES_UNSIGNED,
        Code.DNSSEC_RECORDS_NOT_RETURNED,
        Code.DNSKEY_MISSING_ON_SOME_SERVERS,
        Code.DNSSEC_DATA_INCONSISTENT,
    }
)
"""Zone-side codes that make a validator reject an answer (on every server or on some)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer of the resolver, reduced to what the diagnosis reads."""

    exchange: Exchange
    rcode: int | None
    """None when nothing parsable came back."""
    ad: bool
    ra: bool
    has_data: bool
    """The answer section holds records other than RRSIGs."""
    ede: tuple[tuple[int, str], ...]

    @property
    def responded(self) -> bool:
        """A parsable response arrived."""
        return self.rcode is not None

    @property
    def answered(self) -> bool:
        """NOERROR or NXDOMAIN: the resolver gave an answer, positive or negative."""
        return self.rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)

    @property
    def servfail(self) -> bool:
        """The resolver answered SERVFAIL."""
        return self.rcode == dns.rcode.SERVFAIL

    @property
    def negative(self) -> bool:
        """NXDOMAIN, or NOERROR without data (NODATA)."""
        return self.rcode == dns.rcode.NXDOMAIN or (self.answered and not self.has_data)

    def describe(self) -> str:
        """``NOERROR+AD``, ``SERVFAIL``, ``timeout`` …: for details."""
        if self.rcode is None:
            return self.exchange.outcome
        text = dns.rcode.to_text(dns.rcode.Rcode.make(self.rcode))
        return text + ("+AD" if self.ad else "")


@dataclass(frozen=True, slots=True)
class Asked:
    """One question to one resolver: its answers with CD=0 (``plain``) and CD=1 (``cd``)."""

    qname: str
    qtype: str
    plain: Reply | None
    cd: Reply | None

    @property
    def label(self) -> str:
        """``qname qtype`` for details."""
        return f"{self.qname} {self.qtype}"

    @property
    def validation_failed(self) -> bool:
        """SERVFAIL without CD, an answer with CD: validation, not resolution, failed."""
        return bool(self.plain and self.plain.servfail and self.cd and self.cd.answered)

    @property
    def fails_anyway(self) -> bool:
        """SERVFAIL without CD and no answer with CD either: not a DNSSEC problem."""
        return bool(self.plain and self.plain.servfail and not (self.cd and self.cd.answered))

    def replies(self) -> list[Reply]:
        """The replies present (CD=0 first)."""
        return [r for r in (self.plain, self.cd) if r is not None]

    def evidence(self) -> dict[str, object]:
        """The question and both answers, for a finding's evidence."""
        out: dict[str, object] = {"qname": self.qname, "qtype": self.qtype}
        for name, reply in (("answer", self.plain), ("answer_cd", self.cd)):
            if reply is not None:
                out[name] = reply.describe()
                if reply.ede:
                    out[f"ede{'_cd' if name == 'answer_cd' else ''}"] = [list(e) for e in reply.ede]
        return out


@dataclass(frozen=True, slots=True)
class Expectation:
    """What this run's own validation found for one question."""

    status: Status
    zone: str
    """The zone the question's name belongs to (deepest zone cut containing it)."""
    causes: tuple[Finding, ...] = ()
    """Zone-side findings that make the answer bogus (empty unless ``status`` is bogus)."""
    reason: str = ""


View = tuple[Asked, Expectation]
"""One question to a resolver and what this run found for it."""


def read_reply(exchange: Exchange) -> Reply:
    """The reply of one exchange; never raises, whatever the bytes."""
    msg = exchange.message() if exchange.outcome == "response" else None
    if msg is None:
        return Reply(exchange, None, False, False, False, ())
    has_data = any(r.rdtype != dns.rdatatype.RRSIG for r in msg.answer)
    ede = tuple((code, text[:MAX_EXTRA_TEXT]) for code, text in extended_errors(msg))
    return Reply(
        exchange,
        msg.rcode(),
        bool(msg.flags & dns.flags.AD),
        bool(msg.flags & dns.flags.RA),
        has_data,
        ede,
    )


def asked_questions(store: Mapping[QueryKey, Exchange]) -> list[Asked]:
    """Every question asked of one resolver, in DNS name order (stable across replays)."""
    pairs: dict[tuple[str, str], dict[str, Reply]] = {}
    for key, exchange in store.items():
        if key.side == "resolver" and key.variant in (VALIDATE, CHECKING_DISABLED):
            pairs.setdefault((key.qname, key.qtype), {})[key.variant] = read_reply(exchange)
    out = [
        Asked(qname, qtype, replies.get(VALIDATE), replies.get(CHECKING_DISABLED))
        for (qname, qtype), replies in pairs.items()
    ]
    return sorted(out, key=lambda a: (_name(a.qname), a.qtype))


def expectation(
    asked: Asked, evals: Sequence[ZoneEval], data: ZoneData | None, findings: Sequence[Finding]
) -> Expectation:
    """The status this run found for ``asked``'s name and type, and why when bogus."""
    qname = _name(asked.qname)
    chain = [ev for ev in evals if qname.is_subdomain(_name(ev.name))]
    if not chain:
        return Expectation("indeterminate", ".", reason="outside the zones walked")
    owner = chain[-1]
    for ev in chain:
        if ev.status == "bogus":
            return Expectation("bogus", owner.name, _chain_causes(ev, findings), ev.reason)
    if owner.status != "secure":
        return Expectation(owner.status, owner.name, reason=owner.reason)
    if owner is not evals[-1] or data is None:
        return Expectation("secure", owner.name, reason=owner.reason)
    status = _question_status(owner, data, qname, asked.qtype)
    if status == "bogus":
        causes = breaking_findings(owner.name, findings, asked.qname, asked.qtype)
        return Expectation("bogus", owner.name, causes, "no server gave a validating answer")
    return Expectation(status, owner.name, reason=owner.reason)


def breaking_findings(
    zone: str, findings: Sequence[Finding], qname: str = "", qtype: str = ""
) -> tuple[Finding, ...]:
    """ERROR-or-worse findings of ``zone`` that break validation; those naming the RRset first."""
    candidates = [
        f
        for f in findings
        if f.zone == zone and f.code in BREAKING and f.severity >= Severity.ERROR
    ]
    label = f"{qname}/{qtype}".lower()
    naming = [f for f in candidates if label in _rrset_labels(f)]
    return tuple(naming or candidates)


def _chain_causes(ev: ZoneEval, findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """The findings behind ``ev.causes`` (a cause key may lack the finding's subject)."""
    out: list[Finding] = []
    for key in ev.causes:
        match = [f for f in findings if f.key == key] or [
            f for f in findings if f.key.startswith(key + "#")
        ]
        out.extend(f for f in match if f not in out)
    return tuple(out)


def _question_status(owner: ZoneEval, data: ZoneData, qname: dns.name.Name, qtype: str) -> Status:
    """Secure when one server's answer validates (a resolver may pick any server)."""
    results: list[bool] = []
    for key, exchange in owner.cut.queries.items():
        if key.side != "child" or key.variant or key.qtype != qtype or _name(key.qname) != qname:
            continue
        if exchange.outcome != "response":
            continue
        verdicts = data.by_query.get(key, [])
        if key in data.denials:
            results.append(data.denials[key] and all(v.validated for v in verdicts))
            continue
        answers = [
            v
            for v in verdicts
            if v.item.type_text not in ("NSEC", "NSEC3", "SOA") or v.item.type_text == qtype
        ]
        if answers:
            results.append(all(v.validated for v in answers))
    if not results:
        return "indeterminate"
    return "secure" if any(results) else "bogus"


def _rrset_labels(f: Finding) -> set[str]:
    rrsets = f.evidence.get("rrsets") if isinstance(f.evidence, Mapping) else None
    if not isinstance(rrsets, list):
        return set()
    return {str(r).lower() for r in rrsets}


def _name(text: str) -> dns.name.Name:
    try:
        return dns.name.from_text(text)
    except Exception:  # a name from a hostile capture: sort it last, match nothing
        return dns.name.from_text("invalid.invalid.")


def has_ede(asked: Asked, code: int) -> bool:
    """True when either answer to ``asked`` carries EDE ``code``."""
    return any(c == code for r in asked.replies() for c, _ in r.ede)


def by_zone(views: Sequence[View]) -> dict[str, list[View]]:
    """Views grouped by the zone their name belongs to, in order."""
    groups: dict[str, list[View]] = {}
    for v in views:
        groups.setdefault(v[1].zone, []).append(v)
    return groups


def unique(findings: list[Finding]) -> list[Finding]:
    """``findings`` without repeated keys, in order."""
    return list({f.key: f for f in findings}.values())


def codes_text(findings: Sequence[Finding]) -> str:
    """``CODE at ZONE (title)`` for up to three findings."""
    return "; ".join(f"{f.code} at {f.zone} ({f.title})" for f in findings[:3]) + (
        f" and {len(findings) - 3} more" if len(findings) > 3 else ""
    )


def short_list(items: Sequence[str], limit: int = 4) -> str:
    """Up to ``limit`` items, comma-separated, and how many more."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
