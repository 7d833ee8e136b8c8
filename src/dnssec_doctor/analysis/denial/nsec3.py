"""NSEC3 proofs (RFC 5155 §8): name errors, NODATA, DS denial, wildcard answers.

Hashes are computed lazily, cached per name, and never above
``Limits.max_nsec3_iterations``: a response with 2,500 iterations ends in one
budget problem instead of 2,500 SHA-1 rounds per name.
"""

from __future__ import annotations

from collections import Counter

import dns.name
import dns.rdatatype

from dnssec_doctor.analysis.denial.model import (
    DenialProblem,
    DenialTask,
    Kind,
    Nsec3Record,
    ProofResult,
    problem,
    quote,
)
from dnssec_doctor.analysis.denial.nsec import MAX_EXISTING_CHECKED, delegation_bitmap_ok
from dnssec_doctor.analysis.denial.nsec3_policy import (
    budget_problem,
    params_text,
    reported_params,
    rfc9276_problems,
    usable_records,
)
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.nsec import canonical_key, interval_covers, type_name, types_text
from dnssec_doctor.dnssec.nsec3 import (
    OPT_OUT,
    SHA1,
    EncloserProof,
    HashResult,
    Nsec3Params,
    b32hex_encode,
    closest_encloser,
    nsec3_hash,
)
from dnssec_doctor.model.findings import JsonValue
from dnssec_doctor.model.severity import Severity

MAX_PARAMETER_SETS = 3
"""Distinct NSEC3 parameter sets a proof is attempted with (each costs hashing)."""


class Nsec3Index:
    """The usable NSEC3 records of one parameter set, looked up by hashed name."""

    def __init__(
        self, records: list[Nsec3Record], params: Nsec3Params, max_iterations: int
    ) -> None:
        self.records = records
        self.params = params
        self.max_iterations = max_iterations
        self._by_hash: dict[bytes, int] = {}
        for position, record in enumerate(records):
            if record.owner_hash is not None:
                self._by_hash.setdefault(record.owner_hash, position)
        self._cache: dict[tuple[bytes, ...], HashResult] = {}

    def digest(self, name: dns.name.Name) -> HashResult:
        """The hash of ``name`` under this set's parameters (cached, within budget)."""
        key = canonical_key(name)
        found = self._cache.get(key)
        if found is None:
            found = nsec3_hash(name, self.params, self.max_iterations)
            self._cache[key] = found
        return found

    def match(self, name: dns.name.Name) -> tuple[int | None, str]:
        """The record whose owner is the hash of ``name``."""
        result = self.digest(name)
        if result.digest is None:
            return None, result.reason
        return self._by_hash.get(result.digest), ""

    def cover(self, name: dns.name.Name) -> tuple[int | None, str]:
        """A record whose interval contains the hash of ``name`` (RFC 5155 §8.3)."""
        result = self.digest(name)
        if result.digest is None:
            return None, result.reason
        for position, record in enumerate(self.records):
            if record.owner_hash is not None and interval_covers(
                record.owner_hash, record.next_hash, result.digest
            ):
                return position, ""
        return None, ""

    def hashed(self, name: dns.name.Name) -> str:
        """``name`` with its hash, for details and evidence."""
        result = self.digest(name)
        return f"{name} (hash {b32hex_encode(result.digest)})" if result.digest else str(name)


