"""The history store on SQLite and on a real PostgreSQL server: records, reads, refuses.

Observations are real diagnoses of recorded lab captures (tests/cases); every test
runs on both backends unless it is about the SQLite file itself.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

import historydb
from clirun import invoke
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.history import schema
from dnssec_doctor.history.dburl import default_db_path, parse_db_url
from dnssec_doctor.history.directstore import DirectStore
from dnssec_doctor.history.migrate import MIGRATIONS
from dnssec_doctor.history.opener import open_store
from dnssec_doctor.history.recorder import record_check
from dnssec_doctor.history.records import Store
from dnssec_doctor.history.store import HistoryStore
from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.session import diagnose_capture_with_survey
from labthread import LAB_NOW

CASES = Path(__file__).parent / "cases"
db_url = historydb.db_url
postgres_url = historydb.postgres_url


def _record(store: Store, case: str, at: int = LAB_NOW) -> int:
    capture = load_capture(CASES / f"check-{case}" / "capture.json.gz")
    diagnosis, survey = diagnose_capture_with_survey(capture, at)
    return record_check(store, capture, diagnosis, survey).observation_id


def _count(url: str, table: str) -> int:
    engine = create_engine(parse_db_url(url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(text(table))).scalar_one())
    finally:
        engine.dispose()


def _execute(url: str, statement: str, **params: object) -> None:
    engine = create_engine(parse_db_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(text(statement), params)
    finally:
        engine.dispose()


def test_a_recorded_observation_reads_back_with_its_facts_and_payload(db_url: str) -> None:
    with HistoryStore.open(db_url) as store:
        first = _record(store, "good-nsec")
        second = _record(store, "good-nsec", LAB_NOW + 3600)
        rows = store.observations("good-nsec.test.")
        assert [r.id for r in rows] == [first, second]
        assert [r.observed_at for r in rows] == [LAB_NOW, LAB_NOW + 3600]
        assert all(r.status == "secure" and r.exit_code == 0 for r in rows)
        # the same served data is one state, stored once
        assert rows[0].state_id == rows[1].state_id
        facts = store.facts([rows[0].state_id])[rows[0].state_id]
        capture_doc, diagnosis_doc = store.payload(first)
    assert _count(db_url, "states") == 1
    assert facts.zones == (".", "test.", "good-nsec.test.")
    ksks = {k.key_tag for k in facts.keys if k.zone == "good-nsec.test." and k.role == "KSK"}
    ds_tags = {d.key_tag for d in facts.ds if d.zone == "good-nsec.test."}
    assert ksks and ds_tags == ksks  # the DS at the parent names the child's KSK
    assert {s.zone for s in facts.signatures} == {".", "test.", "good-nsec.test."}
    assert rows[0].earliest_expiration == facts.earliest_expiration()
    assert capture_doc["format"] == "dnssec-doctor/capture"
    assert capture_doc["name"] == "good-nsec.test."
    assert diagnosis_doc["status"] == "secure"


def test_facts_survive_the_round_trip_exactly(db_url: str) -> None:
    capture = load_capture(CASES / "check-nsec3-migration-half-done" / "capture.json.gz")
    diagnosis, survey = diagnose_capture_with_survey(capture, LAB_NOW)
    with HistoryStore.open(db_url) as store:
        recorded = record_check(store, capture, diagnosis, survey)
        row = store.observations(recorded.facts and "nsec3-migration-half-done.test.")[0]
        stored = store.facts([row.state_id])[row.state_id]
    assert stored == recorded.facts
    assert stored.digest == recorded.facts.digest
    assert stored.cds == recorded.facts.cds
    denial = {s.denial for s in stored.servers if s.zone == "nsec3-migration-half-done.test."}
    assert {"nsec", "nsec3"} <= denial  # half the servers switched


def test_the_migrations_create_exactly_the_schema(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    HistoryStore.open(db_url).close()
    engine = create_engine(parse_db_url(db_url))
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), schema.metadata)
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()
    assert differences == []
    assert revision == schema.SCHEMA_REVISION
    assert (MIGRATIONS / "env.py").is_file()


def _to_revision_0001(url: str) -> None:
    """Migrate down to revision 0001, as a dnssec-doctor of that revision left it (only a
    test does this: dnssec-doctor never migrates down)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(parse_db_url(url))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0001")
    finally:
        engine.dispose()


