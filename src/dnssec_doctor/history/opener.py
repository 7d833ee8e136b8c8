"""Open the history store a ``--db`` URL names, on the fastest path that is exact.

A database already at this version's schema, named by a plain URL
(``sqlite:///PATH``, ``postgresql://USER@HOST/DB``), opens straight on its driver
(``directstore``: no SQLAlchemy import, the cost that dominated ``check --db`` and
``history``); everything else — other URLs, a new SQLite file to create, an older
schema to migrate, a newer one to refuse, a file that will not open — on SQLAlchemy
(``store.HistoryStore``), which also words those refusals.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from dnssec_doctor.history.directstore import DirectStore, Driver
from dnssec_doctor.history.records import Store, database_error
from dnssec_doctor.history.sqlitefile import (
    SQLITE_BUSY_SECONDS,
    default_db_url,
    plain_sqlite_path,
    prepare_sqlite_file,
    shown_sqlite_url,
)

if TYPE_CHECKING:
    from dnssec_doctor.history.pgurl import PlainPostgresUrl

SQLITE = Driver(error=sqlite3.Error, begin_write="BEGIN IMMEDIATE", placeholder="?")


def open_store(url: str | None, *, quick: bool = False) -> Store:
    """The open store at ``url`` (None: the default file); DoctorError when it cannot be.

    ``quick``: a short process that reads little and records once (``check --db``):
    PostgreSQL through libpq itself (``libpq``), which starts about ten times faster
    than psycopg but reads long results more slowly."""
    text = default_db_url() if url is None else url
    path = plain_sqlite_path(text)
    if path is not None:
        prepare_sqlite_file(path, is_default=url is None)
        fast = _open_sqlite(path)
        if fast is not None:
            return fast
    if text.startswith("postgresql"):
        from dnssec_doctor.history.pgurl import plain_postgres_url

        postgres = plain_postgres_url(text)
        fast = None
        if postgres is not None and quick:
            fast = _open_libpq(postgres)
        if postgres is not None and fast is None:
            fast = _open_postgres(postgres)
        if fast is not None:
            return fast
    from dnssec_doctor.history.store import HistoryStore

    return HistoryStore.open(url)


def sqlite_connect(path: str) -> sqlite3.Connection:
    """A connection set up as ``dburl`` sets up SQLAlchemy's (the pragmas' reasons are there)."""
    conn = sqlite3.connect(path, timeout=SQLITE_BUSY_SECONDS, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def _open_sqlite(path: str) -> DirectStore | None:
    try:
        conn = sqlite_connect(path)
    except sqlite3.Error:  # SQLAlchemy's path words it
        return None
    return DirectStore.open_current(
        conn, SQLITE, shown_sqlite_url(path), lambda: sqlite_connect(path)
    )


def _open_libpq(url: PlainPostgresUrl) -> DirectStore | None:
    from dnssec_doctor.history import libpq

    lib = libpq.load()
    if lib is None:  # psycopg's path finds or words it
        return None
    driver = Driver(error=libpq.LibpqError, begin_write="BEGIN", placeholder="?")

    def connect() -> libpq.LibpqConnection:
        return libpq.LibpqConnection.connect(lib, url.connect_args())

    try:
        conn = connect()
    except libpq.LibpqError as exc:
        raise database_error(url.shown(), "open", exc) from None
    return DirectStore.open_current(conn, driver, url.shown(), connect)


def _open_postgres(url: PlainPostgresUrl) -> DirectStore | None:
    try:
        import psycopg
    except ImportError:  # SQLAlchemy's path says what to install
        return None
    driver = Driver(error=psycopg.Error, begin_write="BEGIN", placeholder="%s")

    def connect() -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(**url.connect_args(), autocommit=True)  # type: ignore[arg-type]

    try:
        conn = connect()
    except psycopg.Error as exc:  # not retried through SQLAlchemy: that would wait twice
        raise database_error(url.shown(), "open", exc) from None
    return DirectStore.open_current(conn, driver, url.shown(), connect)
