"""The validation status of the name itself (RFC 4035 §4.3), from its zone's verdict.

A name in a secure zone is secure only when, for every type asked, at least one
server gave an answer whose RRset validates, or a negative answer whose proof is
complete and validates. Which server a resolver picks is not ours to know, so
one good server is enough for "secure"; bad servers get their own findings.

RRSIG (and ANY) are not validation questions: RRSIG records are not signed
themselves (RFC 4035 §2.2), so the answer to ``--type RRSIG`` cannot make the
name bogus; the types it covers are asked for on their own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from dnssec_doctor.analysis.chain.rrsigs import RRsetVerdict
from dnssec_doctor.analysis.chain.zonedata import ZoneData
from dnssec_doctor.analysis.chain.zones import ZoneEval
from dnssec_doctor.model.findings import Status
from dnssec_doctor.model.survey import QueryKey
from dnssec_doctor.names import name_of

NOT_VALIDATED_TYPES = frozenset({"RRSIG", "ANY"})
"""Question types whose answer is not a signed RRset of its own."""


@dataclass(frozen=True, slots=True)
class NameStatus:
    """The status of the name, the reason, and the evidence when it is bogus."""

    status: Status
    reason: str
    failed: dict[str, list[RRsetVerdict]] = field(default_factory=dict)
    """Bad type → the verdicts of the RRsets that failed to validate (empty: no RRset)."""
    unproven: tuple[str, ...] = ()
    """Bad types whose negative answers carried no complete proof."""


def name_status(name: str, target: ZoneEval, data: ZoneData) -> NameStatus:
    """The status of ``name`` and the reason for it."""
    if target.status != "secure":
        return NameStatus(target.status, target.reason)
    owner = name_of(name)
    per_type: dict[str, list[QueryKey]] = defaultdict(list)
    for key, exchange in target.cut.queries.items():
        if key.side != "child" or key.variant or name_of(key.qname) != owner:
            continue
        if key.qtype in NOT_VALIDATED_TYPES:
            continue
        if exchange.outcome != "response" or exchange.message() is None:
            continue
        per_type[key.qtype].append(key)
    if not per_type:
        return NameStatus("indeterminate", f"no server answered for {name}")
    unchecked = sorted(
        t
        for t, keys in per_type.items()
        if not any(_good(k, data) for k in keys) and any(_unchecked(k, data) for k in keys)
    )
    bad = sorted(
        t
        for t, keys in per_type.items()
        if t not in unchecked and not any(_good(k, data) for k in keys)
    )
    if bad:
        failed = {
            t: [v for k in per_type[t] for v in data.by_query.get(k, []) if not v.validated]
            for t in bad
        }
        unproven = tuple(
            t for t in bad if any(k in data.denials and not data.denials[k] for k in per_type[t])
        )
        return NameStatus(
            "bogus",
            f"no server gave a validating answer for {name} {', '.join(bad)}",
            failed,
            unproven,
        )
    if unchecked:
        why = next(data.unchecked[k] for t in unchecked for k in per_type[t] if k in data.unchecked)
        return NameStatus(
            "insecure",
            f"the denial proofs for {name} {', '.join(unchecked)} were not checked: {why}",
        )
    denied = {
        key.qtype for key in data.denials if name_of(key.qname) == owner and data.denials[key]
    }
    if denied and denied >= set(per_type):
        return NameStatus("secure", f"{name} has none of the types asked for, and that is proven")
    return NameStatus("secure", target.reason)


def _unchecked(key: QueryKey, data: ZoneData) -> bool:
    """A negative answer whose proof was beyond the NSEC3 iteration limit, its signatures
    valid (RFC 9276 §3.2: such an answer may be insecure, but must still be signed)."""
    return key in data.unchecked and all(v.validated for v in data.by_query.get(key, []))


def _good(key: QueryKey, data: ZoneData) -> bool:
    verdicts = data.by_query.get(key, [])
    if key in data.denials:
        return data.denials[key] and all(v.validated for v in verdicts)
    answers = [
        v
        for v in verdicts
        if v.item.type_text not in ("NSEC", "NSEC3", "SOA") or v.item.type_text == key.qtype
    ]
    return bool(answers) and all(v.validated for v in answers)
