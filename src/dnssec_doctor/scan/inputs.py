"""The names to scan, streamed from a file: never read whole, whatever its size.

One name per line; ``#`` comments and blank lines are ignored. A file whose first
meaningful line is a CSV header with a ``name`` column (``name,customer``) is read as
CSV and only that column is used. Each line is read with a length cap, so a 1 GB line
without a newline costs :data:`MAX_LINE` bytes of memory, not 1 GB.

Every line that is not ignored becomes an :class:`InputItem`: a name to scan, or an
error (malformed name, over-long line) that the scan writes as a record of its own,
or a duplicate of an earlier line (written once, as a ``duplicate`` record naming the
first line, never scanned twice).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.names import parse_name

MAX_LINE = 4096
"""Bytes of one input line that are read; a longer line is a per-line error."""
DEDUPE_GENERATION = 250_000
"""Names remembered per generation for duplicate detection. Two generations are kept
(about 120 bytes per name: 60 MB at most), so a repeat within the last 250,000 to 500,000
distinct names is reported as a duplicate; an older one is scanned again (memory stays
bounded whatever the input)."""


_SEPARATORS = frozenset(",; \t")
_SEPARATOR_ERROR = (
    "not one name: it holds a separator (one name per line, or CSV with a 'name' header)"
)


@dataclass(frozen=True, slots=True)
class InputItem:
    """One meaningful input line: a name to scan, or why it cannot be scanned."""

    line: int
    """1-based line number in the input."""
    text: str
    """The name as written (decoded, stripped; cut at :data:`MAX_LINE`)."""
    name: str | None = None
    """The absolute name to scan (presentation form), None for an error or a duplicate."""
    error: str = ""
    duplicate_of: int = 0
    """The line this name was first seen on (0 when it is not a duplicate)."""


def read_items(handle: BinaryIO) -> Iterator[InputItem]:
    """Every meaningful line of ``handle``, in order, as items (streamed)."""
    seen = _Seen()
    column: int | None = None
    header_done = False
    for number, raw, too_long in _lines(handle):
        text = raw.decode("utf-8", errors="replace").strip().lstrip("\ufeff").strip()
        if too_long:
            yield InputItem(number, text, error=f"line longer than {MAX_LINE} bytes")
            continue
        if not text or text.startswith("#"):
            continue
        if not header_done:
            header_done = True
            column = _name_column(text)
            if column is not None:
                continue
        if column is not None:
            cells = next(csv.reader([text]), [])
            text = cells[column].strip() if column < len(cells) else ""
            if not text:
                yield InputItem(number, text, error="no name in the 'name' column")
                continue
        yield _item(number, text, seen)


def _item(number: int, text: str, seen: _Seen) -> InputItem:
    if any(c in _SEPARATORS for c in text):
        # Legal in a DNS label, but in a list of names it is two names on one line
        # or a CSV file without its header: never scan "a.test,b.test" as one name.
        return InputItem(number, text, error=_SEPARATOR_ERROR)
    try:
        name = parse_name(text).to_text()
    except DoctorError as exc:
        return InputItem(number, text, error=str(exc))
    first = seen.first_line(name, number)
    if first:
        return InputItem(number, text, duplicate_of=first)
    return InputItem(number, text, name=name)


def _name_column(text: str) -> int | None:
    """The index of the ``name`` column when ``text`` is a CSV header, else None."""
    if "," not in text:
        return None
    cells = [c.strip().lower() for c in next(csv.reader([text]), [])]
    return cells.index("name") if "name" in cells else None


def _lines(handle: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, at most MAX_LINE bytes, whether the line was longer)."""
    number = 0
    while True:
        chunk = handle.readline(MAX_LINE + 1)
        if not chunk:
            return
        number += 1
        if chunk.endswith(b"\n") or len(chunk) <= MAX_LINE:
            yield number, chunk, False
            continue
        start = chunk[:80]
        # Skip the rest of the over-long line without holding it.
        while chunk and not chunk.endswith(b"\n"):
            chunk = handle.readline(MAX_LINE + 1)
        yield number, start, True


class _Seen:
    """The names already read (hashed), in two bounded generations."""

    def __init__(self, generation: int = DEDUPE_GENERATION) -> None:
        self._generation = generation
        self._current: dict[int, int] = {}
        self._previous: dict[int, int] = {}

    def first_line(self, name: str, line: int) -> int:
        """The line ``name`` was first seen on, or 0 (and remember it) when it is new."""
        digest = hashlib.blake2b(name.lower().encode(), digest_size=8).digest()
        key = int.from_bytes(digest, "big")  # an int costs less memory than a bytes object
        first = self._current.get(key) or self._previous.get(key)
        if first:
            return first
        if len(self._current) >= self._generation:
            self._previous, self._current = self._current, {}
        self._current[key] = line
        return 0
