"""``history`` output: text, JSON (``dnssec-doctor/history``) and one HTML page.

DNS data (zone and owner names, server addresses) goes through the sink's escape:
``terminal`` for text, ``html_text`` for HTML; JSON is ASCII-escaped.
"""

from __future__ import annotations

import json
from typing import Any

from dnssec_doctor.escape import html_text, terminal
from dnssec_doctor.history.report import HistoryReport, Run
from dnssec_doctor.model.diagnosis_json import finding_json
from dnssec_doctor.render.html import CSP, CSS
from dnssec_doctor.timefmt import duration, iso

FORMAT = "dnssec-doctor/history"
VERSION = "1.0"


def _outcome(run: Run) -> str:
    o = run.first
    noun = "finding" if o.finding_count == 1 else "findings"
    return f"{o.status:<13} {o.worst:<8} {o.finding_count:>3} {noun}"


def run_span(run: Run) -> str:
    """When the run was observed: one time, or first … last (count)."""
    if run.count == 1:
        return iso(run.first.observed_at)
    return f"{iso(run.first.observed_at)} … {iso(run.last.observed_at)} ({run.count} observations)"


def run_serials(run: Run) -> str:
    """The SOA serials of the run, zone by zone (DNS data: escape before output)."""
    return ", ".join(
        f"{zone} {serial if serial is not None else '-'}" for zone, serial in run.serials
    )


def forecast_lines(report: HistoryReport) -> list[str]:
    """One line per zone on the chain: earliest expiry, last re-signing, cadence, due."""
    newest = report.newest
    lines = []
    for f in report.forecasts:
        sig = f.earliest
        cadence = duration(f.cadence) if f.cadence is not None else "not observed yet"
        state = ""
        if newest is not None and f.stalled(newest.observed_at):
            state = "  NOT REFRESHED"
        lines.append(
            f"{f.zone}: earliest expiry {iso(sig.expiration)} ({sig.owner} {sig.covered_type}, "
            f"key {sig.key_tag}); last re-signed {iso(f.last_refresh)}; cadence {cadence}; "
            f"next refresh due by {iso(f.due)}{state}"
        )
    return lines


def _counted(report: HistoryReport, between: str = ", ") -> str:
    """``3 observations, 2 runs`` (one of each: singular)."""
    observations, runs = report.observations, len(report.runs)
    return (
        f"{observations} observation{'s' if observations != 1 else ''}{between}"
        f"{runs} run{'s' if runs != 1 else ''}"
    )


def render_history_text(report: HistoryReport) -> str:
    """The timeline as plain text (one block per run)."""
    out = [f"History of {report.name}: {_counted(report)}"]
    for run in report.runs:
        out.append("")
        ids = f"#{run.first.id}" + (f"…#{run.last.id}" if run.count > 1 else "")
        out.append(f"{run_span(run)}  {_outcome(run)}  {ids}")
        out.append(f"  serials: {run_serials(run)}")
        out += [f"  * {c.text}" for c in run.changes]
    if report.forecasts:
        first = min(report.forecasts, key=lambda f: f.earliest.expiration)
        out += [
            "",
            f"Forecast (earliest expiry on the chain: {iso(first.earliest.expiration)}, "
            f"in {first.zone}):",
        ]
        out += [f"  {line}" for line in forecast_lines(report)]
    for finding in report.findings:
        out += [
            "",
            f"{finding.code} ({finding.severity.label}) in {finding.zone}",
            f"  {finding.detail}",
        ]
        if finding.fix:
            out.append(f"  fix: {finding.fix}")
    return "\n".join(terminal(line) for line in out) + "\n"


def history_json(report: HistoryReport) -> dict[str, Any]:
    """The JSON document (observations grouped in runs, with their changes)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": report.name,
        "observations": report.observations,
        "runs": [
            {
                "first": iso(run.first.observed_at),
                "last": iso(run.last.observed_at),
                "first_id": run.first.id,
                "last_id": run.last.id,
                "observations": run.count,
                "status": run.first.status,
                "worst": run.first.worst,
                "exit_code": run.first.exit_code,
                "findings": run.first.finding_count,
                "earliest_expiration": (
                    None
                    if run.first.earliest_expiration is None
                    else iso(run.first.earliest_expiration)
                ),
                "serials": {zone: serial for zone, serial in run.serials},
                # the zones the run's first check was anchored at (its --trust-anchor
                # owners; the root by default): what RFC5011_HOLDDOWN_RISK judges
                "anchor_zones": list(run.first.anchor_zones),
                "changes": [
                    {
                        "zone": c.zone,
                        "kind": c.kind,
                        "subject": c.subject,
                        "change": c.text,
                        "before": c.before,
                        "after": c.after,
                    }
                    for c in run.changes
                ],
            }
            for run in report.runs
        ],
        "earliest_expiration": (
            iso(min(f.earliest.expiration for f in report.forecasts)) if report.forecasts else None
        ),
        "forecast": [
            {
                "zone": f.zone,
                "earliest_expiration": iso(f.earliest.expiration),
                "earliest_rrset": f"{f.earliest.owner} {f.earliest.covered_type}",
                "key_tag": f.earliest.key_tag,
                "last_refresh": iso(f.last_refresh),
                "cadence_seconds": f.cadence,
                "refresh_due": iso(f.due),
                "refreshed": not (
                    report.newest is not None and f.stalled(report.newest.observed_at)
                ),
            }
            for f in report.forecasts
        ],
        "findings": [finding_json(f) for f in report.findings],
    }


def render_history_json(report: HistoryReport) -> str:
    """JSON text, ASCII only."""
    return json.dumps(history_json(report), indent=2, ensure_ascii=True) + "\n"


def render_history_html(report: HistoryReport) -> str:
    """One self-contained page, no scripts (the diagnosis page's style sheet and policy)."""
    name = html_text(report.name)
    rows = []
    for run in report.runs:
        changes = "".join(f"<li>{html_text(c.text)}</li>" for c in run.changes)
        rows.append(
            f'<tr><td class="name">{html_text(run_span(run))}</td>'
            f'<td><span class="badge st-{html_text(run.first.status)}">'
            f"{html_text(run.first.status)}</span></td>"
            f'<td><span class="badge sev-{html_text(run.first.worst)}">'
            f"{html_text(run.first.worst)}</span></td>"
            f'<td class="name">{html_text(run_serials(run))}</td>'
            f"<td><ul>{changes}</ul></td></tr>"
        )
    forecast = "".join(f"<li>{html_text(line)}</li>" for line in forecast_lines(report))
    findings = "".join(
        f"<h3>{html_text(f.code)} ({html_text(f.severity.label)})</h3>"
        f'<p class="block">{html_text(f.detail)}</p><p>{html_text(f.fix)}</p>'
        for f in report.findings
    )
    page = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>dnssec-doctor: history of {name}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>History of {name}</h1>",
        f'<p class="muted">{_counted(report, " in ")}</p>',
        "</header><main>",
        "<h2>Timeline</h2><table><thead><tr><th>when</th><th>status</th><th>worst</th>"
        "<th>SOA serials</th><th>changes since the previous run</th></tr></thead><tbody>",
        *rows,
        "</tbody></table>",
        f"<h2>Forecast</h2><ul>{forecast}</ul>" if forecast else "",
        f"<h2>Findings</h2>{findings}" if findings else "",
        "</main></body></html>",
    ]
    text = "\n".join(page) + "\n"
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")
