"""Which graph elements each finding is about: the bridge from a report to its graph.

A finding names a zone, sometimes a subject (a key tag, an RRset) and a code; the
graph elements carry what failed (an edge's ``reason`` is the RRSIG or DS-match
status behind it). Matching the two by code keeps the graph honest: a highlighted
edge is one whose own verdict is the failure the finding reports. A finding nothing
more precise matches is tied to its zone's node.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dnssec_doctor.analysis.graph.build import Edge, Node
from dnssec_doctor.catalog.sigstatus import STATUS_CODES
from dnssec_doctor.model.findings import Finding

SIG_REASONS: dict[str, set[str]] = {}
for _status, _code in STATUS_CODES.items():
    SIG_REASONS.setdefault(_code, set()).add(_status.value)
SIG_REASONS["RRSIG_MISSING"] = {"missing"}

DS_CODES = {"DS_NO_MATCHING_DNSKEY", "DS_DIGEST_MISMATCH", "DS_STALE_EXTRA"}
DS_SET_CODES = {
    "DS_DIGEST_SHA1_ONLY",
    "DS_SHA1_SHADOWED",
    "DS_DIGEST_INVALID_TYPE",
    "DS_INCONSISTENT_AT_PARENT",
}
"""Findings about the parent's DS set as a whole: every DS node of the zone."""
KEY_SUBJECT_CODES = {
    "DNSKEY_FLAGS_INVALID",
    "DS_KEY_NOT_SEP",
    "REVOKED_KEY_MISUSED",
    "KEY_TAG_COLLISION",
    "RSA_KEY_SIZE_OUT_OF_RANGE",
    "ZSK_REMOVED_TOO_EARLY",
    "KSK_REMOVED_BEFORE_DS_UPDATED",
}
PROOF_PREFIXES = ("NSEC", "NEGATIVE_PROOF", "WILDCARD_PROOF", "EXISTING_NAME", "NODATA_")


class _Index:
    """Lookups over the elements of one graph."""

    def __init__(self, nodes: Sequence[Node], edges: Sequence[Edge]) -> None:
        self.nodes = {n.id: n for n in nodes}
        self.edges = list(edges)
        self.zone_node = {_norm(n.zone): n for n in nodes if n.kind == "zone"}

    def in_zone(self, zone: str, test: Callable[[Node], bool]) -> list[Node]:
        return [n for n in self.nodes.values() if _norm(n.zone) == zone and test(n)]

    def edges_where(self, test: Callable[[Edge], bool]) -> list[Edge]:
        return [e for e in self.edges if test(e)]

    def signer_zone(self, e: Edge) -> str:
        return _norm(self.nodes[e.source].zone)


def link_findings(
    nodes: Sequence[Node], edges: Sequence[Edge], findings: Sequence[Finding]
) -> None:
    """Append each finding's key to the nodes and edges it is about."""
    index = _Index(nodes, edges)
    for f in findings:
        found_nodes, found_edges = _targets(index, f)
        zone_node = index.zone_node.get(_norm(f.zone))
        if not found_nodes and not found_edges and zone_node is not None:
            found_nodes = [zone_node]
        for n in found_nodes:
            n.findings.append(f.key)
        for e in found_edges:
            e.findings.append(f.key)


def _targets(index: _Index, f: Finding) -> tuple[list[Node], list[Edge]]:
    zone = _norm(f.zone)
    code = f.code
    if code in DS_CODES or code == "DS_KEY_NOT_SIGNING_DNSKEY":
        wanted = "valid" if code == "DS_KEY_NOT_SIGNING_DNSKEY" else None
        edges = index.edges_where(
            lambda e: (
                e.kind == "ds"
                and _norm(index.nodes[e.source].zone) == zone
                and (e.status == wanted if wanted else e.status != "valid")
            )
        )
        return _ends(index, edges), edges
    if code == "DS_WITHOUT_SIGNED_ZONE":
        return index.in_zone(zone, lambda n: n.kind in ("ds", "zone")), []
    if code == "TRUST_ANCHOR_STALE_OR_MISMATCHED":
        edges = index.edges_where(lambda e: e.kind == "anchor")
        return _ends(index, edges), edges
    if code == "SIGNED_ZONE_WITHOUT_DS":
        nodes = index.in_zone(
            zone, lambda n: n.kind == "zone" or (n.kind == "dnskey" and "KSK" in n.role)
        )
        return nodes, []
    if code in SIG_REASONS:
        reasons = SIG_REASONS[code]
        edges = index.edges_where(
            lambda e: e.kind == "rrsig" and e.reason in reasons and index.signer_zone(e) == zone
        )
        ends = [n for n in _ends(index, edges) if n.problem]
        return ends, edges
    if code in KEY_SUBJECT_CODES and f.subject.isdigit():
        title = f"DNSKEY {int(f.subject)}"
        return index.in_zone(zone, lambda n: n.kind == "dnskey" and n.title == title), []
    if code in DS_SET_CODES:
        return index.in_zone(zone, lambda n: n.kind == "ds"), []
    if code.startswith(PROOF_PREFIXES):
        # the negative answers whose proof failed somewhere, else the proof records
        broken = index.in_zone(
            zone, lambda n: n.kind == "denial" and (n.problem or bool(n.servers_note))
        )
        if not broken:
            return index.in_zone(zone, lambda n: n.kind == "proof"), []
        ids = {n.id for n in broken}
        edges = index.edges_where(
            lambda e: e.kind == "proof" and e.status != "valid" and e.target in ids
        )
        return broken, edges
    named = _named_rrsets(f)
    if named:
        return index.in_zone(zone, lambda n: n.kind in ("rrset", "proof") and n.title in named), []
    return [], []


def _named_rrsets(f: Finding) -> set[str]:
    """RRsets (``owner/TYPE``) a finding's evidence names, as RRset nodes are titled."""
    one, many = f.evidence.get("rrset"), f.evidence.get("rrsets")
    names = {one} if isinstance(one, str) else set()
    if isinstance(many, list | tuple):
        names.update(x for x in many if isinstance(x, str))
    return names


def _ends(index: _Index, edges: Sequence[Edge]) -> list[Node]:
    """The nodes at both ends of ``edges`` (once each, in order)."""
    ids = dict.fromkeys(i for e in edges for i in (e.source, e.target))
    return [index.nodes[i] for i in ids]


def _norm(name: str) -> str:
    return name.lower().rstrip(".") + "."
