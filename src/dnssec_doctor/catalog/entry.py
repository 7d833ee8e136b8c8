"""The shape of one catalog entry and the guide's symptom keys."""

from __future__ import annotations

from dataclasses import dataclass

from dnssec_doctor.severity import Severity

SYMPTOMS: dict[str, str] = {
    "dnssec-queries-fail": "plain queries work, DNSSEC queries fail",
    "negative-answers-fail": "negative answers (NXDOMAIN/NODATA) fail to validate",
    "rrsigs-sometimes": "RRSIGs only sometimes present",
    "servfail": "SERVFAIL for DNSSEC queries",
    "zsk-rollover": "a ZSK rollover broke things",
    "ksk-rollover": "a KSK rollover broke things",
    "nsec3-migration": "an NSEC → NSEC3 migration broke things",
    "no-ad-bit": "answers arrive, signatures present, but no AD bit",
    "worked-yesterday": "it worked yesterday, not today",
    "ds-upload-rejected": "the parent / registry rejects the DS upload",
}
"""JSON ``symptoms`` keys (catalog.md) → the guide's symptom."""


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One problem code: what it means, what to show, and how to fix it."""

    code: str
    section: str
    severity: Severity
    symptoms: tuple[str, ...]
    title: str
    explanation: str
    evidence: str
    fix: str
    peers: str = ""
