"""The history store on the standard library's sqlite3: the fast path of ``check --db``.

Importing SQLAlchemy costs about 0.2 s, far more than recording a check (a few ms),
so a plain ``sqlite:///PATH`` database already at this version's schema is read and
written here with sqlite3 and the same SQL SQLAlchemy's store (``store``) emits:
the same tables (created only by the Alembic migrations), the same rows, the same
transactions (a record is one ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back whole on
any failure), the same connection settings (``dburl``: WAL, ``synchronous=NORMAL``,
foreign keys, a 3 s busy timeout) and the same one-line errors. Anything else — a
new or older database to create or migrate, a newer one to refuse, a file that will
not open, another URL — goes to ``HistoryStore.open``, so there is one schema and
one migration path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.history.facts import ObservationFacts
from dnssec_doctor.history.records import (
    FACT_TABLES,
    OBSERVATION_COLUMNS,
    SCHEMA_REVISION,
    NewObservation,
    StateRun,
    StoredObservation,
    checked_capture,
    chunks,
    compressed,
    decode_document,
    fact_row,
    facts_from_rows,
)
from dnssec_doctor.history.sqlitefile import SQLITE_BUSY_SECONDS

_SELECT_OBSERVATIONS = f"SELECT {', '.join(OBSERVATION_COLUMNS)} FROM observations"
_INSERT_OBSERVATION = (
    "INSERT INTO observations (name, observed_at, recorded_at, status, worst, exit_code, "
    "finding_count, earliest_expiration, state_id, tool_version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_STATE = (
    "INSERT INTO states (digest) VALUES (?) ON CONFLICT (digest) DO NOTHING RETURNING id"
)


def connect(path: str) -> sqlite3.Connection:
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


class SqliteStore:
    """An open SQLite history database at the current schema (``open_current``)."""

    def __init__(self, conn: sqlite3.Connection, shown_url: str) -> None:
        self.conn = conn
        self.url = shown_url

    @classmethod
    def open_current(cls, path: str, shown_url: str) -> SqliteStore | None:
        """The store on ``path`` when it opens and is at ``SCHEMA_REVISION``; else None
        (the caller leaves creating, migrating, refusing and the error to ``HistoryStore``)."""
        try:
            conn = connect(path)
        except sqlite3.Error:
            return None
        try:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.Error:
            rows = []
        if rows != [(SCHEMA_REVISION,)]:
            conn.close()
            return None
        return cls(conn, shown_url)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self, doing: str, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction (a write takes the write lock at once, as ``dburl.WRITE`` does),
        rolled back on any failure; sqlite3's errors become ``store``'s one line."""
        try:
            self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT" if write else "ROLLBACK")  # a read leaves nothing
        except sqlite3.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if "locked" in reason or "busy" in reason:
                reason += " (another process is writing to it; try again)"
            raise DoctorError(f"history database {self.url}: cannot {doing}: {reason}") from None

    def record(self, obs: NewObservation) -> int:
        """Record one observation in one transaction; its id."""
        capture_gz = compressed(obs.capture_json)
        diagnosis_gz = compressed(obs.diagnosis_json)
        with self._transaction("record", write=True) as conn:
            state_id = self._state_id(conn, obs.facts)
            cursor = conn.execute(
                _INSERT_OBSERVATION,
                (obs.name, obs.observed_at, obs.recorded_at, obs.status, obs.worst,
                 obs.exit_code, len(obs.findings), obs.facts.earliest_expiration(), state_id,
                 obs.tool_version[:32]),
            )  # fmt: skip
            observation_id = cursor.lastrowid
            if observation_id is None:
                raise sqlite3.DatabaseError("the observation got no id")
            conn.execute(
                "INSERT INTO observation_payloads (observation_id, capture_gz, diagnosis_gz) "
                "VALUES (?, ?, ?)",
                (observation_id, capture_gz, diagnosis_gz),
            )
            if obs.findings:
                conn.executemany(
                    "INSERT INTO observation_findings "
                    "(observation_id, code, severity, zone, subject) VALUES (?, ?, ?, ?, ?)",
                    [
                        (observation_id, f.code, f.severity.label, f.zone, f.subject)
                        for f in obs.findings
                    ],
                )
        return int(observation_id)

    def _state_id(self, conn: sqlite3.Connection, facts: ObservationFacts) -> int:
        found = conn.execute("SELECT id FROM states WHERE digest = ?", (facts.digest,)).fetchone()
        if found is not None:
            return int(found[0])
        # BEGIN IMMEDIATE holds the write lock: no other recorder can insert it meanwhile,
        # but the statement stays the one ``store`` runs, conflict clause included.
        inserted = conn.execute(_INSERT_STATE, (facts.digest,)).fetchone()
        if inserted is None:
            raise sqlite3.DatabaseError("the state was neither found nor inserted")
        state_id = int(inserted[0])
        position = {zone: i for i, zone in enumerate(facts.zones)}
        for kind, (table, _cls) in FACT_TABLES.items():
            items = getattr(facts, kind)
            if not items:
                continue
            rows = [fact_row(i, state_id, position if kind == "servers" else None) for i in items]
            columns = list(rows[0])
            statement = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            conn.executemany(statement, [tuple(r[c] for c in columns) for r in rows])
        return state_id

    def observations(
        self, name: str, since: int | None = None, until: int | None = None
    ) -> list[StoredObservation]:
        """The observations of ``name``, oldest first."""
        where, params = ["name = ?"], [name]
        if since is not None:
            where.append("observed_at >= ?")
            params.append(since)  # type: ignore[arg-type]
        if until is not None:
            where.append("observed_at <= ?")
            params.append(until)  # type: ignore[arg-type]
        query = f"{_SELECT_OBSERVATIONS} WHERE {' AND '.join(where)} ORDER BY observed_at, id"
        with self._transaction("read") as conn:
            return [StoredObservation(*row) for row in conn.execute(query, params)]

    def latest(self, name: str, before: int, *, good: bool = False) -> StoredObservation | None:
        """The newest observation of ``name`` at or before ``before`` (``good``: that worked)."""
        query = (
            f"{_SELECT_OBSERVATIONS} WHERE name = ? AND observed_at <= ?"
            + (" AND exit_code <= 1" if good else "")
            + " ORDER BY observed_at DESC, id DESC LIMIT 1"
        )
        with self._transaction("read") as conn:
            row = conn.execute(query, (name, before)).fetchone()
        return None if row is None else StoredObservation(*row)

    def state_runs(self, name: str, until: int) -> list[StateRun]:
        """Every state served for ``name`` up to ``until``: one row per state, not per check."""
        query = (
            "SELECT state_id, min(observed_at), max(observed_at), count(*) FROM observations "
            "WHERE name = ? AND observed_at <= ? GROUP BY state_id"
        )
        with self._transaction("read") as conn:
            rows = [StateRun(*row) for row in conn.execute(query, (name, until))]
        return sorted(rows, key=lambda r: (r.first_at, r.state_id))

    def facts(self, state_ids: Iterable[int]) -> dict[int, ObservationFacts]:
        """The served state behind each id."""
        ids = sorted(set(state_ids))
        rows: dict[int, dict[str, list[Any]]] = {i: {k: [] for k in FACT_TABLES} for i in ids}
        digests: dict[int, str] = {}
        with self._transaction("read") as conn:
            conn.row_factory = sqlite3.Row
            try:
                for chunk in chunks(ids):
                    marks = ", ".join("?" * len(chunk))
                    query = f"SELECT id, digest FROM states WHERE id IN ({marks})"
                    for row in conn.execute(query, chunk):
                        digests[row["id"]] = row["digest"]
                    for kind, (table, _cls) in FACT_TABLES.items():
                        query = f"SELECT * FROM {table} WHERE state_id IN ({marks})"
                        for row in conn.execute(query, chunk):
                            rows[row["state_id"]][kind].append(row)
            finally:
                conn.row_factory = None
        return {i: facts_from_rows(rows[i], digests.get(i, "")) for i in ids}

    def payload(self, observation_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """The stored capture and diagnosis documents of one observation."""
        query = "SELECT capture_gz, diagnosis_gz FROM observation_payloads WHERE observation_id = ?"
        with self._transaction("read") as conn:
            row = conn.execute(query, (observation_id,)).fetchone()
        if row is None:
            raise DoctorError(
                f"history database {self.url}: observation {observation_id} has no payload"
            )
        return (
            decode_document(row[0], f"the capture of observation {observation_id}"),
            decode_document(row[1], f"the diagnosis of observation {observation_id}"),
        )

    def capture(self, name: str, observation_id: int) -> dict[str, Any]:
        """The capture stored with one observation of ``name``, checked to be a capture."""
        query = (
            "SELECT observation_payloads.capture_gz FROM observation_payloads "
            "JOIN observations ON observations.id = observation_payloads.observation_id "
            "WHERE observations.id = ? AND observations.name = ?"
        )
        with self._transaction("read") as conn:
            row = conn.execute(query, (observation_id, name)).fetchone()
        if row is None:
            raise DoctorError(f"no observation {observation_id} of {name} in {self.url}")
        return checked_capture(row[0], f"the capture of observation {observation_id}")

    def names(self) -> list[str]:
        """Every name with at least one observation."""
        with self._transaction("read") as conn:
            rows = conn.execute("SELECT DISTINCT name FROM observations ORDER BY name")
            return [str(r[0]) for r in rows]
