"""PostgreSQL through libpq itself (ctypes): the history store's quickest way in.

Importing psycopg costs about 40 ms of CPU (its adapters, types and error classes),
three times what ``check --db`` may add in all. ``check`` records one observation
after a handful of small reads, so it talks to the very libpq psycopg would use
(the copy the ``psycopg[binary]`` wheel ships, or the system's for another build of
psycopg) through ctypes, which loads in about 4 ms: the same connection (libpq reads
the same URL parts, environment, password file and TLS defaults), the same SQL, the
same rows, and psycopg's wording of errors (``connection failed: …``, the server's
message without its severity). Values travel as text, except ``bytea`` (binary);
results are read cell by cell, which is slower than psycopg for long histories, so
only ``check`` takes this path (``opener.open_store``'s ``quick``).

Round trips: statements wait until a result is read (or a ``COMMIT``), then go
together in libpq's pipeline mode, so recording a check takes 7 round trips, not 22.
libpq's calls release the interpreter lock (ctypes does for every foreign call), so
connecting can overlap other work in another thread. Loading libpq: ``libpqload``.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dnssec_doctor.history.libpqload import IGNORE_NOTICE, load

__all__ = ["LibpqConnection", "LibpqError", "Rows", "load"]

CONNECTION_OK = 0
COMMAND_OK, TUPLES_OK = 1, 2
"""``PGRES_COMMAND_OK`` and ``PGRES_TUPLES_OK``: every other result status is an error."""
PIPELINE_SYNC, PIPELINE_ABORTED = 10, 11
TRANSACTION_FAILED = 3
"""``PQTRANS_INERROR``: a transaction that failed and waits for its ``ROLLBACK``."""
DIAG_SEVERITY = ord("S")
"""``PG_DIAG_SEVERITY``: the localized severity the message starts with."""
BYTEA, BOOL = 17, 16
INTEGERS = frozenset({20, 21, 23, 26})
"""int8, int2, int4, oid."""
TEXTS = frozenset({19, 25, 705, 1042, 1043})
"""name, text, unknown, bpchar, varchar."""
MAX_PARAMS = 32767
"""Parameters per statement (the protocol's limit is 65535; ``executemany`` chunks)."""


class LibpqError(Exception):
    """A libpq or server error, worded as psycopg words it (``store.database_error``
    prints its first line)."""


def _text(raw: bytes | None) -> str:
    return (raw or b"").decode("utf-8", "replace")


class Rows:
    """A statement's result: its rows (as Python values) and ``description``, read from
    the server when first asked for (statements are sent together until then)."""

    def __init__(self, conn: LibpqConnection) -> None:
        self._conn = conn
        self._rows: list[tuple[Any, ...]] | None = None
        self._names: list[str] = []
        self._error: LibpqError | None = None

    def _ready(self) -> list[tuple[Any, ...]]:
        if self._rows is None and self._error is None:
            self._conn.flush()
        if self._error is not None:
            raise self._error
        return self._rows or []

    @property
    def description(self) -> list[tuple[str]]:
        self._ready()
        return [(name,) for name in self._names]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._ready())

    def fetchone(self) -> tuple[Any, ...] | None:
        rows = self._ready()
        return rows[0] if rows else None


@dataclass(frozen=True, slots=True)
class _Statement:
    """A statement ready for ``PQexecParams`` / ``PQsendQueryParams`` (its arrays keep the
    parameters' bytes alive) and where its result goes."""

    text: bytes
    count: int
    arrays: tuple[Any, Any, Any, Any]
    rows: Rows


