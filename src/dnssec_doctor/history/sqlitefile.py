"""The SQLite history file: where the default one lives, and how any one is opened safely.

The default is ``$XDG_DATA_HOME/dnssec-doctor/history.sqlite3`` (else
``~/.local/share/dnssec-doctor/history.sqlite3``, the XDG Base Directory default):
created on first use, directory mode 0700 and file mode 0600, so that a history
of someone's zones is not readable by other users. An SQLite file is never opened
through a symbolic link or on a device, and never created in a directory that does
not exist (except the default one). Both stores follow these rules: SQLAlchemy's
(``dburl``) and the fast path's (``opener``, ``directstore``), which is why this module
imports neither.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import check_target

SQLITE_BUSY_SECONDS = 3.0
"""How long a write waits for another process's lock before giving up (exit 3)."""

PLAIN_PREFIX = "sqlite:///"
UNPLAIN = frozenset("?#%")
"""Characters that make a URL's path more than a path (query, fragment, escapes): such
URLs are left to SQLAlchemy's parser."""


def default_db_path() -> Path:
    """Where the history lives when no ``--db`` is given."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    if base and os.path.isabs(base):
        root = Path(base)
    else:
        try:
            root = Path.home() / ".local" / "share"
        except RuntimeError:  # no HOME, and a user id without a passwd entry (a container)
            raise DoctorError(
                "no data directory for the history: neither XDG_DATA_HOME nor HOME is set "
                "(set one, or give --db)"
            ) from None
    return root / "dnssec-doctor" / "history.sqlite3"


def default_db_url() -> str:
    """The default ``--db`` URL (creating its directory is ``prepare_sqlite_file``'s job)."""
    return f"sqlite:///{default_db_path()}"


def plain_sqlite_path(url: str) -> str | None:
    """The file of a plain ``sqlite:///PATH`` URL, as SQLAlchemy reads it; None for any
    other URL (another backend or driver, a query string, escapes, memory, ``file:``)."""
    if not url.startswith(PLAIN_PREFIX):
        return None
    path = url[len(PLAIN_PREFIX) :]
    if not path or UNPLAIN & set(path) or path == ":memory:" or path.startswith("file:"):
        return None
    return path


def shown_sqlite_url(path: str) -> str:
    """A plain SQLite URL as SQLAlchemy prints it (``URL.render_as_string``), so both stores'
    error lines name the database alike."""
    return PLAIN_PREFIX + quote(path, safe=" +/")


def prepare_sqlite_file(database: str | None, *, is_default: bool) -> None:
    """Check the file a SQLite URL names (and create it, mode 0600, when it does not exist)."""
    database = database or ""
    if database.startswith("file:"):  # an SQLite URI (uri=true): the same rules for its file
        path_text = unquote(urlsplit(database).path)
        if path_text and path_text != ":memory:":
            check_target(Path(path_text), what="history database")
        return  # created or not as its mode= says, by SQLite
    if database in ("", ":memory:"):
        return
    path = Path(database)
    if is_default:
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:  # a read-only home, XDG_DATA_HOME naming a file
            raise DoctorError(
                f"cannot create the history directory {path.parent}: {exc.strerror or exc} "
                "(set XDG_DATA_HOME, or give --db)"
            ) from None
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


FOREIGN_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name"
)


def refuse_foreign_database(cursor: Any, database: str) -> None:
    """DoctorError when the SQLite database on ``cursor`` (a DB-API cursor, before any
    pragma) holds tables but is no history (no ``alembic_version``): another
    application's file given by mistake is left exactly as it was — no tables of ours
    added, not even switched to write-ahead logging."""
    tables = [str(row[0]) for row in cursor.execute(FOREIGN_TABLES).fetchall()]
    if tables and "alembic_version" not in tables:
        shown = ", ".join(tables[:3]) + (", …" if len(tables) > 3 else "")
        raise DoctorError(
            f"refusing to use {database} as the history database: it holds other tables "
            f"({shown}), not a dnssec-doctor history; give another --db"
        )
