"""NSEC proofs: name errors, NODATA, DS denial, wildcard answers (RFC 4035 §5.4).

Also RFC 6840 §4.1 (NSEC at a delegation or DNAME denies nothing below it) and
compact denial (RFC 9824: NXNAME in the bitmap, NOERROR for absent names).
"""

from __future__ import annotations

import dns.name
import dns.rdatatype

from dnssec_doctor.analysis.denial.model import (
    DenialProblem,
    DenialTask,
    Kind,
    NsecRecord,
    ProofResult,
    problem,
    quote,
)
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.nsec import (
    canonical_key,
    interval_covers,
    may_deny_below,
    nsec_closest_encloser,
    type_name,
    types_text,
)

NXNAME = 128
"""RFC 9824 §2: the NXNAME meta-type marks a compact-denial NSEC for an absent name."""

_BARE_TYPES = frozenset({dns.rdatatype.NSEC, dns.rdatatype.RRSIG, NXNAME})
"""A real node always owns some other type; an NSEC listing only these is a lie by design."""

MAX_EXISTING_CHECKED = 256
"""Known-existing names tested against the records of one response."""


class NsecIndex:
    """The NSEC records of one response, looked up by the name they match or cover."""

    def __init__(self, records: tuple[NsecRecord, ...], zone: dns.name.Name) -> None:
        self.records = records
        self.zone = zone
        self._by_owner: dict[tuple[bytes, ...], NsecRecord] = {}
        for record in records:
            self._by_owner.setdefault(record.owner_key, record)

    def match(self, name: dns.name.Name) -> NsecRecord | None:
        """The NSEC whose owner is ``name``."""
        return self._by_owner.get(canonical_key(name))

    def cover(self, name: dns.name.Name) -> NsecRecord | None:
        """An NSEC that may deny ``name`` (RFC 4035 §5.4, RFC 6840 §4.1)."""
        key = canonical_key(name)
        for record in self.records:
            if interval_covers(record.owner_key, record.next_key, key) and may_deny_below(
                record.owner, record.types, name
            ):
                return record
        return None

    def encloser(self, record: NsecRecord, name: dns.name.Name) -> dns.name.Name:
        """The closest encloser of ``name`` that ``record`` (covering it) implies."""
        found = nsec_closest_encloser(record.owner, record.next, name)
        return found if found.is_subdomain(self.zone) else self.zone


def prove_nsec(records: tuple[NsecRecord, ...], task: DenialTask) -> ProofResult:
    """Check the NSEC proof ``task`` asks for; problems name what is missing or wrong."""
    index = NsecIndex(records, task.zone)
    problems: list[DenialProblem] = []
    kind: Kind = task.kind
    proven = True
    if task.negative:
        if task.kind == "nxdomain":
            proven, kind = _name_error(index, task, problems)
        elif task.kind in ("ds-nodata", "insecure-delegation"):
            proven = _ds_denial(index, task, problems)
        else:
            proven, kind = _nodata(index, task, problems)
    for owner, encloser in task.expansions:
        proven = _wildcard_answer(index, owner, encloser, problems) and proven
    problems.extend(_chain_sanity(index))
    problems.extend(_existing_denied(index, task))
    return ProofResult(proven=proven, problems=tuple(problems), kind=kind)


def _is_compact(record: NsecRecord) -> bool:
    """RFC 9824 compact denial: NXNAME, or (older 'black lies') only NSEC and RRSIG."""
    return NXNAME in record.types or record.types <= _BARE_TYPES


def _compact(record: NsecRecord) -> DenialProblem:
    return problem(
        Code.COMPACT_DENIAL_IN_USE,
        "nsec",
        {"name": record.owner, "types": types_text(record.types)},
        {"nsec": record.text},
    )


def _name_error(
    index: NsecIndex, task: DenialTask, problems: list[DenialProblem]
) -> tuple[bool, Kind]:
    """NXDOMAIN: an NSEC covers the name and one covers the wildcard (RFC 4035 §5.4)."""
    name = task.sname
    matching = index.match(name)
    if matching is not None:
        if _is_compact(matching):
            problems.append(_compact(matching))
            return True, "nxdomain"
        problems.append(
            problem(
                Code.NSEC_PROOF_INVALID,
                "nxdomain_name_exists",
                {"name": name, "types": types_text(matching.types)},
                {"qname": name.to_text(), "nsec": matching.text},
            )
        )
        return False, "nxdomain"
    covering = index.cover(name)
    if covering is None:
        problems.append(
            problem(
                Code.NSEC_PROOF_INVALID,
                "nxdomain_not_covered",
                {"name": name},
                {"qname": name.to_text(), "nsec": quote([r.text for r in index.records])},
            )
        )
        return False, "nxdomain"
    if _below(covering.next, name):
        problems.append(
            problem(
                Code.NSEC_PROOF_INVALID,
                "nxdomain_ent",
                {"name": name, "next": covering.next},
                {"qname": name.to_text(), "nsec": covering.text},
            )
        )
        return False, "nxdomain"
    encloser = index.encloser(covering, name)
    return _wildcard_denied(index, name, encloser, problems), "nxdomain"


