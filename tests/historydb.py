"""History-store fixtures: one database URL per test, on SQLite and on PostgreSQL.

``db_url`` is parametrized over both backends (the store has one schema for both);
the PostgreSQL server is started once per test session (``pgserver``) and each test
gets a database of its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgserver import fresh_database, postgres_server

BACKENDS = ("sqlite", "postgresql")
_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the whole session: its superuser URL."""
    with postgres_server() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty history database (the schema is created on first open)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite3'}"
    server: str = request.getfixturevalue("postgres_url")
    return fresh_database(server, f"history_{next(_numbers)}")
