"""RFC5011_HOLDDOWN_RISK from history: the root's old KSK gone before RFC 5011 resolvers
trust the new one (RFC 5011 §2.4.1: 30 days after they first see it).

The states are the good-nsec capture's facts with the root's KSK set changed, as history
would have stored them; each test says which wrong rule it catches.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from dnssec_doctor.history.facts import KeyFact, ObservationFacts, facts_from_survey, sealed
from dnssec_doctor.history.holddown import ADD_HOLDDOWN, holddown_findings
from dnssec_doctor.history.records import StateRun
from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.session import survey_from_capture
from dnssec_doctor.timefmt import iso

CASES = Path(__file__).parent / "cases"
DAY = 86400
T0 = 1_800_000_000


@pytest.fixture(scope="module")
def good() -> ObservationFacts:
    capture = load_capture(CASES / "check-good-nsec" / "capture.json.gz")
    survey, _ = survey_from_capture(capture)
    return facts_from_survey(survey)


def _root_ksks(facts: ObservationFacts) -> list[KeyFact]:
    return [k for k in facts.keys if k.zone == "." and k.role == "KSK"]


def _with_root_ksks(facts: ObservationFacts, ksks: list[KeyFact]) -> ObservationFacts:
    others = [k for k in facts.keys if not (k.zone == "." and k.role == "KSK")]
    return sealed(
        zones=facts.zones,
        servers=list(facts.servers),
        keys=[*others, *ksks],
        ds=list(facts.ds),
        signatures=list(facts.signatures),
        cds=list(facts.cds),
    )


def _successor(old: list[KeyFact]) -> list[KeyFact]:
    return [dataclasses.replace(k, key_tag=k.key_tag ^ 0x5A5A, key_id="f" * 16) for k in old]


def _revoked(old: list[KeyFact]) -> list[KeyFact]:
    return [dataclasses.replace(k, flags=k.flags | 0x80, key_tag=k.key_tag + 128) for k in old]


def _history(states: list[tuple[int, ObservationFacts]]) -> tuple[list[StateRun], dict]:
    """Runs (state i from its day to the next state's) and their facts."""
    runs, facts = [], {}
    for i, (day, state) in enumerate(states):
        end = states[i + 1][0] - 1 if i + 1 < len(states) else day
        runs.append(StateRun(i, T0 + day * DAY, T0 + end * DAY, 1))
        facts[i] = state
    return runs, facts


def test_the_old_root_ksk_removed_ten_days_after_the_new_one_appeared(
    good: ObservationFacts,
) -> None:
    # Catches: no rule, or a hold-down counted from the removal instead of the publication.
    old = _root_ksks(good)
    new = _successor(old)
    runs, facts = _history(
        [
            (0, good),
            (5, _with_root_ksks(good, [*old, *new])),
            (15, _with_root_ksks(good, new)),
        ]
    )
    (finding,) = holddown_findings(runs, facts)
    assert finding.code == "RFC5011_HOLDDOWN_RISK" and finding.zone == "."
    assert finding.evidence["old_ksk"] == old[0].key_tag
    assert finding.evidence["new_ksk"] == new[0].key_tag
    assert finding.evidence["safe_at"] == iso(T0 + 5 * DAY + ADD_HOLDDOWN)
    assert "is gone while KSK" in finding.detail and "10 days" in finding.detail
    assert iso(T0 + 5 * DAY + ADD_HOLDDOWN) in finding.fix


def test_a_revoked_old_ksk_is_said_as_revoked(good: ObservationFacts) -> None:
    # Catches: tags compared instead of key identities (revoking changes the tag).
    old = _root_ksks(good)
    new = _successor(old)
    runs, facts = _history(
        [
            (0, good),
            (5, _with_root_ksks(good, [*old, *new])),
            (20, _with_root_ksks(good, [*_revoked(old), *new])),
        ]
    )
    (finding,) = holddown_findings(runs, facts)
    assert "is revoked while KSK" in finding.detail


@pytest.mark.parametrize(
    ("removed_on", "expected"),
    [(34, 1), (35, 0), (60, 0)],
)
def test_the_risk_ends_thirty_days_after_the_new_key_appeared(
    good: ObservationFacts, removed_on: int, expected: int
) -> None:
    # Catches: an off-by-a-day hold-down, or a risk that never ends.
    old = _root_ksks(good)
    new = _successor(old)
    runs, facts = _history(
        [
            (0, good),
            (5, _with_root_ksks(good, [*old, *new])),
            (removed_on, _with_root_ksks(good, new)),
        ]
    )
    assert len(holddown_findings(runs, facts)) == expected


def test_nothing_is_claimed_of_a_key_served_since_history_began(good: ObservationFacts) -> None:
    # Catches: treating the first observation as the new key's publication.
    old = _root_ksks(good)
    new = _successor(old)
    runs, facts = _history(
        [(0, _with_root_ksks(good, [*old, *new])), (3, _with_root_ksks(good, new))]
    )
    assert holddown_findings(runs, facts) == []


def test_a_child_zone_ksk_roll_is_not_a_trust_anchor_matter(good: ObservationFacts) -> None:
    # Catches: the rule applied to every zone instead of trust-anchor zones.
    zone = "good-nsec.test."
    ksk = [k for k in good.keys if k.zone == zone and k.role == "KSK"]
    nxt = _successor(ksk)
    others = [k for k in good.keys if not (k.zone == zone and k.role == "KSK")]

    def state(keys: list[KeyFact]) -> ObservationFacts:
        return _with_root_ksks(
            sealed(
                zones=good.zones,
                servers=list(good.servers),
                keys=[*others, *keys],
                ds=list(good.ds),
                signatures=list(good.signatures),
                cds=list(good.cds),
            ),
            _root_ksks(good),
        )

    runs, facts = _history([(0, good), (1, state([*ksk, *nxt])), (2, state(nxt))])
    assert holddown_findings(runs, facts) == []


def test_an_old_key_gone_while_a_trusted_key_still_signs_is_no_risk(
    good: ObservationFacts,
) -> None:
    # Catches: any removal next to a young key counted, though resolvers keep validating
    # through the established key that is still served.
    old = _root_ksks(good)
    new = _successor(old)
    third = [dataclasses.replace(k, key_tag=k.key_tag ^ 0x0F0F, key_id="e" * 16) for k in old]
    runs, facts = _history(
        [
            (0, _with_root_ksks(good, [*old, *third])),
            (5, _with_root_ksks(good, [*old, *third, *new])),
            (10, _with_root_ksks(good, [*third, *new])),
        ]
    )
    assert holddown_findings(runs, facts) == []
