"""The history store straight on the database driver (sqlite3, psycopg): the fast path.

Importing SQLAlchemy costs about 0.2 s, far more than recording a check (a few ms)
or reading a long history, so a database already at this version's schema, named
by a plain URL (``sqlitefile``, ``pgurl``), is read and written here with the
driver and the same SQL SQLAlchemy's store (``store``) emits: the same tables
(created only by the Alembic migrations), the same rows, the same transactions (a
record is one transaction, rolled back whole on any failure; on SQLite it takes the
write lock at once, as ``dburl.WRITE`` does), the same connection settings
(``dburl``) and the same one-line errors. Anything else — a new or older database
to create or migrate, a newer one to refuse, a database that will not open,
another URL — goes to ``HistoryStore.open``, so there is one schema and one
migration path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.history.facts import ObservationFacts
from dnssec_doctor.history.records import (
    DNSKEY_TTLS_WHERE,
    FACT_TABLES,
    OBSERVATION_COLUMNS,
    SCHEMA_REVISION,
    NewObservation,
    StateRun,
    StoredObservation,
    checked_capture,
    chunks,
    compressed,
    database_error,
    decode_document,
    fact_row,
    facts_from_rows,
    merged_ttls,
    stored_zones,
)

_SELECT_OBSERVATIONS = f"SELECT {', '.join(OBSERVATION_COLUMNS)} FROM observations"
_INSERT_OBSERVATION = (
    "INSERT INTO observations (name, observed_at, recorded_at, status, worst, exit_code, "
    "finding_count, earliest_expiration, state_id, tool_version, anchor_zones) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
_INSERT_STATE = (
    "INSERT INTO states (digest) VALUES (?) ON CONFLICT (digest) DO NOTHING RETURNING id"
)


class Driver(NamedTuple):
    """What differs between the drivers: how to begin a write, placeholders, errors."""

    error: type[Exception]
    """The driver's DB-API ``Error``."""
    begin_write: str
    """SQLite: ``BEGIN IMMEDIATE`` (take the write lock now, queue behind another writer)."""
    placeholder: str
    """``?`` (sqlite3) or ``%s`` (psycopg): the statements here are written with ``?``."""
    settings: tuple[str, ...] = ()
    """Statements that open every transaction (PostgreSQL: ``pgurl.LOCK_TIMEOUT``)."""


