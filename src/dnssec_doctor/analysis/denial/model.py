"""The data of a denial-of-existence analysis: its result, its problems, its inputs.

Kept apart from the checks (``denial.py``, ``denial_nsec.py``, ``denial_nsec3.py``)
so that the NSEC and NSEC3 halves share them without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.SOA import SOA

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.catalog.messages import fill
from dnssec_doctor.dnssec.nsec import CanonicalKey, bitmap_types, canonical_key
from dnssec_doctor.dnssec.nsec3 import Nsec3Params, b32hex_decode
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.findings import JsonValue
from dnssec_doctor.model.severity import Severity

Kind = Literal["nxdomain", "nodata", "wildcard", "ds-nodata", "insecure-delegation", "none"]
Mechanism = Literal["nsec", "nsec3", "none", "mixed"]

CODES: frozenset[Code] = frozenset(
    {
        Code.NEGATIVE_PROOF_MISSING,
        Code.NSEC_PROOF_INVALID,
        Code.NSEC3_PROOF_INVALID,
        Code.NODATA_BITMAP_CONTRADICTION,
        Code.EXISTING_NAME_DENIED,
        Code.NSEC_CHAIN_BROKEN,
        Code.NSEC3_PARAMS_INCONSISTENT,
        Code.NSEC_NSEC3_MIXED,
        Code.NSEC3_PARAMS_NOT_RFC9276,
        Code.NSEC3_OPT_OUT_PROBLEM,
        Code.INSECURE_DELEGATION_PROOF_INVALID,
        Code.WILDCARD_PROOF_INVALID,
        Code.NEGATIVE_TTL_TOO_LONG,
        Code.NSEC_DENIES_DS_WRONGLY,
        Code.COMPACT_DENIAL_IN_USE,
        Code.NSEC3_WITH_NON_NSEC3_ALGORITHM,
        Code.ANALYSIS_BUDGET_EXCEEDED,
    }
)
"""Every catalog code a denial analysis reports (docs/codes.md sections E, F and L)."""

MAX_EVIDENCE_ITEMS = 10
"""Records quoted in one problem's evidence; a hostile response may carry thousands."""


@dataclass(frozen=True, slots=True)
class DenialProblem:
    """One thing wrong with (or worth knowing about) a denial-of-existence proof.

    ``code`` is a catalog code and ``says`` which of its cases, with the values the
    case's template names in ``params`` (the finding passes them on to the catalog);
    ``severity`` the catalog default unless the case warrants another (NSEC3
    iterations above resolver limits are an error).
    """

    code: Code
    says: str
    params: Mapping[str, object] = field(default_factory=dict)
    evidence: Mapping[str, JsonValue] = field(default_factory=dict)
    severity: Severity = Severity.ERROR

    @property
    def detail(self) -> str:
        """The case's catalog template, filled."""
        return fill_detail(self.code, self.says, self.params)


def fill_detail(code: Code, says: str, params: Mapping[str, object]) -> str:
    """Case ``says`` of ``code``'s detail templates filled from ``params``."""
    template = catalog.entry(code).details[says]
    return fill({"detail": template}, params, f"{code}/{says}")["detail"]


def problem(
    code: Code,
    says: str,
    params: Mapping[str, object] | None = None,
    evidence: Mapping[str, JsonValue] | None = None,
    severity: Severity | None = None,
) -> DenialProblem:
    """A problem with the catalog's default severity unless ``severity`` is given.

    The template is filled here once, so a case and parameters that do not fit fail
    where the problem is made, not where it is shown."""
    if code not in CODES:
        raise ValueError(f"not a denial code: {code}")
    fill_detail(code, says, params or {})
    return DenialProblem(
        code=code,
        says=says,
        params=dict(params or {}),
        evidence=dict(evidence or {}),
        severity=catalog.entry(code).severity if severity is None else severity,
    )


@dataclass(frozen=True, slots=True)
class DenialCheck:
    """The verdict on the denial of existence in one response.

    ``proven`` is True when the proof is complete and consistent, i.e. a validator
    holding valid signatures for the records would accept it (signatures themselves
    are checked elsewhere; their absence is reported here). ``kind`` is what the
    response denies: ``wildcard`` covers wildcard-expanded answers and wildcard
    NODATA; ``none`` means nothing was denied (a positive answer, a secure referral,
    an error rcode), with ``proven`` False. ``nsec3_params`` is
    ``(hash algorithm, flags OR-ed over the records used, salt, iterations)``.
    """

    kind: Kind
    mechanism: Mechanism
    proven: bool
    problems: tuple[DenialProblem, ...] = ()
    nsec3_params: tuple[int, int, bytes, int] | None = None
    opt_out: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        """The problem codes, in order, without repeats."""
        return tuple(dict.fromkeys(p.code for p in self.problems))


@dataclass(frozen=True, slots=True)
class DenialTask:
    """What one response has to prove, after classification.

    ``sname`` is the name whose absence (or whose type's absence) is proven: the
    query name after any CNAME chain in the answer, or the delegation point of a
    referral. ``expansions`` pairs every wildcard-expanded owner of the answer with
    the closest encloser its RRSIG Labels field implies (RFC 4035 §5.3.4).
    """

    kind: Kind
    sname: dns.name.Name
    qtype: int
    zone: dns.name.Name
    limits: Limits
    negative: bool
    """True when ``kind`` asks for a negative proof (not only wildcard expansions)."""
    expansions: tuple[tuple[dns.name.Name, dns.name.Name], ...] = ()
    existing: tuple[dns.name.Name, ...] = ()


@dataclass(frozen=True, slots=True)
class ProofResult:
    """What one mechanism (NSEC or NSEC3) concluded."""

    proven: bool
    problems: tuple[DenialProblem, ...]
    kind: Kind
    opt_out: bool = False
    nsec3_params: tuple[int, int, bytes, int] | None = None


