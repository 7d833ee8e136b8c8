"""The key-level chain of trust as DOT (``--format dot``, ``--graph keys``, the default).

One cluster per zone, root first; inside it the zone's DNSKEYs (KSK/CSK filled, ZSK
plain, a dashed *ghost* for a key something names but no server serves), the DS
records its parent serves, and the RRsets examined (NSEC/NSEC3 proofs shaded). Edges
point from what vouches to what is vouched for: trust anchor → key, DS → key (RFC
4035 §5.2), signing key → RRset (one per RRSIG, RFC 4035 §5.3), coloured by validity.
The elements of a root cause are drawn thick and red and carry its code.

Ids are the model's generated ids (``z2k1``) and go to the SVG as ``g_z2k1``, so a
report can link to them. Every label is DNS data or our text passed through
``dot_label``, always quoted; no HTML-like labels. The output is ASCII.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dnssec_doctor.escape import dot_label
from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.graph import ChainGraph, EdgeStatus, GraphEdge, GraphNode
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.render.dot import STATUS_COLOURS, render_dot
from dnssec_doctor.render.summary import known_status, split_findings
from dnssec_doctor.timefmt import iso

SVG_ID_PREFIX = "g_"
"""Prefix of every element id in the SVG (``g_z2k1``): never clashes with a report's ids."""
RED = "#c62828"
HIGHLIGHT_FILL = "#fde0e0"
EDGE_LOOK: dict[EdgeStatus, tuple[str, str, str]] = {
    "valid": ("#1a7f37", "solid", ""),
    "expired": (RED, "dashed", "expired"),
    "not-yet-valid": (RED, "dashed", "not yet valid"),
    "bogus": (RED, "solid", "bogus"),
    "missing": (RED, "dotted", "missing"),
    "unverifiable": ("#7b1fa2", "dotted", "cannot verify here"),
}
"""status → (colour, line style, label text)."""
DS_REASON_TEXT = {
    "digest-mismatch": "digest differs",
    "no-key-with-tag": "no such key",
    "unsupported-digest": "digest type unsupported",
    "invalid-digest-length": "bad digest length",
}
MAX_LABEL = 90
"""Characters of one line of data in a label (before escaping)."""
MAX_CODES = 3
"""Root-cause codes written on one element; more are counted."""


def render_graph_dot(d: Diagnosis, graph: str = "keys") -> str:
    """The diagnosis as DOT: key level when the diagnosis has a key graph, else per zone."""
    if graph == "zones" or d.graph is None:
        return render_dot(d)
    return render_key_dot(d, d.graph)


