"""The key-level chain-of-trust graph from what the analysis checked (pure).

For every zone on the chain: its DNSKEYs (the union over its servers, each marked
when some servers lack it), the DS records its parent serves and the key each names
(RFC 4035 §5.2; a ghost key when none matches), and every RRset examined, NSEC and
NSEC3 proofs included, with an edge per RRSIG from its signing key carrying the
signature's validity (RFC 4035 §5.3). Nothing is verified again: the edges come from
the verdicts the chain and data checks already made; ``graph.links`` then ties
each finding to its elements.
"""

from __future__ import annotations

from collections.abc import Sequence

import dns.name
import dns.rdatatype

from dnssec_doctor.analysis.chain.rrsigs import UNSIGNED_OK, RRsetVerdict
from dnssec_doctor.analysis.chain.zonedata import ZoneData
from dnssec_doctor.analysis.chain.zones import ZoneEval
from dnssec_doctor.analysis.graph.build import (
    DS_EDGE,
    MAX_DS,
    MAX_RRSETS,
    PROOF_TYPES,
    SIG_EDGE,
    GraphBuilder,
    Node,
    ZoneKeys,
    digest_name,
    missing_note,
    short,
)
from dnssec_doctor.analysis.graph.denial import denial_part
from dnssec_doctor.analysis.graph.links import link_findings
from dnssec_doctor.analysis.observed import rrsets_by_server
from dnssec_doctor.dnssec.algorithms import algorithm_name
from dnssec_doctor.dnssec.canonical import digestable as canonical_rdata_of
from dnssec_doctor.dnssec.keys import AnyKey, DsLike, is_sep, key_tag, match_ds
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import TrustAnchor, TrustAnchors
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.graph import ChainGraph
from dnssec_doctor.names import name_of


def build_key_graph(
    evals: Sequence[ZoneEval],
    data: Sequence[ZoneData],
    ds_verdicts: Sequence[Sequence[RRsetVerdict]],
    anchors: TrustAnchors,
    findings: Sequence[Finding],
    limits: Limits,
    parents: Sequence[int] = (),
) -> ChainGraph:
    """The graph of ``evals`` (root first); ``data[i]`` holds zone i's RRset checks and
    negative answers, ``ds_verdicts[i]`` the checks of its DS RRsets with the parent's keys.
    ``parents[i]`` is the index of zone i's parent (-1: none); without it each zone's parent
    is the one before it. An alias's target zones join the name's chain where their own
    chain leaves it (``engine``), so a parent is not always the zone just before."""
    b = GraphBuilder(limits)
    zones: list[ZoneKeys] = []
    anchored = anchors.closest_to(name_of(evals[-1].name)) if evals else None
    for i, ev in enumerate(evals):
        zone = ZoneKeys(i, ev.name)
        zones.append(zone)
        owner = name_of(ev.name)
        b.node(Node(f"z{i}", "zone", ev.name, ev.name, [ev.status]))
        asked = ev.cut.child(ev.name, "DNSKEY")
        served = rrsets_by_server(asked, owner, dns.rdatatype.DNSKEY)
        answered = {s for s, e in asked.items() if e.outcome == "response"}
        keys: dict[bytes, tuple[AnyKey, set[str]]] = {}
        for server, item in served.items():
            for k in item.rrset:
                keys.setdefault(k.to_digestable(), (k, set()))[1].add(server)
        b.key_nodes(zone, keys, answered)
        zone.signers = _signers(zone, data[i].verdicts)
        key_list = [k for k, _servers in keys.values()]
        csk_roles(b, zone, key_list)
        if anchored is not None and owner == anchored:
            _anchor(b, zone, owner, anchors, key_list)
        parent = parents[i] if parents else i - 1
        if parent >= 0:
            _ds_part(b, zone, zones[parent], ev, evals[parent].signed, key_list, ds_verdicts[i])
        drawn = _rrset_part(b, zone, ev, data[i].verdicts)
        denial_part(b, zone, ev, data[i], drawn)
    link_findings(list(b.nodes.values()), list(b.edges.values()), findings)
    return b.graph([z.name for z in zones])


