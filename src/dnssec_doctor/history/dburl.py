"""``--db URL``: opening a SQLAlchemy engine safely, with one-line errors.

The SQLite file's rules (the default file, modes, no links, no devices) are
``sqlitefile``'s, shared with the fast path (``directstore``).
"""

from __future__ import annotations

import warnings

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SAWarning

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.history.pgurl import LOCK_TIMEOUT
from dnssec_doctor.history.sqlitefile import (
    SQLITE_BUSY_SECONDS,
    default_db_path,
    default_db_url,
    prepare_sqlite_file,
    refuse_foreign_database,
)

__all__ = ["WRITE", "default_db_path", "default_db_url", "open_engine", "parse_db_url", "shown"]


def shown(url: URL) -> str:
    """The URL as error messages print it (password hidden)."""
    return url.render_as_string(hide_password=True)


DRIVERS = frozenset({"sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"})
"""The schemes a ``--db`` URL may have: the two backends on the drivers this tool ships
with (``postgresql+psycopg2`` or ``+asyncpg`` would be another driver, not installed or
not usable)."""


def parse_db_url(text: str) -> URL:
    """A SQLAlchemy URL; DoctorError when it is not one this tool can use."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise DoctorError(
            f"invalid --db URL {text!r}: use sqlite:///PATH or postgresql://…"
        ) from None
    backend = url.get_backend_name()
    if url.drivername not in DRIVERS:
        raise DoctorError(
            f"unsupported --db URL scheme {url.drivername!r}: use sqlite:///PATH or postgresql://…"
        )
    if backend == "sqlite" and _in_memory(url):
        raise DoctorError(
            f"--db {text!r} is an SQLite database in memory, gone when the command ends: "
            "use sqlite:///PATH for a file (or default)"
        )
    if backend == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 (the [postgres] extra)
    return url


def _in_memory(url: URL) -> bool:
    """An SQLite URL that names no file (``sqlite://``, ``:memory:``, an URI's
    ``mode=memory``): what ``check --db`` or ``watch`` recorded there would vanish."""
    database = url.database or ""
    return (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or url.query.get("mode") == "memory"
    )


def open_engine(text: str | None) -> tuple[Engine, str]:
    """The engine for ``--db`` (None: the default file) and its printable URL."""
    url = parse_db_url(text or default_db_url())
    if url.get_backend_name() == "sqlite":
        with warnings.catch_warnings():  # an option pysqlite would ignore: refused, no file made
            warnings.simplefilter("error", SAWarning)
            try:
                engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
            except SAWarning as exc:
                reason = str(exc).split(" (Background", 1)[0].replace(" and are being ignored", "")
                raise DoctorError(f"unsupported --db URL {shown(url)}: {reason}") from None
        prepare_sqlite_file(url.database, is_default=text is None)  # connects on first use only
        database = url.database or ""

        def on_connect(dbapi_connection: object, _record: object) -> None:
            _sqlite_pragmas(dbapi_connection, database)

        event.listen(engine, "connect", on_connect)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        try:
            engine = create_engine(url, connect_args={"connect_timeout": 10})
        except (NoSuchModuleError, ImportError):
            raise DoctorError(
                "PostgreSQL needs the psycopg package: pip install 'dnssec-doctor[postgres]'"
            ) from None
        event.listen(engine, "begin", _postgres_begin)
    return engine, shown(url)


WRITE = {"dnssec_doctor_write": True}
"""Execution options of a connection that will write: on SQLite it takes the write lock
when its transaction begins, so two recorders queue (busy timeout) instead of both
reading and then failing to upgrade their locks."""


def _sqlite_pragmas(dbapi_connection: object, database: str) -> None:
    # SQLAlchemy's recipe for pysqlite: let SQLAlchemy emit BEGIN itself (_sqlite_begin),
    # which also makes the migrations' DDL transactional.
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    try:
        refuse_foreign_database(cursor, database)
    except BaseException:
        cursor.close()
        raise
    cursor.execute("PRAGMA foreign_keys=ON")
    # Write-ahead log, synced at checkpoints: a commit costs no fsync of its own (most of
    # a record's time otherwise), readers never wait for a writer, and a crash or power
    # loss can lose at most the newest commits, never corrupt the earlier history.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgres_begin(connection: Connection) -> None:
    connection.exec_driver_sql(LOCK_TIMEOUT)  # the driver's own BEGIN came first


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get("dnssec_doctor_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
