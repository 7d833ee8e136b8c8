"""The history store: record observations and read them back (SQLAlchemy Core).

Every write is one transaction: the state (if new), the observation, its payload
and its findings land together or not at all, so an interrupted or failed record
leaves the earlier history exactly as it was. Every database failure becomes one
line (DoctorError, exit 3): a URL that cannot be opened, a locked SQLite file, a
schema newer than this tool.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.history.dburl import WRITE, open_engine
from dnssec_doctor.history.facts import ObservationFacts
from dnssec_doctor.history.migrate import ensure_schema
from dnssec_doctor.history.records import (
    DNSKEY_TTLS_WHERE,
    FACT_TABLES,
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
    runs_of,
    stored_zones,
)
from dnssec_doctor.history.schema import (
    metadata,
    observation_findings,
    observations,
    payloads,
    state_signatures,
    states,
)

__all__ = ["HistoryStore", "NewObservation", "StateRun", "StoredObservation", "runs_of"]

_OBSERVATION_COLUMNS = (
    observations.c.id,
    observations.c.name,
    observations.c.observed_at,
    observations.c.status,
    observations.c.worst,
    observations.c.exit_code,
    observations.c.finding_count,
    observations.c.earliest_expiration,
    observations.c.state_id,
    observations.c.anchor_zones,
)
"""The columns of a timeline row (``StoredObservation``), in its field order."""


class HistoryStore:
    """An open history database."""

    def __init__(self, engine: Engine, shown_url: str) -> None:
        self.engine = engine
        self.url = shown_url

    @classmethod
    def open(cls, url: str | None) -> HistoryStore:
        """Open (and create or upgrade) the database at ``url`` (None: the default file)."""
        engine, shown_url = open_engine(url)
        store = cls(engine, shown_url)
        try:
            with store._errors("open"):
                ensure_schema(engine, shown_url)
        except BaseException:
            engine.dispose()  # no connection left for the garbage collector to close
            raise
        return store

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except DoctorError:
            raise
        except DBAPIError as exc:
            raise database_error(self.url, doing, exc.orig or exc) from None
        except SQLAlchemyError as exc:
            reason = str(exc).strip().splitlines()[0]
            raise DoctorError(f"history database {self.url}: cannot {doing}: {reason}") from None

    def check_writable(self) -> None:
        """Take the write lock and give it back (``Store.check_writable``)."""
        with (
            self._errors("write"),
            self.engine.connect().execution_options(**WRITE) as conn,
            conn.begin(),
        ):
            pass

    def record(self, obs: NewObservation) -> int:
        """Record one observation in one transaction; its id."""
        capture_gz = compressed(obs.capture_json)
        diagnosis_gz = compressed(obs.diagnosis_json)
        with (
            self._errors("record"),
            self.engine.connect().execution_options(**WRITE) as conn,
            conn.begin(),
        ):
            state_id = self._state_id(conn, obs.facts)
            observation_id = conn.execute(
                insert(observations).values(
                    name=obs.name,
                    observed_at=obs.observed_at,
                    recorded_at=obs.recorded_at,
                    status=obs.status,
                    worst=obs.worst,
                    exit_code=obs.exit_code,
                    finding_count=len(obs.findings),
                    earliest_expiration=obs.facts.earliest_expiration(),
                    state_id=state_id,
                    tool_version=obs.tool_version[:32],
                    anchor_zones=stored_zones(obs.anchor_zones),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            conn.execute(
                insert(payloads).values(
                    observation_id=observation_id,
                    capture_gz=capture_gz,
                    diagnosis_gz=diagnosis_gz,
                )
            )
            if obs.findings:
                conn.execute(
                    insert(observation_findings),
                    [
                        {
                            "observation_id": observation_id,
                            "code": f.code,
                            "severity": f.severity.label,
                            "zone": f.zone,
                            "subject": f.subject,
                        }
                        for f in obs.findings
                    ],
                )
        return int(observation_id)

    def _state_id(self, conn: Connection, facts: ObservationFacts) -> int:
        by_digest = select(states.c.id).where(states.c.digest == facts.digest)
        found = conn.execute(by_digest).first()
        if found is not None:
            return int(found[0])
        # Another recorder may insert the same state meanwhile (PostgreSQL: this waits
        # for its transaction); then its rows are the state's, and ours are not needed.
        insert_state = (
            _upsert_insert(conn, states)
            .values(digest=facts.digest)
            .on_conflict_do_nothing(index_elements=["digest"])
            .returning(states.c.id)
        )
        inserted = conn.execute(insert_state).first()
        if inserted is None:
            return int(conn.execute(by_digest).scalar_one())
        state_id = int(inserted[0])
        position = {zone: i for i, zone in enumerate(facts.zones)}
        for kind, (table, _cls) in FACT_TABLES.items():
            items = getattr(facts, kind)
            if items:
                where = position if kind == "servers" else None
                rows = [fact_row(item, state_id, where) for item in items]
                conn.execute(insert(metadata.tables[table]), rows)
        return state_id

    def observations(
        self, name: str, since: int | None = None, until: int | None = None
    ) -> list[StoredObservation]:
        """The observations of ``name``, oldest first."""
        query = select(*_OBSERVATION_COLUMNS).where(observations.c.name == name)
        if since is not None:
            query = query.where(observations.c.observed_at >= since)
        if until is not None:
            query = query.where(observations.c.observed_at <= until)
        query = query.order_by(observations.c.observed_at, observations.c.id)
        with self._errors("read"), self.engine.connect() as conn:
            return [StoredObservation.from_row(row) for row in conn.execute(query)]

    def latest(self, name: str, before: int, *, good: bool = False) -> StoredObservation | None:
        """The newest observation of ``name`` at or before ``before`` (``good``: that worked)."""
        query = select(*_OBSERVATION_COLUMNS).where(
            observations.c.name == name, observations.c.observed_at <= before
        )
        if good:
            query = query.where(observations.c.exit_code <= 1)
        query = query.order_by(observations.c.observed_at.desc(), observations.c.id.desc()).limit(1)
        with self._errors("read"), self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else StoredObservation.from_row(row)

    def state_runs(self, name: str, until: int) -> list[StateRun]:
        """Every state served for ``name`` up to ``until``: one row per state, not per check."""
        o = observations.c
        query = (
            select(o.state_id, func.min(o.observed_at), func.max(o.observed_at), func.count())
            .where(o.name == name, o.observed_at <= until)
            .group_by(o.state_id)
        )
        with self._errors("read"), self.engine.connect() as conn:
            rows = [StateRun(*row) for row in conn.execute(query)]
        return sorted(rows, key=lambda r: (r.first_at, r.state_id))

    def facts(self, state_ids: Iterable[int]) -> dict[int, ObservationFacts]:
        """The served state behind each id."""
        ids = sorted(set(state_ids))
        rows: dict[int, dict[str, list[Any]]] = {i: {k: [] for k in FACT_TABLES} for i in ids}
        digests: dict[int, str] = {}
        with self._errors("read"), self.engine.connect() as conn:
            for chunk in chunks(ids):
                for row in conn.execute(select(states).where(states.c.id.in_(chunk))):
                    digests[row.id] = row.digest
                for kind, (name, _cls) in FACT_TABLES.items():
                    table = metadata.tables[name]
                    for row in conn.execute(select(table).where(table.c.state_id.in_(chunk))):
                        rows[row.state_id][kind].append(row._mapping)
        return {i: facts_from_rows(rows[i], digests.get(i, "")) for i in ids}

    def dnskey_original_ttls(self, state_ids: Iterable[int]) -> dict[int, dict[str, int]]:
        """State id → zone → its DNSKEY RRset's original TTL (``Store``)."""
        ids = sorted(set(state_ids))
        sig = state_signatures.c
        rows: list[Any] = []
        with self._errors("read"), self.engine.connect() as conn:
            for chunk in chunks(ids):
                query = (
                    select(sig.state_id, sig.zone, func.max(sig.original_ttl))
                    .where(sig.state_id.in_(chunk), text(DNSKEY_TTLS_WHERE))
                    .group_by(sig.state_id, sig.zone)
                )
                rows += conn.execute(query)
        return merged_ttls(rows)

    def payload(self, observation_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """The stored capture and diagnosis documents of one observation."""
        query = select(payloads).where(payloads.c.observation_id == observation_id)
        with self._errors("read"), self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise DoctorError(
                f"history database {self.url}: observation {observation_id} has no payload"
            )
        return (
            decode_document(row.capture_gz, f"the capture of observation {observation_id}"),
            decode_document(row.diagnosis_gz, f"the diagnosis of observation {observation_id}"),
        )

    def capture(self, name: str, observation_id: int) -> dict[str, Any]:
        """The capture stored with one observation of ``name``, checked to be a capture."""
        query = select(payloads.c.capture_gz).join(
            observations, observations.c.id == payloads.c.observation_id
        )
        query = query.where(observations.c.id == observation_id, observations.c.name == name)
        with self._errors("read"), self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise DoctorError(f"no observation {observation_id} of {name} in {self.url}")
        return checked_capture(row[0], f"the capture of observation {observation_id}")

    def names(self) -> list[str]:
        """Every name with at least one observation."""
        with self._errors("read"), self.engine.connect() as conn:
            query = select(observations.c.name).distinct().order_by(observations.c.name)
            return [str(r[0]) for r in conn.execute(query)]


def _upsert_insert(conn: Connection, table: Any) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING (SQLite and PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
