"""``check --db postgresql://…`` through libpq itself (``history/libpq``) against SQLAlchemy.

On real PostgreSQL servers started by the tests (one with trust authentication, one
requiring a SCRAM password): the quick store must write row for row what SQLAlchemy's
store writes, read back what it reads, keep a record one transaction, and fail with
the same one line (unreachable server, unknown role, wrong password, newer schema) —
while ``check --db`` imports neither psycopg nor SQLAlchemy.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

import historydb
from clirun import invoke
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.history import libpq, libpqload, pgurl
from dnssec_doctor.history.dburl import parse_db_url
from dnssec_doctor.history.directstore import DirectStore
from dnssec_doctor.history.opener import Opening, open_store
from dnssec_doctor.history.records import Store
from dnssec_doctor.history.store import HistoryStore
from historydb import CASES, DAY, SEQUENCE, dump_url, record
from labthread import LAB_NOW
from pgserver import fresh_database, postgres_server

postgres_url = historydb.postgres_url
CAPTURE = str(CASES / "check-good-nsec" / "capture.json.gz")
PASSWORD = "c0rrect h'orse\\battery"
"""With a space, a quote and a backslash: libpq's connection parameters are not a string
to escape."""


def _database(server: str, name: str) -> str:
    """A new database at the current schema (created by Alembic, as on first use)."""
    url = fresh_database(server, name)
    HistoryStore.open(url).close()
    return url


def _sql(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_engine(parse_db_url(url))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement))
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def _quick(url: str) -> Store:
    store = open_store(url, quick=True)
    assert isinstance(store, DirectStore) and isinstance(store.conn, libpq.LibpqConnection)
    return store


@pytest.mark.parametrize("max_params", [libpq.MAX_PARAMS, 7])
def test_the_quick_store_writes_what_sqlalchemy_writes(
    postgres_url: str, max_params: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 7 parameters a statement: every fact table's rows inserted one or two per chunk
    monkeypatch.setattr(libpq, "MAX_PARAMS", max_params)
    slow_url = _database(postgres_url, f"libpq_slow_{max_params}")
    quick_url = _database(postgres_url, f"libpq_quick_{max_params}")
    slow_docs, quick_docs = [], []
    with HistoryStore.open(slow_url) as slow, _quick(quick_url) as quick:
        for case, at in SEQUENCE:
            slow_docs.append(record(slow, case, at))
            quick_docs.append(record(quick, case, at))
    assert quick_docs == slow_docs
    for code in ("CHANGE_SINCE_LAST_GOOD", "SIGNATURES_NOT_REFRESHED"):  # read from history
        assert code in quick_docs[3] and code in quick_docs[4] and code not in quick_docs[1]
    slow_rows, quick_rows = dump_url(slow_url), dump_url(quick_url)
    assert quick_rows == slow_rows
    assert len(quick_rows["observations"]) == len(SEQUENCE)
    assert len(quick_rows["state_signatures"]) > 2 and quick_rows["observation_findings"]


def test_the_quick_store_reads_what_sqlalchemy_reads(postgres_url: str) -> None:
    url = _database(postgres_url, "libpq_reads")
    with _quick(url) as quick:
        for case, at in SEQUENCE:
            record(quick, case, at)
    with HistoryStore.open(url) as slow, _quick(url) as quick:
        for name in ("good-nsec.test.", "ds-no-matching-key.test."):
            observations = slow.observations(name)
            assert quick.observations(name) == observations
            window = (LAB_NOW + 1, LAB_NOW + 40 * DAY)
            assert quick.observations(name, *window) == slow.observations(name, *window)
            assert quick.latest(name, LAB_NOW + 50 * DAY) == slow.latest(name, LAB_NOW + 50 * DAY)
            assert quick.latest(name, 2**40, good=True) == slow.latest(name, 2**40, good=True)
            assert quick.state_runs(name, 2**40) == slow.state_runs(name, 2**40)
            ids = {o.state_id for o in observations}
            assert quick.facts(ids) == slow.facts(ids)
            assert [f.digest for f in quick.facts(ids).values()] == [
                f.digest for f in slow.facts(ids).values()
            ]
            first = observations[0].id
            assert quick.payload(first) == slow.payload(first)  # bytea: gzip, NUL bytes and all
            assert quick.capture(name, first) == slow.capture(name, first)
        assert quick.names() == slow.names()
        assert quick.latest("nothing.test.", 2**40) is None


def test_check_db_records_on_postgres_without_psycopg_or_sqlalchemy(postgres_url: str) -> None:
    url = _database(postgres_url, "libpq_imports")
    code = (
        "import sys\n"
        "from dnssec_doctor.cli.main import main\n"
        "try:\n"
        "    main(sys.argv[1].split('\\t'))\n"
        "except SystemExit as exc:\n"
        "    print('STATUS', exc.code, sorted({'psycopg', 'sqlalchemy'} & set(sys.modules)),\n"
        "          file=sys.stderr)\n"
    )
    check = ["check", "--replay", CAPTURE, "--at", f"@{LAB_NOW}", "--db", url]
    run = subprocess.run(
        [sys.executable, "-c", code, "\t".join(check)], capture_output=True, text=True, check=False
    )
    assert run.stderr.splitlines() == ["STATUS 0 []"]
    assert _sql(url, "SELECT name, exit_code FROM observations") == [("good-nsec.test.", 0)]


def test_an_unreachable_server_is_one_line_worded_as_sqlalchemy_words_it() -> None:
    url = "postgresql://monitor:s3cret@127.0.0.1:1/history"
    with pytest.raises(DoctorError) as quick:
        open_store(url, quick=True)
    with pytest.raises(DoctorError) as slow:
        HistoryStore.open(url)
    assert str(quick.value) == str(slow.value)
    assert "s3cret" not in str(quick.value) and "cannot open" in str(quick.value)
    run = invoke("check", "--replay", CAPTURE, "--at", f"@{LAB_NOW}", "--db", url)
    assert run.exit_code == 3 and run.stdout == "" and run.stderr.count("\n") == 1
    assert "Connection refused" in run.stderr and "s3cret" not in run.stderr


def test_an_unknown_role_is_refused_as_sqlalchemy_words_it(postgres_url: str) -> None:
    _database(postgres_url, "libpq_roles")
    url = postgres_url.replace("postgres@", "nobody@").rsplit("/", 1)[0] + "/libpq_roles"
    with pytest.raises(DoctorError) as quick:
        open_store(url, quick=True)
    with pytest.raises(DoctorError) as slow:
        HistoryStore.open(url)
    assert str(quick.value) == str(slow.value)
    assert 'role "nobody" does not exist' in str(quick.value)


@pytest.fixture(scope="module")
def password_server() -> Iterator[str]:
    """A server that wants the superuser's password (SCRAM); its URL without it."""
    with postgres_server(password=PASSWORD) as url:
        yield url