def _below(descendant: dns.name.Name, name: dns.name.Name) -> bool:
    """True when ``descendant`` is strictly below ``name``."""
    return descendant != name and descendant.is_subdomain(name)


def _wildcard_denied(
    index: NsecIndex, name: dns.name.Name, encloser: dns.name.Name, problems: list[DenialProblem]
) -> bool:
    """The wildcard at the closest encloser must not exist (RFC 4035 §5.4 second NSEC)."""
    wildcard = dns.name.Name((b"*", *encloser.labels))
    matching = index.match(wildcard)
    if matching is not None:
        problems.append(
            problem(
                Code.NSEC_PROOF_INVALID,
                "wildcard_exists",
                {"wildcard": wildcard, "name": name},
                {"qname": name.to_text(), "wildcard": wildcard.to_text(), "nsec": matching.text},
            )
        )
        return False
    if index.cover(wildcard) is None:
        problems.append(
            problem(
                Code.NSEC_PROOF_INVALID,
                "wildcard_not_covered",
                {"wildcard": wildcard, "encloser": encloser, "name": name},
                {
                    "qname": name.to_text(),
                    "wildcard": wildcard.to_text(),
                    "closest_encloser": encloser.to_text(),
                },
            )
        )
        return False
    return True


def _bitmap_contradiction(
    record: NsecRecord, name: dns.name.Name, qtype: int, problems: list[DenialProblem]
) -> bool:
    """NODATA needs qtype and CNAME absent from the matching bitmap (RFC 4035 §5.4)."""
    present = [t for t in (qtype, dns.rdatatype.CNAME) if t in record.types]
    if not present:
        return False
    problems.append(
        problem(
            Code.NODATA_BITMAP_CONTRADICTION,
            "nsec",
            {"name": name, "qtype": type_name(qtype), "types": types_text(present)},
            {"qname": name.to_text(), "qtype": type_name(qtype), "nsec": record.text},
        )
    )
    return True


def _nodata(index: NsecIndex, task: DenialTask, problems: list[DenialProblem]) -> tuple[bool, Kind]:
    """NODATA: a matching NSEC, an empty non-terminal, or a wildcard NODATA."""
    name, qtype = task.sname, task.qtype
    matching = index.match(name)
    if matching is not None:
        if _is_compact(matching) and qtype not in matching.types:
            problems.append(_compact(matching))
            return True, "nxdomain"
        if _bitmap_contradiction(matching, name, qtype, problems):
            return False, "nodata"
        types = matching.types
        if dns.rdatatype.NS in types and dns.rdatatype.SOA not in types:
            problems.append(
                problem(
                    Code.NSEC_PROOF_INVALID,
                    "nodata_delegation",
                    {"name": name},
                    {"qname": name.to_text(), "nsec": matching.text},
                )
            )
            return False, "nodata"
        return True, "nodata"
    covering = index.cover(name)
    if covering is not None and _below(covering.next, name):
        return True, "nodata"  # an empty non-terminal: it exists, with no data at all
    if covering is not None:
        encloser = index.encloser(covering, name)
        wildcard = dns.name.Name((b"*", *encloser.labels))
        source = index.match(wildcard)
        if source is not None:
            return not _bitmap_contradiction(source, wildcard, qtype, problems), "wildcard"
    problems.append(
        problem(
            Code.NSEC_PROOF_INVALID,
            "nodata_no_match",
            {"name": name, "qtype": type_name(qtype)},
            {
                "qname": name.to_text(),
                "qtype": type_name(qtype),
                "nsec": quote([r.text for r in index.records]),
            },
        )
    )
    return False, "nodata"


