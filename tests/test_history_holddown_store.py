"""RFC5011_HOLDDOWN_RISK as ``check --db`` records it, through a real store (SQLite and a
real PostgreSQL server): with a DNSKEY original TTL above 30 days the recorder reads the
history of that longer hold-down (RFC 5011 §2.4.1), not 30 days of it.

A zone re-signed daily (a state a day) rolls its KSK: the successor appears on day
``NEW``, the old key goes 35 days later. The states before are recorded as history would
have stored them; the removal is recorded by ``record_prepared`` as ``check --db`` does.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import pytest

import historydb
from clirun import invoke
from dnssec_doctor.history.directstore import DirectStore
from dnssec_doctor.history.facts import KeyFact, ObservationFacts, facts_from_survey, sealed
from dnssec_doctor.history.holddown import dnskey_original_ttls
from dnssec_doctor.history.opener import open_store
from dnssec_doctor.history.recorder import PreparedCheck, history_name, record_prepared
from dnssec_doctor.history.records import NewObservation, Store
from dnssec_doctor.history.store import HistoryStore
from dnssec_doctor.model.capture import Capture, load_capture
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.session import diagnose_capture_with_survey
from dnssec_doctor.timefmt import iso
from labthread import LAB_NOW

CASES = Path(__file__).parent / "cases"
DAY = 86400
ZONE = "good-nsec.test."
NEW = 5
"""The day the successor KSK first appears."""
REMOVED = NEW + 35
"""The day the old KSK is gone: the day of the check recorded."""
START = LAB_NOW - REMOVED * DAY
"""Day 0 (the check on the removal's day is diagnosed at ``LAB_NOW``)."""
CODE = "RFC5011_HOLDDOWN_RISK"
db_url = historydb.db_url
postgres_url = historydb.postgres_url


@pytest.fixture(scope="module")
def checked() -> tuple[Capture, Diagnosis, ObservationFacts]:
    capture = load_capture(CASES / "check-good-nsec" / "capture.json.gz")
    diagnosis, survey = diagnose_capture_with_survey(capture, LAB_NOW)
    return capture, diagnosis, facts_from_survey(survey)


def _opened(db_url: str, kind: str) -> Store:
    """The store on ``db_url`` (its schema created first, as on first use): SQLAlchemy's, or
    the driver's own that ``check --db`` takes on a current database."""
    HistoryStore.open(db_url).close()
    if kind == "sqlalchemy":
        return HistoryStore.open(db_url)
    store = open_store(db_url)
    assert isinstance(store, DirectStore)
    return store


def _state(good: ObservationFacts, day: int, ksks: list[KeyFact], ttl: int) -> ObservationFacts:
    """The zone re-signed on ``day`` (its SOA serial), serving ``ksks`` in a DNSKEY RRset
    signed with Original TTL ``ttl`` (and served with it)."""
    keys = [k for k in good.keys if not (k.zone == ZONE and k.role == "KSK")] + ksks
    return sealed(
        zones=good.zones,
        servers=[
            s._replace(soa_serial=1000 + day, dnskey_ttl=ttl)
            if s.zone == ZONE and s.role == "child"
            else s
            for s in good.servers
        ],
        keys=[k._replace(ttl=ttl) if k.zone == ZONE else k for k in keys],
        ds=list(good.ds),
        signatures=[
            s._replace(original_ttl=ttl)
            if s.zone == ZONE and s.owner == ZONE and s.covered_type == "DNSKEY"
            else s
            for s in good.signatures
        ],
        cds=list(good.cds),
    )


def _roll(good: ObservationFacts, ttl: int) -> list[ObservationFacts]:
    """A state a day from day 0 to ``REMOVED``: the new KSK from ``NEW``, the old gone then."""
    old = [k for k in good.keys if k.zone == ZONE and k.role == "KSK"]
    new = [k._replace(key_tag=k.key_tag ^ 0x5A5A, key_id="f" * 16) for k in old]
    return [
        _state(good, day, old if day < NEW else new if day >= REMOVED else [*old, *new], ttl)
        for day in range(REMOVED + 1)
    ]


def _record_roll(
    store: Store, checked: tuple[Capture, Diagnosis, ObservationFacts], ttl: int
) -> Diagnosis:
    """Record the roll's days before the removal, then the removal's check; its diagnosis."""
    capture, diagnosis, good = checked
    name = history_name(capture.name)
    *before, removal = _roll(good, ttl)
    for day, facts in enumerate(before):
        at = START + day * DAY
        store.record(
            NewObservation(
                name=name, observed_at=at, recorded_at=at, status="secure", worst="info",
                exit_code=0, findings=(), facts=facts, capture_json=b"{}",
                diagnosis_json=b"{}", tool_version="test", anchor_zones=(ZONE,),
            )
        )  # fmt: skip
    prepared = PreparedCheck(name, diagnosis, removal, b"{}", None, anchor_zones=(ZONE,))
    return record_prepared(store, prepared).diagnosis


@pytest.mark.parametrize("kind", ["direct", "sqlalchemy"])
def test_the_recorder_reads_the_forty_days_of_a_forty_day_dnskey_ttl(
    db_url: str, kind: str, checked: tuple[Capture, Diagnosis, ObservationFacts]
) -> None:
    # Catches: the recorder reading the 30 days before the check only (from day NEW + 5,
    # when the new key was already served: nothing is claimed of it), so the removal on
    # day 35 of a 40-day hold-down goes unreported.
    with _opened(db_url, kind) as store:
        diagnosis = _record_roll(store, checked, 40 * DAY)
    (finding,) = [f for f in diagnosis.findings if f.code == CODE]
    assert finding.zone == ZONE and "is gone while" in finding.detail
    assert finding.evidence["new_first_seen"] == iso(START + NEW * DAY)
    assert finding.evidence["safe_at"] == iso(START + (NEW + 40) * DAY)


@pytest.mark.parametrize("kind", ["direct", "sqlalchemy"])
def test_the_recorder_with_a_short_dnskey_ttl_keeps_the_thirty_days(
    db_url: str, kind: str, checked: tuple[Capture, Diagnosis, ObservationFacts]
) -> None:
    # Catches: a hold-down stretched without a long TTL (35 days after the new key, with a
    # one-hour DNSKEY TTL, resolvers trust it).
    with _opened(db_url, kind) as store:
        diagnosis = _record_roll(store, checked, 3600)
    assert [f for f in diagnosis.findings if f.code == CODE] == []


def test_both_stores_read_the_dnskey_original_ttls_the_facts_hold(
    db_url: str, checked: tuple[Capture, Diagnosis, ObservationFacts]
) -> None:
    # Catches: a store's query reading another RRset's RRSIGs (the zone's SOA, the parent's
    # DS) or the served TTL, or the two stores disagreeing.
    _, _, good = checked
    ttls = {_state(good, 0, [], 40 * DAY): 40 * DAY, _state(good, 1, [], 2**31 - 1): 2**31 - 1}
    with _opened(db_url, "direct") as store:
        for day, facts in enumerate(ttls):
            store.record(
                NewObservation(
                    name=ZONE, observed_at=START + day, recorded_at=0, status="secure",
                    worst="info", exit_code=0, findings=(), facts=facts, capture_json=b"{}",
                    diagnosis_json=b"{}", tool_version="test",
                )
            )  # fmt: skip
        ids = [r.state_id for r in store.state_runs(ZONE, START + 1)]
        stored = store.facts(ids)
        direct = store.dnskey_original_ttls([*ids, 10**9])
    with HistoryStore.open(db_url) as alchemy:
        assert alchemy.dnskey_original_ttls(ids) == direct
    assert direct == {i: dnskey_original_ttls(stored[i]) for i in ids}
    assert [direct[i][ZONE] for i in ids] == list(ttls.values())
    assert direct[ids[0]]["."] != 40 * DAY  # the root's own, untouched


def test_history_since_the_removal_reads_back_over_the_forty_days(
    db_url: str, checked: tuple[Capture, Diagnosis, ObservationFacts]
) -> None:
    # Catches: ``history --since`` reading the 30 days before WHEN whatever the TTL: the
    # state before the new key is not read, and the risk the check reported is not shown.
    with _opened(db_url, "direct") as store:
        _record_roll(store, checked, 40 * DAY)
    since = iso(LAB_NOW)  # the removal's check only
    run = invoke("history", ZONE, "--db", db_url, "--since", since, "--format", "json")
    doc = json.loads(run.stdout)
    assert run.exit_code == 1 and len(doc["runs"]) == 1  # the check recorded the warning
    (finding,) = [f for f in doc["findings"] if f["code"] == CODE]
    assert finding["evidence"]["safe_at"] == iso(START + (NEW + 40) * DAY)


class _Counted:
    """A real store that counts the DNSKEY original TTLs it is asked for."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.ttl_reads: list[list[int]] = []

    def dnskey_original_ttls(self, state_ids: Iterable[int]) -> dict[int, dict[str, int]]:
        self.ttl_reads.append(sorted(state_ids))
        return self.store.dnskey_original_ttls(self.ttl_reads[-1])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_the_recorder_reads_the_ttls_only_while_a_key_is_younger_than_a_year(
    db_url: str, checked: tuple[Capture, Diagnosis, ObservationFacts]
) -> None:
    # Catches: every check paying for a year of TTLs (or of states) when no anchor zone's
    # KSK changed within it; and TTLs read of states that cannot stretch the window.
    capture, diagnosis, good = checked
    name = history_name(capture.name)
    with _opened(db_url, "direct") as store:
        counted = _Counted(store)
        _record_roll(cast(Store, counted), checked, 40 * DAY)
        assert len(counted.ttl_reads) == 1  # the successor is younger than a year
        runs = {r.state_id: r for r in store.state_runs(name, LAB_NOW)}
        firsts = [runs[i].first_at for i in counted.ttl_reads[0]]
        assert min(firsts) == START and max(firsts) <= LAB_NOW - 30 * DAY
        # a year and a day later the same keys: one state read, no TTLs
        later = LAB_NOW + 366 * DAY
        store.record(
            NewObservation(
                name=name, observed_at=later - DAY, recorded_at=0, status="secure",
                worst="info", exit_code=0, findings=(), facts=_roll(good, 40 * DAY)[-1],
                capture_json=b"{}", diagnosis_json=b"{}", tool_version="test",
                anchor_zones=(ZONE,),
            )
        )  # fmt: skip
        prepared = PreparedCheck(
            name, dataclasses.replace(diagnosis, at=later), _roll(good, 40 * DAY)[-1], b"{}",
            None, anchor_zones=(ZONE,),
        )  # fmt: skip
        record_prepared(cast(Store, counted), prepared)
        assert len(counted.ttl_reads) == 1
