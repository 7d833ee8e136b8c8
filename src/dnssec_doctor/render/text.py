"""The text report: the verdict, then root causes with evidence and fix, then the rest.

Built from rich ``Text`` objects, never markup strings, so DNS data cannot
inject markup; control characters are escaped for the terminal.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from dnssec_doctor.analysis.timefmt import duration, iso
from dnssec_doctor.catalog.entry import SYMPTOMS
from dnssec_doctor.findings import Diagnosis, Finding
from dnssec_doctor.render.escape import terminal, terminal_keep_newlines
from dnssec_doctor.severity import Severity

STATUS_STYLE = {
    "secure": "bold green",
    "insecure": "bold yellow",
    "bogus": "bold red",
    "indeterminate": "bold magenta",
}
SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.ERROR: "bold red",
    Severity.WARNING: "yellow",
    Severity.NOTICE: "cyan",
    Severity.INFO: "dim",
}
MAX_OTHER = 40


def render_text(d: Diagnosis, *, color: bool = False, width: int = 100) -> str:
    """The report as a string (ANSI colours only when ``color``)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        emoji=False,
    )
    _header(console, d)
    roots = [f for f in d.findings if f.is_root_cause and f.severity >= Severity.NOTICE]
    others = [f for f in d.findings if f not in roots]
    _symptoms(console, roots)
    if roots:
        console.print(Text("\nRoot causes", style="bold underline"))
        for f in roots:
            _finding(console, f, full=True)
    else:
        console.print(Text("\nNo problems found.", style="green"))
    if others:
        console.print(Text("\nAlso observed", style="bold underline"))
        for f in others[:MAX_OTHER]:
            _finding(console, f, full=False)
        if len(others) > MAX_OTHER:
            console.print(Text(f"  … and {len(others) - MAX_OTHER} more (see --format json)"))
    return buffer.getvalue()


def _header(console: Console, d: Diagnosis) -> None:
    line = Text()
    line.append(terminal(d.name), style="bold")
    line.append(" is ")
    line.append(d.status.upper(), style=STATUS_STYLE.get(d.status, "bold"))
    line.append(f"  (as of {iso(d.at)})")
    console.print(line)
    reason = d.stats.get("status_reason")
    if reason:
        console.print(Text(f"  {terminal(str(reason))}", style="dim"))
    if d.zones:
        console.print(Text("\nChain of trust", style="bold underline"))
        width = max(30, *(len(terminal(z.name)) + 2 for z in d.zones))
        for z in d.zones:
            row = Text("  ")
            row.append(f"{terminal(z.name):<{width}}")
            row.append(f"{z.status:<14}", style=STATUS_STYLE.get(z.status, ""))
            servers = ", ".join(z.servers[:4]) + (" …" if len(z.servers) > 4 else "")
            row.append(terminal(servers), style="dim")
            if z.valid_until is not None:
                left = z.valid_until - d.at
                style = "yellow" if left < 7 * 86400 else "dim"
                row.append(f"  signatures valid until {iso(z.valid_until)} ", style=style)
                row.append(f"({duration(left)})", style=style)
            console.print(row, soft_wrap=True)
            if z.status in ("bogus", "indeterminate") and z.reason:
                console.print(Text(f"  {'':<{width}}↳ {terminal(z.reason)}", style="dim"))


def _finding(console: Console, f: Finding, *, full: bool) -> None:
    head = Text("  ")
    head.append(f" {f.severity.label.upper()} ", style=SEVERITY_STYLE[f.severity])
    head.append(" ")
    head.append(f.code, style="bold")
    head.append(f"  {terminal(f.zone)}")
    if f.line is not None:
        head.append(f"  line {f.line}", style="dim")
    console.print(head)
    console.print(Text(f"    {terminal(f.title)}"))
    if f.servers:
        console.print(Text(f"    servers: {terminal(', '.join(f.servers))}", style="magenta"))
        if f.servers_ok:
            console.print(Text(f"    fine on: {terminal(', '.join(f.servers_ok))}", style="dim"))
    if full:
        console.print(Text(_indent(terminal_keep_newlines(f.detail))), soft_wrap=True)
        if f.fix and f.severity >= Severity.WARNING:
            fix = Text("    fix: ", style="bold green")
            fix.append(_indent(terminal_keep_newlines(f.fix)).lstrip())
            console.print(fix, soft_wrap=True)
    elif f.caused_by:
        console.print(Text(f"    caused by {terminal(', '.join(f.caused_by))}", style="dim"))


def _indent(text: str) -> str:
    """Indent every line by four spaces; long lines are left to the terminal to wrap, so
    records such as a DS to paste stay on one line."""
    return "\n".join(f"    {line.strip()}" for line in text.split("\n") if line.strip())


def _symptoms(console: Console, roots: list[Finding]) -> None:
    """What users see (the NIST guide's symptoms) → the root causes that explain it."""
    by_symptom: dict[str, list[str]] = {}
    for f in roots:
        if f.severity < Severity.WARNING:
            continue
        for symptom in f.symptoms:
            codes = by_symptom.setdefault(symptom, [])
            if f.code not in codes:
                codes.append(f.code)
    if not by_symptom:
        return
    console.print(Text("\nWhat users may see, and why", style="bold underline"))
    for symptom, codes in by_symptom.items():
        line = Text(f"  {SYMPTOMS.get(symptom, symptom)}: ")
        line.append(", ".join(codes), style="bold")
        console.print(line, soft_wrap=True)
