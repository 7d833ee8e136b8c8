"""The shape of one catalog entry and the guide's symptom keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dnssec_doctor.model.severity import Severity

NOT_YET_CHECKED = "no check reports it yet"
"""Why a code of the contract that no analysis emits is not reported yet."""

PDNS_SIGN = (
    "no re-sign command (it signs answers on the fly with the zone's active keys): check "
    "the keys with pdnsutil show-zone ZONE (pdnsutil activate-zone-key ZONE ID makes a "
    "published key sign), run pdnsutil rectify-zone ZONE for the NSEC/NSEC3 order, then "
    "pdns_control purge ZONE$ to drop cached answers; a PRESIGNED zone is re-signed where "
    "it is signed"
)
"""What "re-sign" means with PowerDNS (pdnsutil rectify-zone alone signs nothing)."""

OTHERS_FINE = (
    " {servers_ok} {answer_ok} correctly, so whether a lookup fails depends on which server a "
    "resolver picks: resolvers that try {servers} get slow or failed answers, then retry "
    "elsewhere."
)
"""The closing sentence of a finding about some servers when others answer correctly
(``servers``, ``servers_ok``: the two lists; ``answer_ok``: its verb, answer or answers)."""

OTHERS_FINE_CASE = "{}_others_fine"
"""The name of a case's twin that ends with OTHERS_FINE."""


def with_ending(details: Mapping[str, str], twin: str, ending: str) -> dict[str, str]:
    """Each case of ``details`` and its twin ``CASE_TWIN``, whose template adds ``ending``
    (a sentence some findings of the case add and others do not)."""
    return {**details, **{f"{case}_{twin}": text + ending for case, text in details.items()}}


def with_others_fine(details: Mapping[str, str]) -> dict[str, str]:
    """Each case of ``details`` and its twin (OTHERS_FINE_CASE) that adds OTHERS_FINE."""
    return with_ending(details, "others_fine", OTHERS_FINE)


def also_others_fine(fixes: Mapping[str, str]) -> dict[str, str]:
    """Each case of ``fixes`` and its twin (OTHERS_FINE_CASE), with the same fix."""
    return {**fixes, **{OTHERS_FINE_CASE.format(case): fix for case, fix in fixes.items()}}


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
"""JSON ``symptoms`` keys (docs/codes.md) → the guide's symptom."""


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
    not_detected: str = ""
    """Empty when some check reports this code; otherwise why none does yet (e.g. it needs
    the history of earlier checks). ``explain`` and docs/codes.md say so rather than
    promise evidence that no report shows."""
    details: Mapping[str, str] = field(default_factory=dict, compare=False)
    """What a finding of this code says, by case: ``str.format`` templates with named
    fields, which are the parameters the analysis must supply (``catalog.messages``)."""
    fixes: Mapping[str, str] = field(default_factory=dict, compare=False)
    """The concrete fix of the cases whose fix depends on the case, filled from the same
    parameters; the other cases get ``fix``, with ZONE and SERVER filled in."""

    @property
    def detected(self) -> bool:
        """True when dnssec-doctor reports this code today."""
        return not self.not_detected
