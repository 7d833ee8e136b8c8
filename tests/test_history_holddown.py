"""RFC5011_HOLDDOWN_RISK from history: a trust anchor zone's old KSK gone before RFC 5011
resolvers trust the new one (RFC 5011 §2.4.1: 30 days after they first see it), for each
zone the newest check was anchored at (the root, or a zone given with ``--trust-anchor``).

The states are the good-nsec capture's facts with the root's or the zone's KSK set
changed, as history would have stored them; each test says which wrong rule it catches.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dnssec_doctor.history.facts import KeyFact, ObservationFacts, facts_from_survey, sealed
from dnssec_doctor.history.holddown import (
    ADD_HOLDDOWN,
    MAX_HOLDDOWN,
    dnskey_original_ttls,
    holddown_findings,
    holddown_of,
    holddown_reach,
    holddown_window,
    settled,
)
from dnssec_doctor.history.records import StateRun, StoredObservation
from dnssec_doctor.history.report import build_report, states_needed
from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.session import survey_from_capture
from dnssec_doctor.timefmt import iso

CASES = Path(__file__).parent / "cases"
DAY = 86400
T0 = 1_800_000_000
ROOT = (".",)
CODE = "RFC5011_HOLDDOWN_RISK"


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
    return [k._replace(key_tag=k.key_tag ^ 0x5A5A, key_id="f" * 16) for k in old]


def _revoked(old: list[KeyFact]) -> list[KeyFact]:
    return [k._replace(flags=k.flags | 0x80, key_tag=k.key_tag + 128) for k in old]


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
    (finding,) = holddown_findings(runs, facts, anchor_zones=ROOT)
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
    (finding,) = holddown_findings(runs, facts, anchor_zones=ROOT)
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
    assert len(holddown_findings(runs, facts, anchor_zones=ROOT)) == expected


def test_nothing_is_claimed_of_a_key_served_since_history_began(good: ObservationFacts) -> None:
    # Catches: treating the first observation as the new key's publication.
    old = _root_ksks(good)
    new = _successor(old)
    runs, facts = _history(
        [(0, _with_root_ksks(good, [*old, *new])), (3, _with_root_ksks(good, new))]
    )
    assert holddown_findings(runs, facts, anchor_zones=ROOT) == []


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
    assert holddown_findings(runs, facts, anchor_zones=ROOT) == []


def test_an_old_key_gone_while_a_trusted_key_still_signs_is_no_risk(
    good: ObservationFacts,
) -> None:
    # Catches: any removal next to a young key counted, though resolvers keep validating
    # through the established key that is still served.
    old = _root_ksks(good)
    new = _successor(old)
    third = [k._replace(key_tag=k.key_tag ^ 0x0F0F, key_id="e" * 16) for k in old]
    runs, facts = _history(
        [
            (0, _with_root_ksks(good, [*old, *third])),
            (5, _with_root_ksks(good, [*old, *third, *new])),
            (10, _with_root_ksks(good, [*third, *new])),
        ]
    )
    assert holddown_findings(runs, facts, anchor_zones=ROOT) == []


def _with_zone_ksks(facts: ObservationFacts, zone: str, ksks: list[KeyFact]) -> ObservationFacts:
    others = [k for k in facts.keys if not (k.zone == zone and k.role == "KSK")]
    return sealed(
        zones=facts.zones,
        servers=list(facts.servers),
        keys=[*others, *ksks],
        ds=list(facts.ds),
        signatures=list(facts.signatures),
        cds=list(facts.cds),
    )


ZONE = "good-nsec.test."


def _zone_roll(good: ObservationFacts, removed_on: int) -> tuple[list[StateRun], dict]:
    """The zone's KSK rolled: the new one from day 5, the old one gone on ``removed_on``."""
    return _history(_zone_states(good, removed_on))


def test_a_zone_the_check_was_anchored_at_is_judged_as_the_root_is(
    good: ObservationFacts,
) -> None:
    # Catches: the rule still limited to the root, or the zone's finding named after the root.
    runs, facts = _zone_roll(good, 9)
    (finding,) = holddown_findings(runs, facts, anchor_zones=(".", ZONE))
    old = next(k for k in good.keys if k.zone == ZONE and k.role == "KSK")
    assert finding.zone == ZONE and finding.evidence["old_ksk"] == old.key_tag
    assert finding.evidence["safe_at"] == iso(T0 + 5 * DAY + ADD_HOLDDOWN)
    assert f"KSK {old.key_tag} of {ZONE} is gone" in finding.detail and "4 days" in finding.detail
    assert iso(T0 + 5 * DAY + ADD_HOLDDOWN) in finding.fix
    # anchored at the zone alone (``--trust-anchor`` replaces the root's), or named in
    # another case: the same finding
    assert holddown_findings(runs, facts, anchor_zones=(ZONE.upper(),)) == [finding]
    # and not once the add hold-down has passed
    runs, facts = _zone_roll(good, 35)
    assert holddown_findings(runs, facts, anchor_zones=(ZONE,)) == []


