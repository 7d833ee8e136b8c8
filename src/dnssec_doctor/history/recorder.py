"""Record one check and add what history says to its diagnosis (the I/O shell of ``--db``).

The newest diagnosis gains CHANGE_SINCE_LAST_GOOD when history shows a good → bad
transition, SIGNATURES_NOT_REFRESHED when a signer stopped, and the rollover-timing
codes (``rollover``, ``holddown``) whose risk is still current; the diagnosis is
recorded with those findings, together with the capture, the served facts and the
zones the check was anchored at, in one transaction. Only what these findings need is
read: the last good observation, the observations since, one row per served state for
the forecast, the recent observations (``ROLLOVER_LOOKBACK``) for rollover timing, and
the first state served within the longest add hold-down judged (a year) — and, only while
a trust-anchor zone's keys are all younger than that (``holddown.settled``), the DNSKEY
original TTLs of the states of that year (one number per zone), then the first state of
the add hold-down they give (30 days, or longer), and all of its states while the zone's
keys are all younger than that.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import NamedTuple

from dnssec_doctor import __version__
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.history.algroll import algorithm_order_findings
from dnssec_doctor.history.cdswait import cds_waiting_findings
from dnssec_doctor.history.facts import ObservationFacts, facts_from_survey
from dnssec_doctor.history.forecast import FORECAST_RUNS, forecast, stalled_findings
from dnssec_doctor.history.holddown import (
    ADD_HOLDDOWN,
    MAX_HOLDDOWN,
    holddown_findings,
    holddown_of,
    holddown_window,
    settled,
)
from dnssec_doctor.history.records import (
    ROOT_ONLY,
    NewObservation,
    StateRun,
    Store,
    StoredObservation,
    anchor_zones_of,
)
from dnssec_doctor.history.rollover import (
    ROLLOVER_LOOKBACK,
    ROLLOVER_OBSERVATIONS,
    rollover_findings,
)
from dnssec_doctor.history.ttlchange import ttl_change_findings
from dnssec_doctor.model.capture import Capture
from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.severity import exit_code_for
from dnssec_doctor.model.survey import Survey
from dnssec_doctor.names import parse_name

CURRENT = -1
"""The state id the observation being recorded uses before it has one."""


class Recorded(NamedTuple):
    """What recording one check gives back: the diagnosis to show and its id."""

    diagnosis: Diagnosis
    observation_id: int
    facts: ObservationFacts


def history_name(name: str) -> str:
    """The key observations are stored under: the absolute name, lower case."""
    return parse_name(name).to_text().lower()


class PreparedCheck(NamedTuple):
    """What recording a check needs that the store does not: computed where the check
    was analysed (a scan's worker process), picklable, and recorded by the one process
    that owns the store (``record_prepared``)."""

    name: str
    """The key observations are stored under (``history_name``)."""
    diagnosis: Diagnosis
    facts: ObservationFacts
    capture_json: bytes
    diagnosis_json: bytes | None
    """``render_json(diagnosis)``, stored as it is when history adds nothing (None: rendered
    when recorded)."""
    anchor_zones: tuple[str, ...] = ROOT_ONLY
    """The zones the check was anchored at (``records.anchor_zones_of``)."""


def record_check(store: Store, capture: Capture, diagnosis: Diagnosis, survey: Survey) -> Recorded:
    """Add history's findings to ``diagnosis`` and record it with its capture and facts."""
    return record_prepared(store, prepare_check(capture, diagnosis, survey, render=False))


def prepare_check(
    capture: Capture, diagnosis: Diagnosis, survey: Survey, *, render: bool = True
) -> PreparedCheck:
    """The store-free half of ``record_check``: the served facts and the documents
    (``render``: the diagnosis's JSON too, for a writer that should not spend CPU on it)."""
    from dnssec_doctor.model.diagnosis_json import render_json

    return PreparedCheck(
        name=history_name(capture.name),
        diagnosis=diagnosis,
        facts=facts_from_survey(survey),
        capture_json=json.dumps(capture.as_json(), separators=(",", ":")).encode("utf-8"),
        diagnosis_json=render_json(diagnosis).encode("utf-8") if render else None,
        anchor_zones=anchor_zones_of(capture.trust_anchors),
    )


def record_prepared(store: Store, prepared: PreparedCheck) -> Recorded:
    """The store's half of ``record_check``: history's reads, then one write transaction."""
    from dnssec_doctor.model.diagnosis_json import render_json

    name, diagnosis, facts = prepared.name, prepared.diagnosis, prepared.facts
    exit_code = exit_code_for(f.severity for f in diagnosis.findings)
    current = StoredObservation(
        id=CURRENT,
        name=name,
        observed_at=diagnosis.at,
        status=diagnosis.status,
        worst=diagnosis.worst.label,
        exit_code=exit_code,
        finding_count=len(diagnosis.findings),
        earliest_expiration=facts.earliest_expiration(),
        state_id=CURRENT,
        anchor_zones=prepared.anchor_zones,
    )
    augmented = _with_history(store, diagnosis, current, facts)
    document = (
        prepared.diagnosis_json
        if augmented is diagnosis and prepared.diagnosis_json is not None
        else render_json(augmented).encode("utf-8")
    )
    observation_id = store.record(
        NewObservation(
            name=name,
            observed_at=diagnosis.at,
            recorded_at=int(time.time()),
            status=augmented.status,
            worst=augmented.worst.label,
            exit_code=exit_code_for(f.severity for f in augmented.findings),
            findings=augmented.findings,
            facts=facts,
            capture_json=prepared.capture_json,
            diagnosis_json=document,
            tool_version=__version__,
            anchor_zones=prepared.anchor_zones,
        )
    )
    return Recorded(augmented, observation_id, facts)


def _with_history(
    store: Store, diagnosis: Diagnosis, current: StoredObservation, facts: ObservationFacts
) -> Diagnosis:
    name, now = current.name, current.observed_at
    every_run = store.state_runs(name, now)
    runs = [*every_run[-FORECAST_RUNS:], StateRun(CURRENT, now, now, 1)]
    since: list[StoredObservation] = []
    if not current.good:
        last_good = store.latest(name, now, good=True)
        if last_good is not None:
            since = [*store.observations(name, since=last_good.observed_at, until=now), current]
    recent_checks = store.observations(name, since=now - ROLLOVER_LOOKBACK, until=now)
    recent_checks = [*recent_checks[-ROLLOVER_OBSERVATIONS:], current]
    wanted = {r.state_id for r in runs} | {o.state_id for o in (*since, *recent_checks)}
    wanted.discard(CURRENT)
    all_facts = store.facts(wanted)
    all_facts[CURRENT] = facts
    out = diagnosis
    for finding in stalled_findings(forecast(runs, CURRENT, all_facts), now):
        out = _add(out, finding)
    if since:  # imported only then, as ``nextstep`` below: ``check --db`` pays for its imports
        from dnssec_doctor.history.lastgood import attach, change_since_last_good

        change = change_since_last_good(since, all_facts)
        if change is not None:
            out = attach(out, change)
    for finding in rollover_findings(recent_checks, all_facts, current_only=True):
        out = _add(out, finding)
    for finding in ttl_change_findings(recent_checks, all_facts, current_only=True):
        out = _add(out, finding)
    for finding in algorithm_order_findings(recent_checks, all_facts, current_only=True):
        out = _add(out, finding)
    for finding in cds_waiting_findings(runs, all_facts):
        out = _add(out, finding)
    held = _holddown_runs(store, every_run, all_facts, current)
    for finding in holddown_findings(held, all_facts, anchor_zones=current.anchor_zones):
        out = _add(out, finding)
    if any(f.code == Code.ROLLOVER_IN_PROGRESS for f in out.findings):
        from dnssec_doctor.history.nextstep import next_steps, with_safe_times

        out = with_safe_times(out, next_steps(recent_checks, all_facts))
    return out


def _holddown_runs(
    store: Store,
    every_run: list[StateRun],
    all_facts: dict[int, ObservationFacts],
    current: StoredObservation,
) -> list[StateRun]:
    """The runs RFC5011_HOLDDOWN_RISK reads (the add hold-down's, ``holddown_window``), their
    facts added to ``all_facts``; none when a first state shows the rule can find nothing
    (``settled``): then one state or two are read, not a month of re-signings."""
    now, zones = current.observed_at, current.anchor_zones
    # No hold-down is longer than MAX_HOLDDOWN: when the first state served within it
    # already held a KSK trusted now (in each anchor zone), nothing can be found, whatever
    # the TTLs — the check of most days, at the cost of one state, as with 30 days.
    year = [r for r in every_run if r.last_at >= now - MAX_HOLDDOWN]
    if _settled_at(store, year, all_facts, zones):
        return []
    # A state begun within the last 30 days is in the window whatever its TTL; an older one
    # stretches it only with a hold-down still running, so only those states' DNSKEY
    # original TTLs are read (one number per zone, not their facts).
    older = [r.state_id for r in every_run if now - MAX_HOLDDOWN < r.first_at <= now - ADD_HOLDDOWN]
    ttls = store.dnskey_original_ttls(older) if older else {}
    holddowns = {state_id: holddown_of(by_zone, zones) for state_id, by_zone in ttls.items()}
    window = holddown_window(every_run, now, holddowns)
    if _settled_at(store, window, all_facts, zones):
        return []
    missing = {r.state_id for r in window} - all_facts.keys()
    if missing:
        all_facts.update(store.facts(missing))
    return [*window, StateRun(CURRENT, now, now, 1)]


def _settled_at(
    store: Store,
    window: list[StateRun],
    all_facts: dict[int, ObservationFacts],
    zones: tuple[str, ...],
) -> bool:
    """``holddown.settled`` with the first state of ``window`` (read into ``all_facts``);
    True for an empty window."""
    if not window:
        return True
    first = window[0].state_id
    if first not in all_facts:
        all_facts.update(store.facts([first]))
    return settled(all_facts[first], all_facts[CURRENT], zones)


def _add(diagnosis: Diagnosis, finding: Finding) -> Diagnosis:
    return replace(diagnosis, findings=(*diagnosis.findings, finding))