def _with_password(url: str, password: str) -> str:
    return url.replace("postgres@", f"postgres:{password}@")


def test_scram_authentication_and_a_wrong_password(
    password_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD)  # for the tests' own connections
    url = _database(password_server, "libpq_scram")
    monkeypatch.delenv("PGPASSWORD")
    with _quick(_with_password(url, PASSWORD)) as quick:  # the password from the URL
        record(quick, "good-nsec", LAB_NOW)
    wrong = _with_password(url, "wrong-secret")
    with pytest.raises(DoctorError) as quick_error:
        open_store(wrong, quick=True)
    with pytest.raises(DoctorError) as slow_error:
        HistoryStore.open(wrong)
    assert str(quick_error.value) == str(slow_error.value)
    assert 'password authentication failed for user "postgres"' in str(quick_error.value)
    assert "wrong-secret" not in str(quick_error.value)
    run = invoke("check", "--replay", CAPTURE, "--at", f"@{LAB_NOW}", "--db", wrong)
    assert run.exit_code == 3 and run.stdout == "" and run.stderr.count("\n") == 1
    assert "password authentication failed" in run.stderr and "wrong-secret" not in run.stderr
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    assert _sql(url, "SELECT count(*) FROM observations") == [(1,)]  # nothing written


def test_a_newer_schema_is_refused_and_left_alone(postgres_url: str) -> None:
    url = _database(postgres_url, "libpq_newer")
    _sql(url, "UPDATE alembic_version SET version_num = '9999'")
    run = invoke("check", "--replay", CAPTURE, "--at", f"@{LAB_NOW}", "--db", url)
    assert run.exit_code == 3 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "schema revision 9999" in run.stderr
    assert _sql(url, "SELECT count(*) FROM observations") == [(0,)]
    assert _sql(url, "SELECT version_num FROM alembic_version") == [("9999",)]