@dataclass(frozen=True, slots=True)
class NsecRecord:
    """One NSEC record of a response, decoded once."""

    owner: dns.name.Name
    next: dns.name.Name
    types: frozenset[int]
    ttl: int
    signed: bool
    text: str
    owner_key: CanonicalKey
    next_key: CanonicalKey


@dataclass(frozen=True, slots=True)
class Nsec3Record:
    """One NSEC3 record of a response, decoded once.

    ``owner_hash`` is None when the owner's first label is not base32hex.
    """

    owner: dns.name.Name
    owner_hash: bytes | None
    next_hash: bytes
    params: Nsec3Params
    flags: int
    types: frozenset[int]
    ttl: int
    signed: bool
    text: str


@dataclass(frozen=True, slots=True)
class SoaInfo:
    """The SOA of a negative answer's authority section."""

    owner: dns.name.Name
    ttl: int
    minimum: int
    signed: bool


@dataclass(frozen=True, slots=True)
class ResponseView:
    """What a denial analysis needs from one response, pulled out once."""

    rcode: int
    answer: tuple[dns.rrset.RRset, ...]
    nsec: tuple[NsecRecord, ...]
    nsec3: tuple[Nsec3Record, ...]
    soa: tuple[SoaInfo, ...]
    ns_owners: tuple[dns.name.Name, ...]
    ds_owners: tuple[dns.name.Name, ...]
    outside_zone: int
    """NSEC/NSEC3 records whose owner lies outside the zone (ignored)."""


def _signed_types(section: list[dns.rrset.RRset]) -> set[tuple[dns.name.Name, int]]:
    """(owner, covered type) of every RRSIG in ``section``."""
    signed: set[tuple[dns.name.Name, int]] = set()
    for rrset in section:
        if rrset.rdtype == dns.rdatatype.RRSIG:
            for rdata in rrset:
                signed.add((rrset.name, rdata.type_covered))
    return signed


def record_text(owner: dns.name.Name, ttl: int, rdata: dns.rdata.Rdata) -> str:
    """One record in presentation form (dnspython escapes non-printable octets)."""
    return f"{owner.to_text()} {ttl} {dns.rdatatype.to_text(rdata.rdtype)} {rdata.to_text()}"


def view_response(message: dns.message.Message, zone: dns.name.Name) -> ResponseView:
    """Decode the NSEC, NSEC3 and SOA records of ``message``'s authority section."""
    authority: list[dns.rrset.RRset] = list(message.authority)
    signed = _signed_types(authority)
    nsec: list[NsecRecord] = []
    nsec3: list[Nsec3Record] = []
    soa: list[SoaInfo] = []
    ns_owners: list[dns.name.Name] = []
    ds_owners: list[dns.name.Name] = []
    outside = 0
    for rrset in authority:
        if rrset.rdclass != dns.rdataclass.IN:
            continue
        owner: dns.name.Name = rrset.name
        is_signed = (owner, rrset.rdtype) in signed
        if rrset.rdtype == dns.rdatatype.SOA:
            for rdata in rrset:
                if isinstance(rdata, SOA):
                    soa.append(SoaInfo(owner, rrset.ttl, rdata.minimum, is_signed))
        elif rrset.rdtype == dns.rdatatype.NS:
            ns_owners.append(owner)
        elif rrset.rdtype == dns.rdatatype.DS:
            ds_owners.append(owner)
        elif rrset.rdtype in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3):
            if not owner.is_subdomain(zone):
                outside += len(rrset)
                continue
            for rdata in rrset:
                text = record_text(owner, rrset.ttl, rdata)
                if isinstance(rdata, NSEC):
                    nsec.append(_nsec_record(owner, rdata, rrset.ttl, is_signed, text))
                elif isinstance(rdata, NSEC3):
                    nsec3.append(_nsec3_record(owner, rdata, rrset.ttl, is_signed, text))
    return ResponseView(
        rcode=message.rcode(),
        answer=tuple(message.answer),
        nsec=tuple(nsec),
        nsec3=tuple(nsec3),
        soa=tuple(soa),
        ns_owners=tuple(ns_owners),
        ds_owners=tuple(ds_owners),
        outside_zone=outside,
    )


def _nsec_record(
    owner: dns.name.Name, rdata: NSEC, ttl: int, signed: bool, text: str
) -> NsecRecord:
    nxt: dns.name.Name = rdata.next
    return NsecRecord(
        owner=owner,
        next=nxt,
        types=bitmap_types(rdata.windows),
        ttl=ttl,
        signed=signed,
        text=text,
        owner_key=canonical_key(owner),
        next_key=canonical_key(nxt),
    )


def _nsec3_record(
    owner: dns.name.Name, rdata: NSEC3, ttl: int, signed: bool, text: str
) -> Nsec3Record:
    owner_hash = b32hex_decode(owner.labels[0]) if len(owner.labels) > 1 else None
    return Nsec3Record(
        owner=owner,
        owner_hash=owner_hash,
        next_hash=bytes(rdata.next),
        params=Nsec3Params(rdata.algorithm, bytes(rdata.salt), rdata.iterations),
        flags=rdata.flags,
        types=bitmap_types(rdata.windows),
        ttl=ttl,
        signed=signed,
        text=text,
    )


def quote(texts: list[str]) -> list[JsonValue]:
    """At most ``MAX_EVIDENCE_ITEMS`` texts, with a marker for how many were left out."""
    shown: list[JsonValue] = list(texts[:MAX_EVIDENCE_ITEMS])
    if len(texts) > MAX_EVIDENCE_ITEMS:
        shown.append(f"… and {len(texts) - MAX_EVIDENCE_ITEMS} more")
    return shown
