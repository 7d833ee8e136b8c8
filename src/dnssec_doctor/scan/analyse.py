"""The CPU-bound half of a scan: one capture in, one record out (runs in a worker process).

Pure: the capture, ``now`` and the warning threshold decide the record, exactly as
``check --replay`` of that capture would (``session.diagnose_capture``).
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import TYPE_CHECKING

from dnssec_doctor.model.capture import NOT_SENT, Capture
from dnssec_doctor.model.severity import exit_code_for
from dnssec_doctor.render.monitoring import earliest_expiry
from dnssec_doctor.scan.records import Record, error_record
from dnssec_doctor.timefmt import iso

if TYPE_CHECKING:
    from dnssec_doctor.model.findings import Diagnosis

HISTORY_KEY = "_history"
"""A record's key for what ``--db`` records (``PreparedCheck``); never written out."""
SLOWEST_KEPT = 3
"""Slowest servers of one name kept in its record (for the scan's summary)."""


def analyse_capture(
    capture: Capture, line: int, now: int, expiry_warning: int, *, history: bool = False
) -> Record:
    """The record of one probed name (``check``'s verdict on the capture).

    ``history`` (``scan --db``): the record also carries, under :data:`HISTORY_KEY`, what
    recording it needs (``recorder.prepare_check``: the facts and documents, computed here
    in the worker); the process that writes the output records it and takes it out.
    """
    from dnssec_doctor.analysis.engine import AnalysisOptions
    from dnssec_doctor.session import diagnose_capture_with_survey

    started = time.perf_counter()
    timing = {"queries": len(capture.exchanges), "slowest_servers": slowest_servers(capture)}
    if not any(e.outcome == "response" for e in capture.exchanges):
        sent = sum(1 for e in capture.exchanges if e.outcome not in NOT_SENT)
        why = "no query could be sent" if sent == 0 else f"no server answered ({sent} queries sent)"
        record = error_record(line, capture.name, why)
        record["timing"] = timing
        return record
    diagnosis, survey = diagnose_capture_with_survey(capture, now, AnalysisOptions(expiry_warning))
    record = diagnosis_record(diagnosis, line)
    if history:
        from dnssec_doctor.history.recorder import prepare_check

        record[HISTORY_KEY] = prepare_check(capture, diagnosis, survey)
    timing["analysis_seconds"] = round(time.perf_counter() - started, 4)
    record["timing"] = timing
    return record


def diagnosis_record(diagnosis: Diagnosis, line: int) -> Record:
    """``check``'s JSON document of ``diagnosis`` with the scan's fields (no timing)."""
    from dnssec_doctor.model.diagnosis_json import diagnosis_json

    record = diagnosis_json(diagnosis)
    record["line"] = line
    record["exit"] = exit_code_for(f.severity for f in diagnosis.findings)
    record["worst_severity"] = diagnosis.worst.label if diagnosis.findings else None
    record["root_causes"] = sorted({f.code for f in diagnosis.root_causes()})
    expiry = earliest_expiry(diagnosis)  # as Nagios and Prometheus read it: past once expired
    record["earliest_expiry"] = iso(expiry) if expiry is not None else None
    return record


def slowest_servers(capture: Capture) -> list[list[object]]:
    """[server, mean answer time in ms, timeouts] of the slowest servers of a capture."""
    times: dict[str, list[float]] = defaultdict(list)
    timeouts: dict[str, int] = defaultdict(int)
    for exchange in capture.exchanges:
        if exchange.outcome == "response":
            times[exchange.server].append(exchange.elapsed)
        elif exchange.outcome == "timeout" and exchange.error != "not in capture":
            timeouts[exchange.server] += 1
    rows: list[tuple[str, float | None, int]] = []
    for server in sorted(set(times) | set(timeouts)):
        answered = times.get(server, [])
        mean = round(sum(answered) / len(answered) * 1000, 1) if answered else None
        rows.append((server, mean, timeouts.get(server, 0)))
    rows.sort(key=lambda r: (-r[2], -(r[1] or 0.0)))
    return [list(r) for r in rows[:SLOWEST_KEPT]]