def _anchor(
    b: GraphBuilder, zone: ZoneKeys, owner: dns.name.Name, anchors: TrustAnchors, keys: list[AnyKey]
) -> None:
    """The trust anchor node and an edge to each key it names (RFC 4035 §5)."""
    mine = anchors.for_owner(owner)
    if not mine:
        return
    b.node(Node("ta", "anchor", "", "trust anchor", [_anchor_line(a) for a in mine[:MAX_DS]]))
    for a in mine:
        if a.is_ds:
            ds: DsLike = a.rdata  # type: ignore[assignment]
            match = match_ds(owner, ds, keys)
            target = (
                zone.by_key.get(match.key.to_digestable(), "") if match.key is not None else ""
            ) or b.ghost(zone, ds.key_tag, ds.algorithm, "named by the trust anchor")
            b.edge("anchor", "ta", target, DS_EDGE[match.status], reason=match.status.value)
            continue
        key: AnyKey = a.rdata  # type: ignore[assignment]
        same = [
            k for k in keys if (k.flags, k.algorithm, k.key) == (key.flags, key.algorithm, key.key)
        ]
        if same:
            b.edge("anchor", "ta", zone.by_key[same[0].to_digestable()], "valid", reason="match")
        else:
            target = b.ghost(zone, key_tag(key), key.algorithm, "named by the trust anchor")
            b.edge("anchor", "ta", target, "missing", reason="no-key-with-tag")


def _anchor_line(anchor: TrustAnchor) -> str:
    """``. DS 20326 alg 8 digest 2`` or ``. DNSKEY 20326 alg 8 flags 257``."""
    owner = short(anchor.owner.to_text(), 40)
    if anchor.is_ds:
        ds: DsLike = anchor.rdata  # type: ignore[assignment]
        return f"{owner} DS {ds.key_tag} alg {ds.algorithm} digest {ds.digest_type}"
    key: AnyKey = anchor.rdata  # type: ignore[assignment]
    return f"{owner} DNSKEY {key_tag(key)} alg {key.algorithm} flags {key.flags}"


def _ds_part(
    b: GraphBuilder,
    zone: ZoneKeys,
    parent: ZoneKeys,
    ev: ZoneEval,
    parent_signed: bool,
    keys: list[AnyKey],
    ds_verdicts: Sequence[RRsetVerdict],
) -> None:
    """The DS records the parent serves, the key each names, and the parent's RRSIGs."""
    owner = name_of(ev.name)
    found: dict[bytes, tuple[DsLike, set[str]]] = {}
    for server, item in ev.ds_rrsets.items():
        for d in item.rrset:
            found.setdefault(d.to_digestable(), (d, set()))[1].add(server)
    asked = ev.cut.parent_side(ev.name, "DS")
    everyone = set(ev.ds_rrsets) | {s for s, e in asked.items() if e.outcome == "response"}
    ordered = sorted(
        found.items(), key=lambda kv: (kv[1][0].key_tag, kv[1][0].algorithm, kv[1][0].digest_type)
    )
    ds_nodes: dict[bytes, str] = {}
    for j, (digestable, (ds, servers)) in enumerate(ordered[:MAX_DS]):
        node = b.node(
            Node(
                f"z{zone.index}d{j}",
                "ds",
                ev.name,
                f"DS {ds.key_tag}",
                [
                    f"alg {ds.algorithm} {algorithm_name(ds.algorithm)}",
                    f"digest {ds.digest_type} {digest_name(ds.digest_type)}",
                    short(ds.digest.hex().upper(), 20),
                ],
                role=digest_name(ds.digest_type),
                servers_note=missing_note(servers, everyone),
            )
        )
        ds_nodes[digestable] = node.id
        match = match_ds(owner, ds, keys)
        status = DS_EDGE[match.status]
        target = zone.by_key.get(match.key.to_digestable(), "") if match.key is not None else ""
        if not target:
            target = b.ghost(zone, ds.key_tag, ds.algorithm, "named by a DS, not served")
        node.problem = status != "valid"
        b.edge(
            "ds", node.id, target, status, reason=match.status.value, label=node.role,
            of_servers=(),
        )  # fmt: skip
    if len(ordered) > MAX_DS:
        b.more(f"z{zone.index}dmore", ev.name, len(ordered) - MAX_DS, "DS records")
    for v in ds_verdicts:
        targets = [
            ds_nodes[d.to_digestable()] for d in v.item.rrset if d.to_digestable() in ds_nodes
        ]
        _signatures(b, parent, v, targets, everyone, parent_signed)


