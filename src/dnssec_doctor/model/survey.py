"""What the probe collected, organised by zone cut: the analysis's input.

The survey is rebuilt from a capture by replaying the same collection over the
recorded exchanges, so a live run and a replay give the same survey.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.anchors import TrustAnchors
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.findings import JsonValue

Side = Literal["parent", "child", "resolver"]
"""``resolver``: a ``--resolver`` asked with RD=1 (``probe.resolvers``)."""


@dataclass(frozen=True, slots=True, order=True)
class QueryKey:
    """Which query an exchange answers: side, server, name, type and probe variant."""

    side: Side
    server: str
    qname: str
    qtype: str
    variant: str = ""
    """Empty for the standard query (EDNS0, DO, 1232 bytes); else the probe's name."""


@dataclass(slots=True)
class NameServer:
    """One NS name of a zone and the addresses found for it."""

    hostname: str
    addresses: list[ServerAddress] = field(default_factory=list)
    source: Literal["glue", "resolved", "parent", "hints", "override", "none"] = "none"
    """``parent``: a server of the parent zone known by that name, answering for this zone."""


@dataclass(frozen=True, slots=True)
class WalkEvent:
    """Something the walk itself ran into (a loop, a cut-off, an unusable NS name)."""

    code: str
    """A catalog code, as text: the probe does not load the catalog before its first query
    (``analysis.walk`` turns it into a ``Code``, refusing an unknown one)."""
    zone: str
    says: str
    """The case of the code's catalog entry that words it."""
    params: dict[str, JsonValue] = field(default_factory=dict)
    """The values that case's template names."""
    servers: tuple[str, ...] = ()
    subject: str = ""
    evidence: dict[str, JsonValue] = field(default_factory=dict)


@dataclass(slots=True)
class ZoneCut:
    """One zone on the path from the root to the name, with every answer about it."""

    zone: str
    parent: str | None
    parent_servers: list[ServerAddress] = field(default_factory=list)
    ns_from_parent: dict[str, list[str]] = field(default_factory=dict)
    """Parent server → the NS names its referral listed."""
    glue: dict[str, list[str]] = field(default_factory=dict)
    """NS name → glue addresses (union over parent servers)."""
    ns_from_apex: dict[str, list[str]] = field(default_factory=dict)
    """Parent server → the NS names it gave from the zone's own apex, answering for the
    zone itself instead of referring to it (it serves both; ``probe.cuts``)."""
    servers: list[NameServer] = field(default_factory=list)
    queries: dict[QueryKey, Exchange] = field(default_factory=dict)
    overridden: bool = False
    """True when ``--ns`` replaced the delegation's servers."""

    def server_addresses(self) -> list[ServerAddress]:
        """Every distinct address of the zone's servers, in a stable order."""
        seen: dict[ServerAddress, None] = {}
        for ns in self.servers:
            for addr in ns.addresses:
                seen.setdefault(addr, None)
        return list(seen)

    def child(self, qname: str, qtype: str, variant: str = "") -> dict[str, Exchange]:
        """Server → exchange for one child-side query."""
        return {
            k.server: e
            for k, e in self.queries.items()
            if k.side == "child" and k.qname == qname and k.qtype == qtype and k.variant == variant
        }

    def parent_side(self, qname: str, qtype: str, variant: str = "") -> dict[str, Exchange]:
        """Server → exchange for one parent-side query."""
        return {
            k.server: e
            for k, e in self.queries.items()
            if k.side == "parent" and k.qname == qname and k.qtype == qtype and k.variant == variant
        }


@dataclass(slots=True, repr=False)
class Survey:
    """Everything known about one name after collection."""

    name: str
    trust_anchors: TrustAnchors
    cuts: list[ZoneCut] = field(default_factory=list)
    events: list[WalkEvent] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    nonexistent_name: str = ""
    """The random name asked for to obtain an NXDOMAIN proof."""
    resolvers: dict[str, dict[QueryKey, Exchange]] = field(default_factory=dict)
    exchanges_sent: int = 0
    budget_exhausted: bool = False
    alias_target: str = ""
    """The CNAME target the name leads to outside its own zone (``probe.aliases``)."""
    alias: Survey | None = None
    """The collection for ``alias_target``: its own chain, zone and answers."""

    @property
    def target(self) -> ZoneCut | None:
        """The zone holding the name (the last cut), if the walk got anywhere."""
        return self.cuts[-1] if self.cuts else None

    def __repr__(self) -> str:
        # A summary: the whole survey holds every answer (asyncio itself formats this
        # repr when a run ends, which with the generated repr cost milliseconds).
        zones = ", ".join(c.zone for c in self.cuts)
        return f"Survey({self.name!r}, zones=[{zones}], exchanges_sent={self.exchanges_sent})"
