"""Severities and the exit codes derived from them (the one place that maps them).

Exit status follows the monitoring-plugin convention (docs/contract.md):
0 nothing above notice, 1 warnings, 2 at least one error or critical,
3 could not diagnose.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Severity(enum.IntEnum):
    """How bad a finding is; higher is worse."""

    INFO = 0
    NOTICE = 1
    WARNING = 2
    ERROR = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """The lower-case name used in JSON."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read a severity from its name, any case."""
        return cls[text.strip().upper()]


EXIT_OK = 0
EXIT_WARNING = 1
EXIT_ERROR = 2
EXIT_CANNOT_DIAGNOSE = 3


def exit_code_for(severities: Iterable[Severity]) -> int:
    """The process exit status for a set of finding severities."""
    worst = max(severities, default=Severity.INFO)
    if worst >= Severity.ERROR:
        return EXIT_ERROR
    if worst == Severity.WARNING:
        return EXIT_WARNING
    return EXIT_OK