def test_a_failed_record_leaves_nothing_half_written(postgres_url: str) -> None:
    url = _database(postgres_url, "libpq_rollback")
    with _quick(url) as quick:
        record(quick, "good-nsec", LAB_NOW)
    _sql(url, "DROP TABLE observation_findings")  # the last insert of a record fails
    with _quick(url) as quick:
        with pytest.raises(DoctorError, match="cannot record") as failed:
            record(quick, "ds-no-matching-key", LAB_NOW)  # fails with its COMMIT
        assert 'relation "observation_findings" does not exist' in str(failed.value)
        assert "ERROR" not in str(failed.value)  # the severity stripped, as psycopg does
        for table in ("observations", "observation_payloads", "states"):
            assert _sql(url, f"SELECT count(*) FROM {table}") == [(1,)]  # the new state too
        record(quick, "good-nsec", LAB_NOW + 300)  # no findings: the connection goes on
    assert _sql(url, "SELECT count(*) FROM observations") == [(2,)]


def test_the_quick_store_reconnects_after_the_server_dropped_it(postgres_url: str) -> None:
    url = _database(postgres_url, "libpq_reconnect")
    with _quick(url) as quick:
        record(quick, "good-nsec", LAB_NOW)
        _sql(
            postgres_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = 'libpq_reconnect' AND pid <> pg_backend_pid()",
        )
        with pytest.raises(DoctorError, match="cannot read"):  # this round fails, one line
            quick.observations("good-nsec.test.")
        record(quick, "good-nsec", LAB_NOW + 300)  # the next one connects again
        assert len(quick.observations("good-nsec.test.")) == 2


def test_text_with_a_nul_byte_is_refused_before_it_is_sent(postgres_url: str) -> None:
    url = _database(postgres_url, "libpq_nul")
    with _quick(url) as quick:
        assert isinstance(quick, DirectStore)
        with pytest.raises(DoctorError, match="cannot contain NUL"):
            quick.observations("bad\x00name.test.")


def test_placeholders_are_numbered_in_order() -> None:
    assert libpq._numbered("SELECT ? WHERE a = ? AND b IN (?, ?)") == (
        "SELECT $1 WHERE a = $2 AND b IN ($3, $4)"
    )
    assert libpq._numbered("COMMIT") == "COMMIT"


def _backends(url: str, database: str, settled: int | None = None) -> int:
    """The server processes connected to ``database``; ``settled``: waited for (a closed
    connection's process leaves a moment after the client hung up)."""
    query = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'"
    deadline = time.monotonic() + 30
    while True:
        count = _sql(url, query)[0][0]
        assert isinstance(count, int)
        if settled is None or count == settled or time.monotonic() > deadline:
            return count
        time.sleep(0.01)


def test_an_opening_connects_in_the_background_and_hands_over_one_connection(
    postgres_url: str,
) -> None:
    url = _database(postgres_url, "libpq_opening")
    opening = Opening(url)
    with opening.store() as store:
        assert isinstance(store, DirectStore) and isinstance(store.conn, libpq.LibpqConnection)
        record(store, "good-nsec", LAB_NOW)
        assert _backends(postgres_url, "libpq_opening") == 1
    opening.close()
    assert _backends(postgres_url, "libpq_opening", settled=0) == 0
    assert _sql(url, "SELECT count(*) FROM observations") == [(1,)]