def prove_nsec3(records: tuple[Nsec3Record, ...], task: DenialTask) -> ProofResult:
    """Check the NSEC3 proof ``task`` asks for, plus the parameter policy of RFC 9276."""
    problems: list[DenialProblem] = []
    usable = usable_records(records, task.zone, problems)
    counts = Counter(r.params for r in usable)
    if len(counts) > 1:
        problems.append(
            problem(
                Code.NSEC3_PARAMS_INCONSISTENT,
                "answer_mixes_sets",
                {"count": len(counts)},
                {"parameters": quote([params_text(p) for p in counts])},
            )
        )
    problems.extend(rfc9276_problems(list(counts)))
    attempts: list[tuple[Nsec3Params, bool, list[DenialProblem], Kind, bool]] = []
    for params, _ in counts.most_common(MAX_PARAMETER_SETS):
        if params.algorithm != SHA1:
            problems.append(
                problem(
                    Code.NSEC3_PARAMS_INCONSISTENT,
                    "unknown_hash",
                    {"algorithm": params.algorithm},
                    {"parameters": params_text(params)},
                )
            )
            continue
        if params.iterations > task.limits.max_nsec3_iterations:
            problems.append(budget_problem(params, task.limits.max_nsec3_iterations))
            continue
        chain = [r for r in usable if r.params == params]
        index = Nsec3Index(chain, params, task.limits.max_nsec3_iterations)
        found: list[DenialProblem] = []
        proven, kind, opt_out = _prove(index, task, found)
        found.extend(_existing_denied(index, task))
        attempts.append((params, proven, found, kind, opt_out))
        if proven:
            break
    chosen = next((a for a in attempts if a[1]), attempts[0] if attempts else None)
    if chosen is None:
        first = counts.most_common(1)[0][0] if counts else None
        return ProofResult(False, tuple(problems), task.kind, False, reported_params(usable, first))
    params, proven, found, kind, opt_out = chosen
    problems.extend(found)
    return ProofResult(proven, tuple(problems), kind, opt_out, reported_params(usable, params))


def _prove(
    index: Nsec3Index, task: DenialTask, problems: list[DenialProblem]
) -> tuple[bool, Kind, bool]:
    """The proof for ``task.kind`` and the wildcard expansions: (proven, kind, opt-out)."""
    proven, kind, opt_out = True, task.kind, False
    if task.negative:
        if task.kind == "nxdomain":
            proven, opt_out = _name_error(index, task.sname, task.zone, problems)
        elif task.kind in ("ds-nodata", "insecure-delegation"):
            proven, opt_out = _ds_denial(index, task.sname, task.zone, problems)
        else:
            proven, kind, opt_out = _nodata(index, task, problems)
    for owner, encloser in task.expansions:
        good, used_opt_out = _wildcard_answer(index, owner, encloser, problems)
        proven = good and proven
        opt_out = opt_out or used_opt_out
    return proven, kind, opt_out


def _encloser_problem(
    index: Nsec3Index, name: dns.name.Name, proof: EncloserProof, code: Code
) -> DenialProblem | None:
    """Why a closest-encloser proof (RFC 5155 §8.3) is incomplete, or None when it is not."""
    if proof.refused:
        return _refused(proof.refused, {"qname": name.to_text()})
    if proof.matched is None or proof.closest_encloser is None:
        return problem(
            code,
            "no_closest_encloser",
            {"name": name},
            {"qname": index.hashed(name), "nsec3": quote([r.text for r in index.records])},
        )
    types = index.records[proof.matched].types
    if (dns.rdatatype.NS in types and dns.rdatatype.SOA not in types) or (
        dns.rdatatype.DNAME in types
    ):
        return problem(
            code,
            "encloser_delegation",
            {"encloser": proof.closest_encloser},
            {"qname": name.to_text(), "nsec3": index.records[proof.matched].text},
        )
    if proof.covering is None:
        assert proof.next_closer is not None
        return problem(
            code,
            "next_closer_not_covered",
            {"next_closer": index.hashed(proof.next_closer)},
            {"qname": name.to_text(), "closest_encloser": proof.closest_encloser.to_text()},
        )
    return None


def _refused(reason: str, evidence: dict[str, JsonValue] | None = None) -> DenialProblem:
    """The hash was not computed (RFC 9276 §3.2 budget, unknown algorithm): ``reason`` is
    the hash primitive's own account (:func:`dnssec_doctor.dnssec.nsec3.nsec3_hash`)."""
    return problem(
        Code.ANALYSIS_BUDGET_EXCEEDED, "nsec3_hash_refused", {"reason": reason}, evidence
    )


