"""Denial of existence in one response: what it must prove, and whether it does.

``check`` asks for a random absent name, an absent type at an existing name and at
the apex, and DS at delegations; :func:`check_denial` judges each answer as a
validator would (RFC 4035 §5.4, RFC 5155 §8, RFC 6840 §4, RFC 9276, RFC 9077),
signatures aside: their cryptography is checked elsewhere, their absence here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from dnssec_doctor.analysis.denial.model import (
    DenialCheck,
    DenialProblem,
    DenialTask,
    Kind,
    Mechanism,
    ProofResult,
    ResponseView,
    problem,
    quote,
    view_response,
)
from dnssec_doctor.analysis.denial.nsec import prove_nsec
from dnssec_doctor.analysis.denial.nsec3 import prove_nsec3
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.findings import JsonValue

__all__ = ["DenialCheck", "DenialProblem", "check_denial", "compare_servers"]

NON_NSEC3_ALGORITHMS = frozenset({1, 3, 5})
"""DNSKEY algorithms defined before NSEC3; validators may know them but not NSEC3
(RFC 5155 §2, which is why aliases 6 and 7 exist)."""

_DS_KINDS = ("ds-nodata", "insecure-delegation")


def check_denial(
    response: dns.message.Message,
    qname: dns.name.Name,
    qtype: int,
    zone: dns.name.Name,
    limits: Limits,
    *,
    existing: Collection[dns.name.Name] = (),
    dnskey_algorithms: Collection[int] = (),
) -> DenialCheck:
    """Judge the denial of existence in ``response`` to ``qname``/``qtype`` from ``zone``.

    ``zone`` is the zone that answered (the parent for DS queries). ``existing`` are
    names known to exist authoritatively in ``zone``; an NSEC or NSEC3 covering one
    of them lies (EXISTING_NAME_DENIED). ``dnskey_algorithms`` are the zone's DNSKEY
    algorithms, for NSEC3_WITH_NON_NSEC3_ALGORITHM. A DS query is assumed to be
    asked at a delegation point. Never raises on malformed or hostile responses.
    """
    view = view_response(response, zone)
    mechanism = _mechanism(view)
    task = _classify(
        view, qname=qname, qtype=qtype, zone=zone, limits=limits, existing=tuple(existing)
    )
    if task is None:
        return DenialCheck(kind="none", mechanism=mechanism, proven=False)
    problems: list[DenialProblem] = []
    complete = _completeness(view, task, mechanism, problems)
    if mechanism == "none":
        return DenialCheck(task.kind, mechanism, False, tuple(problems))
    if mechanism == "mixed":
        problems.append(
            problem(
                Code.NSEC_NSEC3_MIXED,
                "answer_both",
                {"nsec": len(view.nsec), "nsec3": len(view.nsec3)},
                {"nsec": len(view.nsec), "nsec3": len(view.nsec3)},
            )
        )
    problems.extend(_ttl_problems(view, task))
    if view.nsec3 and NON_NSEC3_ALGORITHMS & set(dnskey_algorithms):
        old: list[JsonValue] = [*sorted(NON_NSEC3_ALGORITHMS & set(dnskey_algorithms))]
        problems.append(
            problem(
                Code.NSEC3_WITH_NON_NSEC3_ALGORITHM,
                "answer",
                {"algorithms": ", ".join(map(str, old))},
                {"algorithms": old},
            )
        )
    result = _prove(view, task)
    problems.extend(result.problems)
    return DenialCheck(
        kind=result.kind,
        mechanism=mechanism,
        proven=result.proven and complete,
        problems=_unique(problems),
        nsec3_params=result.nsec3_params,
        opt_out=result.opt_out,
    )


def _mechanism(view: ResponseView) -> Mechanism:
    if view.nsec and view.nsec3:
        return "mixed"
    if view.nsec:
        return "nsec"
    if view.nsec3:
        return "nsec3"
    return "none"


def _follow_cnames(
    answer: tuple[dns.rrset.RRset, ...], qname: dns.name.Name, qtype: int, limit: int
) -> tuple[dns.name.Name, bool]:
    """The name the answer ends at, and whether it holds ``qtype`` data there."""
    sname = qname
    for _ in range(limit + 1):
        if any(r.name == sname and r.rdtype == qtype for r in answer):
            return sname, True
        if qtype == dns.rdatatype.ANY and any(r.name == sname for r in answer):
            return sname, True
        cname = next(
            (r for r in answer if r.name == sname and r.rdtype == dns.rdatatype.CNAME), None
        )
        if cname is None or qtype == dns.rdatatype.CNAME or len(cname) == 0:
            return sname, False
        sname = next(iter(cname)).target
    return sname, False


def label_count(owner: dns.name.Name) -> int:
    """Labels the RRSIG Labels field counts: no root, no leading ``*`` (RFC 4034 §3.1.3)."""
    count = len(owner.labels) - (1 if owner.is_absolute() else 0)
    return count - 1 if owner.is_wild() else count


def wildcard_expansions(
    answer: tuple[dns.rrset.RRset, ...], zone: dns.name.Name
) -> tuple[tuple[dns.name.Name, dns.name.Name], ...]:
    """(owner, closest encloser) for every answer RRset synthesised from a wildcard.

    RFC 4035 §5.3.4: an RRSIG whose Labels field is below the owner's label count
    signs ``*.<rightmost Labels labels>``; that suffix is the closest encloser. Only
    RRSIGs whose signer is ``zone`` count.
    """
    found: dict[dns.name.Name, dns.name.Name] = {}
    for rrset in answer:
        if rrset.rdtype != dns.rdatatype.RRSIG or not rrset.name.is_subdomain(zone):
            continue
        owner: dns.name.Name = rrset.name
        count = label_count(owner)
        for rdata in rrset:
            # only the zone's own signatures: a CNAME target may expand in another zone
            if rdata.signer != zone:
                continue
            if rdata.labels < count and owner not in found:
                keep = len(owner.labels) - (count - rdata.labels)
                encloser = dns.name.Name(owner.labels[len(owner.labels) - keep :])
                if encloser.is_subdomain(zone):
                    found[owner] = encloser
    return tuple(found.items())


def _classify(
    view: ResponseView,
    *,
    qname: dns.name.Name,
    qtype: int,
    zone: dns.name.Name,
    limits: Limits,
    existing: tuple[dns.name.Name, ...],
) -> DenialTask | None:
    """What the response has to prove, or None when it denies nothing."""
    sname, positive = _follow_cnames(view.answer, qname, qtype, limits.max_cname_depth)
    expansions = wildcard_expansions(view.answer, zone)
    in_zone = sname.is_subdomain(zone)
    kind: Kind = "none"
    if view.rcode == dns.rcode.NXDOMAIN and in_zone:
        kind = "nxdomain"
    elif view.rcode == dns.rcode.NOERROR and not positive and in_zone:
        cut = _referral_cut(view, sname, zone)
        if cut is not None:
            if cut in view.ds_owners:
                return None  # a secure referral: the DS is there, nothing is denied
            sname, kind = cut, "insecure-delegation"
        else:
            kind = "ds-nodata" if qtype == dns.rdatatype.DS else "nodata"
    if kind == "none" and not expansions:
        return None
    return DenialTask(
        kind=kind if kind != "none" else "wildcard",
        sname=sname,
        qtype=qtype,
        zone=zone,
        limits=limits,
        negative=kind != "none",
        expansions=expansions,
        existing=existing,
    )


def _referral_cut(
    view: ResponseView, sname: dns.name.Name, zone: dns.name.Name
) -> dns.name.Name | None:
    """The delegation point of a referral (NS below the zone, no SOA), if it is one."""
    if view.soa:
        return None
    for owner in view.ns_owners:
        if owner != zone and owner.is_subdomain(zone) and sname.is_subdomain(owner):
            return owner
    return None


def _completeness(
    view: ResponseView, task: DenialTask, mechanism: Mechanism, problems: list[DenialProblem]
) -> bool:
    """Records, signatures and SOA a negative answer needs (RFC 4035 §3.1.3, RFC 5155 §7.2)."""
    missing_code = (
        Code.NSEC_DENIES_DS_WRONGLY if task.kind in _DS_KINDS else Code.NEGATIVE_PROOF_MISSING
    )
    complete = True
    if mechanism == "none":
        params: dict[str, object] = {"kind": task.kind, "name": task.sname}
        if view.outside_zone:
            params["outside"] = view.outside_zone
        problems.append(
            problem(
                missing_code,
                "no_records_in_zone" if view.outside_zone else "no_records",
                params,
                {"qname": task.sname.to_text(), "kind": task.kind},
            )
        )
        complete = False
    unsigned = [r.text for r in view.nsec if not r.signed]
    unsigned += [r.text for r in view.nsec3 if not r.signed]
    if unsigned:
        problems.append(
            problem(
                missing_code,
                "unsigned_records",
                {"count": len(unsigned)},
                {"unsigned": quote(unsigned)},
            )
        )
        complete = False
    if task.negative and task.kind != "insecure-delegation":
        complete = _soa_present(view, task, problems) and complete
    return complete


def _soa_present(view: ResponseView, task: DenialTask, problems: list[DenialProblem]) -> bool:
    """A negative answer carries the zone's signed SOA (RFC 4035 §3.1.3.1, §3.1.3.2)."""
    own = [s for s in view.soa if s.owner == task.zone]
    params: dict[str, object] = {"kind": task.kind}
    if not view.soa:
        says = "no_soa"
    elif not own:
        says = "foreign_soa"
        params["owners"] = ", ".join(sorted({s.owner.to_text() for s in view.soa}))
        params["zone"] = task.zone
    elif not all(s.signed for s in own):
        says = "unsigned_soa"
    else:
        return True
    problems.append(
        problem(
            Code.NEGATIVE_PROOF_MISSING,
            says,
            params,
            {"zone": task.zone.to_text(), "kind": task.kind},
        )
    )
    return False


