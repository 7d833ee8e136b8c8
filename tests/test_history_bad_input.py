"""What an operator meets when the history store is not as it should be.

Real SQLite files and a real PostgreSQL server (``pgserver``): a table another session
keeps locked, a stored payload that inflates without end, rows a hand edit left with
the wrong types, a URL that names no file at all. Each is one line and exit status 3
(or the history that can still be shown), and the earlier history stays as it was.
"""

from __future__ import annotations

import gzip
import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

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
