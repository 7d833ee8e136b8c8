"""One result record per input line, its CSV row, and its exit status.

A record is the CLI's JSON diagnosis (docs/contract.md, ``model.diagnosis_json``) plus
``line`` (the input line), ``exit`` (what ``check`` would have exited with) and
``timing``. A line that could not be scanned is a record too: ``status`` ``error``
with the reason in ``error`` (exit 3), or ``duplicate`` with ``duplicate_of`` (the
first line of that name; no exit status of its own).
"""

from __future__ import annotations

from typing import Any

from dnssec_doctor.escape import terminal
from dnssec_doctor.model.severity import EXIT_CANNOT_DIAGNOSE
from dnssec_doctor.scan.inputs import InputItem

Record = dict[str, Any]

ERROR = "error"
DUPLICATE = "duplicate"

CSV_COLUMNS = (
    "line",
    "name",
    "status",
    "worst_severity",
    "root_causes",
    "earliest_expiry",
    "exit",
    "error",
)
"""The CSV columns, in order (the header row)."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Cell openings a spreadsheet runs as a formula (OWASP "CSV injection")."""


def error_record(line: int, name: str, error: str) -> Record:
    """A line (or name) that could not be diagnosed: exit 3."""
    return {"name": name, "line": line, "status": ERROR, "error": error,
            "exit": EXIT_CANNOT_DIAGNOSE}  # fmt: skip


def item_record(item: InputItem) -> Record | None:
    """The record of an input line that is not scanned (None for a name to scan)."""
    if item.duplicate_of:
        return {"name": item.text, "line": item.line, "status": DUPLICATE,
                "duplicate_of": item.duplicate_of}  # fmt: skip
    if item.name is None:
        return error_record(item.line, item.text, item.error)
    return None


def exit_of(record: Record) -> int | None:
    """The record's exit status; None for a duplicate (counted with its first line)."""
    value = record.get("exit")
    return value if isinstance(value, int) else None


def scan_exit(worst_diagnosed: int | None) -> int:
    """The scan's exit status: the worst of the diagnosed names; 3 when none was."""
    return EXIT_CANNOT_DIAGNOSE if worst_diagnosed is None else worst_diagnosed


def csv_row(record: Record) -> list[str]:
    """The record as CSV cells, each guarded against formula injection."""
    codes = record.get("root_causes")
    if not isinstance(codes, list):
        codes = []
    values = [
        str(record.get("line", "")),
        str(record.get("name", "")),
        str(record.get("status", "")),
        str(record.get("worst_severity", "") or ""),
        " ".join(str(c) for c in codes),
        str(record.get("earliest_expiry", "") or ""),
        "" if record.get("exit") is None else str(record["exit"]),
        str(record.get("error", "") or ""),
    ]
    if record.get("status") == DUPLICATE:
        values[7] = f"duplicate of line {record.get('duplicate_of')}"
    return [guard_cell(v) for v in values]


def guard_cell(value: str) -> str:
    """``value`` safe in a spreadsheet cell and a terminal.

    Control characters become escapes (``terminal``), and a cell that a spreadsheet
    would evaluate (starting with ``= + - @``, tab or carriage return) gets a leading
    apostrophe, the usual neutralisation: it is then shown as text.
    """
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return terminal(value)
