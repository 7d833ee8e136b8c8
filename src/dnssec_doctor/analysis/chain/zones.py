"""The chain of trust, zone by zone from the trust anchor down (RFC 4035 §5).

Each zone gets a status — secure, insecure, bogus or indeterminate — and, when
it is not secure, the finding that explains why. A zone below a bogus zone is
bogus *because of* its parent; it does not get chain findings of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.name
import dns.rdatatype

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain.dsmatch import ServerChain, anchor_chain, match_all, server_chain
from dnssec_doctor.analysis.chain.dsreferral import ds_answers, parent_ds_referral
from dnssec_doctor.analysis.findingset import FindingSet
from dnssec_doctor.analysis.observed import SignedRRset, rrsets_by_server
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.catalog.sigstatus import STATUS_CODES
from dnssec_doctor.dnssec.algorithms import PolicyStatus, algorithm_info
from dnssec_doctor.dnssec.keys import (
    AnyDs,
    AnyKey,
    DsLike,
    DsMatchStatus,
    is_revoked,
    is_sep,
    is_zone_key,
    key_tag,
    make_ds,
    supported_digest,
)
from dnssec_doctor.dnssec.signatures import SigStatus
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.findings import Finding, Status, finding_key
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.model.survey import Survey, ZoneCut
from dnssec_doctor.names import name_of


@dataclass(slots=True)
class ZoneEval:
    """The chain verdict for one zone."""

    cut: ZoneCut
    status: Status
    reason: str
    keys: list[AnyKey] = field(default_factory=list)
    """Keys to check the zone's data with (the validated set when secure)."""
    signed: bool = False
    """True when any server serves a DNSKEY RRset."""
    causes: list[str] = field(default_factory=list)
    """Keys of the findings that make this zone bogus."""
    ds_rrsets: dict[str, SignedRRset] = field(default_factory=dict)
    """Parent server → the DS RRset it served (checked as parent-zone data)."""

    @property
    def name(self) -> str:
        """The zone apex."""
        return self.cut.zone


def evaluate_chain(survey: Survey, now: int, limits: Limits, found: FindingSet) -> list[ZoneEval]:
    """A verdict for every zone cut, root first."""
    evals: list[ZoneEval] = []
    target = name_of(survey.name)
    anchor_owner = survey.trust_anchors.closest_to(target)
    for cut in survey.cuts:
        parent = evals[-1] if evals else None
        evals.append(_evaluate(survey, cut, parent, anchor_owner, now, limits, found))
    return evals


def _evaluate(
    survey: Survey,
    cut: ZoneCut,
    parent: ZoneEval | None,
    anchor_owner: dns.name.Name | None,
    now: int,
    limits: Limits,
    found: FindingSet,
) -> ZoneEval:
    zone = name_of(cut.zone)
    dnskeys = rrsets_by_server(cut.child(cut.zone, "DNSKEY"), zone, dns.rdatatype.DNSKEY)
    union = _union_keys(dnskeys)
    ev = ZoneEval(cut, "indeterminate", "", keys=union, signed=bool(union))
    if parent is not None:
        ev.ds_rrsets = rrsets_by_server(cut.parent_side(cut.zone, "DS"), zone, dns.rdatatype.DS)
    if anchor_owner is None or not zone.is_subdomain(anchor_owner):
        ev.reason = "above the trust anchor: not evaluated"
        return ev
    if zone == anchor_owner:
        return _evaluate_anchor(survey, ev, dnskeys, now, limits, found)
    assert parent is not None
    if parent.status == "bogus":
        ev.status, ev.causes = "bogus", list(parent.causes)
        ev.reason = f"its parent {parent.name} is bogus"
        return ev
    if parent.status in ("insecure", "indeterminate"):
        ev.status = parent.status
        ev.reason = f"its parent {parent.name} is {parent.status}"
        return ev
    ds_union = _union_ds(ev.ds_rrsets)
    if not ds_union:
        return _evaluate_no_ds(ev, found)
    return _evaluate_with_ds(ev, zone, dnskeys, ds_union, now, limits, found)