class DirectStore:
    """An open history database at the current schema (``open_current``)."""

    def __init__(
        self, conn: Any, driver: Driver, shown_url: str, connect: Callable[[], Any]
    ) -> None:
        self.conn = conn
        self.driver = driver
        self.url = shown_url
        self._connect = connect

    @staticmethod
    def revision(conn: Any, driver: Driver) -> list[tuple[Any, ...]]:
        """The rows of ``alembic_version`` on ``conn`` (none when it cannot be read)."""
        try:
            return [tuple(r) for r in conn.execute("SELECT version_num FROM alembic_version")]
        except driver.error:
            return []

    @classmethod
    def open_current(
        cls,
        conn: Any,
        driver: Driver,
        shown_url: str,
        connect: Callable[[], Any],
        *,
        revision: list[tuple[Any, ...]] | None = None,
    ) -> DirectStore | None:
        """The store on ``conn`` (an autocommit connection; ``connect`` makes another) when
        the database is at ``SCHEMA_REVISION`` (``revision``: already read on ``conn``);
        else None, the connection closed (the caller leaves creating, migrating, refusing
        and the error to ``HistoryStore``)."""
        rows = cls.revision(conn, driver) if revision is None else revision
        if rows != [(SCHEMA_REVISION,)]:
            conn.close()
            return None
        return cls(conn, driver, shown_url, connect)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> DirectStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, statement: str, params: Sequence[Any] = ()) -> Any:
        """Execute one statement written with ``?`` placeholders; its cursor."""
        if self.driver.placeholder != "?":
            statement = statement.replace("?", self.driver.placeholder)
        return self.conn.execute(statement, params)

    def _run_many(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        if self.driver.placeholder != "?":
            statement = statement.replace("?", self.driver.placeholder)
        self.conn.cursor().executemany(statement, rows)

    @contextmanager
    def _transaction(self, doing: str, *, write: bool = False) -> Iterator[None]:
        """One transaction, rolled back on any failure (a read leaves nothing to commit);
        the driver's errors become ``store``'s one line."""
        try:
            if getattr(self.conn, "broken", False):  # psycopg: the server went away (``watch``
                self.conn = self._connect()  # keeps a store for days): as SQLAlchemy's pool does
            self.conn.execute(self.driver.begin_write if write else "BEGIN")
            try:
                for setting in self.driver.settings:  # libpq: sent with the next statement
                    self.conn.execute(setting)
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT" if write else "ROLLBACK")
        except self.driver.error as exc:
            raise database_error(self.url, doing, exc) from None

    def check_writable(self) -> None:
        """Take the write lock and give it back (``Store.check_writable``)."""
        with self._transaction("write", write=True):
            pass

    def record(self, obs: NewObservation) -> int:
        """Record one observation in one transaction; its id."""
        capture_gz = compressed(obs.capture_json)
        diagnosis_gz = compressed(obs.diagnosis_json)
        with self._transaction("record", write=True):
            state_id = self._state_id(obs.facts)
            inserted = self._run(
                _INSERT_OBSERVATION,
                (obs.name, obs.observed_at, obs.recorded_at, obs.status, obs.worst,
                 obs.exit_code, len(obs.findings), obs.facts.earliest_expiration(), state_id,
                 obs.tool_version[:32], stored_zones(obs.anchor_zones)),
            ).fetchone()  # fmt: skip
            observation_id = int(inserted[0])
            self._run(
                "INSERT INTO observation_payloads (observation_id, capture_gz, diagnosis_gz) "
                "VALUES (?, ?, ?)",
                (observation_id, capture_gz, diagnosis_gz),
            )
            if obs.findings:
                self._run_many(
                    "INSERT INTO observation_findings "
                    "(observation_id, code, severity, zone, subject) VALUES (?, ?, ?, ?, ?)",
                    [
                        (observation_id, f.code, f.severity.label, f.zone, f.subject)
                        for f in obs.findings
                    ],
                )
        return observation_id

    def _state_id(self, facts: ObservationFacts) -> int:
        by_digest = "SELECT id FROM states WHERE digest = ?"
        found = self._run(by_digest, (facts.digest,)).fetchone()
        if found is not None:
            return int(found[0])
        # Another recorder may insert the same state meanwhile (PostgreSQL: this waits
        # for its transaction); then its rows are the state's, and ours are not needed.
        inserted = self._run(_INSERT_STATE, (facts.digest,)).fetchone()
        if inserted is None:
            return int(self._run(by_digest, (facts.digest,)).fetchone()[0])
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
            self._run_many(statement, [tuple(r[c] for c in columns) for r in rows])
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
        with self._transaction("read"):
            return [StoredObservation.from_row(row) for row in self._run(query, params)]

    def latest(self, name: str, before: int, *, good: bool = False) -> StoredObservation | None:
        """The newest observation of ``name`` at or before ``before`` (``good``: that worked)."""
        query = (
            f"{_SELECT_OBSERVATIONS} WHERE name = ? AND observed_at <= ?"
            + (" AND exit_code <= 1" if good else "")
            + " ORDER BY observed_at DESC, id DESC LIMIT 1"
        )
        with self._transaction("read"):
            row = self._run(query, (name, before)).fetchone()
        return None if row is None else StoredObservation.from_row(row)

    def state_runs(self, name: str, until: int) -> list[StateRun]:
        """Every state served for ``name`` up to ``until``: one row per state, not per check."""
        query = (
            "SELECT state_id, min(observed_at), max(observed_at), count(*) FROM observations "
            "WHERE name = ? AND observed_at <= ? GROUP BY state_id"
        )
        with self._transaction("read"):
            rows = [StateRun(*row) for row in self._run(query, (name, until))]
        return sorted(rows, key=lambda r: (r.first_at, r.state_id))

    def facts(self, state_ids: Iterable[int]) -> dict[int, ObservationFacts]:
        """The served state behind each id."""
        ids = sorted(set(state_ids))
        rows: dict[int, dict[str, list[Any]]] = {i: {k: [] for k in FACT_TABLES} for i in ids}
        digests: dict[int, str] = {}
        with self._transaction("read"):
            for chunk in chunks(ids):
                marks = ", ".join("?" * len(chunk))
                # every query asked before any is read: one round trip on libpq
                states = self._run(f"SELECT id, digest FROM states WHERE id IN ({marks})", chunk)
                tables = {
                    kind: self._run(f"SELECT * FROM {table} WHERE state_id IN ({marks})", chunk)
                    for kind, (table, _cls) in FACT_TABLES.items()
                }
                for state_id, digest in states:
                    digests[state_id] = digest
                for kind, cursor in tables.items():
                    columns = [c[0] for c in cursor.description]
                    for values in cursor:
                        row = dict(zip(columns, values, strict=True))
                        rows[row["state_id"]][kind].append(row)
        return {i: facts_from_rows(rows[i], digests.get(i, "")) for i in ids}

    def dnskey_original_ttls(self, state_ids: Iterable[int]) -> dict[int, dict[str, int]]:
        """State id → zone → its DNSKEY RRset's original TTL (``Store``)."""
        ids = sorted(set(state_ids))
        rows: list[tuple[Any, ...]] = []
        with self._transaction("read"):
            for chunk in chunks(ids):
                marks = ", ".join("?" * len(chunk))
                query = (
                    "SELECT state_id, zone, max(original_ttl) FROM state_signatures "
                    f"WHERE state_id IN ({marks}) AND {DNSKEY_TTLS_WHERE} GROUP BY state_id, zone"
                )
                rows += self._run(query, chunk)
        return merged_ttls(rows)

    def payload(self, observation_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """The stored capture and diagnosis documents of one observation."""
        query = "SELECT capture_gz, diagnosis_gz FROM observation_payloads WHERE observation_id = ?"
        with self._transaction("read"):
            row = self._run(query, (observation_id,)).fetchone()
        if row is None:
            raise DoctorError(
                f"history database {self.url}: observation {observation_id} has no payload"
            )
        return (
            decode_document(bytes(row[0]), f"the capture of observation {observation_id}"),
            decode_document(bytes(row[1]), f"the diagnosis of observation {observation_id}"),
        )

    def capture(self, name: str, observation_id: int) -> dict[str, Any]:
        """The capture stored with one observation of ``name``, checked to be a capture."""
        query = (
            "SELECT observation_payloads.capture_gz FROM observation_payloads "
            "JOIN observations ON observations.id = observation_payloads.observation_id "
            "WHERE observations.id = ? AND observations.name = ?"
        )
        with self._transaction("read"):
            row = self._run(query, (observation_id, name)).fetchone()
        if row is None:
            raise DoctorError(f"no observation {observation_id} of {name} in {self.url}")
        return checked_capture(bytes(row[0]), f"the capture of observation {observation_id}")

    def names(self) -> list[str]:
        """Every name with at least one observation."""
        with self._transaction("read"):
            rows = self._run("SELECT DISTINCT name FROM observations ORDER BY name")
            return [str(r[0]) for r in rows]