def test_an_opening_given_up_leaves_no_connection_behind(postgres_url: str) -> None:
    url = _database(postgres_url, "libpq_given_up")
    connected = Opening(url)  # the check failed after the connection was made
    connected.start()
    assert connected._thread is not None
    connected._thread.join()
    assert _backends(postgres_url, "libpq_given_up") == 1
    connected.close()
    assert _backends(postgres_url, "libpq_given_up", settled=0) == 0
    early = Opening(url)  # the check failed before it: closed as soon as it connects
    early.start()
    early.close()
    assert early._thread is not None
    early._thread.join()
    assert _backends(postgres_url, "libpq_given_up", settled=0) == 0
    never = Opening(url)  # the check failed before its probe waited: nothing to undo
    never.close()
    never.start()
    assert never._thread is not None and never._thread.ident is None


def test_an_opening_connects_only_once_started(postgres_url: str) -> None:
    # check starts it when its probe waits on the network; a busy probe leaves it to
    # store(), after the probe, so that loading libpq does not compete with the probe
    url = _database(postgres_url, "libpq_started")
    opening = Opening(url)
    assert opening._thread is not None and opening._thread.ident is None  # not started
    assert _backends(postgres_url, "libpq_started") == 0
    opening.start()
    opening.start()  # once
    assert opening._thread is not None
    opening._thread.join()
    assert _backends(postgres_url, "libpq_started") == 1
    with opening.store() as store:
        assert isinstance(store, DirectStore)
        assert _backends(postgres_url, "libpq_started") == 1
    opening.close()


def test_an_opening_reports_an_unreachable_server_when_the_store_is_needed() -> None:
    url = "postgresql://monitor:s3cret@127.0.0.1:1/history"
    opening = Opening(url)  # no error yet: the check runs first
    with pytest.raises(DoctorError) as failed:
        opening.store()
    with pytest.raises(DoctorError) as slow:
        HistoryStore.open(url)
    assert str(failed.value) == str(slow.value)
    opening.close()


def test_an_opening_of_a_database_to_create_goes_to_sqlalchemy(
    postgres_url: str, tmp_path: Path
) -> None:
    url = fresh_database(postgres_url, "libpq_new")  # empty: Alembic creates the schema
    with Opening(url).store() as store:
        assert isinstance(store, HistoryStore)
    with Opening(f"sqlite:///{tmp_path / 'h.sqlite3'}").store() as store:
        assert isinstance(store, HistoryStore)  # SQLite is opened when needed, as before
    with Opening(url).store() as store:
        assert isinstance(store, DirectStore)


def test_a_server_that_never_answers_is_one_line_once_the_timeout_expired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pgurl, "CONNECT_TIMEOUT", 2)  # libpq's shortest
    with socket.socket() as silent:  # accepts the connection, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"postgresql://monitor@127.0.0.1:{silent.getsockname()[1]}/history"
        run = invoke("check", "--replay", CAPTURE, "--at", f"@{LAB_NOW}", "--db", url)
    assert run.exit_code == 3 and run.stdout == "" and run.stderr.count("\n") == 1
    assert "cannot open" in run.stderr and "timeout expired" in run.stderr


def test_a_failed_write_rolls_back_at_once_and_the_connection_goes_on(
    postgres_url: str, capfd: pytest.CaptureFixture[str]
) -> None:
    url = _database(postgres_url, "libpq_goes_on")
    _sql(url, "ALTER TABLE observations ADD CONSTRAINT refused CHECK (name <> 'good-nsec.test.')")
    with _quick(url) as quick:
        with pytest.raises(DoctorError, match='violates check constraint "refused"'):
            record(quick, "good-nsec", LAB_NOW)  # the insert whose id is read fails
        with pytest.raises(DoctorError, match="cannot record"):
            record(quick, "good-nsec", LAB_NOW)  # again: not "transaction is aborted"
        record(quick, "ds-no-matching-key", LAB_NOW)  # the same connection records
    assert _sql(url, "SELECT name FROM observations") == [("ds-no-matching-key.test.",)]
    assert _sql(url, "SELECT count(*) FROM states") == [(1,)]  # good-nsec's state went too
    assert capfd.readouterr().err == ""  # no server notice printed (a ROLLBACK too many)