def _opt_out_notice(name: dns.name.Name) -> DenialProblem:
    return problem(
        Code.NSEC3_OPT_OUT_PROBLEM,
        "opt_out_proof",
        {"name": name},
        {"qname": name.to_text()},
    )


def _name_error(
    index: Nsec3Index, name: dns.name.Name, zone: dns.name.Name, problems: list[DenialProblem]
) -> tuple[bool, bool]:
    """NXDOMAIN (RFC 5155 §8.4): closest encloser proof plus a covered wildcard."""
    matched, refused = index.match(name)
    if refused:
        problems.append(_refused(refused))
        return False, False
    if matched is not None:
        problems.append(
            problem(
                Code.NSEC3_PROOF_INVALID,
                "nxdomain_hash_matches",
                {"name": name},
                {"qname": index.hashed(name), "nsec3": index.records[matched].text},
            )
        )
        return False, False
    proof = closest_encloser(name, zone, index.match, index.cover)
    failure = _encloser_problem(index, name, proof, Code.NSEC3_PROOF_INVALID)
    if failure is not None:
        problems.append(failure)
        return False, False
    assert proof.closest_encloser is not None and proof.covering is not None
    opt_out = bool(index.records[proof.covering].flags & OPT_OUT)
    wildcard = dns.name.Name((b"*", *proof.closest_encloser.labels))
    if index.cover(wildcard)[0] is None:
        exists = index.match(wildcard)[0] is not None
        problems.append(
            problem(
                Code.NSEC3_PROOF_INVALID,
                "wildcard_exists" if exists else "wildcard_not_covered",
                {"wildcard": index.hashed(wildcard)},
                {"qname": name.to_text(), "closest_encloser": proof.closest_encloser.to_text()},
            )
        )
        return False, opt_out
    if opt_out:
        problems.append(_opt_out_notice(name))
    return True, opt_out


def _bitmap_contradiction(
    index: Nsec3Index, position: int, name: dns.name.Name, qtype: int, problems: list[DenialProblem]
) -> bool:
    """NODATA needs qtype and CNAME clear in the matching bitmap (RFC 5155 §8.5, §8.7)."""
    record = index.records[position]
    present = [t for t in (qtype, dns.rdatatype.CNAME) if t in record.types]
    if not present:
        return False
    problems.append(
        problem(
            Code.NODATA_BITMAP_CONTRADICTION,
            "nsec3",
            {"name": name, "qtype": type_name(qtype), "types": types_text(present)},
            {"qname": index.hashed(name), "nsec3": record.text},
        )
    )
    return True


def _nodata(
    index: Nsec3Index, task: DenialTask, problems: list[DenialProblem]
) -> tuple[bool, Kind, bool]:
    """NODATA (RFC 5155 §8.5 with erratum 3441, §8.7 wildcard NODATA)."""
    name, qtype = task.sname, task.qtype
    matched, refused = index.match(name)
    if refused:
        problems.append(_refused(refused))
        return False, "nodata", False
    if matched is not None:
        if _bitmap_contradiction(index, matched, name, qtype, problems):
            return False, "nodata", False
        types = index.records[matched].types
        if dns.rdatatype.NS in types and dns.rdatatype.SOA not in types:
            problems.append(
                problem(
                    Code.NSEC3_PROOF_INVALID,
                    "nodata_delegation",
                    {"name": name},
                    {"qname": name.to_text(), "nsec3": index.records[matched].text},
                )
            )
            return False, "nodata", False
        return True, "nodata", False
    proof = closest_encloser(name, task.zone, index.match, index.cover)
    if proof.closest_encloser is not None and proof.matched is not None:
        wildcard = dns.name.Name((b"*", *proof.closest_encloser.labels))
        source, _ = index.match(wildcard)
        if source is not None and proof.covering is not None:
            good = not _bitmap_contradiction(index, source, wildcard, qtype, problems)
            return good, "wildcard", bool(index.records[proof.covering].flags & OPT_OUT)
        if proof.covering is not None and index.records[proof.covering].flags & OPT_OUT:
            # erratum 3441: an empty non-terminal above an unsigned delegation
            problems.append(_opt_out_notice(name))
            return True, "nodata", True
    problems.append(
        problem(
            Code.NSEC3_PROOF_INVALID,
            "nodata_no_match",
            {"name": index.hashed(name), "qtype": type_name(qtype)},
            {"qname": name.to_text(), "nsec3": quote([r.text for r in index.records])},
        )
    )
    return False, "nodata", False


