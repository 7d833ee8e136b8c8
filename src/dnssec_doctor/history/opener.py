"""Open the history store a ``--db`` URL names, on the fastest path that is exact.

A plain ``sqlite:///PATH`` file already at this version's schema opens on the
standard library's sqlite3 (``litestore``: no SQLAlchemy import, the cost that
dominated ``check --db``); everything else — PostgreSQL, other SQLite URLs, a new
file to create, an older schema to migrate, a newer one to refuse, a file that will
not open — on SQLAlchemy (``store.HistoryStore``), which also words every refusal.
"""

from __future__ import annotations

from dnssec_doctor.history.litestore import SqliteStore
from dnssec_doctor.history.records import Store
from dnssec_doctor.history.sqlitefile import (
    default_db_url,
    plain_sqlite_path,
    prepare_sqlite_file,
    shown_sqlite_url,
)


def open_store(url: str | None) -> Store:
    """The open store at ``url`` (None: the default file); DoctorError when it cannot be."""
    text = default_db_url() if url is None else url
    path = plain_sqlite_path(text)
    if path is not None:
        prepare_sqlite_file(path, is_default=url is None)
        fast = SqliteStore.open_current(path, shown_sqlite_url(path))
        if fast is not None:
            return fast
    from dnssec_doctor.history.store import HistoryStore

    return HistoryStore.open(url)
