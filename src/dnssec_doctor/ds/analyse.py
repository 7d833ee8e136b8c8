"""The ``ds`` command's analysis: the probe's survey and the user's input in, the verdict out.

Everything between "the zone was probed and the candidates were read" and "here
is what to upload and what the registry will say": the zone as its servers serve
it (:mod:`.live`), the preflight of the candidates (:mod:`.preflight`), and the
chain of trust above and at the zone (the parent's DS now), joined into one
diagnosis whose status follows the status contract of ``check``. Pure: no I/O,
no clock; ``now`` and the limits are parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnssec_doctor.analysis.chain.zones import evaluate_chain
from dnssec_doctor.analysis.findingset import FindingSet
from dnssec_doctor.analysis.name.status import NameStatus
from dnssec_doctor.analysis.verdict import EXPLAINED_WITHOUT_ERROR, explain_status
from dnssec_doctor.analysis.walk import walk_findings
from dnssec_doctor.ds.input import ParsedInput
from dnssec_doctor.ds.live import LiveZone, live_zone
from dnssec_doctor.ds.preflight import Preflight, preflight
from dnssec_doctor.ds.registry_policy import RegistryPolicy
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.findings import Diagnosis, Status, ZoneReport
from dnssec_doctor.model.survey import Survey


class NothingToCheckError(DoctorError):
    """The walk found no server of the zone, or none answered the DNSKEY query."""


@dataclass(frozen=True, slots=True)
class DsAnalysis:
    """The verdict of ``ds``: the diagnosis (JSON contract) and the preflight behind it."""

    diagnosis: Diagnosis
    """The zone's chain status, with the walk's, the chain's and the preflight's findings."""
    preflight: Preflight
    """What to upload, the verdict on each candidate, the keys and the parent's DS."""


def analyse_ds(
    survey: Survey,
    pasted: ParsedInput | None,
    policy: RegistryPolicy,
    now: int,
    limits: Limits,
    *,
    queries: int,
) -> DsAnalysis:
    """Check the candidates in ``pasted`` (None: none given, so say what to upload)
    against the zone of ``survey`` as of ``now``, under the registry's ``policy``.

    ``queries`` is the number of exchanges the probe made (for the stats).
    NothingToCheckError when no server of the zone answered the DNSKEY query.
    """
    live = checkable_zone(survey)
    result = preflight(live, pasted, policy, now, limits)
    return DsAnalysis(_diagnosis(survey, result, now, limits, queries), result)


def checkable_zone(survey: Survey) -> LiveZone:
    """The zone of ``survey`` as its servers serve it; NothingToCheckError when no server
    of it was found or none answered the DNSKEY query."""
    live = live_zone(survey)
    if live is None or not live.servers:
        raise NothingToCheckError(f"the delegation walk found no servers for {survey.name}")
    if not live.answered:
        raise NothingToCheckError(
            f"no server of {live.zone.to_text()} answered the DNSKEY query "
            f"({', '.join(live.servers)}): nothing to check"
        )
    return live


def _diagnosis(
    survey: Survey, result: Preflight, now: int, limits: Limits, queries: int
) -> Diagnosis:
    """The DS findings in the JSON contract's shape; status is the zone's chain status."""
    chain = FindingSet()
    evals = evaluate_chain(survey, now, limits, chain)
    zone = result.live.zone.to_text()
    # The chain's verdict on the DS the parent publishes now (DS_NO_MATCHING_DNSKEY …)
    # belongs to the same job: its fix is the DS to upload.
    current = [f for f in chain.all() if f.zone == zone]
    # What the walk ran into (an --ns server that never answered, a lame server) is
    # evidence too: the DS below was then computed from the servers that did answer.
    walk = walk_findings(survey)
    status: Status = evals[-1].status if evals else "indeterminate"
    reason = evals[-1].reason if evals else "the walk found no zone"
    findings = [*walk, *current, *result.findings]
    if status not in EXPLAINED_WITHOUT_ERROR:
        # The status contract of `check` holds here too: a bogus zone names its cause
        # (in a parent zone, if that is where it is), an indeterminate one why.
        causes = set(evals[-1].causes) if evals else set()
        explained = FindingSet()
        explained.extend([f for f in chain.all() if f.key in causes and f.zone != zone])
        explained.extend(findings)
        explain_status(zone, zone, NameStatus(status, reason), explained)
        findings = explained.all()
    zones = tuple(
        ZoneReport(ev.name, ev.status, tuple(str(a) for a in ev.cut.server_addresses()), ev.reason)
        for ev in evals
    )
    return Diagnosis(
        name=zone,
        at=now,
        status=status,
        findings=tuple(sorted(findings, key=lambda f: -f.severity)),
        zones=zones,
        servers=result.live.servers,
        stats={"queries": queries, "status_reason": reason, "registry": result.policy.name},
    )
