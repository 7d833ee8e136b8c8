"""A plain ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB`` URL, read without SQLAlchemy.

The fast path (``directstore``) connects with psycopg itself, with exactly the
arguments SQLAlchemy's psycopg dialect would pass for the same URL, and names the
database in its error lines exactly as ``dburl.shown`` does (the password hidden).
Only URLs whose reading is unambiguous qualify: no query string, fragment, percent
escapes, IPv6 brackets or socket directories; any other URL is left to SQLAlchemy.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import quote

CONNECT_TIMEOUT = 10
"""Seconds to wait for the server (``dburl.open_engine`` passes the same)."""

LOCK_TIMEOUT = "SET LOCAL lock_timeout = '3s'"
"""The first statement of every transaction on PostgreSQL: wait at most 3 seconds for a
lock another session holds (a trimming ``DELETE``, a ``VACUUM FULL``, a migration), as
SQLite's busy timeout (``sqlitefile.SQLITE_BUSY_SECONDS``) does, then fail with one line,
rather than keep a ``watch --once`` from cron waiting for ever. ``SET LOCAL``, not a
startup option: it ends with the transaction, and connection poolers (PgBouncer) pass it."""

_PLAIN = re.compile(
    r"(?P<driver>postgresql|postgresql\+psycopg)://"
    r"(?:(?P<user>[^:/@\[\]?#%]+)(?::(?P<password>[^:/@\[\]?#%]+))?@)?"
    r"(?P<host>[A-Za-z0-9._-]+)(?::(?P<port>[0-9]{1,5}))?"
    r"/(?P<database>[^/@?#%\[\]]+)"
)


class PlainPostgresUrl(NamedTuple):
    """The parts of a plain PostgreSQL URL."""

    user: str | None
    password: str | None
    host: str
    port: int | None
    database: str

    def connect_args(self) -> dict[str, object]:
        """psycopg's ``connect`` arguments (SQLAlchemy's ``create_connect_args`` for the URL)."""
        args: dict[str, object] = {"host": self.host, "dbname": self.database}
        if self.user is not None:
            args["user"] = self.user
        if self.password is not None:
            args["password"] = self.password
        if self.port is not None:
            args["port"] = self.port
        args["connect_timeout"] = CONNECT_TIMEOUT
        return args

    def shown(self) -> str:
        """The URL as ``dburl.shown`` prints it: the psycopg driver named, password hidden."""
        text = "postgresql+psycopg://"
        if self.user is not None:
            text += quote(self.user, safe=" +")
            if self.password is not None:
                text += ":***"
            text += "@"
        text += self.host
        if self.port is not None:
            text += f":{self.port}"
        return text + "/" + quote(self.database, safe=" +/")


def plain_postgres_url(url: str) -> PlainPostgresUrl | None:
    """The parts of a plain PostgreSQL URL; None for any other URL."""
    match = _PLAIN.fullmatch(url)
    if match is None:
        return None
    port = match["port"]
    if port is not None and not 0 < int(port) < 65536:
        return None
    return PlainPostgresUrl(
        user=match["user"],
        password=match["password"],
        host=match["host"],
        port=None if port is None else int(port),
        database=match["database"],
    )