def test_the_root_is_not_judged_when_the_check_was_not_anchored_at_it(
    good: ObservationFacts,
) -> None:
    # Catches: the root judged for every check, whatever its trust anchors.
    old = _root_ksks(good)
    new = _successor(old)
    runs, facts = _history(
        [(0, good), (5, _with_root_ksks(good, [*old, *new])), (15, _with_root_ksks(good, new))]
    )
    assert holddown_findings(runs, facts, anchor_zones=(ZONE,)) == []
    assert len(holddown_findings(runs, facts, anchor_zones=(ZONE, "."))) == 1


def test_an_anchor_zone_off_the_chain_is_ignored(good: ObservationFacts) -> None:
    # Catches: a KeyError or a finding for an anchor zone the observation never reached.
    runs, facts = _zone_roll(good, 9)
    assert holddown_findings(runs, facts, anchor_zones=("elsewhere.example.",)) == []


def _with_dnskey_ttl(
    facts: ObservationFacts, zone: str, ttl: int, served: int | None = None
) -> ObservationFacts:
    """``facts`` with ``zone``'s DNSKEY RRset signed with Original TTL ``ttl`` and served
    with TTL ``served`` (the same when not given)."""
    served = ttl if served is None else served
    servers = [
        s._replace(dnskey_ttl=served) if s.zone == zone and s.dnskey_ttl else s
        for s in facts.servers
    ]
    signatures = [
        s._replace(original_ttl=ttl)
        if s.zone == zone and s.owner == zone and s.covered_type == "DNSKEY"
        else s
        for s in facts.signatures
    ]
    assert signatures != list(facts.signatures), "the state has no RRSIG over the DNSKEY RRset"
    return sealed(
        zones=facts.zones,
        servers=servers,
        keys=[k._replace(ttl=served) if k.zone == zone else k for k in facts.keys],
        ds=list(facts.ds),
        signatures=signatures,
        cds=list(facts.cds),
    )


def test_a_dnskey_ttl_longer_than_thirty_days_is_the_hold_down(good: ObservationFacts) -> None:
    # Catches: the hold-down fixed at 30 days (RFC 5011 §2.4.1: the TTL when longer).
    ttl = 40 * DAY
    old = [k for k in good.keys if k.zone == ZONE and k.role == "KSK"]
    new = _successor(old)
    runs, facts = _history(
        [
            (0, _with_dnskey_ttl(_with_zone_ksks(good, ZONE, old), ZONE, ttl)),
            (5, _with_dnskey_ttl(_with_zone_ksks(good, ZONE, [*old, *new]), ZONE, ttl)),
            (38, _with_dnskey_ttl(_with_zone_ksks(good, ZONE, new), ZONE, ttl)),
        ]
    )
    (finding,) = holddown_findings(runs, facts, anchor_zones=(ZONE,))
    assert finding.evidence["safe_at"] == iso(T0 + 5 * DAY + ttl)


def test_the_window_is_the_hold_down_and_settled_says_when_nothing_can_be_found(
    good: ObservationFacts,
) -> None:
    # Catches: a window cut by a count of states (a daily signer makes thirty in one
    # hold-down), and a shortcut that skips a zone whose every trusted key is young.
    runs, facts = _zone_roll(good, 9)
    many = [StateRun(100 + d, T0 + d * DAY, T0 + d * DAY, 1) for d in range(10, 40)]
    now = T0 + 40 * DAY
    assert holddown_window([*runs, *many], now) == [r for r in many if r.last_at >= T0 + 10 * DAY]
    assert holddown_window(runs, T0 + 9 * DAY) == runs
    first, rolled = facts[runs[0].state_id], facts[runs[-1].state_id]
    assert not settled(first, rolled, (ZONE,))
    assert settled(first, rolled, (".",))  # the root's keys did not change
    assert settled(facts[runs[1].state_id], rolled, (ZONE,))  # the new key was there already
    assert settled(first, first, (ZONE, "."))