def _ds_denial(index: NsecIndex, task: DenialTask, problems: list[DenialProblem]) -> bool:
    """No DS at a delegation: the parent's NSEC there has NS, no DS, no SOA (RFC 4035 §5.4)."""
    name = task.sname
    matching = index.match(name)
    if matching is None:
        problems.append(
            problem(
                Code.NSEC_DENIES_DS_WRONGLY,
                "no_nsec_at_delegation",
                {"name": name},
                {"delegation": name.to_text(), "nsec": quote([r.text for r in index.records])},
            )
        )
        return False
    return delegation_bitmap_ok(matching.types, name, matching.text, problems)


def delegation_bitmap_ok(
    types: frozenset[int], name: dns.name.Name, text: str, problems: list[DenialProblem]
) -> bool:
    """The DS-denial bitmap rules shared by NSEC and NSEC3 (RFC 4035 §5.4, RFC 5155 §8.6)."""
    wrong: list[str] = []
    if dns.rdatatype.DS in types:
        wrong.append("the DS bit is set")
    if dns.rdatatype.CNAME in types:
        wrong.append("the CNAME bit is set")
    if dns.rdatatype.SOA in types:
        wrong.append("the SOA bit is set (this proof comes from the child's apex)")
    if dns.rdatatype.NS not in types:
        wrong.append("the NS bit is missing (the name is not a delegation)")
    if not wrong:
        return True
    problems.append(
        problem(
            Code.INSECURE_DELEGATION_PROOF_INVALID,
            "bitmap",
            {"name": name, "wrong": "; ".join(wrong)},
            {"delegation": name.to_text(), "record": text, "types": types_text(types)},
        )
    )
    return False


def _wildcard_answer(
    index: NsecIndex,
    owner: dns.name.Name,
    encloser: dns.name.Name,
    problems: list[DenialProblem],
) -> bool:
    """A wildcard expansion needs an NSEC proving no closer match (RFC 4035 §5.3.4)."""
    evidence: dict[str, str] = {"owner": owner.to_text(), "closest_encloser": encloser.to_text()}
    matching = index.match(owner)
    if matching is not None:
        problems.append(
            problem(
                Code.WILDCARD_PROOF_INVALID,
                "nsec_owner_exists",
                {"owner": owner},
                {**evidence, "nsec": matching.text},
            )
        )
        return False
    covering = index.cover(owner)
    if covering is None:
        problems.append(
            problem(
                Code.WILDCARD_PROOF_INVALID, "nsec_owner_not_covered", {"owner": owner}, evidence
            )
        )
        return False
    implied = index.encloser(covering, owner)
    if len(implied.labels) > len(encloser.labels):
        problems.append(
            problem(
                Code.WILDCARD_PROOF_INVALID,
                "nsec_closer_name",
                {"owner": owner, "encloser": encloser, "closer": implied},
                {**evidence, "nsec": covering.text},
            )
        )
        return False
    wildcard = dns.name.Name((b"*", *encloser.labels))
    denier = index.cover(wildcard)
    if denier is not None:
        problems.append(
            problem(
                Code.WILDCARD_PROOF_INVALID,
                "nsec_wildcard_denied",
                {"wildcard": wildcard},
                {**evidence, "nsec": denier.text},
            )
        )
        return False
    return True


def _chain_sanity(index: NsecIndex) -> list[DenialProblem]:
    """Next names outside the zone break the chain (DV LAST_NSEC_NEXT_NOT_ZONE)."""
    outside = [r.text for r in index.records if not r.next.is_subdomain(index.zone)]
    if not outside:
        return []
    return [
        problem(
            Code.NSEC_CHAIN_BROKEN,
            "next_outside_zone",
            {"count": len(outside), "zone": index.zone},
            {"zone": index.zone.to_text(), "nsec": quote(outside)},
        )
    ]


def _existing_denied(index: NsecIndex, task: DenialTask) -> list[DenialProblem]:
    """NSEC records covering names known to exist (DV EXISTING_NAME_COVERED)."""
    denied: list[str] = []
    records: list[str] = []
    for name in task.existing[:MAX_EXISTING_CHECKED]:
        if not name.is_subdomain(task.zone):
            continue
        covering = index.cover(name)
        # an NSEC spanning an empty non-terminal points below it: no denial (RFC 4035 §2.3)
        if covering is not None and not _below(covering.next, name):
            denied.append(name.to_text())
            records.append(covering.text)
    if not denied:
        return []
    return [
        problem(
            Code.EXISTING_NAME_DENIED,
            "nsec_more" if len(denied) > 1 else "nsec_one",
            {"name": denied[0], "more": len(denied) - 1}
            if len(denied) > 1
            else {"name": denied[0]},
            {"names": quote(denied), "nsec": quote(list(dict.fromkeys(records)))},
        )
    ]
