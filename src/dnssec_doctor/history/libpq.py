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
together in libpq's pipeline mode, so recording a check takes 7 round trips, not 22
(``check`` makes the first, the schema version, in its connecting thread).
The connection is non-blocking and every wait is a ``select``, so Ctrl-C interrupts
a check waiting for a stalled server, as it does psycopg's waits. libpq's calls release
the interpreter lock (ctypes does for every foreign call), so connecting can overlap
other work in another thread. Loading libpq: ``libpqload``.
"""

from __future__ import annotations

import ctypes
import select
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

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


class _Statement(NamedTuple):
    """A statement ready for ``PQexecParams`` / ``PQsendQueryParams`` (its arrays keep the
    parameters' bytes alive) and where its result goes."""

    text: bytes
    param_count: int
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
        lib.PQsetnonblocking(handle, 1)  # waits in ``select``, where Ctrl-C interrupts

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
        prepared = _prepared(self, statement, params)
        with self._lock:
            self._waiting.append(prepared)
        if statement == "COMMIT":
            prepared.rows._ready()
        return prepared.rows

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
            try:
                self._send(waiting)
                failed = next((w.rows._error for w in waiting if w.rows._error), None)
                if (
                    failed is not None
                    and self._handle is not None
                    and self._lib.PQtransactionStatus(self._handle) == TRANSACTION_FAILED
                ):
                    self._send([_prepared(self, "ROLLBACK", ())])
            except BaseException:  # Ctrl-C while waiting: the connection's state is unknown
                self._hang_up()
                raise
            if failed is not None:
                raise failed

    def _send(self, waiting: list[_Statement]) -> None:
        """Send ``waiting`` (several: in pipeline mode) and read every result, waiting in
        ``select`` (Ctrl-C interrupts it, as it does psycopg's waits)."""
        lib, handle = self._lib, self._handle
        pipeline = len(waiting) > 1
        sent = not pipeline or bool(lib.PQenterPipelineMode(handle))
        for statement in waiting:
            sent = sent and bool(
                lib.PQsendQueryParams(handle, statement.text, statement.param_count,
                                      *statement.arrays, 0)
            )  # fmt: skip
        sent = sent and (not pipeline or bool(lib.PQpipelineSync(handle))) and self._sent_all()
        if not sent:
            error = LibpqError(_text(lib.PQerrorMessage(handle)).strip() or "cannot send")
            for statement in waiting:
                statement.rows._error = error
            self._hang_up()  # the connection's state is unknown: ``broken`` reconnects
            return
        for statement in waiting:
            result = self._result()
            try:
                self._fill(statement.rows, result)
            finally:
                lib.PQclear(result)
            while lib.PQstatus(handle) == CONNECTION_OK:  # up to this statement's end
                extra = self._result()
                if extra is None:
                    break
                lib.PQclear(extra)
        if pipeline:
            sync = self._result()
            synced = sync is not None and lib.PQresultStatus(sync) == PIPELINE_SYNC
            lib.PQclear(sync)
            if not (synced and lib.PQexitPipelineMode(handle)):
                self._hang_up()

    def _sent_all(self) -> bool:
        """Wait until libpq sent what it buffered (reading meanwhile, so that a server
        busy answering never waits on us); False when the connection failed."""
        lib, handle = self._lib, self._handle
        socket = lib.PQsocket(handle)
        pending: int = lib.PQflush(handle)
        while pending == 1:
            readable, _, _ = select.select([socket], [socket], [])
            if readable and not lib.PQconsumeInput(handle):
                return False
            pending = lib.PQflush(handle)
        return pending == 0

    def _result(self) -> int | None:
        """libpq's next result, read once it has arrived whole (None: no more)."""
        lib, handle = self._lib, self._handle
        socket = lib.PQsocket(handle)
        while lib.PQisBusy(handle):
            select.select([socket], [], [])
            if not lib.PQconsumeInput(handle):
                break  # the connection failed: the result says so
        result: int | None = lib.PQgetResult(handle)
        return result

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


def _prepared(conn: LibpqConnection, statement: str, params: Sequence[Any]) -> _Statement:
    """``statement`` and its parameters as libpq takes them."""
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
    text = _numbered(statement).encode("utf-8")
    return _Statement(text, count, (types, values, lengths, formats), Rows(conn))


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
