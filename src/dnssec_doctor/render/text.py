"""The text report: the verdict, then root causes with evidence and fix, then the rest.

Written as spans of plain text with a style (``render.styled``), never markup, so DNS
data cannot inject markup; control characters are escaped for the terminal. rich is
not imported: it would cost more start-up time than the rest of a ``check``.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import SYMPTOMS
from dnssec_doctor.escape import terminal, terminal_keep_newlines
from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.render import headline
from dnssec_doctor.render.styled import StyledWriter, dumb_terminal
from dnssec_doctor.render.summary import compact
from dnssec_doctor.timefmt import duration, iso

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
MAX_EVIDENCE = 8
"""Evidence items shown per finding (the JSON has them all)."""
MAX_EVIDENCE_CHARS = 300


def render_text(d: Diagnosis, *, color: bool = False, width: int = 100) -> str:
    """The report as a string (ANSI colours only when ``color``, and not on a terminal
    that says it is dumb)."""
    out = StyledWriter(color=color and not dumb_terminal(), width=width)
    _header(out, d)
    roots = [f for f in d.findings if f.is_root_cause and f.severity >= Severity.NOTICE]
    others = [f for f in d.findings if f not in roots]
    _symptoms(out, roots)
    if roots:
        _heading(out, "Root causes")
        for f in roots:
            _finding(out, f, full=True)
    else:
        out.blank()
        if d.stats.get("nxdomain"):
            out.line(("No DNSSEC problems found; is the name spelt right?", "green"))
        else:
            out.line(("No problems found.", "green"))
    if others:
        _heading(out, "Also observed")
        for f in others[:MAX_OTHER]:
            _finding(out, f, full=False)
        if len(others) > MAX_OTHER:
            out.line(f"  … and {len(others) - MAX_OTHER} more (see --format json)")
    return out.getvalue()


def _heading(out: StyledWriter, title: str) -> None:
    out.blank()
    out.line((title, "bold underline"))


def _header(out: StyledWriter, d: Diagnosis) -> None:
    verdict = (terminal(headline.outcome(d)), STATUS_STYLE.get(d.status, "bold"))
    when = f"  (as of {iso(d.at)})"
    if len(terminal(d.name)) + len(verdict[0]) + len(when) < out.width:
        out.line((terminal(d.name), "bold"), " ", verdict, when)
    else:  # the time on a line of its own rather than cut in two
        out.line((terminal(d.name), "bold"), " ", verdict)
        out.line((when.lstrip(), "dim"))
    reason = headline.reason(d)
    if reason:
        out.line((f"  {terminal(reason)}", "dim"))
    if d.zones:
        _heading(out, "Chain of trust")
        width = max(30, *(len(terminal(z.name)) + 2 for z in d.zones))
        for z in d.zones:
            servers = ", ".join(z.servers[:4]) + (" …" if len(z.servers) > 4 else "")
            row: list[str | tuple[str, str]] = [
                "  ",
                f"{terminal(z.name):<{width}}",
                (f"{z.status:<14}", STATUS_STYLE.get(z.status, "")),
                (terminal(servers), "dim"),
            ]
            column = 2 + width + 14  # where the servers start
            validity: list[str | tuple[str, str]] = []
            if z.valid_until is not None:
                left = z.valid_until - d.at
                style = "yellow" if left < 7 * 86400 else "dim"
                validity = [
                    (f"signatures valid until {iso(z.valid_until)} ", style),
                    (f"({duration(left)})", style),
                ]
            if len("".join(s if isinstance(s, str) else s[0] for s in (*row, *validity))) + 2 <= (
                out.width
            ):
                out.line(*row, *(["  ", *validity] if validity else []))
            else:
                # A row too long for the line continues under the servers column (a
                # terminal would wrap it to column 0 and break the table).
                out.line(*row, hang=column)
                if validity:
                    out.line(" " * column, *validity, hang=column)
            if z.status in ("bogus", "indeterminate") and z.reason:
                out.line((f"  {'':<{width}}↳ {terminal(z.reason)}", "dim"), hang=width + 4)


def _finding(out: StyledWriter, f: Finding, *, full: bool) -> None:
    head: list[str | tuple[str, str]] = [
        "  ",
        (f" {f.severity.label.upper()} ", SEVERITY_STYLE[f.severity]),
        " ",
        (f.code, "bold"),
        f"  {terminal(f.zone)}",
    ]
    if f.line is not None:
        head.append((f"  line {f.line}", "dim"))
    out.line(*head)
    out.line(f"    {terminal(f.title)}")
    if f.servers:
        out.line((f"    servers: {terminal(', '.join(f.servers))}", "magenta"))
        if f.servers_ok:
            out.line((f"    fine on: {terminal(', '.join(f.servers_ok))}", "dim"))
    if full:
        out.line(_indent(terminal_keep_newlines(f.detail)), wrap=False)
        if f.fix and f.severity >= Severity.WARNING:
            # The whole fix in bold green, as the report has always shown it.
            fix = _indent(terminal_keep_newlines(f.fix)).lstrip()
            out.line((f"    fix: {fix}", "bold green"), wrap=False)
        _evidence(out, f)
    else:
        if f.caused_by:
            out.line((f"    caused by {terminal(', '.join(f.caused_by))}", "dim"))
        # What the JSON says, in words: which key is missing on which server.
        if f.detail:
            out.line(_indent(terminal_keep_newlines(f.detail)), wrap=False)
        _evidence(out, f)


def _evidence(out: StyledWriter, f: Finding) -> None:
    """The finding's evidence, one ``key: value`` line each (long values cut)."""
    for key, value in list(f.evidence.items())[:MAX_EVIDENCE]:
        text = compact(value)
        if len(text) > MAX_EVIDENCE_CHARS:
            text = text[: MAX_EVIDENCE_CHARS - 1] + "…"
        out.line((f"    {terminal(str(key))}: {terminal(text)}", "dim"))
    if len(f.evidence) > MAX_EVIDENCE:
        out.line((f"    … and {len(f.evidence) - MAX_EVIDENCE} more (see --format json)", "dim"))


def _indent(text: str) -> str:
    """Indent every line by four spaces; long lines are left to the terminal to wrap, so
    records such as a DS to paste stay on one line."""
    return "\n".join(f"    {line.strip()}" for line in text.split("\n") if line.strip())


def _symptoms(out: StyledWriter, roots: list[Finding]) -> None:
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
    _heading(out, "What users may see, and why")
    for symptom, codes in by_symptom.items():
        out.line(f"  {SYMPTOMS.get(symptom, symptom)}: ", (", ".join(codes), "bold"), wrap=False)
