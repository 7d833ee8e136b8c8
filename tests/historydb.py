"""History-store fixtures: one database URL per test, on SQLite and on PostgreSQL.

``db_url`` is parametrized over both backends (the store has one schema for both);
the PostgreSQL server is started once per test session (``pgserver``) and each test
gets a database of its own. The tests that compare two ways of writing the store
(SQLAlchemy's, the drivers' own) record :data:`SEQUENCE` with :func:`record` into
each and compare :func:`dump_url` of both.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from dnssec_doctor.history.dburl import parse_db_url
from dnssec_doctor.history.recorder import record_check
from dnssec_doctor.history.records import Store
from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.model.diagnosis_json import render_json
from dnssec_doctor.session import diagnose_capture_with_survey
from labthread import LAB_NOW
from pgserver import fresh_database, postgres_server

CASES = Path(__file__).parent / "cases"
DAY = 86400
SEQUENCE = (
    ("good-nsec", LAB_NOW),
    ("good-nsec", LAB_NOW + 300),  # the same served state again
    ("ds-no-matching-key", LAB_NOW + 300),  # another name, with findings
    ("good-nsec", LAB_NOW + 40 * DAY),  # its signatures expired: good → bad
    ("good-nsec", LAB_NOW + 40 * DAY + 300),
)
"""Recorded captures, each diagnosed at a time: new and reused states, findings, a name
going bad (history's own findings read the earlier rows)."""
TABLES = (
    "states",
    "observations",
    "observation_payloads",
    "observation_findings",
    "state_servers",
    "state_keys",
    "state_ds",
    "state_signatures",
    "state_cds",
    "alembic_version",
)

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


def record(store: Store, case: str, at: int, *, extra_anchor: str = "") -> str:
    """Record golden case ``case`` diagnosed at ``at`` (with one more trust anchor line);
    the diagnosis JSON the recording returns."""
    capture = load_capture(CASES / f"check-{case}" / "capture.json.gz")
    if extra_anchor:
        capture = dataclasses.replace(capture, trust_anchors=[*capture.trust_anchors, extra_anchor])
    diagnosis, survey = diagnose_capture_with_survey(capture, at)
    return render_json(record_check(store, capture, diagnosis, survey).diagnosis)


def dump_url(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows (sorted: PostgreSQL keeps no insertion order), ``recorded_at``
    (the clock of the write) left out."""
    engine = create_engine(parse_db_url(url))
    try:
        out = {}
        with engine.connect() as conn:
            for table in TABLES:
                result = conn.execute(text(f"SELECT * FROM {table}"))
                columns = list(result.keys())
                rows = [
                    tuple(v for c, v in zip(columns, row, strict=True) if c != "recorded_at")
                    for row in result
                ]
                out[table] = sorted(rows, key=repr)
        return out
    finally:
        engine.dispose()