def _observation_rows(url: str) -> list[tuple[object, ...]]:
    columns = "id, name, observed_at, status, worst, exit_code, state_id, tool_version"
    query = text(f"SELECT {columns} FROM observations ORDER BY id")
    engine = create_engine(parse_db_url(url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query)]
    finally:
        engine.dispose()


def test_a_database_of_revision_0001_is_upgraded_and_reads_as_anchored_at_the_root(
    db_url: str,
) -> None:
    # Catches: a migration that loses or rewrites rows, a reader that fails on NULL, old
    # observations read as anchored nowhere (the root's hold-down no longer judged), and
    # a fast path that writes an old database without migrating it first.
    with HistoryStore.open(db_url) as store:
        _record(store, "good-nsec")
        _record(store, "ds-no-matching-key", LAB_NOW + 60)
    _to_revision_0001(db_url)
    engine = create_engine(parse_db_url(db_url))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
            columns = {c["name"] for c in inspect(conn).get_columns("observations")}
    finally:
        engine.dispose()
    assert "anchor_zones" not in columns and "tool_version" in columns
    before = _observation_rows(db_url)
    with open_store(db_url) as store:  # upgraded on open, then read by either store
        old = store.observations("good-nsec.test.") + store.observations("ds-no-matching-key.test.")
        assert [o.anchor_zones for o in old] == [(".",), (".",)]
        _record(store, "good-nsec", LAB_NOW + 120)
    assert _observation_rows(db_url)[: len(before)] == before
    with open_store(db_url) as store:
        assert isinstance(store, DirectStore)  # the upgraded database is current
        newest = store.observations("good-nsec.test.")[-1]
        assert newest.observed_at == LAB_NOW + 120 and newest.anchor_zones == (".",)
    assert invoke("history", "good-nsec.test", "--db", db_url).exit_code == 0


def test_a_newer_schema_is_refused_and_left_alone(db_url: str) -> None:
    with HistoryStore.open(db_url) as store:
        _record(store, "good-nsec")
    _execute(db_url, "UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DoctorError, match="newer than this dnssec-doctor"):
        HistoryStore.open(db_url)
    run = invoke("history", "good-nsec.test", "--db", db_url)
    assert run.exit_code == 3
    assert run.stderr.count("\n") == 1 and "schema revision 9999" in run.stderr
    assert _count(db_url, "observations") == 1  # nothing migrated down, nothing lost


def test_a_failed_record_leaves_nothing_half_written(db_url: str) -> None:
    with HistoryStore.open(db_url) as store:
        _record(store, "good-nsec")
    # a damaged database: the last insert of a record (its findings) fails
    _execute(db_url, "DROP TABLE observation_findings")
    with HistoryStore.open(db_url) as store, pytest.raises(DoctorError, match="cannot record"):
        _record(store, "ds-no-matching-key")  # has findings: the failing insert runs
    assert _count(db_url, "observations") == 1
    assert _count(db_url, "observation_payloads") == 1
    assert _count(db_url, "states") == 1  # the new state went with the rest


def test_a_corrupt_stored_capture_is_one_line_and_exit_3(db_url: str) -> None:
    with HistoryStore.open(db_url) as store:
        good = _record(store, "good-nsec")
        bad = _record(store, "good-nsec", LAB_NOW + 60)
    _execute(
        db_url,
        "UPDATE observation_payloads SET capture_gz = :blob WHERE observation_id = :id",
        blob=b"\x1f\x8bnot really gzip",
        id=bad,
    )
    run = invoke("history", "good-nsec.test", "--db", db_url, "--capture", str(bad))
    assert run.exit_code == 3 and run.stdout == ""
    assert "corrupt" in run.stderr and run.stderr.count("\n") == 1
    # a JSON document that is not a capture is refused as well
    _execute(
        db_url,
        "UPDATE observation_payloads SET capture_gz = :blob WHERE observation_id = :id",
        blob=gzip.compress(b'{"format": "something else"}'),
        id=bad,
    )
    assert invoke("history", "good-nsec.test", "--db", db_url, "--capture", str(bad)).exit_code == 3
    # the rest of the history is still there and readable
    ok = invoke("history", "good-nsec.test", "--db", db_url, "--capture", str(good))
    assert ok.exit_code == 0 and json.loads(ok.stdout)["name"] == "good-nsec.test."
    assert invoke("history", "good-nsec.test", "--db", db_url).exit_code == 0


def test_history_of_an_unknown_name_or_period_is_exit_3(db_url: str) -> None:
    run = invoke("history", "nothing-here.test", "--db", db_url)
    assert run.exit_code == 3 and "no observations of nothing-here.test." in run.stderr
    with HistoryStore.open(db_url) as store:
        _record(store, "good-nsec")
    later = invoke("history", "GOOD-nsec.test.", "--db", db_url, "--since", f"@{LAB_NOW + 1}")
    assert later.exit_code == 3 and "in that period" in later.stderr
    assert (
        invoke("history", "good-nsec.test", "--db", db_url, "--since", "yesterday").exit_code == 3
    )
    assert (
        invoke("history", "good-nsec.test", "--db", db_url, "--since", f"@{LAB_NOW}").exit_code == 0
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nosuch://host/db", "unsupported --db URL scheme"),
        ("::not a url::", "invalid --db URL"),
        ("sqlite:////nonexistent-directory/for/sure/h.sqlite3", "cannot create history database"),
        ("postgresql://nobody@127.0.0.1:1/nothing", "history database postgresql"),
    ],
)
def test_a_db_url_that_cannot_be_opened_is_one_line(url: str, message: str) -> None:
    run = invoke("history", "example.test", "--db", url)
    assert run.exit_code == 3
    assert message in run.stderr and run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr


def test_a_locked_sqlite_file_is_refused_and_its_history_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    with HistoryStore.open(url) as store:
        _record(store, "good-nsec")
    holder = sqlite3.connect(tmp_path / "h.sqlite3", check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DoctorError, match="locked"), HistoryStore.open(url) as store:
            _record(store, "good-nsec", LAB_NOW + 60)
    finally:
        holder.rollback()
        holder.close()
    with HistoryStore.open(url) as store:
        assert len(store.observations("good-nsec.test.")) == 1
        _record(store, "good-nsec", LAB_NOW + 120)  # and it works again once released
        assert len(store.observations("good-nsec.test.")) == 2


def test_concurrent_recorders_on_sqlite_both_land(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    HistoryStore.open(url).close()
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            with HistoryStore.open(url) as store:
                _record(store, "good-nsec", LAB_NOW + offset)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _count(url, "observations") == 2


def test_the_sqlite_file_is_never_opened_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_bytes(b"")
    link = tmp_path / "h.sqlite3"
    link.symlink_to(target)
    run = invoke("history", "x.test", "--db", f"sqlite:///{link}")
    assert run.exit_code == 3 and "symbolic link" in run.stderr
    assert target.read_bytes() == b""
    dangling = tmp_path / "dangling.sqlite3"
    dangling.symlink_to(tmp_path / "would-be-created")
    run = invoke("history", "x.test", "--db", f"sqlite:///{dangling}")
    assert run.exit_code == 3
    assert not (tmp_path / "would-be-created").exists()


def test_the_sqlite_file_is_never_a_device() -> None:
    run = invoke("history", "x.test", "--db", "sqlite:////dev/null")
    assert run.exit_code == 3 and "not a regular file" in run.stderr


def test_the_default_database_is_private_and_in_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "dnssec-doctor" / "history.sqlite3"
    run = invoke("history", "x.test")  # no --db: the default file, created on first use
    assert run.exit_code == 3 and "no observations of x.test." in run.stderr
    path = default_db_path()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the spec: absolute paths only
    assert (
        default_db_path() == Path.home() / ".local" / "share" / "dnssec-doctor" / "history.sqlite3"
    )


def test_a_password_in_the_url_never_reaches_the_error_line() -> None:
    run = invoke("history", "x.test", "--db", "postgresql://monitor:s3cret@127.0.0.1:1/history")
    assert run.exit_code == 3 and "s3cret" not in run.stderr and "monitor:***@" in run.stderr


def test_check_in_nagios_format_says_unknown_when_it_cannot_record(tmp_path: Path) -> None:
    capture = CASES / "check-good-nsec" / "capture.json.gz"
    run = invoke("check", "--replay", str(capture), "--at", f"@{LAB_NOW}", "--format", "nagios",
                 "--db", "sqlite:////dev/null")  # fmt: skip
    assert run.exit_code == 3
    assert run.stdout.startswith("DNSSEC UNKNOWN - ") and "not a regular file" in run.stdout
    ok = invoke("check", "--replay", str(capture), "--at", f"@{LAB_NOW}", "--format", "nagios",
                "--db", f"sqlite:///{tmp_path / 'h.sqlite3'}")  # fmt: skip
    assert ok.exit_code == 0 and ok.stdout.startswith("DNSSEC OK - ")