def _evaluate_anchor(
    survey: Survey,
    ev: ZoneEval,
    dnskeys: dict[str, SignedRRset],
    now: int,
    limits: Limits,
    found: FindingSet,
) -> ZoneEval:
    zone = name_of(ev.name)
    anchors = survey.trust_anchors.for_owner(zone)
    ds_anchors = [a.rdata for a in anchors if a.is_ds]
    key_anchors = [a.rdata for a in anchors if not a.is_ds]
    chains: list[ServerChain] = []
    for server, rrset in dnskeys.items():
        by_ds = server_chain(zone, server, rrset, ds_anchors, now, limits)  # type: ignore[arg-type]
        by_key = anchor_chain(zone, server, rrset, key_anchors, now, limits)  # type: ignore[arg-type]
        chains.append(ServerChain(server, rrset, by_ds.entries + by_key.entries))
    if not dnskeys:
        ev.reason = "no server answered with the DNSKEY RRset of the trust anchor's zone"
        return ev
    if _settle_secure(ev, chains):
        return ev
    lines = "; ".join(a.to_text() for a in anchors)
    f = found.add(
        catalog.finding(
            Code.TRUST_ANCHOR_STALE_OR_MISMATCHED,
            zone=ev.name,
            says="anchor_signs_nothing",
            params={
                "anchors": lines,
                "zone": ev.name,
                "tags": _tags(ev.keys),
                "ds_lines": "".join(_ds_lines(zone, _self_signing_seps(chains, zone, now, limits))),
            },
        )
    )
    ev.status, ev.causes = "bogus", [f.key]
    ev.reason = "the trust anchor matches no signing key"
    return ev


def _evaluate_no_ds(ev: ZoneEval, found: FindingSet) -> ZoneEval:
    answered = [e for e in ev.cut.parent_side(ev.name, "DS").values() if e.outcome == "response"]
    if not answered:
        ev.reason = "no parent server answered the DS query"
        return ev
    ev.status = "insecure"
    ev.reason = f"the parent has no DS for {ev.name}"
    answers = ds_answers(ev.cut)
    cause: Finding | None = None
    if answers.wrong and not answers.right:
        # No parent server spoke for the parent zone: the missing DS is what validators
        # see, but whether the parent has one is unknown; the wrong answers are the cause.
        cause = found.add(parent_ds_referral(ev.cut, answers))
        ev.reason = (
            f"no server of {ev.cut.parent} answered the DS query from the parent zone "
            "(a referral or the child's answer instead)"
        )
    if ev.signed:
        finding = catalog.finding(
            Code.SIGNED_ZONE_WITHOUT_DS,
            zone=ev.name,
            says="parent_has_no_ds" if cause is None else "parent_answers_wrongly",
            params={
                "zone": ev.name,
                "tags": _tags(ev.keys),
                "parent": ev.cut.parent,
                "ds_lines": "".join(_ds_lines(name_of(ev.name), _seps(ev.keys))),
            },
        )
        found.add(finding if cause is None else finding.with_cause(cause.key))
    return ev


def _evaluate_with_ds(
    ev: ZoneEval,
    zone: dns.name.Name,
    dnskeys: dict[str, SignedRRset],
    ds_union: list[AnyDs],
    now: int,
    limits: Limits,
    found: FindingSet,
) -> ZoneEval:
    usable = [
        d for d in ds_union if supported_digest(d.digest_type) and _algorithm_usable(d.algorithm)
    ]
    if not usable:
        ev.status = "insecure"
        ev.reason = "no DS uses an algorithm and digest a validator supports (RFC 4035 §5.2)"
        return ev
    if not ev.signed:
        if not any(e.outcome == "response" for e in ev.cut.child(ev.name, "DNSKEY").values()):
            ev.reason = "no server answered the DNSKEY query"
            return ev
        f = found.add(
            catalog.finding(
                Code.DS_WITHOUT_SIGNED_ZONE,
                zone=ev.name,
                says="no_dnskey_served",
                params={"parent": ev.cut.parent, "ds": _ds_tags(ds_union), "zone": ev.name},
            )
        )
        ev.status, ev.causes, ev.reason = "bogus", [f.key], "DS present but zone unsigned"
        return ev
    chains = [server_chain(zone, s, r, usable, now, limits) for s, r in dnskeys.items()]
    _ds_side_findings(ev, zone, ds_union, chains, limits, found)
    if _settle_secure(ev, chains):
        return ev
    ev.status = "bogus"
    ev.causes = [_bogus_cause(ev, zone, usable, chains, now, limits, found)]
    return ev


