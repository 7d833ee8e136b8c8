"""The history store's fast path (``directstore``: sqlite3, psycopg) against SQLAlchemy's.

Both write the same tables: the same observations recorded through each must leave
identical rows (only ``recorded_at``, the wall clock of the write, differs) and give
identical diagnoses, and ``history`` must read what the fast path wrote; on SQLite
and on a real PostgreSQL server. The fast path is taken only for a plain URL at the
current schema; creating, migrating and refusing stay with SQLAlchemy and Alembic,
and bad input keeps its one line and exit 3 with nothing half-written.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import make_url

import historydb
from clirun import invoke
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.history.dburl import parse_db_url, shown
from dnssec_doctor.history.directstore import DirectStore
from dnssec_doctor.history.opener import open_store
from dnssec_doctor.history.pgurl import plain_postgres_url
from dnssec_doctor.history.sqlitefile import plain_sqlite_path, shown_sqlite_url
from dnssec_doctor.history.store import HistoryStore
from historydb import CASES, DAY, SEQUENCE, TABLES, dump_url, record
from labthread import LAB_NOW
from pgserver import fresh_database

db_url = historydb.db_url
postgres_url = historydb.postgres_url


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _created(path: Path) -> str:
    """A database at the current schema (created by Alembic, as on first use)."""
    url = _url(path)
    HistoryStore.open(url).close()
    return url


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows in insertion order, ``recorded_at`` left out."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for table in TABLES:
            cursor = conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
            columns = [c[0] for c in cursor.description]
            out[table] = [
                tuple(v for c, v in zip(columns, row, strict=True) if c != "recorded_at")
                for row in cursor
            ]
        return out
    finally:
        conn.close()


def _count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///history.sqlite3",
        "sqlite:////var/lib/dnssec-doctor/history.sqlite3",
        "sqlite:///with space/und ümlaut+plus.sqlite3",
        "sqlite:///./relative/../h.db",
        "sqlite:///C:/odd:name;(1)[2]*'!.db",
    ],
)
def test_a_plain_sqlite_url_names_the_file_sqlalchemy_would_open(url: str) -> None:
    parsed = make_url(url)
    path = plain_sqlite_path(url)
    assert path is not None and path == parsed.database
    assert shown_sqlite_url(path) == shown(parsed)  # both stores' error lines name it alike


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///",
        "sqlite:///:memory:",
        "sqlite:///file:h.db?mode=ro&uri=true",
        "sqlite:///h.db?timeout=1",
        "sqlite:///h%20b.db",
        "sqlite+pysqlite:///h.db",
        "postgresql://monitor@127.0.0.1/history",
    ],
)
def test_any_other_url_is_left_to_sqlalchemy(url: str) -> None:
    assert plain_sqlite_path(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://monitor@db.example/dnssec",
        "postgresql://monitor:s3cret@127.0.0.1:5433/history",
        "postgresql+psycopg://a.b-c_d@localhost/h_1",
        "postgresql://h/d",
    ],
)
def test_a_plain_postgres_url_connects_as_sqlalchemy_would(url: str) -> None:
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    parsed = parse_db_url(url)
    plain = plain_postgres_url(url)
    assert plain is not None
    _, expected = PGDialect_psycopg().create_connect_args(parsed)  # type: ignore[no-untyped-call]
    assert plain.connect_args() == {**expected, "connect_timeout": 10}
    assert plain.shown() == shown(parsed)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://monitor@db.example/dnssec?sslmode=require",
        "postgresql://mon%40itor@db.example/dnssec",
        "postgresql://monitor@[::1]/dnssec",
        "postgresql://monitor@db.example",
        "postgresql:///dnssec",
        "postgresql+asyncpg://monitor@db.example/dnssec",
        "postgresql://monitor@db.example:99999/dnssec",
        "postgresql://u:@h/d",
    ],
)
def test_any_other_postgres_url_is_left_to_sqlalchemy(url: str) -> None:
    assert plain_postgres_url(url) is None


def test_an_unreachable_server_is_worded_as_sqlalchemy_words_it() -> None:
    url = "postgresql://monitor:s3cret@127.0.0.1:1/history"
    with pytest.raises(DoctorError) as fast:
        open_store(url)
    with pytest.raises(DoctorError) as slow:
        HistoryStore.open(url)
    assert str(fast.value) == str(slow.value)
    assert "s3cret" not in str(fast.value) and "cannot open" in str(fast.value)


def test_only_a_current_database_takes_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with open_store(_url(path)) as first:  # a new file: Alembic creates the schema
        assert isinstance(first, HistoryStore)
    with open_store(_url(path)) as second:
        assert isinstance(second, DirectStore)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0000'")  # an older revision
    conn.commit()
    conn.close()
    with pytest.raises(DoctorError, match="schema revision 0000"), open_store(_url(path)):
        pass  # SQLAlchemy's path looked at it: Alembic does not know 0000, and refuses it


def _second_database(url: str, tmp_path: Path) -> str:
    """Another empty database on the same backend as ``url``."""
    if url.startswith("sqlite"):
        return _url(tmp_path / "other.sqlite3")
    server, _, name = url.rpartition("/")
    return fresh_database(server + "/postgres", name + "_other")


def test_both_stores_write_identical_rows_and_diagnoses(db_url: str, tmp_path: Path) -> None:
    slow_url, fast_url = db_url, _second_database(db_url, tmp_path)
    HistoryStore.open(slow_url).close()
    HistoryStore.open(fast_url).close()  # created by Alembic, as on first use
    slow_docs, fast_docs = [], []
    with HistoryStore.open(slow_url) as slow, open_store(fast_url) as fast:
        assert isinstance(fast, DirectStore)
        for case, at in SEQUENCE:
            slow_docs.append(record(slow, case, at))
            fast_docs.append(record(fast, case, at))
    assert fast_docs == slow_docs
    for code in ("CHANGE_SINCE_LAST_GOOD", "SIGNATURES_NOT_REFRESHED"):  # read from history
        assert code in fast_docs[3] and code in fast_docs[4] and code not in fast_docs[1]
    slow_rows, fast_rows = dump_url(slow_url), dump_url(fast_url)
    assert fast_rows == slow_rows
    assert len(fast_rows["observations"]) == len(SEQUENCE)
    assert fast_rows["observation_findings"] and fast_rows["state_signatures"]


def test_history_reads_what_the_fast_path_wrote(db_url: str) -> None:
    url = db_url
    HistoryStore.open(url).close()
    with open_store(url) as fast:
        assert isinstance(fast, DirectStore)
        for case, at in SEQUENCE:
            record(fast, case, at)
    with HistoryStore.open(url) as slow, open_store(url) as fast:
        for name in ("good-nsec.test.", "ds-no-matching-key.test."):
            observations = slow.observations(name)
            assert fast.observations(name) == observations
            assert fast.observations(name, LAB_NOW + 1, LAB_NOW + 40 * DAY) == (
                slow.observations(name, LAB_NOW + 1, LAB_NOW + 40 * DAY)
            )
            assert fast.latest(name, LAB_NOW + 50 * DAY) == slow.latest(name, LAB_NOW + 50 * DAY)
            assert fast.latest(name, 2**40, good=True) == slow.latest(name, 2**40, good=True)
            assert fast.state_runs(name, 2**40) == slow.state_runs(name, 2**40)
            ids = {o.state_id for o in observations}
            assert fast.facts(ids) == slow.facts(ids)
            assert [f.digest for f in fast.facts(ids).values()] == [
                f.digest for f in slow.facts(ids).values()
            ]
            first = observations[0].id
            assert fast.payload(first) == slow.payload(first)
            assert fast.capture(name, first) == slow.capture(name, first)
        assert fast.names() == slow.names()
    report = invoke("history", "good-nsec.test", "--db", url, "--format", "json")
    assert report.exit_code == 2 and '"observations"' in report.stdout
    assert report.stdout.count('"id"') >= 4


ZONE_ANCHOR = "Good-NSEC.test. 3600 IN DS 4711 13 2 " + "ab" * 32
"""A second trust anchor, for the zone itself (``--trust-anchor`` with two files)."""


def test_both_stores_record_and_read_the_zones_each_check_was_anchored_at(
    db_url: str, tmp_path: Path
) -> None:
    # Catches: a store that drops the zones or writes them otherwise than the other, a
    # reader that does not give them back, and a recorder that keeps anchors, not owners.
    slow_url, fast_url = db_url, _second_database(db_url, tmp_path)
    HistoryStore.open(slow_url).close()
    HistoryStore.open(fast_url).close()
    with HistoryStore.open(slow_url) as slow, open_store(fast_url) as fast:
        assert isinstance(fast, DirectStore)
        for store in (slow, fast):
            record(store, "good-nsec", LAB_NOW)
            record(store, "good-nsec", LAB_NOW + 300, extra_anchor=ZONE_ANCHOR)
    slow_rows, fast_rows = dump_url(slow_url), dump_url(fast_url)
    assert fast_rows == slow_rows
    with HistoryStore.open(slow_url) as slow, open_store(fast_url) as fast:
        read = fast.observations("good-nsec.test.")
        assert read == slow.observations("good-nsec.test.")
        assert fast.latest("good-nsec.test.", 2**40) == slow.latest("good-nsec.test.", 2**40)
    assert [o.anchor_zones for o in read] == [(".",), (".", "good-nsec.test.")]


def test_check_db_and_history_never_import_sqlalchemy_on_the_fast_path(db_url: str) -> None:
    HistoryStore.open(db_url).close()
    capture = CASES / "check-good-nsec" / "capture.json.gz"
    code = (
        "import sys\n"
        "from dnssec_doctor.cli.main import main\n"
        "for argv in sys.argv[1:3]:\n"
        "    try:\n"
        "        main(argv.split('\\t'))\n"
        "    except SystemExit as exc:\n"
        "        print('STATUS', exc.code, 'sqlalchemy' in sys.modules, file=sys.stderr)\n"
    )
    check = ["check", "--replay", str(capture), "--at", f"@{LAB_NOW}", "--db", db_url]
    history = ["history", "good-nsec.test", "--db", db_url, "--format", "json"]
    argv = [sys.executable, "-c", code, "\t".join(check), "\t".join(history)]
    run = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert run.stderr.splitlines() == ["STATUS 0 False", "STATUS 0 False"]
    with HistoryStore.open(db_url) as store:
        assert len(store.observations("good-nsec.test.")) == 1


def test_a_failed_fast_record_leaves_nothing_half_written(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    url = _created(path)
    with open_store(url) as store:
        record(store, "good-nsec", LAB_NOW)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE observation_findings")  # the last insert of a record fails
    conn.close()
    with open_store(url) as store, pytest.raises(DoctorError, match="cannot record"):
        assert isinstance(store, DirectStore)
        record(store, "ds-no-matching-key", LAB_NOW)
    assert _count(path, "observations") == 1
    assert _count(path, "observation_payloads") == 1
    assert _count(path, "states") == 1  # the new state went with the rest


def test_a_locked_file_is_one_line_exit_3_and_its_history_kept(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    url = _created(path)
    capture = str(CASES / "check-good-nsec" / "capture.json.gz")
    argv = ("check", "--replay", capture, "--at", f"@{LAB_NOW}", "--db", url)
    assert invoke(*argv).exit_code == 0
    holder = sqlite3.connect(path, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        run = invoke(*argv)
    finally:
        holder.rollback()
        holder.close()
    assert run.exit_code == 3 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "locked" in run.stderr and url in run.stderr
    assert _count(path, "observations") == 1
    assert invoke(*argv).exit_code == 0  # and it works again once released
    assert _count(path, "observations") == 2


def test_a_newer_schema_is_refused_by_check_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    url = _created(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    capture = str(CASES / "check-good-nsec" / "capture.json.gz")
    run = invoke("check", "--replay", capture, "--at", f"@{LAB_NOW}", "--db", url)
    assert run.exit_code == 3 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "schema revision 9999" in run.stderr
    assert _count(path, "observations") == 0
    assert _dump(path)["alembic_version"] == [("9999",)]


def test_a_file_that_is_not_a_database_is_one_line_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not an SQLite database, but somebody's notes\n" * 20)
    before = path.read_bytes()
    capture = str(CASES / "check-good-nsec" / "capture.json.gz")
    run = invoke("check", "--replay", capture, "--at", f"@{LAB_NOW}", "--db", _url(path))
    assert run.exit_code == 3 and run.stderr.count("\n") == 1
    assert "history database" in run.stderr and "Traceback" not in run.stderr
    assert path.read_bytes() == before


def test_concurrent_fast_recorders_both_land(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    url = _created(path)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            with open_store(url) as store:
                assert isinstance(store, DirectStore)
                record(store, "good-nsec", LAB_NOW + offset)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _count(path, "observations") == 3
    assert _count(path, "states") == 1  # one state, whoever inserted it first


def test_a_postgres_store_reconnects_after_the_server_dropped_it(
    postgres_url: str, tmp_path: Path
) -> None:
    import psycopg

    url = _second_database(postgres_url.rsplit("/", 1)[0] + "/reconnect", tmp_path)
    HistoryStore.open(url).close()
    with open_store(url) as store:  # as ``watch`` keeps it, for days
        assert isinstance(store, DirectStore)
        record(store, "good-nsec", LAB_NOW)
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (store.conn.info.backend_pid,))
        with pytest.raises(DoctorError, match="cannot read"):  # this round fails, one line
            store.observations("good-nsec.test.")
        record(store, "good-nsec", LAB_NOW + 300)  # the next one works again
        assert len(store.observations("good-nsec.test.")) == 2
