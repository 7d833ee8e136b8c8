"""The key-level chain-of-trust graph, as data: what ``--graph keys`` draws.

Built by the analysis (``analysis/graph/keys.py``) from what it checked, carried by the
:class:`~dnssec_doctor.model.findings.Diagnosis`, drawn by the renderers. Nodes are the trust
anchor, the zones, every DNSKEY and DS (a *ghost* key where a DS or an RRSIG names a
key nobody serves) and the RRsets examined, NSEC/NSEC3 proofs included; edges are
DS→DNSKEY matches (RFC 4035 §5.2) and RRSIGs from a key to what it signs (RFC 4035
§5.3), each with its validity. Every element lists the findings about it, so a report
can point from a finding to its nodes and a renderer can highlight the root cause.

Element ids are generated (``z0``, ``z0k1``, ``e7``: letters and digits only), never
taken from DNS data, so they are safe as DOT ids, SVG ids and URL fragments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NodeKind = Literal["anchor", "zone", "dnskey", "ds", "rrset", "proof", "denial"]
"""``proof``: an NSEC or NSEC3 RRset; ``denial``: a negative answer (NXDOMAIN, NODATA)."""
EdgeKind = Literal["anchor", "ds", "rrsig", "proof"]
"""``proof``: an NSEC/NSEC3 RRset is part of the proof of a negative answer."""
EdgeStatus = Literal["valid", "expired", "not-yet-valid", "bogus", "missing", "unverifiable"]
"""valid: it holds; expired / not-yet-valid: outside the RRSIG validity window;
bogus: it fails (wrong digest, bad signature, unknown key); missing: no RRSIG (or no
key) where one is needed; unverifiable: this machine cannot check the algorithm."""


@dataclass(frozen=True, slots=True)
class GraphNode:
    """One box of the graph. ``lines`` are DNS data as text: renderers escape them."""

    id: str
    kind: NodeKind
    zone: str
    """The zone whose cluster holds the node ('' for the trust anchor)."""
    title: str
    lines: tuple[str, ...] = ()
    role: str = ""
    """DNSKEY: KSK, ZSK or CSK (with ``revoked``); DS: the digest type."""
    ghost: bool = False
    """A key named by a DS, anchor or RRSIG that no server serves."""
    servers_note: str = ""
    """Set when some servers lack the element or serve it differently."""
    problem: bool = False
    """The element is in error by itself (an RRset nothing validly signs, a bad proof)."""
    findings: tuple[str, ...] = ()
    """Keys of the findings about this element (``Finding.key``)."""


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """One arrow: a DS or anchor naming a key, or a key's RRSIG over an RRset."""

    id: str
    kind: EdgeKind
    source: str
    target: str
    status: EdgeStatus
    label: str = ""
    reason: str = ""
    """The precise failure (a ``SigStatus`` or ``DsMatchStatus`` value) behind ``status``."""
    servers_note: str = ""
    findings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChainGraph:
    """Every node and edge, zones in chain order (root first)."""

    zones: tuple[str, ...]
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]

    def elements_for(self, finding_key: str) -> tuple[str, ...]:
        """Ids of the nodes and edges a finding is about, nodes first."""
        return tuple(
            [n.id for n in self.nodes if finding_key in n.findings]
            + [e.id for e in self.edges if finding_key in e.findings]
        )
