"""Open the history store a ``--db`` URL names, on the fastest path that is exact.

A database already at this version's schema, named by a plain URL
(``sqlite:///PATH``, ``postgresql://USER@HOST/DB``), opens straight on its driver
(``directstore``: no SQLAlchemy import, the cost that dominated ``check --db`` and
``history``); everything else — other URLs, a new SQLite file to create, an older
schema to migrate, a newer one to refuse, a file that will not open — on SQLAlchemy
(``store.HistoryStore``), which also words those refusals. ``check --db`` on
PostgreSQL goes further (``quick``, ``Opening``): libpq itself instead of psycopg,
connected in a thread while the check goes on.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from dnssec_doctor.history.directstore import DirectStore, Driver
from dnssec_doctor.history.records import Store, database_error
from dnssec_doctor.history.sqlitefile import (
    SQLITE_BUSY_SECONDS,
    default_db_url,
    plain_sqlite_path,
    prepare_sqlite_file,
    refuse_foreign_database,
    shown_sqlite_url,
)

if TYPE_CHECKING:
    import sqlite3
    from ctypes import CDLL

    from dnssec_doctor.history.libpq import LibpqConnection
    from dnssec_doctor.history.pgurl import PlainPostgresUrl


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
        if postgres is not None and quick:
            from dnssec_doctor.history import libpq

            lib = libpq.load()
            if lib is not None:
                return _libpq_store(url, postgres, _libpq_connect(lib, postgres))
        fast = None if postgres is None else _open_postgres(postgres)
        if fast is not None:
            return fast
    from dnssec_doctor.history.store import HistoryStore

    return HistoryStore.open(url)


def sqlite_connect(path: str) -> sqlite3.Connection:
    """A connection set up as ``dburl`` sets up SQLAlchemy's (the pragmas' reasons are there)."""
    import sqlite3  # here: PostgreSQL's check --db does not pay for it

    conn = sqlite3.connect(path, timeout=SQLITE_BUSY_SECONDS, isolation_level=None)
    try:
        refuse_foreign_database(conn.cursor(), path)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def _open_sqlite(path: str) -> DirectStore | None:
    import sqlite3

    try:
        conn = sqlite_connect(path)
    except sqlite3.Error:  # SQLAlchemy's path words it
        return None
    driver = Driver(error=sqlite3.Error, begin_write="BEGIN IMMEDIATE", placeholder="?")
    return DirectStore.open_current(
        conn, driver, shown_sqlite_url(path), lambda: sqlite_connect(path)
    )


def _libpq_connect(lib: CDLL, url: PlainPostgresUrl) -> LibpqConnection:
    """A libpq connection to ``url``; DoctorError, worded as every store words it."""
    from dnssec_doctor.history.libpq import LibpqConnection, LibpqError

    try:
        return LibpqConnection.connect(lib, url.connect_args())
    except LibpqError as exc:  # not retried through SQLAlchemy: that would wait twice
        raise database_error(url.shown(), "open", exc) from None


def _libpq_driver() -> Driver:
    from dnssec_doctor.history.libpq import LibpqError
    from dnssec_doctor.history.pgurl import LOCK_TIMEOUT

    return Driver(error=LibpqError, begin_write="BEGIN", placeholder="?", settings=(LOCK_TIMEOUT,))


def _libpq_store(
    text: str | None,
    url: PlainPostgresUrl,
    conn: LibpqConnection,
    revision: list[tuple[Any, ...]] | None = None,
) -> Store:
    """The store on a libpq connection (``revision``: its schema revision, already read),
    or SQLAlchemy's for a database that is not at the current schema (to create, migrate
    or refuse it)."""
    lib = conn.lib
    fast = DirectStore.open_current(
        conn, _libpq_driver(), url.shown(), lambda: _libpq_connect(lib, url), revision=revision
    )
    if fast is not None:
        return fast
    from dnssec_doctor.history.store import HistoryStore

    return HistoryStore.open(text)


class Opening:
    """``check --db``'s store, connected in a thread (libpq waits for the server without
    the interpreter lock, so the check goes on meanwhile).

    The thread starts with ``start()``, or at the latest with ``store()``: ``check`` calls
    it once its probe is seen waiting on the network, where connecting costs the check
    no time, else as the probe ends, so that the server's side of connecting overlaps
    the analysis. A probe that keeps the process busy (a server next door) would only be
    slowed by a thread loading libpq beside it: measured on loopback, connecting after
    the probe cost 2–3 ms less CPU than connecting beside it.

    Only a plain PostgreSQL URL is connected in a thread; ``store()`` opens any other as
    ``open_store(url, quick=True)`` does, at the same point, and reports a failed
    connection there too, as that would."""

    def __init__(self, url: str | None) -> None:
        self._url = url
        self._lock = threading.Lock()
        self._conn: LibpqConnection | None = None
        self._error: Exception | None = None
        self._revision: list[tuple[Any, ...]] | None = None
        self._abandoned = False
        self._postgres: PlainPostgresUrl | None = None
        self._thread: threading.Thread | None = None
        if url is not None and url.startswith("postgresql"):
            from dnssec_doctor.history.pgurl import plain_postgres_url

            self._postgres = plain_postgres_url(url)
        if self._postgres is not None:
            self._thread = threading.Thread(
                target=self._connect, args=(self._postgres,), name="history-connect", daemon=True
            )

    def start(self) -> None:
        """Start connecting now, if there is a connection to make (once; any thread)."""
        with self._lock:
            if self._thread is not None and self._thread.ident is None and not self._abandoned:
                self._thread.start()

    def _connect(self, url: PlainPostgresUrl) -> None:
        from dnssec_doctor.history import libpq

        conn, error, revision = None, None, None
        try:
            lib = libpq.load()
            if lib is not None:
                conn = libpq.LibpqConnection.connect(lib, url.connect_args())
                revision = DirectStore.revision(conn, _libpq_driver())  # a round trip less
                # No reads of the history here: a table another session holds locked
                # would keep this thread waiting past Ctrl-C, and the check then ended
                # by the signal instead of its one line (the record waits in the main
                # thread, where Ctrl-C interrupts it).
        except Exception as exc:  # reported by ``store()``, in the main thread
            error = exc
        with self._lock:
            if self._abandoned and conn is not None:
                conn.close()
                return
            self._conn, self._error, self._revision = conn, error, revision

    def store(self) -> Store:
        """The open store; DoctorError when it cannot be opened."""
        if self._thread is None or self._postgres is None:
            return open_store(self._url, quick=True)
        self.start()
        self._thread.join()  # in the thread: Ctrl-C interrupts a server slow to answer
        with self._lock:
            conn, error, self._conn, self._error = self._conn, self._error, None, None
        if error is not None:
            raise database_error(self._postgres.shown(), "open", error) from None
        if conn is None:  # no libpq to load: psycopg's path
            return open_store(self._url, quick=True)
        return _libpq_store(self._url, self._postgres, conn, self._revision)

    def close(self) -> None:
        """Give up the store not taken (the check failed): closed now or once connected."""
        with self._lock:
            self._abandoned = True
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def _open_postgres(url: PlainPostgresUrl) -> DirectStore | None:
    try:
        import psycopg
    except ImportError:  # SQLAlchemy's path says what to install
        return None
    from dnssec_doctor.history.pgurl import LOCK_TIMEOUT

    driver = Driver(
        error=psycopg.Error, begin_write="BEGIN", placeholder="%s", settings=(LOCK_TIMEOUT,)
    )

    def connect() -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(**url.connect_args(), autocommit=True)  # type: ignore[arg-type]

    try:
        conn = connect()
    except psycopg.Error as exc:  # not retried through SQLAlchemy: that would wait twice
        raise database_error(url.shown(), "open", exc) from None
    return DirectStore.open_current(conn, driver, url.shown(), connect)
