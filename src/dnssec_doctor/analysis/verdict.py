"""The one place that decides the name's status and guarantees its explanation.

Contract (docs/contract.md, exit codes): a status other than secure or insecure is
a failure a validator sees, so it always comes with at least one finding at
error or above that explains it, and the exit code is then at least 2. The
analysis normally already holds that finding (the chain's cause, the failing
signature); when it does not, the finding that names the reason is raised to
error (it is fatal for this name), or, failing that, one is added from the
evidence the status was decided on. Never the other way round: a status is not
softened to match quiet findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain.zonedata import ZoneData
from dnssec_doctor.analysis.chain.zones import ZoneEval
from dnssec_doctor.analysis.findingset import FindingSet
from dnssec_doctor.analysis.name.status import NameStatus, name_status
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.catalog.sigstatus import STATUS_CODES
from dnssec_doctor.dnssec.signatures import SigStatus
from dnssec_doctor.model.findings import Finding, Status
from dnssec_doctor.model.severity import Severity

EXPLAINED_WITHOUT_ERROR: frozenset[Status] = frozenset({"secure", "insecure"})
"""Statuses that need no error-level finding."""

INDETERMINATE_CAUSES: tuple[Code, ...] = (
    Code.ANALYSIS_BUDGET_EXCEEDED,
    Code.MALFORMED_RESPONSE,
    Code.AUTH_UDP_UNREACHABLE,
    Code.AUTH_TCP_UNREACHABLE,
    Code.LAME_OR_NOT_AUTHORITATIVE,
    Code.EDNS_QUERIES_DROPPED,
    Code.NS_NAME_UNUSABLE,
)
"""Findings that explain why nothing could be decided, most specific first."""


def decide_status(
    name: str, evals: Sequence[ZoneEval], data: ZoneData | None, found: FindingSet
) -> NameStatus:
    """The status of ``name`` (RFC 4035 §4.3), with its explanation guaranteed in ``found``."""
    verdict = NameStatus("indeterminate", "the walk found no zone")
    if evals and data is not None:
        verdict = name_status(name, evals[-1], data)
    causes = tuple(evals[-1].causes) if evals else ()
    explain_status(name, evals[-1].name if evals else ".", verdict, found, causes)
    return verdict


def explain_status(
    name: str, zone: str, verdict: NameStatus, found: FindingSet, causes: Sequence[str] = ()
) -> None:
    """Make sure ``found`` explains ``verdict`` at error level (see the module docstring).

    A bogus status is explained by an error in the name's zone or by the chain's cause
    (``causes``: finding keys, possibly in a parent zone); an indeterminate one by any
    error (what stopped the walk may lie in any zone above).
    """
    if verdict.status in EXPLAINED_WITHOUT_ERROR:
        return
    loud = [f for f in found.all() if f.severity >= Severity.ERROR]
    if verdict.status == "bogus":
        loud = [f for f in loud if f.zone == zone or f.key in causes]
    if loud:
        return
    why = f"{name} is {verdict.status}: {verdict.reason}"
    candidates = _bogus_codes(verdict) if verdict.status == "bogus" else INDETERMINATE_CAUSES
    for code in candidates:
        existing = [
            f
            for f in found.all()
            if f.code == code and (verdict.status != "bogus" or f.zone == zone)
        ]
        if existing:
            worst = max(existing, key=lambda f: f.severity)
            found.replace(_raised(worst, why))
            return
    code = candidates[0] if verdict.status == "bogus" else Code.LAME_OR_NOT_AUTHORITATIVE
    found.add(
        catalog.finding(
            code,
            zone=zone,
            severity=max(Severity.ERROR, catalog.entry(code).severity),
            subject="status",
            detail=f"{why}.",
        )
    )


def _bogus_codes(verdict: NameStatus) -> tuple[Code, ...]:
    """Codes that say why the name's answers failed to validate, from its verdicts."""
    codes: list[Code] = []
    if verdict.unproven:
        codes.append(Code.NEGATIVE_PROOF_MISSING)
    for verdicts in verdict.failed.values():
        for v in verdicts:
            if not v.checks:
                codes.append(Code.RRSIG_MISSING)
            for c in v.checks:
                if c.status is SigStatus.CRYPTO_INVALID and c.keys_skipped:
                    codes.append(Code.KEY_TAG_COLLISION)  # as the signature tally reports it
                elif c.status in STATUS_CODES:
                    codes.append(Code(STATUS_CODES[c.status]))
    codes.extend((Code.RRSIG_MISSING, Code.NEGATIVE_PROOF_MISSING))
    return tuple(dict.fromkeys(c for c in codes if c is not Code.CANNOT_VERIFY_LOCALLY))


def _raised(f: Finding, why: str) -> Finding:
    detail = f.detail if why in f.detail else f"{f.detail.rstrip('.')}. Hence {why}."
    return replace(f, severity=max(f.severity, Severity.ERROR), detail=detail)