def _ttl_problems(view: ResponseView, task: DenialTask) -> list[DenialProblem]:
    """RFC 9077: NSEC/NSEC3 TTL must not exceed min(SOA TTL, SOA MINIMUM)."""
    own = [s for s in view.soa if s.owner == task.zone]
    if not own:
        return []
    limit = min(min(s.ttl, s.minimum) for s in own)
    ttls = [r.ttl for r in view.nsec] + [r.ttl for r in view.nsec3]
    too_long = [t for t in ttls if t > limit]
    if not too_long:
        return []
    return [
        problem(
            Code.NEGATIVE_TTL_TOO_LONG,
            "answer",
            {"ttl": max(too_long), "limit": limit},
            {"ttl": max(too_long), "limit": limit, "records": len(too_long)},
        )
    ]


def _prove(view: ResponseView, task: DenialTask) -> ProofResult:
    """Run the NSEC and/or NSEC3 proof; with both present, the one that holds wins."""
    results: list[ProofResult] = []
    if view.nsec:
        results.append(prove_nsec(view.nsec, task))
    if view.nsec3:
        results.append(prove_nsec3(view.nsec3, task))
    for result in results:
        if result.proven:
            if len(results) == 1:
                return result
            others = tuple(p for r in results if r is not result for p in r.problems)
            kept = tuple(p for p in others if p.code not in _PROOF_CODES)
            return ProofResult(
                True,
                result.problems + kept,
                result.kind,
                result.opt_out,
                result.nsec3_params or next((r.nsec3_params for r in results), None),
            )
    merged = tuple(p for r in results for p in r.problems)
    params = next((r.nsec3_params for r in results if r.nsec3_params), None)
    return ProofResult(False, merged, results[0].kind, any(r.opt_out for r in results), params)


