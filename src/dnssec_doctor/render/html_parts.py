"""Pieces of the HTML report: fixes as copyable blocks, evidence as tables, graph links.

A fix is prose with records and commands inside it. Records to paste (the indented
lines the analysis writes, such as a DS to upload) and the commands named per tool
(``BIND: rndc sign example.``) are pulled out into ``<pre>`` blocks, where a reader
copies them whole instead of fishing them out of wrapped text. Evidence is shown as
tables, never raw JSON, except what is too deeply nested for one. Every string from
the diagnosis passes through ``html_text`` / ``html_block``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from dnssec_doctor.escape import html_block, html_text
from dnssec_doctor.model.findings import JsonValue
from dnssec_doctor.model.graph import ChainGraph
from dnssec_doctor.render.keydot import svg_id

TOOLS = ("BIND", "Knot", "PowerDNS", "ldns", "Unbound", "NSD", "OpenDNSSEC", "Knot Resolver")
_COMMAND = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(t) for t in TOOLS) + r"):\s+(.+?)(?=;|\s\(|\.\s|\.$|$)"
)
_THEN = re.compile(r",?\s+then\s+")
_RECORD = re.compile(r"\S+\s+(?:\d+\s+)?(?:IN\s+)?(?:DS|DNSKEY|CDS|CDNSKEY)\s+\d", re.I)
"""A DS or DNSKEY record in presentation format: a line to copy whole."""
MAX_TABLE_ROWS = 50
"""Rows of one evidence table; more are counted."""
MAX_DEPTH = 3
"""Nesting of tables inside tables; deeper evidence is shown as indented JSON."""
MAX_LINKS = 12
"""Graph links listed for one finding."""


def fix_html(fix: str) -> list[str]:
    """The fix: its prose, then its records and commands in ``<pre>`` blocks."""
    prose: list[str] = []
    records: list[str] = []
    for line in fix.split("\n"):
        if line.strip() and (line.startswith("    ") or _RECORD.match(line.strip())):
            if not records:
                prose.append("(below)")
            records.append(line.strip())
        elif line.strip():
            prose.append(line.strip())
    text = " ".join(prose)
    out = [f'<div class="block">{html_block(fix if not records else text)}</div>']
    if records:
        out.append(f'<pre class="copy">{html_block(chr(10).join(records))}</pre>')
    commands = fix_commands(text)
    if commands:
        lines = [f"# {tool}\n{command}" for tool, command in commands]
        out.append(f'<pre class="copy">{html_block(chr(10).join(lines))}</pre>')
    return out


def fix_commands(text: str) -> list[tuple[str, str]]:
    """``(tool, command)`` pairs named in a fix (``BIND: rndc sign x; Knot: …``)."""
    found: list[tuple[str, str]] = []
    for match in _COMMAND.finditer(text):
        for part in _THEN.split(match.group(2)):
            command = part.strip().rstrip(",")
            if command:
                found.append((match.group(1), command))
    return found


def evidence_table(evidence: Mapping[str, JsonValue], depth: int = 0) -> str:
    """A two-column table: each key and its value (lists and mappings as nested tables)."""
    rows = []
    for i, (key, value) in enumerate(evidence.items()):
        if i == MAX_TABLE_ROWS:
            rows.append(f'<tr><td colspan="2">and {len(evidence) - i} more</td></tr>')
            break
        rows.append(f"<tr><th>{html_text(str(key))}</th><td>{_value(value, depth)}</td></tr>")
    return f'<table class="evidence">{"".join(rows)}</table>'


def _value(value: JsonValue, depth: int) -> str:
    if isinstance(value, str):
        return f'<code class="block">{html_block(value)}</code>'
    if value is None or isinstance(value, bool | int | float):
        return f"<code>{html_text(json.dumps(value))}</code>"
    if depth < MAX_DEPTH:
        if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
            return evidence_table(value, depth + 1)
        if isinstance(value, list | tuple) and all(_scalar(v) for v in value):
            return _scalar_list(value)
        if isinstance(value, list | tuple) and len(value) <= MAX_TABLE_ROWS * 4:
            items = "".join(f"<li>{_value(v, depth + 1)}</li>" for v in value[:MAX_TABLE_ROWS])
            more = len(value) - MAX_TABLE_ROWS
            tail = f"<li>and {more} more</li>" if more > 0 else ""
            return f'<ol class="evidence">{items}{tail}</ol>'
    return f"<pre>{html_block(_as_text(value))}</pre>"


def _scalar(value: object) -> bool:
    return value is None or isinstance(value, str | bool | int | float)


def _scalar_list(values: Sequence[JsonValue]) -> str:
    if not values:
        return '<span class="muted">none</span>'
    shown = [
        f"<code>{html_text(v if isinstance(v, str) else json.dumps(v))}</code>"
        for v in values[:MAX_TABLE_ROWS]
    ]
    if len(values) > MAX_TABLE_ROWS:
        shown.append(f"and {len(values) - MAX_TABLE_ROWS} more")
    if all(isinstance(v, str) for v in values) and len(values) > 1:
        return '<ul class="evidence">' + "".join(f"<li>{s}</li>" for s in shown) + "</ul>"
    return ", ".join(shown)


def _as_text(value: JsonValue) -> str:
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        # Evidence is loosely typed (keys that are tuples, cycles): show it, never crash.
        try:
            return repr(value)
        except RecursionError:
            return "(evidence too deeply nested to show)"


def graph_links(graph: ChainGraph, finding_key: str) -> str:
    """Links to the SVG elements a finding is about ('' when it has none)."""
    nodes = {n.id: n for n in graph.nodes}
    edges = {e.id: e for e in graph.edges}
    links = []
    ids = graph.elements_for(finding_key)
    for element in ids[:MAX_LINKS]:
        if element in nodes:
            text = nodes[element].title
        else:
            e = edges[element]
            text = f"{nodes[e.source].title} \u2192 {nodes[e.target].title}"
        links.append(f'<a href="#{svg_id(element)}">{html_text(text)}</a>')
    if len(ids) > MAX_LINKS:
        links.append(f"and {len(ids) - MAX_LINKS} more")
    return ", ".join(links)
