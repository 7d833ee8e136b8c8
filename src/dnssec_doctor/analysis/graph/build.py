"""Accumulating the key-level graph: mutable nodes and edges, frozen into a ChainGraph.

``analysis/graph/keys.py`` decides what to draw; this module holds the pieces it adds
to, the lookups of one zone's key nodes, and the text helpers for node lines. Edges
between the same two elements with the same validity are merged, remembering which
servers showed them, so a signature one server lacks is marked as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.rdatatype

from dnssec_doctor.dnssec.algorithms import algorithm_name, digest_info
from dnssec_doctor.dnssec.keys import (
    AnyKey,
    DsMatchStatus,
    is_revoked,
    is_sep,
    is_zone_key,
    key_tag,
)
from dnssec_doctor.dnssec.signatures import SigStatus
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.graph import ChainGraph, EdgeKind, EdgeStatus, GraphEdge, GraphNode

MAX_KEYS = 24
"""DNSKEY nodes drawn per zone (a hostile zone may serve hundreds)."""
MAX_DS = 16
"""DS nodes drawn per zone."""
MAX_RRSETS = 40
"""RRset and proof nodes drawn per zone; the rest are counted in one node."""
MAX_TEXT = 80
"""Characters of one DNS name or record in a node line."""

SIG_EDGE: dict[SigStatus, EdgeStatus] = {
    SigStatus.VALID: "valid",
    SigStatus.EXPIRED: "expired",
    SigStatus.NOT_YET_VALID: "not-yet-valid",
    SigStatus.CANNOT_VERIFY_LOCALLY: "unverifiable",
}
"""An RRSIG's status as an edge status; every other status is ``bogus``."""
DS_EDGE: dict[DsMatchStatus, EdgeStatus] = {
    DsMatchStatus.MATCH: "valid",
    DsMatchStatus.DIGEST_MISMATCH: "bogus",
    DsMatchStatus.NO_KEY_WITH_TAG: "missing",
    DsMatchStatus.UNSUPPORTED_DIGEST: "unverifiable",
    DsMatchStatus.INVALID_DIGEST_LENGTH: "bogus",
}
PROOF_TYPES = (dns.rdatatype.NSEC, dns.rdatatype.NSEC3)


@dataclass(slots=True)
class Node:
    """A node while the graph is built (``GraphNode`` once frozen)."""

    id: str
    kind: str
    zone: str
    title: str
    lines: list[str] = field(default_factory=list)
    role: str = ""
    ghost: bool = False
    servers_note: str = ""
    problem: bool = False
    findings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Edge:
    """An edge while the graph is built; ``servers`` those that showed it."""

    id: str
    kind: str
    source: str
    target: str
    status: EdgeStatus
    label: str = ""
    reason: str = ""
    servers: set[str] = field(default_factory=set)
    of_servers: set[str] = field(default_factory=set)
    findings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ZoneKeys:
    """Lookups for one zone's key nodes."""

    index: int
    name: str
    by_key: dict[bytes, str] = field(default_factory=dict)
    by_tag: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    ghosts: dict[tuple[int, int], str] = field(default_factory=dict)
    signers: list[str] = field(default_factory=list)
    """Key nodes that sign the zone's other data (where a missing RRSIG should come from)."""
    non_sep: list[str] = field(default_factory=list)

    def zsks(self) -> list[str]:
        """Key nodes without the SEP flag (the usual zone-signing keys)."""
        return list(self.non_sep)