def _settle_secure(ev: ZoneEval, chains: list[ServerChain]) -> bool:
    secure = [c for c in chains if c.secure]
    if secure:
        # The keys the chain validated through come first: a validator checks the DNSKEY
        # RRset with the DS-matched key, not with whichever keys share its tag (the
        # per-tag verification bound must not hide the key the DS names).
        keys: dict[bytes, AnyKey] = {}
        for c in secure:
            for e in c.entries:
                if e.secure and e.match.key is not None:
                    keys.setdefault(e.match.key.to_digestable(), e.match.key)
        for c in secure:
            for k in c.keys:
                keys.setdefault(k.to_digestable(), k)
        ev.status, ev.keys = "secure", list(keys.values())
        ev.reason = "a DS leads to a key that signs the DNSKEY RRset"
        if len(secure) < len(chains):
            ev.reason += f" on {len(secure)} of {len(chains)} servers"
        return True
    if any(c.unverifiable for c in chains):
        ev.status = "insecure"
        ev.reason = "the key algorithm cannot be verified by this machine's crypto library"
        return True
    return False


def _bogus_cause(
    ev: ZoneEval,
    zone: dns.name.Name,
    usable: list[AnyDs],
    chains: list[ServerChain],
    now: int,
    limits: Limits,
    found: FindingSet,
) -> str:
    matches = match_all(zone, usable, ev.keys, limits)
    fix_ds = "".join(_ds_lines(zone, _self_signing_seps(chains, zone, now, limits)))
    if not any(m.status is DsMatchStatus.MATCH for m in matches):
        mismatched = [m for m in matches if m.status is DsMatchStatus.DIGEST_MISMATCH]
        code = Code.DS_DIGEST_MISMATCH if mismatched else Code.DS_NO_MATCHING_DNSKEY
        f = found.add(
            catalog.finding(
                code,
                zone=ev.name,
                severity=Severity.CRITICAL,
                says=("digest_differs" if mismatched else "no_key_matches")
                + ("" if fix_ds else "_no_ksk"),
                params={
                    "ds": _ds_tags(usable),
                    "zone": ev.name,
                    "tags": _tags(ev.keys),
                    **({"ds_lines": fix_ds} if fix_ds else {}),
                },
                evidence={"ds": [_ds_text(d) for d in usable], "keys": _tags(ev.keys)},
            )
        )
        ev.reason = "no DS matches a DNSKEY the zone serves"
        return f.key
    entries = [e for c in chains for e in c.entries]
    if all(not e.checks for e in entries):
        tags = sorted({key_tag(e.match.key) for e in entries if e.match.key is not None})
        f = found.add(
            catalog.finding(
                Code.DS_KEY_NOT_SIGNING_DNSKEY,
                zone=ev.name,
                says="ds_key_idle" if fix_ds else "ds_key_idle_no_ksk",
                params={
                    "tags": tags,
                    "zone": ev.name,
                    **({"ds_lines": fix_ds} if fix_ds else {}),
                },
            )
        )
        return f.key
    # The DS key does sign, but its signature fails: the RRSIG finding is the cause.
    statuses = {c.status for e in entries for c in e.checks}
    # The code the signature tally reports for that status, so the cause points at a
    # finding that exists (a mangled Labels field is RRSIG_FIELDS_INVALID, not crypto).
    code = (
        Code(STATUS_CODES.get(next(iter(statuses)), Code.RRSIG_CRYPTO_INVALID))
        if len(statuses) == 1
        else Code.RRSIG_CRYPTO_INVALID
    )
    ev.reason = "the DS key's signature over the DNSKEY RRset does not validate"
    return finding_key(code, ev.name)


