"""The HTML report: one self-contained page, readable in any browser, safe to open.

No external assets and no JavaScript: the style sheet is inline and allowed by its
hash in a Content-Security-Policy that forbids every script, so even a hole in the
escaping could not run code. Every DNS-derived string goes through ``html_text`` /
``html_block``; element ids are generated (``f0``, ``f1`` …), never taken from data.
The page is ASCII (other characters as numeric references), so no output encoding
can fail on it.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence

from dnssec_doctor.escape import html_block, html_text
from dnssec_doctor.model.findings import Diagnosis, Finding, ZoneReport
from dnssec_doctor.model.graph import ChainGraph
from dnssec_doctor.model.severity import Severity, exit_code_for
from dnssec_doctor.render import headline
from dnssec_doctor.render.graphviz import svg_fragment
from dnssec_doctor.render.html_parts import evidence_table, fix_html, graph_links
from dnssec_doctor.render.summary import (
    count_text,
    findings_by_zone,
    known_status,
    split_findings,
    zone_key,
)
from dnssec_doctor.timefmt import iso

CSS = """\
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f6f4}
header,main,footer{max-width:62rem;margin:0 auto;padding:1rem 1.5rem}
header{border-bottom:4px solid #999}
h1{font-size:1.5rem;margin:.2rem 0;overflow-wrap:anywhere}
h2{font-size:1.15rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1rem;margin:0 0 .3rem;overflow-wrap:anywhere}
code,pre,.name{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
pre,.block{white-space:pre-wrap;margin:.2rem 0}
.muted{color:#666}
.badge{display:inline-block;padding:0 .45rem;border-radius:.3rem;font-size:.8em;\
font-weight:700;text-transform:uppercase;color:#fff;background:#777}
.st-secure{border-color:#1a7f37}.badge.st-secure{background:#1a7f37}
.st-insecure{border-color:#b25e00}.badge.st-insecure{background:#b25e00}
.st-bogus{border-color:#c62828}.badge.st-bogus{background:#c62828}
.st-indeterminate{border-color:#7b1fa2}.badge.st-indeterminate{background:#7b1fa2}
.sev-critical{border-color:#8b0000}.badge.sev-critical{background:#8b0000}
.sev-error{border-color:#c62828}.badge.sev-error{background:#c62828}
.sev-warning{border-color:#b25e00}.badge.sev-warning{background:#b25e00}
.sev-notice{border-color:#00838f}.badge.sev-notice{background:#00838f}
.sev-info{border-color:#888}.badge.sev-info{background:#888}
ol.chain{list-style:none;padding:0;margin:.5rem 0}
ol.chain li{background:#fff;border:1px solid #ddd;border-left:6px solid #999;\
padding:.4rem .7rem;border-radius:.3rem}
ol.chain li+li{margin-top:1.6rem;position:relative}
ol.chain li+li::before{content:"\\2193  DS \\2192  DNSKEY";position:absolute;top:-1.45rem;\
left:1rem;font-size:.8em;color:#555}
ol.chain li.st-secure+li.st-secure::before{color:#1a7f37}
ol.chain li.st-bogus::before{color:#c62828;font-weight:700}
table{border-collapse:collapse;width:100%;background:#fff;margin-top:1rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top;\
overflow-wrap:anywhere}
th{background:#eee}
.finding{background:#fff;border:1px solid #ddd;border-left:6px solid #999;\
border-radius:.3rem;padding:.6rem .9rem;margin:.8rem 0}
details.finding>summary{cursor:pointer;overflow-wrap:anywhere}
details.finding[open]>summary{margin-bottom:.4rem}
.fix{background:#eef7ee;border-radius:.3rem;padding:.4rem .6rem;margin:.4rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.4rem 0}
dt{font-weight:600;color:#444}dd{margin:0;overflow-wrap:anywhere}
pre.copy{white-space:pre;overflow-x:auto;background:#fff;border:1px solid #b7d7b7;\
padding:.4rem .6rem;border-radius:.3rem}
table.evidence{margin:.3rem 0;width:auto;max-width:100%}
table.evidence table.evidence{margin:0}
ul.evidence,ol.evidence{margin:0;padding-left:1.2rem}
.graph{background:#fff;border:1px solid #ddd;border-radius:.3rem;overflow:auto;padding:.3rem}
.graph svg{max-width:100%;height:auto}
.graph g:target>ellipse,.graph g:target>polygon,.graph g:target>path{stroke:#0b57d0;\
stroke-width:5}
.legend{font-size:.85em;color:#444}
"""
"""The style sheet; its hash is what the CSP allows (so it must stay byte-exact)."""

_CSS_HASH = base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode("ascii")
CSP = (
    "default-src 'none'; script-src 'none'; "
    f"style-src 'sha256-{_CSS_HASH}'; img-src 'none'; base-uri 'none'; form-action 'none'"
)
"""No scripts, no fetches, no forms; only our own style sheet."""

LEGEND = (
    "Arrows run from what vouches to what it vouches for: trust anchor or DS to a key, "
    "key to what it signs. Green: valid; red: broken (dashed: expired or not yet valid, "
    "dotted: missing); purple: cannot be checked here. Yellow keys are KSKs (or CSKs), "
    "dashed keys are named but served by no server, thick red elements are the root "
    "cause and carry its code. See docs/graph.md."
)


def render_html(d: Diagnosis, svg: str | None = None) -> str:
    """The report as one HTML page (docs/contract.md ``--format html``), with ``svg`` (the
    chain-of-trust graph drawn by Graphviz) embedded when given."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>dnssec-doctor: {html_text(d.name)} {html_text(headline.outcome(d))}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        report_body(d, svg),
        "</body>",
        "</html>",
    ]
    page = "\n".join(parts) + "\n"
    return page.encode("ascii", "xmlcharrefreplace").decode("ascii")


def report_body(d: Diagnosis, svg: str | None = None) -> str:
    """The report without the page around it (for a web page that has its own ``<head>``
    and style sheet: it needs ``CSS``): the headline, the root causes and their fixes,
    the graph, the chain, the other findings. Pure; every DNS string escaped."""
    roots, others = split_findings(d.findings)
    ids: dict[str, str] = {}
    for i, f in enumerate((*roots, *others)):
        ids.setdefault(f.key, f"f{i}")
    seen: set[str] = set()
    fragment = svg_fragment(svg) if svg else ""
    graph = d.graph if fragment else None
    parts = [
        *_header(d),
        "<main>",
        *_root_section(roots, ids, seen, graph),
        *_graph_section(fragment),
        *_chain(d),
        *_other_section(others, ids, seen, graph),
        *_run_section(d),
        "</main>",
        f'<footer class="muted">dnssec-doctor report; exit status '
        f"{exit_code_for(f.severity for f in d.findings)}</footer>",
    ]
    return "\n".join(parts)


def _graph_section(fragment: str) -> list[str]:
    if not fragment:
        return []
    return [
        '<section id="graph">',
        "<h2>Chain of trust graph</h2>",
        f'<div class="graph">{fragment}</div>',
        f'<p class="legend">{LEGEND}</p>',
        "</section>",
    ]


def _header(d: Diagnosis) -> list[str]:
    status = known_status(d.status)
    lines = [
        f'<header class="st-{status}">',
        f'<h1><span class="name">{html_text(d.name)}</span> {_verb(d)}'
        f'<span class="badge st-{status}">{html_text(headline.badge(d))}</span>'
        f"{_after_badge(d)}</h1>",
        f'<p class="muted">as of <time datetime="{iso(d.at)}">{iso(d.at)}</time>; '
        f"{count_text(Counter(f.severity for f in d.findings))}</p>",
    ]
    reason = headline.reason(d)
    if reason:
        lines.append(f'<p class="block">{html_block(reason)}</p>')
    lines.append("</header>")
    return lines


def _verb(d: Diagnosis) -> str:
    return "does not exist: " if d.stats.get("nxdomain") else "is "


def _after_badge(d: Diagnosis) -> str:
    """What the other servers do, after a "secure on 1 of 2 servers" badge."""
    partial = headline.partial_servers(d)
    return "" if partial is None else f' <span class="muted">— {html_text(partial[2])}</span>'


def _chain(d: Diagnosis) -> list[str]:
    if not d.zones:
        return []
    counts = findings_by_zone(d.findings)
    lines = ['<section id="chain">', "<h2>Chain of trust</h2>", '<ol class="chain">']
    for z in d.zones:
        status = known_status(z.status)
        lines.append(
            f'<li class="st-{status}"><span class="name">{html_text(z.name)}</span> '
            f'<span class="badge st-{status}">{status}</span> '
            f'<span class="muted">{count_text(counts.get(zone_key(z.name)))}</span>'
            + (f'<div class="block muted">{html_block(z.reason)}</div>' if z.reason else "")
            + "</li>"
        )
    lines += [
        "</ol>",
        "<table>",
        "<thead><tr><th>Zone</th><th>Status</th><th>Why</th><th>Servers</th>"
        "<th>Findings</th></tr></thead>",
        "<tbody>",
        *(_chain_row(z, counts.get(zone_key(z.name))) for z in d.zones),
        "</tbody>",
        "</table>",
        "</section>",
    ]
    return lines


def _chain_row(z: ZoneReport, counts: Counter[Severity] | None) -> str:
    return (
        f'<tr><td class="name">{html_text(z.name)}</td>'
        f'<td><span class="badge st-{known_status(z.status)}">{known_status(z.status)}</span></td>'
        f'<td class="block">{html_block(z.reason)}</td>'
        f"<td>{_server_list(z.servers)}</td>"
        f"<td>{count_text(counts)}</td></tr>"
    )


def _id_attr(f: Finding, ids: Mapping[str, str], seen: set[str]) -> str:
    """The element id of the first finding with a key (ids are never repeated)."""
    if f.key in seen:
        return ""
    seen.add(f.key)
    return f' id="{ids[f.key]}"'


def _root_section(
    roots: list[Finding], ids: Mapping[str, str], seen: set[str], graph: ChainGraph | None
) -> list[str]:
    lines = ['<section id="root-causes">', "<h2>Root causes</h2>"]
    if not roots:
        lines.append("<p>No problems found.</p>")
    for f in roots:
        lines += [
            f'<article class="finding sev-{f.severity.label}"{_id_attr(f, ids, seen)}>',
            f"<h3>{_heading(f)}</h3>",
            *_body(f, ids, graph),
            "</article>",
        ]
    lines.append("</section>")
    return lines


def _other_section(
    others: list[Finding], ids: Mapping[str, str], seen: set[str], graph: ChainGraph | None
) -> list[str]:
    if not others:
        return []
    lines = [
        '<section id="other">',
        "<h2>Also observed</h2>",
        f"<details><summary>{len(others)} other finding{'s' if len(others) != 1 else ''}"
        " (consequences of the root causes, and facts)</summary>",
    ]
    for f in others:
        lines += [
            f'<details class="finding sev-{f.severity.label}"{_id_attr(f, ids, seen)}>',
            f"<summary>{_heading(f)}</summary>",
            *_body(f, ids, graph),
            "</details>",
        ]
    lines += ["</details>", "</section>"]
    return lines


def _run_section(d: Diagnosis) -> list[str]:
    """Servers asked and run statistics, collapsed: useful in a bug report, not at first."""
    if not d.servers and not d.stats:
        return []
    lines = [
        '<section id="run">',
        "<h2>Run</h2>",
        "<details><summary>Servers and statistics</summary>",
    ]
    if d.servers:
        lines.append(f"<p>Servers asked ({len(d.servers)}): {_server_list(d.servers)}</p>")
    if d.stats:
        lines.append(evidence_table(d.stats))
    lines += ["</details>", "</section>"]
    return lines


def _heading(f: Finding) -> str:
    parts = [
        f'<span class="badge sev-{f.severity.label}">{f.severity.label}</span>',
        f"<code>{html_text(f.code)}</code>",
        f'<span class="name">{html_text(f.zone)}</span>',
    ]
    if f.subject:
        parts.append(f'<span class="muted">{html_text(f.subject)}</span>')
    if f.line is not None:
        parts.append(f'<span class="muted">line {f.line}</span>')
    parts.append(f"&mdash; {html_text(f.title)}")
    return " ".join(parts)


def _body(f: Finding, ids: Mapping[str, str], graph: ChainGraph | None) -> list[str]:
    lines = [f'<div class="block">{html_block(f.detail)}</div>']
    if f.fix and f.severity >= Severity.WARNING:
        lines += ['<div class="fix"><strong>Fix</strong>', *fix_html(f.fix), "</div>"]
    if f.evidence:
        lines += ["<p><strong>Evidence</strong></p>", evidence_table(f.evidence)]
    meta = [
        (
            "Servers",
            _server_list(f.servers) if f.servers else "every server (the data itself)",
        )
    ]
    if f.servers_ok:
        meta.append(("Fine on", _server_list(f.servers_ok)))
    if f.symptoms:
        meta.append(("Symptoms", ", ".join(html_text(s) for s in f.symptoms)))
    if f.caused_by:
        meta.append(("Caused by", ", ".join(_finding_link(k, ids) for k in f.caused_by)))
    links = graph_links(graph, f.key) if graph is not None else ""
    if links:
        meta.append(("In the graph", links))
    lines.append("<dl>")
    lines += [f"<dt>{name}</dt><dd>{value}</dd>" for name, value in meta]
    lines.append("</dl>")
    return lines


def _finding_link(key: str, ids: Mapping[str, str]) -> str:
    target = ids.get(key)
    text = f"<code>{html_text(key)}</code>"
    return f'<a href="#{target}">{text}</a>' if target else text


def _server_list(servers: Sequence[str]) -> str:
    if not servers:
        return "&mdash;"
    return ", ".join(f"<code>{html_text(s)}</code>" for s in servers)