_PROOF_CODES = frozenset(
    {Code.NSEC_PROOF_INVALID, Code.NSEC3_PROOF_INVALID, Code.NODATA_BITMAP_CONTRADICTION}
)
"""Failures of one mechanism's proof, moot when the other mechanism's proof holds."""


def _unique(problems: list[DenialProblem]) -> tuple[DenialProblem, ...]:
    seen: set[tuple[str, str]] = set()
    kept: list[DenialProblem] = []
    for item in problems:
        key = (item.code, item.detail)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return tuple(kept)


def compare_servers(results: Mapping[str, DenialCheck]) -> tuple[DenialProblem, ...]:
    """Disagreements between servers answering the same question (server → its check).

    One server with NSEC and another with NSEC3 is a migration reaching only some
    servers (NSEC_NSEC3_MIXED); NSEC3 with different hash parameters is two chains
    (NSEC3_PARAMS_INCONSISTENT). Opt-Out flags may differ record by record, so only
    algorithm, salt and iterations are compared.
    """
    by_mechanism: dict[str, list[str]] = {}
    by_params: dict[str, list[str]] = {}
    for server, result in sorted(results.items()):
        if result.mechanism in ("nsec", "nsec3", "mixed"):
            by_mechanism.setdefault(result.mechanism, []).append(server)
        if result.nsec3_params is not None:
            algorithm, _, salt, iterations = result.nsec3_params
            text = f"algorithm {algorithm}, {iterations} iterations, salt {salt.hex() or '-'}"
            by_params.setdefault(text, []).append(server)
    found: list[DenialProblem] = []
    if len(by_mechanism) > 1:
        found.append(
            problem(
                Code.NSEC_NSEC3_MIXED,
                "servers_disagree",
                {
                    "mechanisms": "; ".join(
                        f"{m.upper()} from {', '.join(s)}" for m, s in by_mechanism.items()
                    )
                },
                {m: list[JsonValue](s) for m, s in by_mechanism.items()},
            )
        )
    if len(by_params) > 1:
        found.append(
            problem(
                Code.NSEC3_PARAMS_INCONSISTENT,
                "servers_disagree",
                {"parameters": "; ".join(f"{p} from {', '.join(s)}" for p, s in by_params.items())},
                {p: list[JsonValue](s) for p, s in by_params.items()},
            )
        )
    return tuple(found)
