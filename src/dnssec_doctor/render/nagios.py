"""Monitoring-plugin output: one status line with perfdata (exit code from severity.py)."""

from __future__ import annotations

from dnssec_doctor.findings import Diagnosis
from dnssec_doctor.render import headline
from dnssec_doctor.render.escape import terminal
from dnssec_doctor.severity import EXIT_ERROR, EXIT_OK, EXIT_WARNING, exit_code_for

LABELS = {EXIT_OK: "OK", EXIT_WARNING: "WARNING", EXIT_ERROR: "CRITICAL"}


def render_nagios(d: Diagnosis) -> str:
    """``DNSSEC CRITICAL - name bogus: CODE, CODE | findings=N``."""
    code = exit_code_for(f.severity for f in d.findings)
    roots = list(dict.fromkeys(f.code for f in d.root_causes() if f.severity.value >= 2))[:5]
    summary = f"{terminal(d.name)} {terminal(headline.outcome(d))}" + (
        f": {', '.join(roots)}" if roots else ""
    )
    return f"DNSSEC {LABELS[code]} - {summary} | findings={len(d.findings)}\n"
