"""Negative answers in the key-level graph: each denied name and the proof behind it.

A negative answer (NXDOMAIN, or NODATA: the name exists, the type does not) is only
as good as the NSEC or NSEC3 records that prove it (RFC 4035 §5.4, RFC 5155 §8).
For every negative answer the data checks judged, the graph gets a node for the
question and an edge from each NSEC/NSEC3 RRset of the proof, valid when the proof
was complete on that server. A negative answer with no proof records at all is drawn
in error with no edge into it.
"""

from __future__ import annotations

import dns.name
import dns.rcode

from dnssec_doctor.analysis.chain.zonedata import ZoneData
from dnssec_doctor.analysis.chain.zones import ZoneEval
from dnssec_doctor.analysis.graph.build import PROOF_TYPES, GraphBuilder, Node, ZoneKeys, short
from dnssec_doctor.model.graph import EdgeStatus
from dnssec_doctor.model.survey import QueryKey

MAX_DENIALS = 12
"""Negative answers drawn per zone."""


def denial_part(
    b: GraphBuilder,
    zone: ZoneKeys,
    ev: ZoneEval,
    data: ZoneData,
    rrset_nodes: dict[tuple[dns.name.Name, int], str],
) -> None:
    """A node per negative question of the zone, with proof edges into it."""
    questions: dict[tuple[str, str], list[QueryKey]] = {}
    for key in sorted(data.denials):
        questions.setdefault((key.qname, key.qtype), []).append(key)
    for j, ((qname, qtype), keys) in enumerate(list(questions.items())[:MAX_DENIALS]):
        proven = [k for k in keys if data.denials[k]]
        node = b.node(
            Node(
                f"z{zone.index}n{j}",
                "denial",
                ev.name,
                short(f"{qname}/{qtype}"),
                [_answer_kind(ev, keys[0])],
                problem=not proven,
            )
        )
        if proven and len(proven) < len(keys):
            node.servers_note = f"proof incomplete on {len(keys) - len(proven)} of {len(keys)}"
        has_proof = False
        for key in keys:
            for v in data.by_query.get(key, []):
                if v.item.rrset.rdtype not in PROOF_TYPES:
                    continue
                source = rrset_nodes.get((v.item.owner, v.item.rrset.rdtype))
                if source is None:
                    continue
                has_proof = True
                status: EdgeStatus = "valid" if data.denials[key] else "bogus"
                # which servers proved it is on the denial node, not on every proof edge
                b.edge("proof", source, node.id, status, server=key.server)
        if not has_proof:
            node.lines.append("no NSEC/NSEC3 proof")
    if len(questions) > MAX_DENIALS:
        b.more(f"z{zone.index}nmore", ev.name, len(questions) - MAX_DENIALS, "negative answers")


def _answer_kind(ev: ZoneEval, key: QueryKey) -> str:
    """NXDOMAIN (the name does not exist) or NODATA (it exists, the type does not)."""
    exchange = ev.cut.queries.get(key)
    msg = exchange.message() if exchange is not None else None
    if msg is not None and msg.rcode() == dns.rcode.NXDOMAIN:
        return "NXDOMAIN"
    return "NODATA"
