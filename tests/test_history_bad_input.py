"""What an operator meets when the history store is not as it should be.

Real SQLite files and a real PostgreSQL server (``pgserver``): a table another session
keeps locked, a stored payload that inflates without end, rows a hand edit left with
the wrong types, a URL that names no file (memory) or an option nobody honours, an
SQLite URI through a link, another program's database, read-only storage, a data
directory that cannot be made. Each is one line and exit status 3, and the earlier
history (or the file given by mistake) stays as it was.
"""

from __future__ import annotations

import gzip
import io
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import historydb
from clirun import invoke
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.history.dburl import parse_db_url
from dnssec_doctor.history.opener import open_store
from dnssec_doctor.history.records import Store
from dnssec_doctor.history.store import HistoryStore
from dnssec_doctor.limits import INPUT_LIMITS
from historydb import CASES, record
from labthread import LAB_NOW
from pgserver import fresh_database

postgres_url = historydb.postgres_url
db_url = historydb.db_url

CAPTURE = str(CASES / "check-good-nsec" / "capture.json.gz")
HOLD_SECONDS = 40.0
"""How long the other session keeps its lock: far beyond the 3 seconds a store waits,
so a store that waited for it would succeed only once it was released (and fail the
test), never hang it."""


@contextmanager
def _table_locked(url: str, table: str) -> Iterator[None]:
    """Another session holding ``table`` locked (as a trimming ``DELETE`` in a long
    transaction, a ``VACUUM FULL`` or a migration would), for at most HOLD_SECONDS."""
    import psycopg

    holder = psycopg.connect(url)
    holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    release = threading.Timer(HOLD_SECONDS, holder.close)
    release.start()
    try:
        yield
    finally:
        release.cancel()
        holder.close()


def test_a_postgres_table_locked_by_another_session_is_one_line_not_a_hang(
    postgres_url: str,
) -> None:
    url = fresh_database(postgres_url, "bad_input_locked")
    with HistoryStore.open(url) as store:
        record(store, "good-nsec", LAB_NOW)
    with _table_locked(url, "observations"):
        # history (psycopg), check --db (libpq) and a URL with options (SQLAlchemy)
        run = invoke("history", "good-nsec.test", "--db", url)
        assert run.exit_code == 3, run.stdout
        assert run.stderr.count("\n") == 1 and "lock timeout" in run.stderr
        assert "another process is writing to it" in run.stderr
        openers: list[Callable[[], Store]] = [
            partial(open_store, url, quick=True),
            partial(HistoryStore.open, url + "?sslmode=disable"),
        ]
        for opened in openers:
            with opened() as store, pytest.raises(DoctorError, match="lock timeout"):
                record(store, "good-nsec", LAB_NOW + 60)
    with open_store(url) as store:  # nothing half-recorded, and it works again
        assert len(store.observations("good-nsec.test.")) == 1
        record(store, "good-nsec", LAB_NOW + 120)
        assert len(store.observations("good-nsec.test.")) == 2