def _rrset_part(
    b: GraphBuilder, zone: ZoneKeys, ev: ZoneEval, verdicts: Sequence[RRsetVerdict]
) -> dict[tuple[dns.name.Name, int], str]:
    """A node per RRset examined (proofs as their own kind) and its RRSIG edges; returns
    (owner, type) → node id."""
    apex = name_of(ev.name)
    drawn_nodes: dict[tuple[dns.name.Name, int], str] = {}
    groups: dict[tuple[dns.name.Name, int], list[RRsetVerdict]] = {}
    for v in verdicts:
        groups.setdefault((v.item.owner, v.item.rrset.rdtype), []).append(v)
    drawn = 0
    for (owner, rdtype), group in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        servers = {v.item.server for v in group}
        if rdtype == dns.rdatatype.DNSKEY and owner == apex:
            for v in group:
                digests = [k.to_digestable() for k in v.item.rrset]
                targets = [zone.by_key[d] for d in digests if d in zone.by_key]
                _signatures(b, zone, v, targets, servers, ev.signed)
            continue
        if drawn == MAX_RRSETS:
            b.more(f"z{zone.index}rmore", ev.name, len(groups) - drawn - 1, "RRsets")
            break
        node = b.node(
            Node(
                f"z{zone.index}r{drawn}",
                "proof" if rdtype in PROOF_TYPES else "rrset",
                ev.name,
                short(group[0].item.label),
                _rrset_lines(group[0]),
            )
        )
        drawn += 1
        drawn_nodes[(owner, rdtype)] = node.id
        if _differs(group):
            node.servers_note = "differs between servers"
        must_sign = ev.signed and rdtype not in UNSIGNED_OK
        node.problem = (must_sign or any(v.item.rrsigs for v in group)) and not any(
            v.validated for v in group
        )
        for v in group:
            _signatures(b, zone, v, [node.id], servers, ev.signed)
    return drawn_nodes


def _signatures(
    b: GraphBuilder,
    signer: ZoneKeys,
    v: RRsetVerdict,
    targets: list[str],
    of_servers: set[str],
    signed: bool,
) -> None:
    """An edge per RRSIG from its key to each target; ``missing`` edges when there is none."""
    for c in v.checks:
        source = b.key_for(signer, c.key, c.key_tag, c.algorithm)
        status = SIG_EDGE.get(c.status, "bogus")
        for t in targets:
            b.edge(
                "rrsig", source, t, status, reason=c.status.value, server=v.item.server,
                of_servers=sorted(of_servers),
            )  # fmt: skip
    if signed and not v.item.rrsigs and v.item.rrset.rdtype not in UNSIGNED_OK:
        for source in signer.signers or signer.zsks() or list(signer.by_key.values())[:1]:
            for t in targets:
                b.edge(
                    "rrsig", source, t, "missing", reason="missing", server=v.item.server,
                    of_servers=sorted(of_servers),
                )  # fmt: skip


def _differs(group: Sequence[RRsetVerdict]) -> bool:
    """True when servers sent different records for one RRset. Identical answers share
    one parsed RRset (``parse_wire`` caches them), so most groups need no comparison."""
    distinct = {id(v.item.rrset): v.item.rrset for v in group}
    if len(distinct) < 2:
        return False
    return len({frozenset(canonical_rdata_of(r) for r in rrset) for rrset in distinct.values()}) > 1


def _rrset_lines(v: RRsetVerdict) -> list[str]:
    """Proofs show their records (what they deny); other RRsets their size and TTL."""
    rrset = v.item.rrset
    if rrset.rdtype in PROOF_TYPES:
        return [short(r.to_text(), 60) for r in list(rrset)[:2]]
    count = len(rrset)
    return [f"{count} record{'s' if count != 1 else ''}, TTL {rrset.ttl}"]


def _signers(zone: ZoneKeys, verdicts: Sequence[RRsetVerdict]) -> list[str]:
    """Key nodes whose RRSIGs cover the zone's data other than its DNSKEY RRset (ZSKs)."""
    found: dict[str, None] = {}
    for v in verdicts:
        if v.item.rrset.rdtype == dns.rdatatype.DNSKEY:
            continue
        for c in v.checks:
            nodes = zone.by_tag.get((c.key_tag, c.algorithm))
            if nodes:
                found.setdefault(nodes[0], None)
    return list(found)


def csk_roles(b: GraphBuilder, zone: ZoneKeys, keys: list[AnyKey]) -> None:
    """A SEP key that also signs the zone's data is a CSK (combined signing key)."""
    for k in keys:
        node_id = zone.by_key.get(k.to_digestable())
        if node_id in zone.signers and is_sep(k):
            b.nodes[node_id].role = b.nodes[node_id].role.replace("KSK", "CSK")