def _observations(
    states: list[tuple[int, ObservationFacts]], until: int, anchors: tuple[str, ...]
) -> tuple[list[StoredObservation], dict[int, ObservationFacts]]:
    """A check a day from day 0 to ``until``, each seeing the newest state begun by then."""
    history, facts = [], {}
    for day in range(until + 1):
        index = max(i for i, (begun, _) in enumerate(states) if begun <= day)
        facts[index] = states[index][1]
        history.append(
            StoredObservation(
                day, ZONE, T0 + day * DAY, "secure", "info", 0, 0, None, index, anchors
            )
        )
    return history, facts


def _zone_states(good: ObservationFacts, removed_on: int) -> list[tuple[int, ObservationFacts]]:
    old = [k for k in good.keys if k.zone == ZONE and k.role == "KSK"]
    new = _successor(old)
    return [
        (0, good),
        (5, _with_zone_ksks(good, ZONE, [*old, *new])),
        (removed_on, _with_zone_ksks(good, ZONE, new)),
    ]


def test_history_lists_a_risk_that_is_over_with_when_it_began_and_ended(
    good: ObservationFacts,
) -> None:
    # Catches: a past risk forgotten by ``history``, listed twice (once per later check),
    # or dated at the newest observation instead of the removal.
    history, facts = _observations(_zone_states(good, 9), 50, (".", ZONE))
    found = [f for f in build_report(ZONE, history, facts).findings if f.code == CODE]
    assert [(f.zone, f.evidence["at"], f.evidence["safe_at"]) for f in found] == [
        (ZONE, iso(T0 + 9 * DAY), iso(T0 + 5 * DAY + ADD_HOLDDOWN))
    ]
    assert "was gone at" in found[0].detail and "this is history" in found[0].detail
    assert "next KSK rollover" in found[0].fix
    assert states_needed(history, T0 + 45 * DAY) >= {1, 2}  # the window before --since


def test_history_during_the_risk_shows_it_once_as_the_newest_checks_own(
    good: ObservationFacts,
) -> None:
    # Catches: the current risk also listed as history, or a past listing of a risk whose
    # safe time is still ahead.
    history, facts = _observations(_zone_states(good, 9), 20, (ZONE,))
    (finding,) = [f for f in build_report(ZONE, history, facts).findings if f.code == CODE]
    assert "is gone while" in finding.detail and "at" not in finding.evidence
    assert "15 days" in finding.detail  # its age at the newest check, day 20


def test_history_judges_each_removal_with_the_anchors_of_its_own_check(
    good: ObservationFacts,
) -> None:
    # Catches: the newest check's anchors applied to the whole timeline.
    history, facts = _observations(_zone_states(good, 9), 50, (".",))
    history[-1] = history[-1]._replace(anchor_zones=(".", ZONE))
    assert [f for f in build_report(ZONE, history, facts).findings if f.code == CODE] == []


NEW = 5
"""The day the successor KSK first appears in ``_long_ttl_states``."""


def _long_ttl_states(
    good: ObservationFacts, removed_after: int, ttl: int, served: int | None = None
) -> list[tuple[int, ObservationFacts]]:
    """The zone's KSK rolled with its DNSKEY RRset signed with Original TTL ``ttl``: the new
    key from day ``NEW``, the old one gone ``removed_after`` days later."""
    old = [k for k in good.keys if k.zone == ZONE and k.role == "KSK"]
    new = _successor(old)
    return [
        (day, _with_dnskey_ttl(_with_zone_ksks(good, ZONE, keys), ZONE, ttl, served))
        for day, keys in ((0, old), (NEW, [*old, *new]), (NEW + removed_after, new))
    ]


def _risks(history: list[StoredObservation], facts: dict[int, ObservationFacts]) -> list[Finding]:
    return [f for f in build_report(ZONE, history, facts).findings if f.code == CODE]


def test_a_forty_day_ttl_makes_a_removal_on_day_35_a_risk_until_day_40(
    good: ObservationFacts,
) -> None:
    # Catches: the window of history read at the newest check cut at 30 days, so that the
    # state before the new key (day 0, 40 days back) is not read and the new key passes for
    # one served since history began; or the hold-down fixed at 30 days.
    history, facts = _observations(_long_ttl_states(good, 35, 40 * DAY), NEW + 35, (ZONE,))
    (finding,) = _risks(history, facts)
    assert "is gone while" in finding.detail and "35 days" in finding.detail
    assert finding.evidence["new_first_seen"] == iso(T0 + NEW * DAY)
    assert finding.evidence["safe_at"] == iso(T0 + (NEW + 40) * DAY)
    # and ``history`` lists it afterwards, the old key's removal judged over 40 days too
    history, facts = _observations(_long_ttl_states(good, 35, 40 * DAY), NEW + 60, (ZONE,))
    (past,) = _risks(history, facts)
    assert past.evidence["at"] == iso(T0 + (NEW + 35) * DAY) and "this is history" in past.detail
    assert past.evidence["safe_at"] == iso(T0 + (NEW + 40) * DAY)


