"""Scan output: JSON Lines or CSV, written a record at a time, and ``--resume``.

The output file is opened with :func:`fileio.open_stream`, the safe writer's streaming
form: a planted symbolic link is refused (``O_NOFOLLOW``), so is anything but a
regular file (a FIFO, a device), before a byte is written. Each record is one
``write(2)`` of one whole line, so an interrupted scan (Ctrl-C, a kill, a crash)
leaves complete lines, at worst followed by one truncated line, which ``--resume``
cuts off before appending.

``--resume`` reads what the file already holds: every complete record's input
``line`` is done (kept as a sorted array of 4-byte numbers, so even ten million
records fit in 40 MB) and counted in the summary; the scan then skips those lines.
"""

from __future__ import annotations

import array
import bisect
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import open_input, open_stream
from dnssec_doctor.scan.records import CSV_COLUMNS, Record, csv_row

FORMATS = ("jsonl", "csv")
_MAX_RECORD_LINE = 64 * 1024 * 1024
"""A line of a previous output longer than this is not a record we wrote."""


class DoneLines:
    """Input line numbers already in the output (a sorted array: 4 bytes each)."""

    def __init__(self, lines: array.array[int]) -> None:
        self._lines = array.array("L", sorted(lines))

    def __len__(self) -> int:
        return len(self._lines)

    def __contains__(self, line: object) -> bool:
        if not isinstance(line, int):
            return False
        index = bisect.bisect_left(self._lines, line)
        return index < len(self._lines) and self._lines[index] == line


class Output:
    """Where records go: standard output or a file, as JSON Lines or CSV."""

    def __init__(self, fd: int, fmt: str, *, header: bool, close: bool) -> None:
        self._fd = fd
        self._fmt = fmt
        self._close = close
        if fmt == "csv" and header:
            self._write(_csv_line(list(CSV_COLUMNS)))

    def write(self, record: Record) -> None:
        """Append one record as one whole line."""
        if self._fmt == "csv":
            self._write(_csv_line(csv_row(record)))
        else:
            self._write(jsonl_line(record))

    def close(self) -> None:
        """Close the file (standard output stays open)."""
        if self._close:
            os.close(self._fd)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(self._fd, view)
            except OSError as exc:
                raise DoctorError(f"cannot write the scan output: {exc.strerror or exc}") from None
            view = view[written:]


def jsonl_line(record: Record) -> bytes:
    """One JSON Lines record (ASCII only: any byte of DNS data is escaped)."""
    text = json.dumps(record, ensure_ascii=True, separators=(",", ":"), default=str)
    return (text + "\n").encode("ascii")


def _csv_line(cells: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue().encode("utf-8")


def open_output(
    path: Path | None, fmt: str, *, resume: bool, seen: Callable[[Record], None]
) -> tuple[Output, DoneLines]:
    """The output, and the lines a previous run already wrote (``resume``).

    ``seen`` is called with each record read back, for the summary.
    """
    if path is None or str(path) == "-":
        if resume:
            raise DoctorError("--resume needs the output file of the interrupted scan (-o FILE)")
        sys.stdout.flush()
        return Output(sys.stdout.fileno(), fmt, header=True, close=False), DoneLines(
            array.array("L")
        )
    fd = open_stream(path, what="scan output", truncate=not resume)
    try:
        done = array.array("L")
        end = 0
        if resume:
            end = _read_back(path, fmt, done, seen)
            os.ftruncate(fd, end)  # drop a line cut short by the interruption
        os.lseek(fd, end, os.SEEK_SET)
        return Output(fd, fmt, header=end == 0, close=True), DoneLines(done)
    except BaseException:
        os.close(fd)
        raise


def _read_back(path: Path, fmt: str, done: array.array[int], seen: Callable[[Record], None]) -> int:
    """Collect the records of a previous run; the offset after the last whole record."""
    end = 0
    with open_input(path, what="scan output", regular_only=True) as handle:
        for offset, raw in _whole_lines(handle):
            record = _parse(raw, fmt)
            if record is None:
                if fmt == "csv" and offset == 0:  # the header
                    end = offset + len(raw)
                    continue
                break
            line = record.get("line")
            if not isinstance(line, int) or line <= 0 or line >= 2**32:
                break
            done.append(line)
            seen(record)
            end = offset + len(raw)
    return end


def _whole_lines(handle: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(offset, line) for each line ending in a newline; a last partial line is left out."""
    offset = 0
    while True:
        raw = handle.readline(_MAX_RECORD_LINE)
        if not raw.endswith(b"\n"):
            return
        yield offset, raw
        offset += len(raw)


def _parse(raw: bytes, fmt: str) -> Record | None:
    """A record written by a previous scan, or None."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if fmt == "jsonl":
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None
    cells = next(csv.reader([text]), [])
    if len(cells) != len(CSV_COLUMNS) or not cells[0].isdigit():
        return None
    record: Record = dict(zip(CSV_COLUMNS, cells, strict=True))
    record["line"] = int(cells[0])
    record["exit"] = int(cells[6]) if cells[6].isdigit() else None
    record["root_causes"] = cells[4].split()
    return record
