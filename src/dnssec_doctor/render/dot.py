"""The chain of trust as a Graphviz DOT graph (``--format dot``; ``dot -Tsvg`` draws it).

One node per zone, coloured by its RFC 4035 §4.3 status, with its finding counts;
between a parent and its child the DS the parent publishes, and the DS→DNSKEY
edge that makes (or fails to make) the child secure (RFC 4035 §5.2); root causes
as notes pinned to their zone. Node ids are generated (``z0``, ``ds1``, ``n2``);
every label is DNS data or our text passed through ``dot_label``, always quoted.
The output is ASCII.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from dnssec_doctor.escape import dot_label
from dnssec_doctor.model.findings import Diagnosis, Finding, ZoneReport
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.render.summary import (
    count_text,
    findings_by_zone,
    known_status,
    split_findings,
    zone_key,
)
from dnssec_doctor.timefmt import iso


@dataclass(frozen=True, slots=True)
class KeyEvidence:
    """What the findings of one zone say about its DS set and its keys."""

    ds: tuple[str, ...]
    key_tags: tuple[str, ...]


STATUS_COLOURS = {
    "secure": ("#1a7f37", "#dcf5e3"),
    "insecure": ("#b25e00", "#fff0d6"),
    "bogus": ("#c62828", "#fde0e0"),
    "indeterminate": ("#7b1fa2", "#f1e0f7"),
}
"""status → (line colour, fill colour)."""
OFF_CHAIN = ("#777777", "#eeeeee")
"""Zones that have findings but are not on the chain (a zone file's origin, say)."""
EDGE_STYLE = {
    "secure": "solid",
    "insecure": "dashed",
    "bogus": "bold",
    "indeterminate": "dotted",
}
SEVERITY_FILL = {
    Severity.CRITICAL: "#f4b4b4",
    Severity.ERROR: "#fde0e0",
    Severity.WARNING: "#fff0d6",
    Severity.NOTICE: "#e0f4f6",
    Severity.INFO: "#f2f2f2",
}
MAX_NOTES_PER_ZONE = 6
"""More root causes than this on one zone are summarised in one note."""
MAX_DS_SHOWN = 3
"""DS records written into a DS node; more are counted."""
MAX_DS_CHARS = 32
"""A DS record in a node: tag, algorithm, digest type and the start of the digest."""
MAX_LABEL = 120
"""Characters of one piece of data in a label (before escaping); the rest is elided."""


def render_dot(d: Diagnosis) -> str:
    """The diagnosis as a DOT digraph."""
    status = known_status(d.status)
    lines = [
        "digraph dnssec_chain {",
        f'  graph [label="{_label(d.name)} is {status.upper()}\\nas of {iso(d.at)}", '
        'labelloc="t", rankdir="TB", fontname="Helvetica", nodesep="0.4"];',
        '  node [fontname="Helvetica", fontsize="10"];',
        '  edge [fontname="Helvetica", fontsize="9"];',
    ]
    counts = findings_by_zone(d.findings)
    keys = key_evidence(d.findings)
    node_of: dict[str, str] = {}
    for index, zone in enumerate(d.zones):
        node = f"z{index}"
        node_of.setdefault(zone_key(zone.name), node)
        parent = _parent_index(d.zones, index)
        lines += _zone_nodes(index, parent, zone, counts, keys.get(zone_key(zone.name)))
    extra = _off_chain_zones(d.findings, node_of)
    for index, name in enumerate(extra):
        node = f"x{index}"
        node_of[zone_key(name)] = node
        line, fill = OFF_CHAIN
        text = f"{_label(name)}\\nnot on the chain\\n{count_text(counts.get(zone_key(name)))}"
        lines.append(
            f'  {node} [label="{text}", shape="box", style="filled,rounded", '
            f'color="{line}", fillcolor="{fill}"];'
        )
    roots, _ = split_findings(d.findings)
    lines += _notes(roots, node_of)
    lines.append("}")
    return "\n".join(lines) + "\n"


def key_evidence(findings: Sequence[Finding]) -> dict[str, KeyEvidence]:
    """DS records and DNSKEY tags that chain findings name as evidence, per zone.

    The chain analysis puts them in ``evidence["ds"]`` (DS rdata text) and
    ``evidence["keys"]`` (key tags) when a DS→DNSKEY link fails (RFC 4035 §5.2).
    """
    found: dict[str, KeyEvidence] = {}
    for f in findings:
        ds, keys = f.evidence.get("ds"), f.evidence.get("keys")
        ds_list = [str(x) for x in ds] if isinstance(ds, list | tuple) else []
        key_list = [str(x) for x in keys] if isinstance(keys, list | tuple) else []
        if ds_list or key_list:
            old = found.get(zone_key(f.zone), KeyEvidence((), ()))
            found[zone_key(f.zone)] = KeyEvidence(
                tuple(dict.fromkeys((*old.ds, *ds_list))),
                tuple(dict.fromkeys((*old.key_tags, *key_list))),
            )
    return found


def _parent_index(zones: Sequence[ZoneReport], index: int) -> int:
    """The zone above ``zones[index]``: the nearest earlier one that encloses it (the one
    before it on a plain chain; an alias target's chain joins the name's where they part)."""
    name = zones[index].name.lower()
    for earlier in range(index - 1, -1, -1):
        above = zones[earlier].name.lower()
        if above == "." or name.endswith("." + above):
            return earlier
    return index - 1


def _zone_nodes(
    index: int,
    parent: int,
    zone: ZoneReport,
    counts: dict[str, Counter[Severity]],
    keys: KeyEvidence | None,
) -> list[str]:
    """The zone, the DS (or trust anchor) above it, and the edges between them."""
    status = known_status(zone.status)
    line, fill = STATUS_COLOURS[status]
    found = counts.get(zone_key(zone.name))
    text = f"{_label(zone.name)}\\n{status}\\n{count_text(found)}"
    if zone.reason:
        text += f"\\n{_label(zone.reason)}"
    ds_text = ""
    if keys is not None:
        if keys.key_tags:
            text += f"\\nDNSKEY tags {_label(', '.join(keys.key_tags))}"
        ds_text = "".join(f"\\n{_label(ds, MAX_DS_CHARS)}" for ds in keys.ds[:MAX_DS_SHOWN])
        if len(keys.ds) > MAX_DS_SHOWN:
            ds_text += f"\\n(and {len(keys.ds) - MAX_DS_SHOWN} more)"
    lines = [
        f'  z{index} [label="{text}", shape="box", style="filled,rounded", '
        f'color="{line}", fillcolor="{fill}", penwidth="2"];'
    ]
    if index == 0:
        lines.append(f'  ds0 [label="trust anchor", shape="doubleoctagon", color="{line}"];')
    else:
        lines += [
            f'  ds{index} [label="DS\\n{_label(zone.name)}{ds_text}", shape="ellipse", '
            f'color="{line}"];',
            f'  z{parent} -> ds{index} [label="publishes, signs", style="dashed", '
            'color="#888888"];',
        ]
    lines.append(
        f'  ds{index} -> z{index} [label="DS&#8594;DNSKEY", color="{line}", '
        f'fontcolor="{line}", style="{EDGE_STYLE[status]}"];'
    )
    return lines


def _off_chain_zones(findings: Sequence[Finding], on_chain: dict[str, str]) -> list[str]:
    """Zones with findings that the chain does not list, in order of first finding."""
    seen: dict[str, str] = {}
    for f in findings:
        key = zone_key(f.zone)
        if key not in on_chain:
            seen.setdefault(key, f.zone)
    return list(seen.values())


def _notes(roots: Sequence[Finding], node_of: dict[str, str]) -> list[str]:
    """One note per root cause (code and title), tied to its zone's node."""
    lines: list[str] = []
    per_zone: dict[str, list[Finding]] = {}
    for f in roots:
        per_zone.setdefault(node_of[zone_key(f.zone)], []).append(f)
    count = 0
    for zone_node, found in per_zone.items():
        for f in found[:MAX_NOTES_PER_ZONE]:
            text = f"{f.severity.label.upper()} {_label(f.code)}\\n{_label(f.title)}"
            if f.subject:
                text += f"\\n{_label(f.subject)}"
            lines += _note(count, text, SEVERITY_FILL[f.severity], zone_node)
            count += 1
        if len(found) > MAX_NOTES_PER_ZONE:
            more = len(found) - MAX_NOTES_PER_ZONE
            lines += _note(count, f"and {more} more root causes", "#f2f2f2", zone_node)
            count += 1
    return lines


def _note(index: int, text: str, fill: str, zone_node: str) -> list[str]:
    return [
        f'  n{index} [label="{text}", shape="note", style="filled", fillcolor="{fill}"];',
        f'  n{index} -> {zone_node} [style="dotted", arrowhead="none", color="#888888"];',
        # beside its zone rather than above it: the chain keeps reading top to bottom
        f'  {{ rank="same"; {zone_node}; n{index}; }}',
    ]


def _label(text: str, limit: int = MAX_LABEL) -> str:
    """Data for a label: shortened (before escaping, so no escape is cut), then escaped."""
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return dot_label(text)