def test_a_check_of_a_known_state_is_recorded_in_six_round_trips(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _database(postgres_url, "libpq_trips")
    trips: list[list[bytes]] = []
    send = libpq.LibpqConnection._send

    def counted(conn: libpq.LibpqConnection, waiting: list[Any]) -> None:
        trips.append([s.text.split()[0] for s in waiting])
        send(conn, waiting)

    monkeypatch.setattr(libpq.LibpqConnection, "_send", counted)
    with _quick(url) as quick:
        record(quick, "good-nsec", LAB_NOW)  # a new state
        trips.clear()
        record(quick, "good-nsec", LAB_NOW + 300)  # the same state again
    # state runs, recent checks, facts (six queries in one), the state, the observation,
    # the payload with the COMMIT (was 20 statements, each its own round trip)
    assert [t[-1] for t in trips] == [
        b"SELECT",
        b"SELECT",
        b"SELECT",
        b"SELECT",
        b"INSERT",
        b"COMMIT",
    ]
    # the previous read's ROLLBACK, BEGIN, the lock timeout (pgurl.LOCK_TIMEOUT) and six
    assert len(trips[2]) == 3 + 6 and trips[2][:3] == [b"ROLLBACK", b"BEGIN", b"SET"]
    assert trips[-1] == [b"INSERT", b"COMMIT"]


def test_a_libpq_that_cannot_be_used_is_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    assert libpqload._declared("/nonexistent/libpq.so.5") is None
    assert libpqload._declared("libc.so.6") is None  # no PQ functions (as a libpq before 14
    # has no pipeline mode): not half declared
    assert libpqload._library_path() is not None  # this venv: psycopg[binary]'s own libpq
    monkeypatch.setenv("PSYCOPG_IMPL", "python")  # psycopg told to use another libpq
    assert libpqload._library_path() is None


def test_without_libpq_check_db_records_through_psycopg(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _database(postgres_url, "libpq_absent")
    monkeypatch.setattr(libpqload, "_loaded", [None])
    with Opening(url).store() as store:
        assert isinstance(store, DirectStore)
        assert not isinstance(store.conn, libpq.LibpqConnection)  # psycopg's connection
        record(store, "good-nsec", LAB_NOW)
    run = invoke("check", "--replay", CAPTURE, "--at", f"@{LAB_NOW + 300}", "--db", url)
    assert run.exit_code == 0
    assert _sql(url, "SELECT count(*) FROM observations") == [(2,)]


def test_ctrl_c_interrupts_a_check_waiting_for_the_server(postgres_url: str) -> None:
    import psycopg

    url = _database(postgres_url, "libpq_interrupt")
    check = [sys.executable, "-m", "dnssec_doctor", "check", "--replay", CAPTURE,
             "--at", f"@{LAB_NOW}", "--db", url]  # fmt: skip
    waiting = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = 'libpq_interrupt' AND wait_event_type = 'Lock'"
    )
    with psycopg.connect(url) as holder:  # holds the table until the check has ended
        holder.execute("LOCK TABLE observations IN ACCESS EXCLUSIVE MODE")
        proc = subprocess.Popen(check, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while _sql(postgres_url, waiting) == [(0,)] and time.monotonic() < deadline:
                time.sleep(0.02)  # until the check's first read waits for the lock
            assert _sql(postgres_url, waiting) == [(1,)]
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)  # not when the lock is given back
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        holder.rollback()
    assert proc.returncode == 3 and out == "", err
    assert err.count("\n") == 1 and "interrupted" in err
    assert _sql(url, "SELECT count(*) FROM observations") == [(0,)]


def test_a_table_gone_is_one_error_from_the_record(postgres_url: str) -> None:
    url = _database(postgres_url, "libpq_table_gone")
    _sql(url, "DROP TABLE observations CASCADE")  # connected early, failing at the record
    opening = Opening(url)
    with opening.store() as store:
        assert isinstance(store, DirectStore)
        with pytest.raises(DoctorError) as failed:
            record(store, "good-nsec", LAB_NOW)
    opening.close()
    assert str(failed.value).count("history database") == 1  # not wrapped twice
    assert "cannot read" in str(failed.value) and 'relation "observations"' in str(failed.value)
    assert _sql(url, "SELECT count(*) FROM states") == [(0,)]
