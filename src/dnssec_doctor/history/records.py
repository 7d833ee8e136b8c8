"""The history store's records and its interface, without a database library.

Both stores speak in these types: ``store.HistoryStore`` (SQLAlchemy Core, every
URL) and ``directstore.DirectStore`` (straight on the driver, sqlite3 or psycopg: the
fast path of ``check --db`` and ``history``). The pure history analysis (rollover
timing, forecasts, timelines) imports only this module, so recording a check never
loads SQLAlchemy unless the database needs it.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.history.facts import (
    CdsFact,
    DsFact,
    KeyFact,
    ObservationFacts,
    ServerFacts,
    SignatureFact,
)
from dnssec_doctor.limits import INPUT_LIMITS
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity

SCHEMA_REVISION = "0002"
"""The Alembic revision of the tables this version reads and writes (the newest migration)."""

OBSERVATION_COLUMNS = (
    "id",
    "name",
    "observed_at",
    "status",
    "worst",
    "exit_code",
    "finding_count",
    "earliest_expiration",
    "state_id",
    "anchor_zones",
)
"""The columns of a timeline row (``StoredObservation``), in its field order."""

ROOT_ONLY = (".",)
"""The zones an observation recorded before revision 0002 is taken to be anchored at: the
root, as every check was unless ``--trust-anchor`` said otherwise (not recorded then)."""

FACT_TABLES: dict[str, tuple[str, type[Any]]] = {
    "servers": ("state_servers", ServerFacts),
    "keys": ("state_keys", KeyFact),
    "ds": ("state_ds", DsFact),
    "signatures": ("state_signatures", SignatureFact),
    "cds": ("state_cds", CdsFact),
}
"""Each kind of fact, its table and its type (the table's columns: ``state_id``, the type's
fields, and ``position`` for servers)."""

IN_CHUNK = 500
"""Ids per ``IN (…)`` list (SQLite's bound-parameter limit is far above; keeps plans small)."""


class NewObservation(NamedTuple):
    """One check, ready to be recorded."""

    name: str
    observed_at: int
    recorded_at: int
    status: str
    worst: str
    exit_code: int
    findings: tuple[Finding, ...]
    facts: ObservationFacts
    capture_json: bytes
    diagnosis_json: bytes
    tool_version: str
    anchor_zones: tuple[str, ...] = ROOT_ONLY
    """The owners of the check's trust anchors (``anchor_zones_of``), lower case."""


class StoredObservation(NamedTuple):
    """One recorded observation, without its payload (a timeline row)."""

    id: int
    name: str
    observed_at: int
    status: str
    worst: str
    exit_code: int
    finding_count: int
    earliest_expiration: int | None
    state_id: int
    anchor_zones: tuple[str, ...] = ROOT_ONLY
    """The zones the check was anchored at (its trust anchors' owners, lower case)."""

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> StoredObservation:
        """A row of ``OBSERVATION_COLUMNS`` (``anchor_zones`` as stored: ``stored_zones``);
        DoctorError naming the observation when a value is not what this tool writes (a
        hand edit of an SQLite file, whose columns take any type)."""
        obs_id, name, at, status, worst, exit_code, count, expiration, state_id, zones = row
        if not (
            type(at) is int
            and type(status) is str
            and worst in _SEVERITY_LABELS
            and exit_code in _EXIT_CODES
            and type(count) is int
            and (expiration is None or type(expiration) is int)
            and type(state_id) is int
            and (zones is None or type(zones) is str)
        ):  # one test per row: a long history reads ten thousand of them
            raise _corrupt_observation(row)
        return cls(
            obs_id, name, at, status, worst, exit_code, count, expiration, state_id,
            zones_from_stored(zones),
        )  # fmt: skip

    @property
    def good(self) -> bool:
        """It worked: no error or critical finding (exit status 0 or 1)."""
        return self.exit_code <= 1


@dataclass(frozen=True, slots=True)
class StateRun:
    """How often one served state was observed for a name, and when first and last."""

    state_id: int
    first_at: int
    last_at: int
    count: int


class Store(Protocol):
    """What ``check --db``, ``watch`` and ``history`` need of an open history store."""

    url: str

    def record(self, obs: NewObservation) -> int: ...

    def check_writable(self) -> None:
        """Take the write lock and give it back; DoctorError (a lock named as such) when
        the store cannot be written now (``scan --db`` asks before probing a name)."""
        ...

    def observations(
        self, name: str, since: int | None = None, until: int | None = None
    ) -> list[StoredObservation]: ...

    def latest(self, name: str, before: int, *, good: bool = False) -> StoredObservation | None: ...

    def state_runs(self, name: str, until: int) -> list[StateRun]: ...

    def facts(self, state_ids: Iterable[int]) -> dict[int, ObservationFacts]: ...

    def dnskey_original_ttls(self, state_ids: Iterable[int]) -> dict[int, dict[str, int]]:
        """State id → zone (lower case) → the longest Original TTL of the zone's RRSIGs
        over its DNSKEY RRset (``holddown.dnskey_original_ttls`` of the state's facts),
        read without the rest of the facts; states without one are left out."""
        ...

    def payload(self, observation_id: int) -> tuple[dict[str, Any], dict[str, Any]]: ...

    def capture(self, name: str, observation_id: int) -> dict[str, Any]: ...

    def names(self) -> list[str]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...


def stored_zones(zones: Sequence[str]) -> str:
    """How ``anchor_zones`` is stored: the names joined by spaces (a name in presentation
    format escapes its spaces, RFC 1035 §5.1)."""
    return " ".join(zones)


def zones_from_stored(value: str | None) -> tuple[str, ...]:
    """``anchor_zones`` as read back; NULL (an observation recorded before revision 0002,
    when only the root was judged) or empty reads as the root."""
    return tuple(value.split()) if value else ROOT_ONLY


def anchor_zones_of(lines: Sequence[str]) -> tuple[str, ...]:
    """The zones a check was anchored at: the distinct owners of its trust anchors (a
    capture's ``trust_anchors`` lines, already parsed once by the analysis), lower case
    and sorted; the root when there are none (a capture that did not record them)."""
    if not lines:
        return ROOT_ONLY
    from dnssec_doctor.model.anchors import anchors_from_lines

    owners = anchors_from_lines(lines, "capture trust anchors").owners()
    return tuple(sorted({owner.to_text().lower() for owner in owners}))


def runs_of(history: Sequence[StoredObservation]) -> list[StateRun]:
    """The state runs of a list of observations (oldest first), ordered by first sighting."""
    runs: dict[int, list[int]] = {}
    for o in history:
        run = runs.setdefault(o.state_id, [o.observed_at, o.observed_at, 0])
        run[1] = max(run[1], o.observed_at)
        run[2] += 1
    ordered = sorted(runs.items(), key=lambda item: (item[1][0], item[0]))
    return [StateRun(state_id, first, last, count) for state_id, (first, last, count) in ordered]


def fact_row(item: Any, state_id: int, position: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The row one fact is stored as (``position``: each zone's place on the chain, servers)."""
    row = {"state_id": state_id, **item._asdict()}
    if position is not None:
        row["position"] = position.get(item.zone, 0)
    return row


def facts_from_rows(
    rows: Mapping[str, Sequence[Mapping[str, Any]]], digest: str
) -> ObservationFacts:
    """The facts of one state from its rows (``rows[kind]``, each row by column name)."""
    ordered = sorted(rows["servers"], key=lambda r: (r["position"], r["zone"]))
    zones = tuple(dict.fromkeys(r["zone"] for r in ordered))
    built = {
        kind: tuple(sorted(_as(cls, r) for r in rows[kind]))
        for kind, (_table, cls) in FACT_TABLES.items()
    }
    return ObservationFacts(zones=zones, digest=digest, **built)


def _as(cls: type[Any], row: Mapping[str, Any]) -> Any:
    values = {name: row[name] for name in cls._fields}
    for column, kinds in _COLUMN_KINDS[cls].items():
        if not any(_KIND_CHECKS[kind](values[column]) for kind in kinds):
            raise DoctorError(
                f"the served state {row['state_id']} in the history database is corrupt "
                f"({FACT_TABLES_BY_TYPE[cls]}.{column} is {shown_value(values[column])})"
            )
    if cls is ServerFacts:  # a Boolean column comes back as 0 or 1 from sqlite3
        values["answered"] = bool(values["answered"])
    return cls(**values)


DNSKEY_TTLS_WHERE = "covered_type = 'DNSKEY' AND lower(owner) = lower(zone)"
"""The RRSIGs ``Store.dnskey_original_ttls`` reads: those over a zone's own DNSKEY RRset."""


def merged_ttls(rows: Iterable[Sequence[Any]]) -> dict[int, dict[str, int]]:
    """``Store.dnskey_original_ttls`` from rows of (state id, zone, longest Original TTL),
    zones that differ only in case merged."""
    out: dict[int, dict[str, int]] = {}
    for state_id, zone, ttl in rows:
        by_zone = out.setdefault(int(state_id), {})
        key = str(zone).lower()
        by_zone[key] = max(by_zone.get(key, 0), int(ttl))
    return out


def _corrupt_observation(row: Sequence[Any]) -> DoctorError:
    """The line for an observation row with a value this tool never writes."""
    obs_id, name, at, status, worst, exit_code, count, expiration, state_id, zones = row
    checks = (
        ("observed_at", at, _is_int),
        ("status", status, _is_str),
        ("worst", worst, _SEVERITY_LABELS.__contains__),
        ("exit_code", exit_code, _EXIT_CODES.__contains__),
        ("finding_count", count, _is_int),
        ("earliest_expiration", expiration, _is_int_or_none),
        ("state_id", state_id, _is_int),
        ("anchor_zones", zones, _is_str_or_none),
    )
    column, value = next(((c, v) for c, v, valid in checks if not valid(v)), ("row", row))
    return DoctorError(
        f"observation {obs_id} of {name} in the history database is corrupt "
        f"({column} is {shown_value(value)})"
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_int_or_none(value: object) -> bool:
    return value is None or _is_int(value)


def _is_str_or_none(value: object) -> bool:
    return value is None or isinstance(value, str)


_SEVERITY_LABELS = frozenset(s.label for s in Severity)
_EXIT_CODES = frozenset({0, 1, 2, 3})
_KIND_CHECKS: dict[str, Callable[[object], bool]] = {
    "int": _is_int,
    "str": _is_str,
    "bool": lambda value: value in (0, 1),  # sqlite3 gives 0 or 1, psycopg False or True
    "None": lambda value: value is None,
}
FACT_TABLES_BY_TYPE = {cls: table for table, cls in FACT_TABLES.values()}


def _annotation(cls: type[Any], field: str) -> str:
    """A field's annotation as written (a named tuple keeps it as a ``ForwardRef``)."""
    annotation = cls.__annotations__[field]
    return str(getattr(annotation, "__forward_arg__", annotation))


def _kinds_of(cls: type[Any]) -> dict[str, tuple[str, ...]]:
    """Each field of a fact type and the kinds of value it takes (``int | None``: int
    and None), read from its annotations (a kind not checked here fails the import, so
    a new fact field cannot go unchecked)."""
    kinds = {
        name: tuple(kind.strip() for kind in _annotation(cls, name).split("|"))
        for name in cls._fields
    }
    unknown = {k for ks in kinds.values() for k in ks} - set(_KIND_CHECKS)
    if unknown:
        raise TypeError(f"{cls.__name__}: no stored-value check for {sorted(unknown)}")
    return kinds


_COLUMN_KINDS = {cls: _kinds_of(cls) for _table, cls in FACT_TABLES.values()}


def shown_value(value: object) -> str:
    """A stored value as a corruption message quotes it (short)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def chunks(ids: list[int]) -> Iterable[list[int]]:
    """``ids`` in lists of at most ``IN_CHUNK``."""
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


def database_error(url: str, doing: str, exc: BaseException) -> DoctorError:
    """A driver's error as the one line every store prints (a lock named as such)."""
    text = str(exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    if "locked" in reason or "busy" in reason or "lock timeout" in reason:
        reason += " (another process is writing to it; try again)"
    elif "readonly database" in reason:  # SQLite writes beside a WAL file even to read it
        reason += (
            " (the file or its directory is not writable; to read a history on read-only "
            "storage: --db 'sqlite:///file:PATH?uri=true&immutable=1')"
        )
    return DoctorError(f"history database {url}: cannot {doing}: {reason}")


def decode_document(blob: bytes, what: str) -> dict[str, Any]:
    """A stored payload (gzipped JSON object); DoctorError naming ``what`` when it is corrupt.

    Inflated to at most the size a capture file may have (``InputLimits``): a payload
    that inflates without end (a gzip bomb written into the database) is refused, not
    read into memory."""
    limit = INPUT_LIMITS.capture_json_bytes
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(blob)) as stream:
            raw = stream.read(limit + 1)  # inflates no more than asked
        if len(raw) > limit:
            raise DoctorError(
                f"{what} in the history database is corrupt "
                f"(it inflates to more than {limit >> 20} MiB)"
            )
        data = json.loads(raw.decode("utf-8"))
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError):
        raise DoctorError(f"{what} in the history database is corrupt (not gzipped JSON)") from None
    if not isinstance(data, dict):
        raise DoctorError(f"{what} in the history database is corrupt (not a JSON object)")
    return data


def checked_capture(blob: bytes, what: str) -> dict[str, Any]:
    """A stored capture document, checked to be a capture."""
    from dnssec_doctor.model.capture import Capture

    document = decode_document(blob, what)
    try:
        Capture.from_json(document)
    except DoctorError as exc:
        raise DoctorError(f"{what} in the history database is corrupt ({exc})") from None
    return document


def compressed(data: bytes) -> bytes:
    """A payload as stored: gzip level 6, no timestamp (equal input, equal bytes)."""
    return gzip.compress(data, compresslevel=6, mtime=0)
