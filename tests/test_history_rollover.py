"""Rollover timing on constructed timelines: each step checked against what caches may hold.

A zone ``example.test.`` with two servers and one parent server, observed every ten
minutes. The DNSKEY TTL is an hour, the data's TTL two hours and the DS TTL two hours,
so each RFC 7583 wait is a handful of observations. Every scenario is a list of
(from when, state); the rollovers done right must give nothing, each one done wrong
exactly its code, at the step that was too early, with the time it would have been safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dnssec_doctor.history.algroll import algorithm_order_findings
from dnssec_doctor.history.cdswait import CDS_PATIENCE, cds_waiting_findings
from dnssec_doctor.history.facts import (
    CdsFact,
    DsFact,
    KeyFact,
    ObservationFacts,
    ServerFacts,
    SignatureFact,
    sealed,
)
from dnssec_doctor.history.nextstep import next_steps
from dnssec_doctor.history.rollover import rollover_findings, violations
from dnssec_doctor.history.store import StateRun, StoredObservation
from dnssec_doctor.history.ttlchange import ttl_change_findings
from dnssec_doctor.model.severity import Severity

ZONE, PARENT = "example.test.", "test."
T0 = 1_800_000_000
MINUTE, HOUR = 60, 3600
STEP = 10 * MINUTE
DNSKEY_TTL, DATA_TTL, DS_TTL = HOUR, 2 * HOUR, 2 * HOUR
KSK, KSK2, ZSK, ZSK2 = 100, 101, 200, 201
ALG = 13


@dataclass(frozen=True)
class Child:
    """What one child server serves: published keys, data signers, DNSKEY signers."""

    published: tuple[int, ...] = (KSK, ZSK)
    data_signers: tuple[int, ...] = (ZSK,)
    key_signers: tuple[int, ...] = (KSK,)


def state(
    ns1: Child, ns2: Child | None = None, ds: tuple[int, ...] = (KSK,), dnskey_ttl: int = DNSKEY_TTL
) -> ObservationFacts:
    """The facts of one observation (``ns2`` serves what ``ns1`` does unless given)."""
    servers, keys, sigs, dss = [], [], [], []
    for server, child in (("ns1", ns1), ("ns2", ns2 or ns1)):
        servers.append(ServerFacts(ZONE, server, "child", True, 1, 3600, DNSKEY_TTL))
        for tag in child.published:
            flags = 257 if tag in (KSK, KSK2) else 256
            keys.append(KeyFact(ZONE, server, tag, ALG, flags, f"{tag:016x}", dnskey_ttl))
        for tag in child.key_signers:
            sigs.append(SignatureFact(ZONE, server, ZONE, "DNSKEY", tag, ALG, T0, T0 + 9 * HOUR,
                                      DNSKEY_TTL))  # fmt: skip
        for tag in child.data_signers:
            for owner, rtype in ((ZONE, "SOA"), (f"www.{ZONE}", "A")):
                sigs.append(SignatureFact(ZONE, server, owner, rtype, tag, ALG, T0,
                                          T0 + 9 * HOUR, DATA_TTL))  # fmt: skip
    servers.append(ServerFacts(ZONE, "p1", "parent", True, ds_ttl=DS_TTL))
    for tag in ds:
        dss.append(DsFact(ZONE, "p1", tag, ALG, 2, f"{tag:064x}", DS_TTL))
    return sealed((PARENT, ZONE), servers, keys, dss, sigs)


def timeline(
    steps: Sequence[tuple[int, ObservationFacts]], until: int
) -> tuple[list[StoredObservation], dict[int, ObservationFacts]]:
    """Observations every STEP from T0 to ``until``, each of the state begun last."""
    facts = {i: f for i, (_, f) in enumerate(steps)}
    history = []
    for n, at in enumerate(range(T0, T0 + until + 1, STEP)):
        state_id = max(i for i, (start, _) in enumerate(steps) if T0 + start <= at)
        history.append(StoredObservation(n, ZONE, at, "secure", "info", 0, 0, None, state_id))
    return history, facts


BOTH_ZSK = Child((KSK, ZSK, ZSK2), (ZSK,))
NEW_ZSK_SIGNS = Child((KSK, ZSK, ZSK2), (ZSK2,))
ONLY_NEW_ZSK = Child((KSK, ZSK2), (ZSK2,))


def test_a_zsk_prepublication_rollover_done_right_gives_nothing() -> None:
    history, facts = timeline(
        [(0, state(Child())), (HOUR, state(BOTH_ZSK)), (2 * HOUR + STEP, state(NEW_ZSK_SIGNS)),
         (5 * HOUR, state(ONLY_NEW_ZSK))],
        7 * HOUR,
    )  # fmt: skip
    assert violations(history, facts) == []
    assert rollover_findings(history, facts) == []


def test_the_old_zsk_removed_with_the_switch_is_too_early_until_its_signatures_expire() -> None:
    history, facts = timeline(
        [(0, state(Child())), (HOUR, state(BOTH_ZSK)), (3 * HOUR, state(ONLY_NEW_ZSK))],
        6 * HOUR,
    )
    (v,) = violations(history, facts)
    assert v.code == "ZSK_REMOVED_TOO_EARLY" and v.zone == ZONE
    assert v.at == T0 + 3 * HOUR and v.keys == ((ZSK, ALG),)
    # last seen signed by 200 at 2:50, the switch seen everywhere at 3:00, + the data TTL
    assert v.cached_last_seen == T0 + 3 * HOUR - STEP
    assert v.safe_at == T0 + 3 * HOUR + DATA_TTL
    assert set(v.examples) == {f"www.{ZONE} A", f"{ZONE} SOA"}


def test_a_new_zsk_used_before_every_server_had_it_for_the_dnskey_ttl() -> None:
    # ns2 gets the new key an hour after ns1; data is signed with it half an hour later
    history, facts = timeline(
        [(0, state(Child())), (HOUR, state(BOTH_ZSK, Child())), (2 * HOUR, state(BOTH_ZSK)),
         (2 * HOUR + 30 * MINUTE, state(NEW_ZSK_SIGNS)), (6 * HOUR, state(ONLY_NEW_ZSK))],
        8 * HOUR,
    )  # fmt: skip
    (v,) = violations(history, facts)
    assert v.code == "ZSK_USED_BEFORE_PROPAGATED"
    assert v.at == T0 + 2 * HOUR + 30 * MINUTE and v.keys == ((ZSK2, ALG),)
    # propagated when ns2 had it (2:00), not when ns1 did (1:00): safe one DNSKEY TTL later
    assert v.safe_at == T0 + 2 * HOUR + DNSKEY_TTL
    assert v.cached_last_seen == T0 + 2 * HOUR - STEP


def test_a_step_whose_older_set_is_still_served_has_no_safe_time_yet() -> None:
    # ns2 never got the new key; ns1 signs with it
    history, facts = timeline(
        [(0, state(Child())), (HOUR, state(Child((KSK, ZSK, ZSK2), (ZSK2,)), Child()))],
        2 * HOUR,
    )
    found = {v.code: v for v in violations(history, facts)}
    used = found["ZSK_USED_BEFORE_PROPAGATED"]
    assert used.safe_at is None and used.still_served_by == ("ns2",)
    (finding,) = [
        f for f in rollover_findings(history, facts) if f.code == "ZSK_USED_BEFORE_PROPAGATED"
    ]
    assert "not known yet: ns2 still serve" in finding.detail
    assert finding.evidence["safe_at"] is None


DOUBLE_KSK = Child((KSK, KSK2, ZSK), (ZSK,), (KSK, KSK2))
NEW_KSK = Child((KSK2, ZSK), (ZSK,), (KSK2,))


def test_a_double_ksk_rollover_done_right_gives_nothing() -> None:
    history, facts = timeline(
        [(0, state(Child())), (HOUR, state(DOUBLE_KSK)),
         (2 * HOUR + STEP, state(DOUBLE_KSK, ds=(KSK2,))),
         (5 * HOUR, state(NEW_KSK, ds=(KSK2,)))],
        7 * HOUR,
    )  # fmt: skip
    assert violations(history, facts) == []


def test_the_ds_swapped_before_the_new_ksk_propagated_and_the_old_ksk_removed_too_early() -> None:
    history, facts = timeline(
        [(0, state(Child())), (HOUR, state(DOUBLE_KSK)),
         (HOUR + 20 * MINUTE, state(DOUBLE_KSK, ds=(KSK2,))),
         (2 * HOUR + 30 * MINUTE, state(NEW_KSK, ds=(KSK2,)))],
        6 * HOUR,
    )  # fmt: skip
    swapped, removed = violations(history, facts)
    assert swapped.code == "DS_SWAPPED_TOO_EARLY" and swapped.server == "p1"
    assert swapped.at == T0 + HOUR + 20 * MINUTE and swapped.keys == ((KSK2, ALG),)
    # the DNSKEY RRset signed only by 100 was gone at 1:00; cached for an hour after
    assert swapped.safe_at == T0 + HOUR + DNSKEY_TTL
    assert removed.code == "KSK_REMOVED_BEFORE_DS_UPDATED"
    assert removed.at == T0 + 2 * HOUR + 30 * MINUTE and removed.keys == ((KSK, ALG),)
    # the old DS was gone from the parent at 1:20; cached for the DS TTL after
    assert removed.safe_at == T0 + HOUR + 20 * MINUTE + DS_TTL
    codes = [f.code for f in rollover_findings(history, facts)]
    assert codes == ["DS_SWAPPED_TOO_EARLY", "KSK_REMOVED_BEFORE_DS_UPDATED"]
    (finding,) = rollover_findings(history[:12], facts)  # seen at 1:50, before 2:00
    assert "It would have been safe from 2027-01-15T10:00:00Z" in finding.detail
    assert "Put the old DS back beside the new one" in (finding.fix or "")


def test_a_ksk_swapped_at_the_child_while_the_parent_keeps_the_old_ds() -> None:
    history, facts = timeline([(0, state(Child())), (HOUR, state(NEW_KSK))], 2 * HOUR)
    (v,) = violations(history, facts)
    assert v.code == "KSK_REMOVED_BEFORE_DS_UPDATED" and v.safe_at is None
    assert v.still_served_by == ("p1",)
    (finding,) = rollover_findings(history, facts)
    assert "Publish the old KSK 100 (algorithm 13) again" in (finding.fix or "")
    assert finding.severity is Severity.CRITICAL


def test_a_past_violation_is_history_and_check_only_reports_current_ones() -> None:
    history, facts = timeline(
        [(0, state(Child())), (HOUR, state(BOTH_ZSK)), (3 * HOUR, state(ONLY_NEW_ZSK))],
        6 * HOUR,
    )
    (finding,) = rollover_findings(history, facts)
    assert finding.code == "ZSK_REMOVED_TOO_EARLY"
    assert finding.severity is Severity.WARNING  # 6:00 is after the safe time (5:00)
    assert "expired since" in finding.detail and "Nothing to repair now" in (finding.fix or "")
    assert rollover_findings(history, facts, current_only=True) == []
    # at 4:00 the risk is current: the catalog's severity, the fix with the safe time
    early = [o for o in history if o.observed_at <= T0 + 4 * HOUR]
    (current,) = rollover_findings(early, facts, current_only=True)
    assert current.severity is Severity.ERROR
    assert "Publish key 200 (algorithm 13)" in (current.fix or "")
    assert "2027-01-15T13:00:00Z" in (current.fix or "")


def test_a_zone_broken_from_the_start_or_signed_for_the_first_time_is_no_rollover() -> None:
    unsigned = state(Child((), (), ()), ds=())
    history, facts = timeline([(0, unsigned), (HOUR, state(Child()))], 3 * HOUR)
    assert violations(history, facts) == []
    # a DS that never matched: a live error, not a rollover step
    history, facts = timeline(
        [(0, state(Child(), ds=(999,))), (HOUR, state(NEW_KSK, ds=(999,)))], 3 * HOUR
    )
    assert violations(history, facts) == []


def _steps(
    steps: Sequence[tuple[int, ObservationFacts]], until: int
) -> list[tuple[str, int | None]]:
    history, facts = timeline(steps, until)
    return [(s.step, s.safe_at) for s in next_steps(history, facts) if s.zone == ZONE]


def test_a_rollover_in_progress_gets_the_earliest_safe_time_for_its_next_step() -> None:
    # pre-published ZSK: sign with it a DNSKEY TTL after the set without it was gone
    prepublished = [(0, state(Child())), (HOUR, state(BOTH_ZSK))]
    assert _steps(prepublished, HOUR + 30 * MINUTE) == [
        ("sign the data with the new ZSK 201", T0 + HOUR + DNSKEY_TTL)
    ]
    # switched: remove the old ZSK a data TTL after its signatures were gone
    switched = [*prepublished, (2 * HOUR + STEP, state(NEW_ZSK_SIGNS))]
    assert _steps(switched, 2 * HOUR + 30 * MINUTE) == [
        ("remove the old ZSK 200 from the DNSKEY RRset", T0 + 2 * HOUR + STEP + DATA_TTL)
    ]
    # double-KSK: the DS may name the new KSK a DNSKEY TTL after it signed everywhere
    double = [(0, state(Child())), (HOUR, state(DOUBLE_KSK))]
    assert _steps(double, HOUR + 30 * MINUTE) == [
        ("replace the DS at the parent with the DS of KSK 101", T0 + HOUR + DNSKEY_TTL)
    ]
    # DS swapped: the old KSK may go a DS TTL after the old DS was gone from the parent
    ds_swapped = [*double, (2 * HOUR + STEP, state(DOUBLE_KSK, ds=(KSK2,)))]
    assert _steps(ds_swapped, 2 * HOUR + 30 * MINUTE) == [
        ("remove the old KSK 100", T0 + 2 * HOUR + STEP + DS_TTL)
    ]
    # a server that has not caught up: no safe time yet, and which server holds it back
    history, facts = timeline([(0, state(Child())), (HOUR, state(BOTH_ZSK, Child()))], 2 * HOUR)
    (step,) = [s for s in next_steps(history, facts) if s.zone == ZONE]
    assert step.safe_at is None and step.waiting_on == ("ns2",)
    # no rollover: no step
    assert _steps([(0, state(Child()))], HOUR) == []


def test_a_dnskey_ttl_lowered_mid_roll_keeps_the_old_ttl_until_it_passed() -> None:
    steps = [(0, state(Child())), (HOUR, state(BOTH_ZSK)),
             (2 * HOUR, state(BOTH_ZSK, dnskey_ttl=5 * MINUTE))]  # fmt: skip
    history, facts = timeline(steps, 2 * HOUR + 30 * MINUTE)
    (finding,) = ttl_change_findings(history, facts, current_only=True)
    assert finding.code == "TTL_CHANGE_DURING_ROLL"
    assert finding.evidence["old_ttl"] == DNSKEY_TTL and finding.evidence["new_ttl"] == 300
    # the old TTL was served at 1:50 and perhaps until 2:00, when the new one was seen:
    # caches may keep it until 3:00 (the safe time the rollover codes give as well)
    assert finding.evidence["old_ttl_rules_until"] == "2027-01-15T11:00:00Z"
    # so check --db still reports it a TTL after the last check with the old TTL, 2:50
    assert (
        len(ttl_change_findings(*timeline(steps, 2 * HOUR + 50 * MINUTE), current_only=True)) == 1
    )
    assert ttl_change_findings(*timeline(steps, 3 * HOUR), current_only=True) == []
    # and the wait for the next step uses it: the key set with the old TTL rules
    (step,) = next_steps(history, facts)
    assert step.safe_at == T0 + HOUR + DNSKEY_TTL
    # once the old TTL has passed, check --db says nothing; history still shows it
    history, facts = timeline(steps, 4 * HOUR)
    assert ttl_change_findings(history, facts, current_only=True) == []
    assert len(ttl_change_findings(history, facts)) == 1
    # a TTL raised, or lowered with no rollover under way, is not this finding
    history, facts = timeline(
        [(0, state(Child())), (HOUR, state(Child(), dnskey_ttl=300))], 2 * HOUR
    )
    assert ttl_change_findings(history, facts) == []


def _with_cds(facts: ObservationFacts, *tags: int) -> ObservationFacts:
    cds = [CdsFact(ZONE, server, "CDS", tag, ALG, 2, 0, f"{tag:064x}", HOUR)
           for server in ("ns1", "ns2") for tag in tags]  # fmt: skip
    return sealed(facts.zones, list(facts.servers), list(facts.keys), list(facts.ds),
                  list(facts.signatures), cds)  # fmt: skip


def test_a_cds_set_the_parent_ignores_for_days_is_not_picked_up() -> None:
    day = 86400
    asking = _with_cds(state(DOUBLE_KSK), KSK2)
    facts = {0: state(Child()), 1: asking, 2: _with_cds(state(DOUBLE_KSK, ds=(KSK2,)), KSK2)}
    runs = [StateRun(0, T0, T0 + day, 5), StateRun(1, T0 + day + HOUR, T0 + 4 * day + HOUR, 9)]
    (finding,) = cds_waiting_findings(runs, facts)
    assert finding.code == "CDS_NOT_PICKED_UP" and finding.zone == ZONE
    assert finding.evidence["since"] == "2027-01-16T09:00:00Z"
    assert finding.evidence["cds"] == "DS 101 (algorithm 13)"
    assert finding.evidence["ds"] == "DS 100 (algorithm 13)"
    # not yet patient enough
    short = [runs[0], StateRun(1, T0 + day + HOUR, T0 + day + HOUR + CDS_PATIENCE - 1, 9)]
    assert cds_waiting_findings(short, facts) == []
    # the parent acted: the DS set is what the CDS asks for
    done = [*runs, StateRun(2, T0 + 5 * day, T0 + 9 * day, 3)]
    assert cds_waiting_findings(done, facts) == []


def _alg15(facts: ObservationFacts, *, key: bool, sign: bool) -> ObservationFacts:
    """``facts`` with an algorithm-15 ZSK 300 published (``key``) and signing (``sign``)."""
    keys = list(facts.keys)
    sigs = list(facts.signatures)
    for server in ("ns1", "ns2"):
        if key:
            keys.append(KeyFact(ZONE, server, 300, 15, 256, "300", DNSKEY_TTL))
        if sign:
            sigs += [s._replace(key_tag=300, algorithm=15) for s in facts.signatures
                     if s.server == server and s.covered_type != "DNSKEY"]  # fmt: skip
    return sealed(facts.zones, list(facts.servers), keys, list(facts.ds), sigs)


def test_a_new_algorithm_published_before_its_signatures_were_cached_everywhere() -> None:
    plain = state(Child())
    right = [(0, plain), (HOUR, _alg15(plain, key=False, sign=True)),
             (3 * HOUR + STEP, _alg15(plain, key=True, sign=True))]  # fmt: skip
    assert algorithm_order_findings(*timeline(right, 4 * HOUR)) == []
    wrong = [(0, plain), (HOUR, _alg15(plain, key=False, sign=True)),
             (HOUR + 30 * MINUTE, _alg15(plain, key=True, sign=True))]  # fmt: skip
    (finding,) = algorithm_order_findings(*timeline(wrong, 2 * HOUR))
    assert finding.code == "ALGORITHM_ROLL_ORDER_VIOLATION"
    assert finding.evidence["algorithm"] == 15
    # the RRsets signed only with algorithm 13 were gone at 1:00, cached for the data TTL
    assert finding.evidence["safe_at"] == "2027-01-15T11:00:00Z"
    assert finding.severity is Severity.ERROR  # the catalog's, while the risk lasts
    assert algorithm_order_findings(*timeline(wrong, 4 * HOUR), current_only=True) == []
    # afterwards history lists it as every timing code whose risk has passed: a warning
    (past,) = algorithm_order_findings(*timeline(wrong, 4 * HOUR))
    assert past.severity is Severity.WARNING and past.evidence == finding.evidence


def _without(facts: ObservationFacts, *, keys: tuple[int, ...] = (), signers: tuple[int, ...] = ()
             ) -> ObservationFacts:  # fmt: skip
    """``facts`` with the DNSKEYs ``keys`` unpublished and the signatures of ``signers`` gone."""
    return sealed(facts.zones, list(facts.servers),
                  [k for k in facts.keys if k.key_tag not in keys], list(facts.ds),
                  [s for s in facts.signatures if s.key_tag not in signers])  # fmt: skip


def test_an_old_algorithm_s_signatures_removed_while_its_dnskey_could_be_cached() -> None:
    both = _alg15(state(Child()), key=True, sign=True)
    keys_gone = _without(both, keys=(KSK, ZSK))  # algorithm 13 signs, its keys are gone
    signatures_gone = _without(keys_gone, signers=(ZSK,))
    # RFC 6781 §4.1.4: the signatures a DNSKEY TTL after the keys (which went at 1:00)
    right = [(0, both), (HOUR, keys_gone), (2 * HOUR + STEP, signatures_gone)]
    assert algorithm_order_findings(*timeline(right, 4 * HOUR)) == []
    wrong = [(0, both), (HOUR, keys_gone), (HOUR + 30 * MINUTE, signatures_gone)]
    (finding,) = algorithm_order_findings(*timeline(wrong, 110 * MINUTE), current_only=True)
    assert finding.code == "ALGORITHM_ROLL_ORDER_VIOLATION" and finding.severity is Severity.ERROR
    assert finding.evidence["algorithm"] == ALG and finding.evidence["step"] == "removed"
    assert finding.evidence["at"] == "2027-01-15T09:30:00Z"
    # the key set with algorithm 13 was last served at 0:50, gone at 1:00: cached to 2:00
    assert finding.evidence["safe_at"] == "2027-01-15T10:00:00Z"
    assert finding.evidence["rrsets"] == [f"{ZONE} DNSKEY"]
    assert "safe to remove from 2027-01-15T10:00:00Z" in finding.detail
    assert algorithm_order_findings(*timeline(wrong, 4 * HOUR), current_only=True) == []
    (past,) = algorithm_order_findings(*timeline(wrong, 4 * HOUR))
    assert past.severity is Severity.WARNING
    # both at once while the old keys are still served: no safe time yet
    (now,) = algorithm_order_findings(*timeline([(0, both), (HOUR, _without(both, signers=(ZSK,)))],
                                                2 * HOUR))  # fmt: skip
    assert now.evidence["safe_at"] is None and "a server still serves one" in now.detail
    # a zone unsigned (every signature gone) is no algorithm rollover
    unsigned = _without(both, signers=(ZSK, 300))
    assert algorithm_order_findings(*timeline([(0, both), (HOUR, unsigned)], 2 * HOUR)) == []