def _ds_side_findings(
    ev: ZoneEval,
    zone: dns.name.Name,
    ds_union: list[AnyDs],
    chains: list[ServerChain],
    limits: Limits,
    found: FindingSet,
) -> None:
    matches = match_all(zone, ds_union, ev.keys, limits)
    stale = [m for m in matches if m.status is DsMatchStatus.NO_KEY_WITH_TAG]
    working = [m for m in matches if m.status is DsMatchStatus.MATCH]
    if stale and working:
        # Live, a DS pre-published for a double-DS KSK rollover (RFC 7583 §3.3.3) and one
        # left over after it look alike: a notice, worded for both. A DS of an algorithm no
        # DNSKEY has is no step of any rollover (RFC 6781 §4.1.4 adds a new algorithm's DS
        # only after its keys): that stays a warning.
        published = {k.algorithm for k in ev.keys}
        rollover_shaped = all(m.ds.algorithm in published for m in stale)
        found.add(
            catalog.finding(
                Code.DS_STALE_EXTRA,
                zone=ev.name,
                says="unpublished_next_to_working" if rollover_shaped else "stale_next_to_working",
                severity=Severity.NOTICE if rollover_shaped else None,
                params={
                    "ds": _ds_tags([m.ds for m in stale]),
                    "zone": ev.name,
                    "stale": "; ".join(_ds_text(m.ds) for m in stale),
                },
            )
        )
    for m in working:
        if m.key is None:
            continue
        if not is_zone_key(m.key):
            found.add(
                catalog.finding(
                    Code.DNSKEY_FLAGS_INVALID,
                    zone=ev.name,
                    subject=str(key_tag(m.key)),
                    says="ds_key_not_zone_key",
                    params={"tag": key_tag(m.key)},
                )
            )
        elif not is_sep(m.key):
            found.add(
                catalog.finding(
                    Code.DS_KEY_NOT_SEP,
                    zone=ev.name,
                    subject=str(key_tag(m.key)),
                    says="ds_key_without_sep",
                    params={"tag": key_tag(m.key), "flags": m.key.flags},
                )
            )
        if is_revoked(m.key):
            found.add(
                catalog.finding(
                    Code.REVOKED_KEY_MISUSED,
                    zone=ev.name,
                    subject=str(key_tag(m.key)),
                    says="ds_names_revoked_key",
                    params={"tag": key_tag(m.key)},
                )
            )
    secure_algs = {e.match.ds.algorithm for c in chains for e in c.entries if e.secure}
    if secure_algs:
        for algorithm in sorted({d.algorithm for d in ds_union} - secure_algs):
            found.add(
                catalog.finding(
                    Code.NO_SEP_FOR_ALGORITHM,
                    zone=ev.name,
                    subject=str(algorithm),
                    says="ds_algorithm_not_signing",
                    params={"algorithm": algorithm},
                )
            )


def _algorithm_usable(number: int) -> bool:
    return algorithm_info(number).status is not PolicyStatus.INVALID


def _union_keys(dnskeys: dict[str, SignedRRset]) -> list[AnyKey]:
    keys: dict[bytes, AnyKey] = {}
    for item in dnskeys.values():
        for k in item.rrset:
            keys.setdefault(k.to_digestable(), k)
    return list(keys.values())


def _union_ds(ds_rrsets: dict[str, SignedRRset]) -> list[AnyDs]:
    ds: dict[bytes, AnyDs] = {}
    for item in ds_rrsets.values():
        for d in item.rrset:
            ds.setdefault(d.to_digestable(), d)
    return list(ds.values())


def _tags(keys: list[AnyKey]) -> list[int]:
    return sorted({key_tag(k) for k in keys})


def _ds_text(d: DsLike) -> str:
    return f"{d.key_tag} {d.algorithm} {d.digest_type} {d.digest.hex().upper()}"


def _ds_tags(ds: Sequence[DsLike]) -> str:
    return ", ".join(f"{d.key_tag}/alg {d.algorithm}/digest {d.digest_type}" for d in ds)


def _seps(keys: list[AnyKey]) -> list[AnyKey]:
    seps = [k for k in keys if is_sep(k) and is_zone_key(k) and not is_revoked(k)]
    return seps or [k for k in keys if is_zone_key(k) and not is_revoked(k)]


def _self_signing_seps(
    chains: list[ServerChain], zone: dns.name.Name, now: int, limits: Limits
) -> list[AnyKey]:
    """Keys that validly sign their own DNSKEY RRset: what the DS should point to."""
    from dnssec_doctor.dnssec.signatures import check_rrsig

    found: dict[bytes, AnyKey] = {}
    for c in chains:
        if c.dnskeys is None:
            continue
        for sig in c.dnskeys.rrsigs:
            for k in c.keys:
                if key_tag(k) != sig.key_tag or k.algorithm != sig.algorithm:
                    continue
                check = check_rrsig(
                    c.dnskeys.rrset, sig, c.dnskeys.rrsig_ttl, [k], zone, now, limits
                )
                if check.status is SigStatus.VALID and is_sep(k):
                    found.setdefault(k.to_digestable(), k)
    return list(found.values())


def _ds_lines(zone: dns.name.Name, keys: list[AnyKey]) -> list[str]:
    """DS records to publish, each on its own line (ready to paste), digest in upper case."""
    return [f"\n    {zone.to_text()} IN DS {_ds_text(make_ds(zone, k, 2))}\n" for k in keys]
