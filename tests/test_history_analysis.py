"""The pure history modules: facts of recorded captures, diffs, forecast, last good.

Facts come from real lab captures (tests/cases); the later observations are those
facts with one thing changed, the way a signer or an operator would change it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dnssec_doctor.history.facts import ObservationFacts, facts_from_survey, sealed
from dnssec_doctor.history.forecast import forecast, stalled_findings
from dnssec_doctor.history.lastgood import attach, change_since_last_good
from dnssec_doctor.history.report import build_report
from dnssec_doctor.history.store import StateRun, StoredObservation, runs_of
from dnssec_doctor.history.timeline import diff
from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.session import diagnose_capture_with_survey, survey_from_capture
from labthread import LAB_NOW

CASES = Path(__file__).parent / "cases"
ZONE = "good-nsec.test."
HOUR, DAY = 3600, 86400


def _facts(case: str) -> ObservationFacts:
    survey, _ = survey_from_capture(load_capture(CASES / f"check-{case}" / "capture.json.gz"))
    return facts_from_survey(survey)


def _reseal(facts: ObservationFacts, **changes: object) -> ObservationFacts:
    parts = {
        "zones": facts.zones,
        "servers": list(facts.servers),
        "keys": list(facts.keys),
        "ds": list(facts.ds),
        "signatures": list(facts.signatures),
    }
    parts.update(changes)
    return sealed(**parts)  # type: ignore[arg-type]


def _shift_signatures(facts: ObservationFacts, zone: str, seconds: int) -> ObservationFacts:
    moved = [
        s._replace(inception=s.inception + seconds, expiration=s.expiration + seconds)
        if s.zone == zone
        else s
        for s in facts.signatures
    ]
    return _reseal(facts, signatures=moved)


def _obs(i: int, at: int, state: int, exit_code: int = 0) -> StoredObservation:
    status = "secure" if exit_code < 2 else "bogus"
    worst = ("info", "warning", "critical")[exit_code]
    return StoredObservation(i, ZONE, at, status, worst, exit_code, 0, None, state)


@pytest.fixture(scope="module")
def good() -> ObservationFacts:
    return _facts("good-nsec")


def test_facts_of_a_capture_name_every_zone_server_key_ds_and_signature(
    good: ObservationFacts,
) -> None:
    assert good.zones == (".", "test.", ZONE)
    child = [s for s in good.servers if s.zone == ZONE and s.role == "child"]
    parent = [s for s in good.servers if s.zone == ZONE and s.role == "parent"]
    assert child and all(s.answered and s.soa_serial and s.dnskey_ttl for s in child)
    assert {s.denial for s in child} == {"nsec"}
    assert parent and all(s.ds_ttl for s in parent)
    # the DS set is recorded at every parent server
    assert {d.server for d in good.ds if d.zone == ZONE} == {s.server for s in parent}
    roles = {k.role for k in good.keys if k.zone == ZONE}
    assert roles == {"KSK", "ZSK"}
    covered = {(s.owner, s.covered_type) for s in good.signatures if s.zone == ZONE}
    assert (ZONE, "DNSKEY") in covered and (ZONE, "SOA") in covered
    assert all(s.inception < s.expiration for s in good.signatures)
    # replaying the same capture gives the same digest; another zone another one
    assert _facts("good-nsec").digest == good.digest
    assert _facts("good-nsec3").digest != good.digest


def test_cds_and_cdnskey_are_facts_and_their_change_is_a_change() -> None:
    facts = _facts("cds-mismatch")
    kinds = {c.rrtype for c in facts.cds if c.zone == "cds-mismatch.test."}
    assert kinds == {"CDS", "CDNSKEY"}
    (change,) = diff(_reseal(facts, cds=[]), facts)
    assert change.kind == "cds" and "changed from none to CDNSKEY" in change.text


def test_nsec3_parameters_and_denial_mode_are_facts() -> None:
    facts = _facts("good-nsec3")
    child = [s for s in facts.servers if s.zone == "good-nsec3.test." and s.role == "child"]
    assert {s.denial for s in child} == {"nsec3"}
    assert all(s.nsec3_algorithm == 1 and s.nsec3_iterations is not None for s in child)


def test_no_change_is_no_diff(good: ObservationFacts) -> None:
    assert diff(good, good) == []


def test_a_key_leaving_and_a_ds_left_behind(good: ObservationFacts) -> None:
    ksk = next(k for k in good.keys if k.zone == ZONE and k.role == "KSK")
    later = _reseal(good, keys=[k for k in good.keys if k.key_id != ksk.key_id])
    changes = diff(good, later)
    assert [(c.zone, c.kind) for c in changes] == [(ZONE, "key-removed")]
    assert f"key {ksk.key_tag} (KSK, algorithm {ksk.algorithm})" in changes[0].text
    back = diff(later, good)
    assert [c.kind for c in back] == ["key-added"]


def test_a_revoked_key_is_named_as_revoked(good: ObservationFacts) -> None:
    ksk = next(k for k in good.keys if k.zone == ZONE and k.role == "KSK")
    revoked = [
        k._replace(flags=k.flags | 0x80, key_tag=k.key_tag + 128) if k.key_id == ksk.key_id else k
        for k in good.keys
    ]
    changes = diff(good, _reseal(good, keys=revoked))
    assert [c.kind for c in changes] == ["key-revoked"]
    assert changes[0].before == str(ksk.key_tag) and changes[0].after == str(ksk.key_tag + 128)


def test_ds_serial_denial_ttl_and_servers(good: ObservationFacts) -> None:
    ds = [d._replace(key_tag=4242, digest="00" * 32) if d.zone == ZONE else d for d in good.ds]
    servers = list(good.servers)
    gone = next(s for s in servers if s.zone == ZONE and s.role == "child")
    servers = [
        s._replace(soa_serial=(s.soa_serial or 0) + 1, denial="nsec3", dnskey_ttl=60)
        if s.zone == ZONE and s.role == "child"
        else s
        for s in servers
        if s != gone
    ]
    kinds = {c.kind for c in diff(good, _reseal(good, ds=ds, servers=servers))}
    assert {"ds-added", "ds-removed", "serial", "denial", "ttl", "server-removed"} <= kinds


def test_a_serial_going_back_is_said(good: ObservationFacts) -> None:
    servers = [
        s._replace(soa_serial=1) if s.zone == ZONE and s.role == "child" else s
        for s in good.servers
    ]
    (change,) = diff(good, _reseal(good, servers=servers))
    assert "went back" in change.text


def test_resigning_is_a_change_and_moves_the_forecast(good: ObservationFacts) -> None:
    later = _shift_signatures(good, ZONE, DAY)
    (change,) = diff(good, later)
    assert change.kind == "resigned"


def _daily(good: ObservationFacts, days: int) -> dict[int, ObservationFacts]:
    """State i: every zone re-signed i days after the capture."""
    states = {}
    for i in range(days):
        facts = good
        for zone in good.zones:
            facts = _shift_signatures(facts, zone, i * DAY)
        states[i] = facts
    return states


def test_forecast_learns_the_cadence_and_flags_a_signer_that_stopped(
    good: ObservationFacts,
) -> None:
    states = _daily(good, 4)
    runs = [StateRun(i, LAB_NOW + i * DAY, LAB_NOW + i * DAY + 12 * HOUR, 2) for i in range(4)]
    (fc,) = [f for f in forecast(runs, 3, states) if f.zone == ZONE]
    assert fc.cadence == DAY
    last = max(s.inception for s in states[3].signatures if s.zone == ZONE)
    assert fc.last_refresh == last and fc.due == last + DAY * 3 // 2
    assert fc.earliest.expiration == min(
        s.expiration for s in states[3].signatures if s.zone == ZONE
    )
    # still refreshed on time: nothing to say
    assert stalled_findings([fc], fc.due - 1) == []
    # the signer stopped: the same state observed past the due time
    stale_runs = [*runs[:3], StateRun(3, LAB_NOW + 3 * DAY, LAB_NOW + 6 * DAY, 7)]
    (fc,) = [f for f in forecast(stale_runs, 3, states) if f.zone == ZONE]
    findings = stalled_findings([fc], LAB_NOW + 6 * DAY)
    assert [f.code for f in findings] == ["SIGNATURES_NOT_REFRESHED"]
    assert findings[0].severity is Severity.WARNING
    assert "should have been refreshed by" in findings[0].detail
    assert "they were not" in findings[0].detail and "expires in" in findings[0].detail
    assert findings[0].evidence["cadence_seconds"] == DAY


def test_one_observation_is_never_a_stalled_signer(good: ObservationFacts) -> None:
    runs = [StateRun(0, LAB_NOW, LAB_NOW, 1)]
    forecasts = forecast(runs, 0, {0: good})
    assert {f.zone for f in forecasts} == set(good.zones)
    assert all(f.cadence is None for f in forecasts)
    assert stalled_findings(forecasts, LAB_NOW + 29 * DAY) == []  # only RRSIG_EXPIRES_SOON's job


def test_without_a_cadence_the_last_quarter_of_validity_is_the_due_time(
    good: ObservationFacts,
) -> None:
    runs = [StateRun(0, LAB_NOW, LAB_NOW + 25 * DAY, 30)]
    (fc,) = [f for f in forecast(runs, 0, {0: good}) if f.zone == ZONE]
    sig = fc.earliest
    assert fc.due == sig.expiration - (sig.expiration - sig.inception) // 4
    assert stalled_findings([fc], fc.due)[0].evidence["cadence_seconds"] is None


def test_change_since_last_good_dates_each_change_and_names_the_ds_left_behind(
    good: ObservationFacts,
) -> None:
    ksk = next(k for k in good.keys if k.zone == ZONE and k.role == "KSK")
    without = _reseal(good, keys=[k for k in good.keys if k.key_id != ksk.key_id])
    history = [
        _obs(1, LAB_NOW, 0),
        _obs(2, LAB_NOW + HOUR, 0),
        _obs(3, LAB_NOW + 2 * HOUR, 1, exit_code=2),
        _obs(4, LAB_NOW + 3 * HOUR, 1, exit_code=2),
    ]
    finding = change_since_last_good(history, {0: good, 1: without})
    assert finding is not None and finding.code == "CHANGE_SINCE_LAST_GOOD"
    assert finding.zone == ZONE
    assert (
        f"key {ksk.key_tag} (KSK, algorithm {ksk.algorithm}) left the DNSKEY RRset of {ZONE} "
        "at 2027-01-15T10:00:00Z; the DS at the parent still names it" in finding.detail
    )
    assert "it worked at 2027-01-15T09:00:00Z" in finding.detail
    assert finding.evidence["last_good"] == "2027-01-15T09:00:00Z"
    assert [c["kind"] for c in finding.evidence["changes"]] == ["key-removed"]


def test_no_transition_no_finding(good: ObservationFacts) -> None:
    assert change_since_last_good([_obs(1, LAB_NOW, 0)], {0: good}) is None
    always_bad = [_obs(1, LAB_NOW, 0, 2), _obs(2, LAB_NOW + HOUR, 0, 2)]
    assert change_since_last_good(always_bad, {0: good}) is None
    recovered = [_obs(1, LAB_NOW, 0, 2), _obs(2, LAB_NOW + HOUR, 0, 0)]
    assert change_since_last_good(recovered, {0: good}) is None


def test_the_change_becomes_the_root_cause_only_when_something_changed(
    good: ObservationFacts,
) -> None:
    capture = load_capture(CASES / "check-ds-no-matching-key" / "capture.json.gz")
    diagnosis, _ = diagnose_capture_with_survey(capture, LAB_NOW)
    assert isinstance(diagnosis, Diagnosis) and diagnosis.worst >= Severity.ERROR
    ksk = next(k for k in good.keys if k.zone == ZONE and k.role == "KSK")
    without = _reseal(good, keys=[k for k in good.keys if k.key_id != ksk.key_id])
    history = [_obs(1, LAB_NOW, 0), _obs(2, LAB_NOW + HOUR, 1, exit_code=2)]
    finding = change_since_last_good(history, {0: good, 1: without})
    assert finding is not None
    merged = attach(diagnosis, finding)
    (root,) = [f for f in merged.root_causes() if f.severity >= Severity.ERROR]
    assert root.code == "CHANGE_SINCE_LAST_GOOD" and root.severity == diagnosis.worst
    explained = [f for f in merged.findings if root.key in f.caused_by]
    assert explained and all(f.severity >= Severity.ERROR for f in explained)
    # nothing served changed (only time): context, the analysis's root causes stay
    same = change_since_last_good([_obs(1, LAB_NOW, 0), _obs(2, LAB_NOW + HOUR, 0, 2)], {0: good})
    assert same is not None and "Nothing the servers serve changed" in same.detail
    kept = attach(diagnosis, same)
    assert {f.key for f in kept.root_causes()} >= {f.key for f in diagnosis.root_causes()}
    assert (
        next(f for f in kept.findings if f.code == "CHANGE_SINCE_LAST_GOOD").severity
        is Severity.INFO
    )


def test_the_report_groups_runs_and_lists_changes_between_them(good: ObservationFacts) -> None:
    states = _daily(good, 2)
    history = [_obs(i, LAB_NOW + i * HOUR, 0) for i in range(5)]
    history += [_obs(5 + i, LAB_NOW + (5 + i) * HOUR, 1) for i in range(3)]
    report = build_report(ZONE, history, states)
    assert report.observations == 8 and [r.count for r in report.runs] == [5, 3]
    assert report.runs[0].changes == ()
    assert {c.kind for c in report.runs[1].changes} == {"resigned"}
    assert [r.state_id for r in runs_of(history)] == [0, 1]
    assert report.findings == ()


def test_history_output_escapes_dns_data_in_every_sink(good: ObservationFacts) -> None:
    from dnssec_doctor.render.history import (
        render_history_html,
        render_history_json,
        render_history_text,
    )

    hostile = "<script>alert(1)</script>\x1b[31m."
    keys = [k._replace(zone=hostile) if k.zone == ZONE else k for k in good.keys]
    states = {0: good, 1: _reseal(good, keys=keys, zones=(*good.zones, hostile))}
    history = [_obs(1, LAB_NOW, 0), _obs(2, LAB_NOW + HOUR, 1, exit_code=2)]
    report = build_report(ZONE, history, states)
    assert report.findings and report.findings[0].code == "CHANGE_SINCE_LAST_GOOD"
    text = render_history_text(report)
    assert "\x1b" not in text and "\\027[31m" in text
    page = render_history_html(report)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "\x1b" not in render_history_json(report)