def test_history_since_a_removal_reads_back_over_a_hold_down_still_running(
    good: ObservationFacts,
) -> None:
    # Catches: ``history --since`` reading 30 days before it whatever the TTL, so that a
    # removal shown is judged without the state before the new key.
    history = [
        StoredObservation(d, ZONE, T0 + d * DAY, "secure", "info", 0, 0, None, max(d - NEW + 1, 0))
        for d in range(NEW + 70)
    ]  # state 0 until the new key's day, then a state a day (a daily re-signer)
    since = T0 + (NEW + 35) * DAY
    assert 0 not in states_needed(history, since)
    assert 0 in states_needed(history, since, {1: 40 * DAY})
    assert 0 not in states_needed(history, since, {1: 35 * DAY})  # its hold-down is over


def test_a_forty_day_ttl_makes_a_removal_on_day_41_no_risk(good: ObservationFacts) -> None:
    # Catches: the TTL added to the 30 days instead of the greater of the two (RFC 5011
    # §2.4.1), or a hold-down counted from the removal.
    history, facts = _observations(_long_ttl_states(good, 41, 40 * DAY), NEW + 41, (ZONE,))
    assert _risks(history, facts) == []
    history, facts = _observations(_long_ttl_states(good, 39, 40 * DAY), NEW + 39, (ZONE,))
    assert len(_risks(history, facts)) == 1


def test_the_original_ttl_in_the_rrsig_counts_not_the_ttl_served(good: ObservationFacts) -> None:
    # Catches: the served TTL (KeyFact.ttl, ServerFacts.dnskey_ttl) taken for the original
    # TTL of RFC 5011 §2.4.1, which the RRSIG's Original TTL field carries (RFC 4034
    # §3.1.4): a resolver caches the set no longer than that (RFC 4035 §5.3.3).
    states = _long_ttl_states(good, 35, DAY, served=40 * DAY)
    history, facts = _observations(states, NEW + 35, (ZONE,))
    assert _risks(history, facts) == []
    assert dnskey_original_ttls(states[1][1])[ZONE] == DAY
    states = _long_ttl_states(good, 35, 40 * DAY, served=DAY)
    history, facts = _observations(states, NEW + 35, (ZONE,))
    assert len(_risks(history, facts)) == 1


def test_a_hostile_ttl_counts_as_the_longest_hold_down_judged(good: ObservationFacts) -> None:
    # Catches: a TTL of 2**31 - 1 (68 years) taken as it is: a safe time decades ahead,
    # and every later check reading all of history for it.
    hostile = 2**31 - 1
    history, facts = _observations(_long_ttl_states(good, 35, hostile), NEW + 35, (ZONE,))
    (finding,) = _risks(history, facts)
    assert finding.evidence["safe_at"] == iso(T0 + NEW * DAY + MAX_HOLDDOWN)
    assert holddown_of({ZONE: hostile}, (ZONE.upper(),)) == MAX_HOLDDOWN == 365 * DAY
    assert holddown_of({ZONE: 2**32 - 1}, (ZONE,)) == MAX_HOLDDOWN  # the field's largest
    assert holddown_of({ZONE: 40 * DAY}, (".",)) == ADD_HOLDDOWN  # another zone's TTL
    # two years of daily states, each with the hostile TTL: a year of them is read
    daily = [StateRun(d, T0 + d * DAY, T0 + d * DAY, 1) for d in range(730)]
    now = T0 + 729 * DAY
    window = holddown_window(daily, now, {d: hostile for d in range(730)})
    assert holddown_reach(daily, now, {d: hostile for d in range(730)}) == MAX_HOLDDOWN
    assert window[0].first_at == now - MAX_HOLDDOWN and window[-1] == daily[-1]
    # a state whose (long) hold-down is over stretches nothing
    assert holddown_reach(daily, now, {0: 400 * DAY, 680: 40 * DAY}) == ADD_HOLDDOWN
    assert holddown_reach(daily, now, {700: 40 * DAY}) == 40 * DAY