class GraphBuilder:
    """Accumulates nodes and edges; ``graph()`` freezes them."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple[str, str, str, str, str], Edge] = {}

    def node(self, node: Node) -> Node:
        return self.nodes.setdefault(node.id, node)

    def edge(
        self,
        kind: EdgeKind,
        source: str,
        target: str,
        status: EdgeStatus,
        *,
        reason: str = "",
        label: str = "",
        server: str = "",
        of_servers: Sequence[str] = (),
    ) -> None:
        key = (kind, source, target, status, reason)
        edge = self.edges.get(key)
        if edge is None:
            edge = Edge(f"e{len(self.edges)}", kind, source, target, status, label, reason)
            self.edges[key] = edge
        if server:
            edge.servers.add(server)
        edge.of_servers.update(of_servers)

    def key_nodes(
        self, zone: ZoneKeys, keys: dict[bytes, tuple[AnyKey, set[str]]], answered: set[str]
    ) -> None:
        """One node per DNSKEY, ordered by tag; marked when some servers that answered the
        DNSKEY query (``answered``) do not serve it."""
        everyone = set(answered).union(*(servers for _k, servers in keys.values()))
        ordered = sorted(keys.items(), key=lambda kv: (key_tag(kv[1][0]), kv[1][0].algorithm))
        for j, (digestable, (key, servers)) in enumerate(ordered[:MAX_KEYS]):
            tag = key_tag(key)
            node = self.node(
                Node(
                    f"z{zone.index}k{j}",
                    "dnskey",
                    zone.name,
                    f"DNSKEY {tag}",
                    [
                        f"alg {key.algorithm} {algorithm_name(key.algorithm)}",
                        f"flags {key.flags}",
                    ],
                    role=key_role(key),
                    servers_note=missing_note(servers, everyone),
                )
            )
            zone.by_key[digestable] = node.id
            zone.by_tag.setdefault((tag, key.algorithm), []).append(node.id)
            if not is_sep(key):
                zone.non_sep.append(node.id)
        if len(ordered) > MAX_KEYS:
            self.more(f"z{zone.index}kmore", zone.name, len(ordered) - MAX_KEYS, "DNSKEYs")

    def ghost(self, zone: ZoneKeys, tag: int, algorithm: int, why: str) -> str:
        """The dashed node of a key that a DS, an anchor or an RRSIG names but nobody serves."""
        found = zone.ghosts.get((tag, algorithm))
        if found is not None:
            return found
        node = self.node(
            Node(
                f"z{zone.index}g{len(zone.ghosts)}",
                "dnskey",
                zone.name,
                f"DNSKEY {tag}",
                [f"alg {algorithm} {algorithm_name(algorithm)}", why],
                ghost=True,
                problem=True,
            )
        )
        zone.ghosts[(tag, algorithm)] = node.id
        return node.id

    def key_for(self, zone: ZoneKeys, key: AnyKey | None, tag: int, algorithm: int) -> str:
        """The node of the key that made a signature (a ghost when it is not served)."""
        if key is not None and key.to_digestable() in zone.by_key:
            return zone.by_key[key.to_digestable()]
        nodes = zone.by_tag.get((tag, algorithm))
        if nodes:
            return nodes[0]
        return self.ghost(zone, tag, algorithm, "not in the DNSKEY RRset")

    def more(self, node_id: str, zone: str, count: int, what: str) -> None:
        self.node(Node(node_id, "rrset", zone, f"{count} more {what}", ["not drawn"]))

    def graph(self, zones: Sequence[str]) -> ChainGraph:
        """The frozen graph (findings linked beforehand)."""
        edges = list(self.edges.values())
        return ChainGraph(
            zones=tuple(zones),
            nodes=tuple(
                GraphNode(
                    n.id,
                    n.kind,  # type: ignore[arg-type]
                    n.zone,
                    n.title,
                    tuple(n.lines),
                    n.role,
                    n.ghost,
                    n.servers_note,
                    n.problem,
                    tuple(dict.fromkeys(n.findings)),
                )
                for n in self.nodes.values()
            ),
            edges=tuple(
                GraphEdge(
                    e.id,
                    e.kind,  # type: ignore[arg-type]
                    e.source,
                    e.target,
                    e.status,
                    e.label,
                    e.reason,
                    subset_note(e.servers, e.of_servers),
                    tuple(dict.fromkeys(e.findings)),
                )
                for e in edges
            ),
        )


def key_role(key: AnyKey) -> str:
    """KSK (SEP flag), ZSK, or what is wrong with the flags; ``revoked`` appended."""
    role = "KSK" if is_sep(key) else "ZSK"
    if not is_zone_key(key):
        role = "not a zone key"
    return f"{role}, revoked" if is_revoked(key) else role


def digest_name(number: int) -> str:
    """A DS digest type's mnemonic (SHA-256), for labels."""
    return digest_info(number).mnemonic


def short(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters (an ellipsis marks the cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def missing_note(servers: set[str], everyone: set[str]) -> str:
    missing = sorted(everyone - servers)
    if not missing:
        return ""
    shown = ", ".join(missing[:3]) + (" …" if len(missing) > 3 else "")
    return f"missing on {len(missing)} of {len(everyone)} servers: {shown}"


def subset_note(servers: set[str], of_servers: set[str]) -> str:
    if not servers or not of_servers or servers >= of_servers:
        return ""
    shown = ", ".join(sorted(servers)[:3]) + (" …" if len(servers) > 3 else "")
    return f"on {len(servers)} of {len(of_servers)} servers: {shown}"