class LibpqConnection:
    """One autocommit connection: what ``DirectStore`` asks of a driver's connection
    (``execute``, ``cursor().executemany``, ``broken``, ``close``); one thread at a time.

    Round trips: a statement is sent when its result is first read, or with ``COMMIT``,
    and all the statements waiting by then go in one round trip (libpq's pipeline
    mode): ``BEGIN`` with the first query, a record's last inserts with its ``COMMIT``,
    a read's ``ROLLBACK`` with the next statement. Any failure among them fails the
    statement read (a ``COMMIT``: the record) with the first error, and a transaction
    left failed is rolled back at once, as psycopg's would be by the caller."""

    def __init__(self, lib: ctypes.CDLL, handle: int) -> None:
        self.lib = lib
        self._lib = lib
        self._handle: int | None = handle
        self._lock = threading.RLock()
        self._waiting: list[_Statement] = []
        lib.PQsetNoticeProcessor(handle, IGNORE_NOTICE, None)  # psycopg prints none either

    @classmethod
    def connect(cls, lib: ctypes.CDLL, params: Mapping[str, object]) -> LibpqConnection:
        """Connect with psycopg's ``connect`` arguments; LibpqError when it fails."""
        settings = {**{k: str(v) for k, v in params.items()}, "client_encoding": "UTF8"}
        keys = (ctypes.c_char_p * (len(settings) + 1))(*[k.encode() for k in settings], None)
        values = (ctypes.c_char_p * (len(settings) + 1))(
            *[v.encode("utf-8") for v in settings.values()], None
        )
        handle = lib.PQconnectdbParams(keys, values, 0)
        if handle is None:
            raise LibpqError("connection failed: out of memory")
        if lib.PQstatus(handle) != CONNECTION_OK:
            message = _text(lib.PQerrorMessage(handle)).strip()
            lib.PQfinish(handle)
            raise LibpqError(f"connection failed: {message or 'no error details available'}")
        return cls(lib, handle)

    @property
    def broken(self) -> bool:
        """Whether the server went away (``DirectStore`` then connects again)."""
        return self._handle is None or self._lib.PQstatus(self._handle) != CONNECTION_OK

    def close(self) -> None:
        """Hang up (statements still waiting are dropped: a transaction left open ends)."""
        with self._lock:
            self._waiting = []
            if self._handle is not None:
                self._lib.PQfinish(self._handle)
                self._handle = None

    def cursor(self) -> LibpqConnection:
        return self

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Rows:
        """A statement written with ``?`` placeholders, sent when its rows are read (a
        ``COMMIT`` at once, its failure or any before it raised here)."""
        count = len(params)
        types = (ctypes.c_uint * max(count, 1))()
        values = (ctypes.c_char_p * max(count, 1))()
        lengths = (ctypes.c_int * max(count, 1))()
        formats = (ctypes.c_int * max(count, 1))()
        for i, value in enumerate(params):
            encoded, binary = _param(value)
            values[i] = encoded
            if binary:
                types[i], lengths[i], formats[i] = BYTEA, len(encoded or b""), 1
        rows = Rows(self)
        text = _numbered(statement).encode("utf-8")
        with self._lock:
            self._waiting.append(_Statement(text, count, (types, values, lengths, formats), rows))
        if statement == "COMMIT":
            rows._ready()
        return rows

    def flush(self) -> None:
        """Send every statement waiting, in one round trip, and read their results;
        LibpqError: the first that failed (the rest were not run)."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
            if not waiting:
                return
            if self._handle is None:
                error = LibpqError("the connection is closed")
                for statement in waiting:
                    statement.rows._error = error
                raise error
            if len(waiting) == 1:
                self._exec(waiting[0])
            else:
                self._pipeline(waiting)
            failed = next((w.rows._error for w in waiting if w.rows._error is not None), None)
            if failed is not None:
                if self._lib.PQtransactionStatus(self._handle) == TRANSACTION_FAILED:
                    self._lib.PQclear(self._lib.PQexec(self._handle, b"ROLLBACK"))
                raise failed

    def _exec(self, statement: _Statement) -> None:
        result = self._lib.PQexecParams(
            self._handle, statement.text, statement.count, *statement.arrays, 0
        )
        try:
            self._fill(statement.rows, result)
        finally:
            self._lib.PQclear(result)

    def _pipeline(self, waiting: list[_Statement]) -> None:
        lib, handle = self._lib, self._handle
        sent = bool(lib.PQenterPipelineMode(handle))
        for statement in waiting:
            sent = sent and bool(
                lib.PQsendQueryParams(handle, statement.text, statement.count,
                                      *statement.arrays, 0)
            )  # fmt: skip
        if not (sent and lib.PQpipelineSync(handle)):
            error = LibpqError(_text(lib.PQerrorMessage(handle)).strip() or "cannot send")
            for statement in waiting:
                statement.rows._error = error
            self._hang_up()  # the pipeline's state is unknown: ``broken`` reconnects
            return
        for statement in waiting:
            result = lib.PQgetResult(handle)
            try:
                self._fill(statement.rows, result)
            finally:
                lib.PQclear(result)
            while lib.PQstatus(handle) == CONNECTION_OK:  # up to this statement's end
                extra = lib.PQgetResult(handle)
                if extra is None:
                    break
                lib.PQclear(extra)
        sync = lib.PQgetResult(handle)
        synced = sync is not None and lib.PQresultStatus(sync) == PIPELINE_SYNC
        lib.PQclear(sync)
        if not (synced and lib.PQexitPipelineMode(handle)):
            self._hang_up()

    def _hang_up(self) -> None:
        if self._handle is not None:
            self._lib.PQfinish(self._handle)
            self._handle = None

    def executemany(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        """``INSERT … VALUES (?, …)`` for every row, in one statement per chunk of rows
        (one round trip, as psycopg's pipelined ``executemany``; rows inserted in order)."""
        if not rows:
            return
        head, marker, group = statement.rpartition(" VALUES ")
        if not marker or not group.startswith("(") or not group.endswith(")"):
            for row in rows:
                self.execute(statement, row)
            return
        per_chunk = max(1, MAX_PARAMS // max(1, len(rows[0])))
        for start in range(0, len(rows), per_chunk):
            chunk = rows[start : start + per_chunk]
            many = f"{head} VALUES {', '.join([group] * len(chunk))}"
            self.execute(many, [value for row in chunk for value in row])

    def _fill(self, rows: Rows, result: int | None) -> None:
        """``rows`` from libpq's ``result`` (or the error it carries)."""
        lib = self._lib
        if result is None:
            message = _text(lib.PQerrorMessage(self._handle)).strip()
            rows._error = LibpqError(message or "no result")
            return
        status = lib.PQresultStatus(result)
        if status == PIPELINE_ABORTED:
            rows._error = LibpqError("not run: an earlier statement failed")
            return
        if status not in (COMMAND_OK, TUPLES_OK):
            rows._error = LibpqError(_result_message(lib, result))
            return
        fields = lib.PQnfields(result)
        names = [_text(lib.PQfname(result, j)) for j in range(fields)]
        kinds = [lib.PQftype(result, j) for j in range(fields)]
        get, isnull = lib.PQgetvalue, lib.PQgetisnull
        values = []
        for i in range(lib.PQntuples(result)):
            row: list[Any] = []
            for j, kind in enumerate(kinds):
                raw: bytes = get(result, i, j)
                if not raw and isnull(result, i, j):
                    row.append(None)
                elif kind in INTEGERS:
                    row.append(int(raw))
                elif kind in TEXTS:
                    row.append(raw.decode("utf-8"))
                elif kind == BOOL:
                    row.append(raw == b"t")
                elif kind == BYTEA:
                    row.append(_unescaped(lib, raw))
                else:
                    rows._error = LibpqError(f"column {names[j]}: type {kind} is not read here")
                    return
            values.append(tuple(row))
        rows._rows, rows._names = values, names


def _numbered(statement: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1``, ``$2``, … (the store's statements have no
    ``?`` anywhere else)."""
    parts = statement.split("?")
    out = [parts[0]]
    for number, part in enumerate(parts[1:], start=1):
        out.append(f"${number}{part}")
    return "".join(out)


def _param(value: object) -> tuple[bytes | None, bool]:
    """A parameter as libpq sends it and whether it is binary (``bytea``); the server infers
    the other types from the statement, as for psycopg's text parameters."""
    if value is None:
        return None, False
    if isinstance(value, bool):
        return (b"t" if value else b"f"), False
    if isinstance(value, int):
        return str(value).encode(), False
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        if b"\x00" in encoded:
            raise LibpqError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        return encoded, False
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value), True
    raise LibpqError(f"cannot send a {type(value).__name__} to PostgreSQL")


def _unescaped(lib: ctypes.CDLL, raw: bytes) -> bytes:
    size = ctypes.c_size_t()
    pointer = lib.PQunescapeBytea(raw, ctypes.byref(size))
    if pointer is None:
        raise LibpqError("out of memory reading a bytea value")
    try:
        return ctypes.string_at(pointer, size.value)
    finally:
        lib.PQfreemem(pointer)


def _result_message(lib: ctypes.CDLL, result: int) -> str:
    """The error as psycopg words it: libpq's message without the leading severity."""
    message = _text(lib.PQresultErrorMessage(result))
    severity = lib.PQresultErrorField(result, DIAG_SEVERITY)
    if severity is not None:
        prefix = _text(severity) + ":"
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message.strip() or "no error details available"
