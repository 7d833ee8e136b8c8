"""The history of one name, for the page ``/names/{name}`` and ``/api/v1/names/{name}/history``.

The name is read like a check's (length first, then ``parse_name``); the store is
read in a thread (it is synchronous). Without a history store (``serve`` without
``--db``) both answer 404 saying so. The page's pieces are plain strings and the
SVG plot: the template autoescapes the strings, and ``render.validity_svg``
escapes every label of the plot, the one piece inserted as markup.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.escape import terminal
from dnssec_doctor.names import parse_name
from dnssec_doctor.timefmt import iso
from dnssec_doctor.web.inputs import MAX_NAME

if TYPE_CHECKING:
    from dnssec_doctor.web.history import NameHistory
    from dnssec_doctor.web.service import CheckService

NO_STORE = (
    "this server keeps no history: start it with --db URL (serve --db default) to record "
    "its checks and show each name's history"
)


class HistoryError(Exception):
    """No history to show: ``status`` (404, 422, 503) and one line saying why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def name_path(name: str) -> str:
    """The name as one path segment of ``/names/…`` (every reserved character encoded)."""
    return urllib.parse.quote(name, safe="")


async def load_history(service: CheckService, name: str) -> NameHistory:
    """The recorded history of ``name``; HistoryError when there is none to show."""
    if service.history is None:
        raise HistoryError(404, NO_STORE)
    if len(name) > MAX_NAME:
        raise HistoryError(422, f"the name is too long ({len(name)} characters)")
    try:
        canonical = parse_name(name.strip()).to_text()
    except DoctorError as exc:
        raise HistoryError(422, terminal(str(exc))) from None
    try:
        found = await asyncio.to_thread(service.history.history, canonical)
    except DoctorError as exc:
        raise HistoryError(503, terminal(str(exc))) from None
    if found is None:
        raise HistoryError(404, f"no observations of {terminal(canonical)} are recorded here")
    return found


def history_page(found: NameHistory) -> dict[str, Any]:
    """The values of ``names.html``."""
    # Imported here: they load SQLAlchemy, which a server without --db never needs.
    from dnssec_doctor.render.history import forecast_lines, run_serials, run_span
    from dnssec_doctor.render.validity_svg import render_validity_svg

    report = found.report
    return {
        "name": report.name,
        "name_path": name_path(report.name),
        "report": report,
        "truncated": found.truncated,
        "error": None,
        "plot": Markup(  # every label escaped by render_validity_svg
            render_validity_svg(found.plot, f"signature validity windows of {report.name}")
        ),
        "runs": [
            {
                "span": run_span(run),
                "status": run.first.status,
                "worst": run.first.worst,
                "serials": run_serials(run),
                "changes": [c.text for c in run.changes],
            }
            for run in report.runs
        ],
        "forecast": forecast_lines(report),
    }


def history_document(found: NameHistory) -> dict[str, Any]:
    """The JSON variant: ``history --format json``'s document and the plot's windows."""
    from dnssec_doctor.render.history import history_json

    document = history_json(found.report)
    document["truncated"] = found.truncated
    document["signature_windows"] = [
        {
            "observation_id": row.observation_id,
            "observed_at": iso(row.observed_at),
            "status": row.status,
            "windows": [
                {
                    "zone": w.zone,
                    "owner": w.owner,
                    "type": w.covered_type,
                    "key_tag": w.key_tag,
                    "inception": iso(w.inception),
                    "expiration": iso(w.expiration),
                }
                for w in row.windows
            ],
        }
        for row in found.plot
    ]
    return document