def _ds_denial(
    index: Nsec3Index, name: dns.name.Name, zone: dns.name.Name, problems: list[DenialProblem]
) -> tuple[bool, bool]:
    """No DS at a delegation (RFC 5155 §8.6): a matching NSEC3 or an Opt-Out proof."""
    matched, refused = index.match(name)
    if refused:
        problems.append(_refused(refused))
        return False, False
    if matched is not None:
        record = index.records[matched]
        return delegation_bitmap_ok(record.types, name, record.text, problems), False
    proof = closest_encloser(name, zone, index.match, index.cover)
    failure = _encloser_problem(index, name, proof, Code.NSEC_DENIES_DS_WRONGLY)
    if failure is not None:
        problems.append(failure)
        return False, False
    assert proof.covering is not None
    record = index.records[proof.covering]
    if not record.flags & OPT_OUT:
        problems.append(
            problem(
                Code.NSEC3_OPT_OUT_PROBLEM,
                "ds_not_opt_out",
                {"name": name},
                {"delegation": index.hashed(name), "nsec3": record.text},
                Severity.ERROR,
            )
        )
        return False, False
    return True, True


def _wildcard_answer(
    index: Nsec3Index, owner: dns.name.Name, encloser: dns.name.Name, problems: list[DenialProblem]
) -> tuple[bool, bool]:
    """A wildcard expansion needs the next closer name covered (RFC 5155 §8.8)."""
    evidence = {"owner": owner.to_text(), "closest_encloser": encloser.to_text()}
    matched, refused = index.match(owner)
    if refused:
        problems.append(_refused(refused))
        return False, False
    if matched is not None:
        problems.append(
            problem(Code.WILDCARD_PROOF_INVALID, "nsec3_owner_exists", {"owner": owner}, evidence)
        )
        return False, False
    next_closer = dns.name.Name(owner.labels[len(owner.labels) - len(encloser.labels) - 1 :])
    covering, _ = index.cover(next_closer)
    if covering is None:
        problems.append(
            problem(
                Code.WILDCARD_PROOF_INVALID,
                "nsec3_next_closer_not_covered",
                {"owner": owner, "encloser": encloser, "next_closer": index.hashed(next_closer)},
                evidence,
            )
        )
        return False, False
    return True, bool(index.records[covering].flags & OPT_OUT)


def _existing_denied(index: Nsec3Index, task: DenialTask) -> list[DenialProblem]:
    """NSEC3 records covering the hash of a name known to exist."""
    denied: list[str] = []
    records: list[str] = []
    for name in task.existing[:MAX_EXISTING_CHECKED]:
        if not name.is_subdomain(task.zone):
            continue
        covering, _ = index.cover(name)
        # an Opt-Out span may legitimately cover unsigned delegations (RFC 5155 §6)
        if covering is not None and not index.records[covering].flags & OPT_OUT:
            denied.append(index.hashed(name))
            records.append(index.records[covering].text)
    if not denied:
        return []
    return [
        problem(
            Code.EXISTING_NAME_DENIED,
            "nsec3_more" if len(denied) > 1 else "nsec3_one",
            {"name": denied[0], "more": len(denied) - 1}
            if len(denied) > 1
            else {"name": denied[0]},
            {"names": quote(denied), "nsec3": quote(list(dict.fromkeys(records)))},
        )
    ]
