"""Monitoring-plugin output: a status line, the root causes, and performance data.

The Monitoring Plugins interface (Nagios, Icinga, Naemon, Shinken, Sensu): the exit
status is the state (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), stdout's first line is
``DNSSEC STATE - text | perfdata``, further lines are the long text. Performance data
is ``label=value[UOM];[warn];[crit];[min];[max]``, where warn and crit are ranges:
``604800:`` alerts below 604800, which is how a "time left" threshold is written;
the time left is negative once signatures on the chain have expired.

The state is the worse of the findings' (model/severity.py) and the expiry thresholds'.
Labels are fixed words; DNS data appears only in the text, escaped so that it can
neither end the line nor start the performance data.
"""

from __future__ import annotations

from dnssec_doctor.escape import plugin_text
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.model.severity import (
    EXIT_CANNOT_DIAGNOSE,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_WARNING,
    Severity,
    exit_code_for,
)
from dnssec_doctor.render import headline
from dnssec_doctor.render.monitoring import (
    ExpiryThresholds,
    RunFacts,
    earliest_expiry,
    findings_by_severity,
    problem_codes,
    seconds_left,
    servers_ok,
)
from dnssec_doctor.timefmt import duration, iso

LABELS = {
    EXIT_OK: "OK",
    EXIT_WARNING: "WARNING",
    EXIT_ERROR: "CRITICAL",
    EXIT_CANNOT_DIAGNOSE: "UNKNOWN",
}
MAX_DETAIL_LINES = 10
"""Root causes listed under the status line (the first line is what pagers show)."""


def nagios_status(d: Diagnosis, thresholds: ExpiryThresholds) -> int:
    """The plugin state: the findings' exit status, raised by the expiry thresholds."""
    status = exit_code_for(f.severity for f in d.findings)
    left = seconds_left(d)
    if left is not None and left < thresholds.critical:
        status = max(status, EXIT_ERROR)
    elif left is not None and left < thresholds.warning:
        status = max(status, EXIT_WARNING)
    return status


def render_nagios(
    d: Diagnosis, thresholds: ExpiryThresholds | None = None, run: RunFacts | None = None
) -> str:
    """``DNSSEC CRITICAL - example.com. bogus: CODE, CODE; … | expires_in=…s;…``."""
    thresholds = thresholds or ExpiryThresholds()
    run = run or RunFacts()
    status = nagios_status(d, thresholds)
    codes = problem_codes(d)
    summary = f"{plugin_text(d.name)} {plugin_text(headline.outcome(d))}" + (
        f": {', '.join(codes)}" if codes else ""
    )
    summary += f"; {_expiry_text(d, thresholds)}"
    lines = [f"DNSSEC {LABELS[status]} - {summary} | {' '.join(_perfdata(d, thresholds, run))}"]
    roots = [f for f in d.root_causes() if f.severity >= Severity.WARNING]
    for f in roots[:MAX_DETAIL_LINES]:
        lines.append(plugin_text(f"{f.code} [{f.severity.label}] {f.zone}: {f.title}"))
    if len(roots) > MAX_DETAIL_LINES:
        lines.append(f"… and {len(roots) - MAX_DETAIL_LINES} more")
    return "\n".join(lines) + "\n"


def render_nagios_unknown(message: str) -> str:
    """The UNKNOWN line for a check that could not diagnose (exit status 3)."""
    return f"DNSSEC UNKNOWN - {plugin_text(message)}\n"


def _expiry_text(d: Diagnosis, thresholds: ExpiryThresholds) -> str:
    until = earliest_expiry(d)
    if until is None:
        return "no valid signature on the chain"
    left = until - d.at
    if left < 0:
        return f"earliest signature expired {iso(until)}, {duration(-left)} ago"
    text = f"earliest signature expires {iso(until)}, in {duration(left)}"
    if left < thresholds.critical:
        return f"{text} (critical below {duration(thresholds.critical)})"
    if left < thresholds.warning:
        return f"{text} (warning below {duration(thresholds.warning)})"
    return text


def _perfdata(d: Diagnosis, thresholds: ExpiryThresholds, run: RunFacts) -> list[str]:
    """``label=value[UOM];warn;crit;min;max`` items (Monitoring Plugins guidelines §2.6)."""
    left = seconds_left(d)
    value = "U" if left is None else f"{left}s"  # U: could not be determined
    by_severity = findings_by_severity(d)
    problems = sum(n for s, n in by_severity.items() if s >= Severity.WARNING)
    items = [
        # no minimum: the value is negative once signatures have expired
        f"expires_in={value};{thresholds.warning}:;{thresholds.critical}:;;",
        f"servers_ok={servers_ok(d)};;;0;{len(d.servers)}",
        f"servers={len(d.servers)};;;0;",
        f"problems={problems};;;0;",
    ]
    if run.duration is not None:
        items.append(f"time={run.duration:.3f}s;;;0;")
    return items
