"""``serve --db``: record the web's checks in the history store, and read a name's history.

The same store and the same recorder as ``check --db`` (``history.recorder``): one
transaction per check, with CHANGE_SINCE_LAST_GOOD and SIGNATURES_NOT_REFRESHED
added to the diagnosis when history shows them. A store that fails (locked for too
long, full disk, a PostgreSQL server gone) costs the record, never the check: the
failure is one line in the server's log and the user gets the diagnosis without
history's findings. Checks given their own servers to ask (``ns``, before
delegating) are not recorded: they describe servers the name is not delegated to,
and anybody may send them, so they must not enter the name's history.

The store is synchronous (SQLAlchemy Core); callers run these methods in a thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.escape import terminal
from dnssec_doctor.history.recorder import history_name, record_check
from dnssec_doctor.history.report import HistoryReport, build_report, states_needed
from dnssec_doctor.history.store import HistoryStore
from dnssec_doctor.model.capture import Capture
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.model.survey import Survey
from dnssec_doctor.render.validity_svg import MAX_ROWS, PlotRow, plot_rows

LOG = logging.getLogger("dnssec_doctor.web")

MAX_OBSERVATIONS = 5000
"""Observations a history page reads (the newest): five-minute checks for about 17 days.
The page stays fast on a long history; ``history NAME --since`` reads all of them."""


@dataclass(frozen=True, slots=True)
class NameHistory:
    """What the history page and its JSON show for one name."""

    report: HistoryReport
    plot: list[PlotRow]
    truncated: bool
    """True when older observations than those read exist."""


class WebHistory:
    """The history store of a ``serve --db`` server."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store

    @classmethod
    def open(cls, url: str | None) -> WebHistory:
        """Open (create, upgrade) the store at ``url`` (None: the default file); DoctorError."""
        return cls(HistoryStore.open(url))

    def close(self) -> None:
        """Release the store's connections."""
        self.store.close()

    def record(self, capture: Capture, diagnosis: Diagnosis, survey: Survey) -> Diagnosis:
        """Record one finished check; the diagnosis with history's findings (unchanged when
        recording failed, which is logged as one line)."""
        try:
            return record_check(self.store, capture, diagnosis, survey).diagnosis
        except (DoctorError, SQLAlchemyError, OSError) as exc:
            LOG.warning(
                "dnssec-doctor: not recorded: %s: %s",
                terminal(capture.name),
                terminal(str(exc).splitlines()[0] if str(exc) else type(exc).__name__),
            )
            return diagnosis

    def history(self, name: str) -> NameHistory | None:
        """The history of ``name`` (None: never recorded); DoctorError when unreadable."""
        key = history_name(name)
        everything = self.store.observations(key)
        if not everything:
            return None
        truncated = len(everything) > MAX_OBSERVATIONS
        everything = everything[-MAX_OBSERVATIONS:]
        wanted = states_needed(everything, None)
        wanted |= {o.state_id for o in everything[-MAX_ROWS:]}  # the plot's
        facts = self.store.facts(wanted)
        report = build_report(key, everything, facts)
        return NameHistory(report, plot_rows(everything, facts), truncated)
