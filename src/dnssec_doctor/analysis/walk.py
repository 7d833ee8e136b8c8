"""What the delegation walk itself ran into, as findings.

The probe records a ``WalkEvent`` where it could not go on as planned (a referral
loop, a cut-off, an unusable NS name, a server that answered without authority).
Each becomes a finding of its code, worded by the catalog case it names; ``check`` and ``ds``
report them alike. Pure: survey in, findings out.
"""

from __future__ import annotations

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.survey import Survey


def walk_findings(survey: Survey) -> list[Finding]:
    """One finding per event of the walk, in the order the walk met them."""
    return [
        catalog.finding(
            Code(event.code),
            zone=event.zone,
            says=event.says,
            params=event.params,
            servers=event.servers,
            subject=event.subject,
            evidence=dict(event.evidence),
        )
        for event in survey.events
    ]