def _gzip_bomb(inflated: int) -> bytes:
    """Gzipped JSON that inflates to ``inflated`` bytes (a string of zeros), a few
    hundred KB as stored."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as stream:
        stream.write(b'{"format": "dnssec-doctor/capture", "padding": "')
        chunk = b"0" * (1 << 20)
        for _ in range(inflated >> 20):
            stream.write(chunk)
        stream.write(b'"}')
    return out.getvalue()


def _set_payload(url: str, observation_id: int, column: str, blob: bytes) -> None:
    engine = create_engine(parse_db_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"UPDATE observation_payloads SET {column} = :blob WHERE observation_id = :id"
                ),
                {"blob": blob, "id": observation_id},
            )
    finally:
        engine.dispose()


def test_a_stored_payload_that_inflates_without_end_is_refused_not_read(db_url: str) -> None:
    with HistoryStore.open(db_url) as store:
        record(store, "good-nsec", LAB_NOW)
        record(store, "good-nsec", LAB_NOW + 60)
        good, bomb = (o.id for o in store.observations("good-nsec.test."))
    limit = INPUT_LIMITS.capture_json_bytes
    _set_payload(db_url, bomb, "capture_gz", _gzip_bomb(limit + (1 << 20)))
    run = invoke("history", "good-nsec.test", "--db", db_url, "--capture", str(bomb))
    assert run.exit_code == 3 and run.stdout == ""
    assert run.stderr == (
        f"dnssec-doctor: the capture of observation {bomb} in the history database is "
        "corrupt (it inflates to more than 64 MiB)\n"
    )
    _set_payload(db_url, bomb, "diagnosis_gz", _gzip_bomb(limit + (1 << 20)))
    for opened in (open_store, HistoryStore.open):
        with opened(db_url) as store, pytest.raises(DoctorError, match="more than 64 MiB"):
            store.payload(bomb)
    # the timeline, and the other observation's capture, are still there
    assert invoke("history", "good-nsec.test", "--db", db_url).exit_code == 0
    ok = invoke("history", "good-nsec.test", "--db", db_url, "--capture", str(good))
    assert ok.exit_code == 0 and '"name": "good-nsec.test."' in ok.stdout


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///",
        "sqlite:///:memory:",
        "sqlite:///file::memory:?uri=true",
        "sqlite:///file:h?mode=memory&uri=true",
    ],
)
def test_an_sqlite_database_in_memory_is_refused_not_recorded_into_and_lost(url: str) -> None:
    recorded = invoke("check", "--replay", CAPTURE, "--at", f"@{LAB_NOW}", "--db", url)
    assert recorded.exit_code == 3 and recorded.stdout == ""
    assert recorded.stderr == (
        f"dnssec-doctor: --db {url!r} is an SQLite database in memory, gone when the "
        "command ends: use sqlite:///PATH for a file (or default)\n"
    )
    assert invoke("history", "good-nsec.test", "--db", url).stderr == recorded.stderr


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("UPDATE observations SET exit_code = 'x' WHERE id = 2",
         "observation 2 of good-nsec.test. in the history database is corrupt (exit_code is 'x')"),
        ("UPDATE observations SET exit_code = 7 WHERE id = 2",
         "observation 2 of good-nsec.test. in the history database is corrupt (exit_code is 7)"),
        ("UPDATE observations SET worst = 'dire' WHERE id = 2",
         "observation 2 of good-nsec.test. in the history database is corrupt (worst is 'dire')"),
        ("UPDATE observations SET observed_at = 'noon' WHERE id = 2",
         "observation 2 of good-nsec.test. in the history database is corrupt "
         "(observed_at is 'noon')"),
        ("UPDATE state_signatures SET expiration = 'soon'",
         "the served state 1 in the history database is corrupt "
         "(state_signatures.expiration is 'soon')"),
        ("UPDATE state_servers SET answered = 'maybe'",
         "the served state 1 in the history database is corrupt "
         "(state_servers.answered is 'maybe')"),
    ],
)  # fmt: skip
def test_a_row_edited_to_a_value_never_written_is_named_in_one_line(
    tmp_path: Path, statement: str, message: str
) -> None:
    # SQLite columns take any type: a hand edit can leave text where a time was
    # (PostgreSQL's columns refuse it)
    path = tmp_path / "h.sqlite3"
    url = f"sqlite:///{path}"
    with HistoryStore.open(url) as store:
        record(store, "good-nsec", LAB_NOW)
        record(store, "good-nsec", LAB_NOW + 60)
    with sqlite3.connect(path) as conn:
        conn.execute(statement)
    conn.close()
    before = path.read_bytes()
    for fmt in ("text", "json", "html"):
        run = invoke("history", "good-nsec.test", "--db", url, "--format", fmt)
        assert (run.exit_code, run.stdout) == (3, "")
        assert run.stderr == f"dnssec-doctor: {message}\n"
    later = f"@{LAB_NOW + 120}"
    recorded = invoke("check", "--replay", CAPTURE, "--at", later, "--db", url)
    if "observed_at" not in statement:  # a row that is not a time is not read as recent
        assert (recorded.exit_code, recorded.stderr) == (3, f"dnssec-doctor: {message}\n")
        assert path.read_bytes() == before  # nothing recorded, nothing rewritten
    if "observations" in statement:  # deleting the row the line names mends the history
        with sqlite3.connect(path) as conn:
            for table in ("observation_findings", "observation_payloads"):
                conn.execute(f"DELETE FROM {table} WHERE observation_id = 2")
            conn.execute("DELETE FROM observations WHERE id = 2")
        conn.close()
        assert invoke("history", "good-nsec.test", "--db", url).exit_code == 0


@pytest.mark.parametrize(
    "uri",
    ["file:{path}?uri=true", "file://{path}?uri=true&mode=rwc", "file:{quoted}?uri=true"],
)
def test_an_sqlite_uri_follows_the_file_rules_of_a_plain_path(tmp_path: Path, uri: str) -> None:
    target = tmp_path / "elsewhere"
    target.write_bytes(b"")
    link = tmp_path / "h.sqlite3"
    link.symlink_to(target)
    quoted = str(link).replace("h.sqlite3", "h%2Esqlite3")
    recorded = invoke("check", "--replay", CAPTURE, "--at", f"@{LAB_NOW}", "--db",
                      "sqlite:///" + uri.format(path=link, quoted=quoted))  # fmt: skip
    assert (recorded.exit_code, recorded.stdout) == (3, "")
    assert recorded.stderr == (
        f"dnssec-doctor: refusing to write history database {link}: it is a symbolic link "
        "(give the path of the file it points to)\n"
    )
    assert target.read_bytes() == b""  # not written through the link
    device = invoke(
        "history", "x.test", "--db", "sqlite:///" + uri.format(path="/dev/zero", quoted="/dev/zero")
    )
    assert device.exit_code == 3 and "it is a character device" in device.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///{dir}/h.sqlite3?mode=ro",
         "unsupported --db URL sqlite:///{dir}/h.sqlite3?mode=ro: Query string argument(s) "
         "'mode' are not accepted by the pysqlite driver; SQLite URI arguments require that "
         "'uri=true' also be present in the URL."),
        ("postgresql+asyncpg://monitor@127.0.0.1:1/h",
         "unsupported --db URL scheme 'postgresql+asyncpg': use sqlite:///PATH or postgresql://…"),
        ("postgresql+psycopg2://monitor@127.0.0.1:1/h",
         "unsupported --db URL scheme 'postgresql+psycopg2': use sqlite:///PATH or postgresql://…"),
    ],
)  # fmt: skip
def test_a_url_option_or_driver_this_tool_cannot_honour_is_refused(
    tmp_path: Path, url: str, message: str
) -> None:
    # not a warning printed and the option ignored (a read-write file where mode=ro was
    # asked for), nor "needs the psycopg package" for another driver
    url, message = url.format(dir=tmp_path), message.format(dir=tmp_path)
    recorded = invoke("check", "--replay", CAPTURE, "--at", f"@{LAB_NOW}", "--db", url)
    assert (recorded.exit_code, recorded.stdout) == (3, "")
    assert recorded.stderr == f"dnssec-doctor: {message}\n"
    assert list(tmp_path.iterdir()) == []  # no file created


def test_a_default_directory_that_cannot_be_made_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "a-file"
    data.write_bytes(b"")  # XDG_DATA_HOME naming a file (or a home that is read-only)
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    for argv in (["history", "x.test"], ["check", "--replay", CAPTURE, "--db", "default"]):
        run = invoke(*argv)
        assert (run.exit_code, run.stdout) == (3, "")
        assert run.stderr == (
            f"dnssec-doctor: cannot create the history directory {data}/dnssec-doctor: "
            "Not a directory (set XDG_DATA_HOME, or give --db)\n"
        )


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_another_applications_sqlite_file_is_refused_and_left_as_it_was(
    tmp_path: Path, journal: str
) -> None:
    path = tmp_path / "places.sqlite"  # a --db that names some other program's database
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA journal_mode={journal}")
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.com/')")
    conn.close()
    before = path.read_bytes()
    message = (
        f"dnssec-doctor: refusing to use {path} as the history database: it holds other "
        "tables (moz_places), not a dnssec-doctor history; give another --db\n"
    )
    for url in (f"sqlite:///{path}", f"sqlite:///{path}?timeout=2"):  # both stores
        for argv in (
            ["history", "x.test", "--db", url],
            ["check", "--replay", CAPTURE, "--at", f"@{LAB_NOW}", "--db", url],
        ):
            run = invoke(*argv)
            assert (run.exit_code, run.stdout, run.stderr) == (3, "", message)
    assert path.read_bytes() == before  # no table added, not switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["places.sqlite"]


def _history_unprivileged(url: str) -> subprocess.CompletedProcess[str]:
    """``history good-nsec.test --db URL`` as a user whom file modes bind (as root: without
    the capabilities that ignore them)."""
    drop = "-dac_override,-fowner"
    prefix = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}"]
    argv = [sys.executable, "-m", "dnssec_doctor", "history", "good-nsec.test", "--db", url]
    return subprocess.run(
        [*prefix, *argv] if os.geteuid() == 0 else argv,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_history_on_read_only_storage_says_how_to_read_it(tmp_path: Path) -> None:
    shelf = tmp_path / "snapshot"
    shelf.mkdir()
    path = shelf / "h.sqlite3"
    with HistoryStore.open(f"sqlite:///{path}") as store:
        record(store, "good-nsec", LAB_NOW)
    path.chmod(0o444)
    shelf.chmod(0o555)  # a backup, a snapshot: SQLite cannot make its -shm file beside it
    try:
        plain = _history_unprivileged(f"sqlite:///{path}")
        assert (plain.returncode, plain.stdout) == (3, "")
        assert plain.stderr == (
            f"dnssec-doctor: history database sqlite:///{path}: cannot open: attempt to write a "
            "readonly database (the file or its directory is not writable; to read a history on "
            "read-only storage: --db 'sqlite:///file:PATH?uri=true&immutable=1')\n"
        )
        read_only = _history_unprivileged(f"sqlite:///file:{path}?uri=true&immutable=1")
        assert read_only.returncode == 0, read_only.stderr
        assert read_only.stdout.startswith("History of good-nsec.test.: 1 observation, 1 run")
    finally:
        shelf.chmod(0o755)


def test_no_home_and_no_data_directory_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(os, "getuid", lambda: 2**31 - 7)  # a container's user, not in passwd
    for argv in (["history", "x.test"], ["check", "--replay", CAPTURE, "--db", "default"]):
        run = invoke(*argv)
        assert (run.exit_code, run.stdout) == (3, "")
        assert run.stderr == (
            "dnssec-doctor: no data directory for the history: neither XDG_DATA_HOME nor HOME "
            "is set (set one, or give --db)\n"
        )
