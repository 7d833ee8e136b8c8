"""The validation status of the name itself (RFC 4035 §4.3), from its zone's verdict.

A name in a secure zone is secure only when, for every type asked, at least one
server gave an answer whose RRset validates, or a negative answer whose proof is
complete and validates. Which server a resolver picks is not ours to know, so
one good server is enough for "secure"; bad servers get their own findings.
"""

from __future__ import annotations

from collections import defaultdict

import dns.name

from dnssec_doctor.analysis.chain import ZoneEval
from dnssec_doctor.analysis.zonedata import ZoneData
from dnssec_doctor.findings import Status
from dnssec_doctor.probe.survey import QueryKey


def name_status(name: str, target: ZoneEval, data: ZoneData) -> tuple[Status, str]:
    """The status of ``name`` and the reason for it."""
    if target.status != "secure":
        return target.status, target.reason
    owner = dns.name.from_text(name)
    per_type: dict[str, list[bool]] = defaultdict(list)
    for key, exchange in target.cut.queries.items():
        if key.side != "child" or key.variant or dns.name.from_text(key.qname) != owner:
            continue
        if exchange.outcome != "response" or exchange.message() is None:
            continue
        per_type[key.qtype].append(_good(key, data))
    if not per_type:
        return "indeterminate", f"no server answered for {name}"
    bad = sorted(t for t, results in per_type.items() if results and not any(results))
    if bad:
        return "bogus", f"no server gave a validating answer for {name} {', '.join(bad)}"
    denied = {
        key.qtype
        for key in data.denials
        if dns.name.from_text(key.qname) == owner and data.denials[key]
    }
    if denied and denied >= set(per_type):
        return "secure", f"{name} has none of the types asked for, and that is proven"
    return "secure", target.reason


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
