"""The ``history`` report: runs of observations, what changed between them, the forecast.

Pure: observations and facts in, a report out. Consecutive observations that saw the
same served state with the same outcome form one *run* (a zone checked every five
minutes for a month is a handful of runs, not 8,640 lines); each run lists what
changed since the previous one. The findings are the ones ``check --db`` adds to the
newest diagnosis: CHANGE_SINCE_LAST_GOOD and SIGNATURES_NOT_REFRESHED, and every
rollover step of the timeline shown that was taken too early (``rollover``; ``check
--db`` reports only those whose risk is still current), and every RFC 5011 hold-down
risk of the timeline (``holddown``: the newest one's while it lasts, the others as
history).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dnssec_doctor.history.algroll import algorithm_order_findings
from dnssec_doctor.history.cdswait import cds_waiting_findings
from dnssec_doctor.history.facts import ObservationFacts
from dnssec_doctor.history.forecast import (
    FORECAST_RUNS,
    ZoneForecast,
    forecast,
    stalled_findings,
)
from dnssec_doctor.history.holddown import (
    holddown_findings,
    holddown_reach,
    holddown_window,
    holddowns_of,
    past_holddown_findings,
)
from dnssec_doctor.history.lastgood import change_since_last_good
from dnssec_doctor.history.records import StoredObservation, runs_of
from dnssec_doctor.history.rollover import rollover_findings
from dnssec_doctor.history.timeline import Change, diff, serial_of
from dnssec_doctor.history.ttlchange import ttl_change_findings
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive observations with the same served state and outcome."""

    first: StoredObservation
    last: StoredObservation
    count: int
    changes: tuple[Change, ...]
    """What changed since the previous run (empty for the first, or when only the outcome did)."""
    serials: tuple[tuple[str, int | None], ...]
    """Zone → highest SOA serial served, in chain order."""


@dataclass(frozen=True, slots=True)
class HistoryReport:
    """Everything ``history NAME`` shows."""

    name: str
    observations: int
    runs: tuple[Run, ...]
    forecasts: tuple[ZoneForecast, ...]
    findings: tuple[Finding, ...]

    @property
    def newest(self) -> StoredObservation | None:
        """The newest observation."""
        return self.runs[-1].last if self.runs else None


def build_report(
    name: str,
    everything: Sequence[StoredObservation],
    facts: dict[int, ObservationFacts],
    since: int | None = None,
) -> HistoryReport:
    """The report of ``everything`` (oldest first) with the timeline from ``since`` on.

    The forecast and the findings look at the whole history (the cadence and the last
    good observation may predate ``since``), as ``check --db`` does.
    """
    history = [o for o in everything if since is None or o.observed_at >= since]
    runs: list[Run] = []
    start = 0
    for i in range(1, len(history) + 1):
        if i < len(history) and _same_run(history[start], history[i]):
            continue
        first, last = history[start], history[i - 1]
        previous = runs[-1].last.state_id if runs else None
        changes = (
            ()
            if previous in (None, first.state_id)
            else tuple(diff(facts[previous], facts[first.state_id]))
        )
        state = facts[first.state_id]
        serials = tuple((zone, serial_of(state, zone)) for zone in state.zones)
        runs.append(Run(first, last, i - start, changes, serials))
        start = i
    findings: list[Finding] = []
    forecasts: list[ZoneForecast] = []
    if everything:
        newest = everything[-1]
        recent = runs_of(everything)[-FORECAST_RUNS:]
        forecasts = forecast(recent, newest.state_id, facts)
        findings += stalled_findings(forecasts, newest.observed_at)
        change = change_since_last_good(everything, facts)
        if change is not None:
            findings.insert(0, as_recorded(change, newest))
        findings += rollover_findings(history, facts)
        findings += ttl_change_findings(history, facts)
        findings += algorithm_order_findings(history, facts)
        findings += cds_waiting_findings(recent, facts)
        findings += past_holddown_findings(everything, facts, since)
        holddowns = holddowns_of(facts, newest.anchor_zones)
        held = holddown_window(runs_of(everything), newest.observed_at, holddowns)
        findings += holddown_findings(held, facts, anchor_zones=newest.anchor_zones)
    return HistoryReport(name, len(history), tuple(runs), tuple(forecasts), tuple(findings))


def states_needed(
    everything: Sequence[StoredObservation],
    since: int | None,
    holddowns: Mapping[int, int] | None = None,
) -> set[int]:
    """The states ``build_report`` reads: those shown and the add hold-down before them
    (``holddown``: 30 days, or longer for a state before ``since`` whose hold-down still
    runs then, ``holddowns``: state id → its hold-down), the forecast's, and since the
    last good."""
    shown = {o.state_id for o in everything if since is None or o.observed_at >= since}
    start = since or 0
    reach = holddown_reach(runs_of(everything), start, holddowns or {})
    held = {o.state_id for o in everything if o.observed_at >= start - reach}
    recent = {r.state_id for r in runs_of(everything)[-FORECAST_RUNS:]}
    last_good = max((i for i, o in enumerate(everything) if o.good), default=0)
    return shown | held | recent | {o.state_id for o in everything[last_good:]}


def as_recorded(change: Finding, newest: StoredObservation) -> Finding:
    """CHANGE_SINCE_LAST_GOOD with the severity ``check --db`` gave it (``lastgood.attach``):
    the newest observation's worst when something changed, else context (info)."""
    kinds = {c.get("kind") for c in change.evidence.get("changes", [])}
    if kinds - {"resigned"}:
        return dataclasses.replace(change, severity=Severity.parse(newest.worst))
    return change


def _same_run(a: StoredObservation, b: StoredObservation) -> bool:
    return (a.state_id, a.status, a.worst, a.finding_count) == (
        b.state_id,
        b.status,
        b.worst,
        b.finding_count,
    )
