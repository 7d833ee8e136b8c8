"""``--db URL``: the default SQLite file, and opening an engine safely with one-line errors.

The default is ``$XDG_DATA_HOME/dnssec-doctor/history.sqlite3`` (else
``~/.local/share/dnssec-doctor/history.sqlite3``, the XDG Base Directory default):
created on first use, directory mode 0700 and file mode 0600, so that a history
of someone's zones is not readable by other users. An SQLite file is never opened
through a symbolic link or on a device, and never created in a directory that does
not exist (except the default one).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import check_target

SQLITE_BUSY_SECONDS = 3.0
"""How long a write waits for another process's lock before giving up (exit 3)."""


def default_db_path() -> Path:
    """Where the history lives when no ``--db`` is given."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "dnssec-doctor" / "history.sqlite3"


def default_db_url() -> str:
    """The default ``--db`` URL (creating its directory is ``open_engine``'s job)."""
    return f"sqlite:///{default_db_path()}"


def shown(url: URL) -> str:
    """The URL as error messages print it (password hidden)."""
    return url.render_as_string(hide_password=True)


def parse_db_url(text: str) -> URL:
    """A SQLAlchemy URL; DoctorError when it is not one this tool can use."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise DoctorError(
            f"invalid --db URL {text!r}: use sqlite:///PATH or postgresql://…"
        ) from None
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DoctorError(
            f"unsupported --db URL scheme {url.drivername!r}: use sqlite:///PATH or postgresql://…"
        )
    if backend == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 (the [postgres] extra)
    return url


def open_engine(text: str | None) -> tuple[Engine, str]:
    """The engine for ``--db`` (None: the default file) and its printable URL."""
    url = parse_db_url(text or default_db_url())
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url, is_default=text is None)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        try:
            engine = create_engine(url, connect_args={"connect_timeout": 10})
        except (NoSuchModuleError, ImportError):
            raise DoctorError(
                "PostgreSQL needs the psycopg package: pip install 'dnssec-doctor[postgres]'"
            ) from None
    return engine, shown(url)


WRITE = {"dnssec_doctor_write": True}
"""Execution options of a connection that will write: on SQLite it takes the write lock
when its transaction begins, so two recorders queue (busy timeout) instead of both
reading and then failing to upgrade their locks."""


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # SQLAlchemy's recipe for pysqlite: let SQLAlchemy emit BEGIN itself (_sqlite_begin),
    # which also makes the migrations' DDL transactional.
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    # Write-ahead log, synced at checkpoints: a commit costs no fsync of its own (most of
    # a record's time otherwise), readers never wait for a writer, and a crash or power
    # loss can lose at most the newest commits, never corrupt the earlier history.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get("dnssec_doctor_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _prepare_sqlite_file(url: URL, *, is_default: bool) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    path = Path(database)
    if is_default:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_target(path, what="history database")  # the project's one rule for files
    if not path.exists():
        _create_private(path)


def _create_private(path: Path) -> None:
    """Create the empty database file, mode 0600, failing rather than following a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        os.close(os.open(path, flags, 0o600))
    except FileExistsError:  # created meanwhile (or a link appeared): check it again
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            raise DoctorError(f"refusing history database {path}: not a regular file") from None
    except OSError as exc:
        raise DoctorError(f"cannot create history database {path}: {exc.strerror}") from None
