"""``scan --db URL``: one writer records every name in the history store, as ``check --db``.

The analysis workers (processes, or Dask workers) prepare what is expensive and
picklable (``recorder.prepare_check``: the diagnosis, the served facts, the capture
and diagnosis documents) and send it with the record; the process that writes the
output owns the one connection to the store and, record by record, does history's
reads and the write (``recorder.record_prepared``, one transaction each), then
writes the record as ``check --db --format json`` would show that diagnosis. So
the history findings (CHANGE_SINCE_LAST_GOOD, rollover timing, ...) are the same
as ``check --db``'s, and one writer means no two processes contend for the lock
(SQLite) or for a name's newest observation (PostgreSQL).

A name is recorded before its line is written: an interruption between the two can
record a name whose line is missing, which ``--resume`` scans (and records) again,
but never writes a line whose history was not recorded. A name whose record fails
stops the scan (``DoctorError``: one line, exit 3) with the output as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dnssec_doctor.scan.analyse import HISTORY_KEY, diagnosis_record
from dnssec_doctor.scan.records import Record

if TYPE_CHECKING:
    from dnssec_doctor.history.records import Store


class ScanRecorder:
    """The history store of one scan, opened (and found writable) before any probe."""

    def __init__(self, url: str | None) -> None:
        from dnssec_doctor.history.opener import open_store

        self._store: Store = open_store(url)
        try:
            self._store.check_writable()
        except BaseException:
            self._store.close()
            raise
        self.recorded = 0

    def close(self) -> None:
        """Close the store."""
        self._store.close()

    def __enter__(self) -> ScanRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def summary_line(self) -> str:
        """What the scan's summary says of the store (the URL's password hidden)."""
        plural = "" if self.recorded == 1 else "s"
        return f"recorded {self.recorded} name{plural} in the history store {self._store.url}\n"

    def record(self, record: Record) -> Record:
        """Record the name of ``record`` (when it carries what to record) and return the
        record to write: with history's findings, without what was recorded."""
        from dnssec_doctor.history.recorder import PreparedCheck, record_prepared

        prepared = record.pop(HISTORY_KEY, None)
        if not isinstance(prepared, PreparedCheck):
            return record  # an error or a duplicate: ``check`` would not record it either
        recorded = record_prepared(self._store, prepared)
        self.recorded += 1
        if recorded.diagnosis is prepared.diagnosis:
            return record
        augmented = diagnosis_record(recorded.diagnosis, record["line"])
        augmented["timing"] = record.get("timing", {})
        return augmented