def render_key_dot(d: Diagnosis, g: ChainGraph) -> str:
    """The key-level graph of ``g``, its root causes highlighted."""
    codes = _root_codes(d.findings)
    status = known_status(d.status)
    lines = [
        "digraph dnssec_keys {",
        f'  graph [label="{_label(d.name)} is {status.upper()}\\nas of {iso(d.at)}", '
        'labelloc="t", rankdir="TB", fontname="Helvetica", nodesep="0.3", ranksep="0.45", '
        'compound="true"];',
        '  node [fontname="Helvetica", fontsize="10"];',
        '  edge [fontname="Helvetica", fontsize="9", arrowsize="0.7"];',
    ]
    zone_status = {n.zone: n.lines[0] if n.lines else "" for n in g.nodes if n.kind == "zone"}
    for n in g.nodes:
        if n.kind == "anchor":
            lines.append(f"  {_node(n, codes)}")
    for index, zone in enumerate(g.zones):
        zone_node = next(n for n in g.nodes if n.kind == "zone" and n.id == f"z{index}")
        lines += _cluster(zone_node, zone_status.get(zone, ""), g.nodes, codes)
    lines += [f"  {_edge(e, codes)}" for e in g.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def svg_id(element_id: str) -> str:
    """The SVG id of a graph element (for links from a report)."""
    return SVG_ID_PREFIX + element_id


def _root_codes(findings: Sequence[Finding]) -> dict[str, str]:
    """Finding key → code, for the root causes worth highlighting (warning and above)."""
    roots, _ = split_findings(findings)
    return {f.key: f.code for f in roots if f.severity >= Severity.WARNING}


def _cluster(
    zone: GraphNode, status: str, nodes: Sequence[GraphNode], codes: Mapping[str, str]
) -> list[str]:
    line, fill = STATUS_COLOURS[known_status(status)]
    title = f"{_label(zone.title)}\\n{known_status(status)}"
    mine = _codes(zone.findings, codes)
    if mine:
        title += f"\\n{mine}"
    out = [
        f"  subgraph cluster_{zone.id} {{",
        f'    graph [id="{svg_id(zone.id)}", label="{title}", labeljust="l", '
        f'style="rounded,filled", color="{RED if mine else line}", fillcolor="{fill}", '
        f'penwidth="{3 if mine else 2}", fontname="Helvetica", fontsize="11"];',
    ]
    for n in nodes:
        if n.zone == zone.zone and n.kind != "zone":
            out.append(f"    {_node(n, codes)}")
    out.append("  }")
    return out


def _node(n: GraphNode, codes: Mapping[str, str]) -> str:
    text = [n.title]
    if n.role and n.kind == "dnskey":
        text.append(n.role)
    text += n.lines
    if n.servers_note:
        text.append(f"! {n.servers_note}")
    label = "\\n".join(_label(t) for t in text if t)
    mine = _codes(n.findings, codes)
    if mine:
        label += f"\\n{mine}"
    shape, style, colour, fill = _look(n)
    width = "1"
    if n.problem or n.servers_note:
        colour, width = (RED if n.problem else "#b25e00"), "2"
    if mine:
        colour, fill, width = RED, HIGHLIGHT_FILL, "3"
    return (
        f'{n.id} [id="{svg_id(n.id)}", label="{label}", shape="{shape}", style="{style}", '
        f'color="{colour}", fillcolor="{fill}", penwidth="{width}"];'
    )


def _look(n: GraphNode) -> tuple[str, str, str, str]:
    """shape, style, line colour, fill colour of a node by its kind."""
    if n.kind == "anchor":
        return "doubleoctagon", "filled", "#1d1d1f", "#ffffff"
    if n.kind == "dnskey":
        if n.ghost:
            return "ellipse", "dashed,filled", "#777777", "#ffffff"
        sep = "KSK" in n.role or "CSK" in n.role
        return "ellipse", "filled", "#1d1d1f", "#fff3c4" if sep else "#ffffff"
    if n.kind == "ds":
        return "ellipse", "filled", "#1d1d1f", "#dde7fb"
    if n.kind == "proof":
        return "box", "rounded,filled", "#555555", "#ece6f6"
    if n.kind == "denial":
        return "box", "dashed,rounded,filled", "#555555", "#ffffff"
    return "box", "rounded,filled", "#555555", "#ffffff"


def _edge(e: GraphEdge, codes: Mapping[str, str]) -> str:
    colour, style, text = EDGE_LOOK[e.status]
    parts: list[str] = []
    if e.kind == "proof":
        text = "" if e.status == "valid" else "proof fails"
    if e.kind == "ds" and e.label:
        parts.append(_label(e.label))
    if e.kind == "ds" and e.reason in DS_REASON_TEXT:
        parts.append(DS_REASON_TEXT[e.reason])
    elif text:
        parts.append(text)
    if e.servers_note:
        parts.append(_label(e.servers_note))
    mine = _codes(e.findings, codes)
    width = "1.2"
    if mine:
        parts.append(mine)
        width = "3"
    label = "\\n".join(parts)
    return (
        f'{e.source} -> {e.target} [id="{svg_id(e.id)}", label="{label}", color="{colour}", '
        f'fontcolor="{colour}", style="{style}", penwidth="{width}"];'
    )


def _codes(keys: Sequence[str], codes: Mapping[str, str]) -> str:
    """The root-cause codes among ``keys`` (escaped), at most ``MAX_CODES`` then a count."""
    found = list(dict.fromkeys(codes[k] for k in keys if k in codes))
    text = ", ".join(_label(c) for c in found[:MAX_CODES])
    if len(found) > MAX_CODES:
        text += f" (+{len(found) - MAX_CODES})"
    return text


def _label(text: str, limit: int = MAX_LABEL) -> str:
    """Data for a label: shortened (before escaping, so no escape is cut), then escaped."""
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return dot_label(text)
