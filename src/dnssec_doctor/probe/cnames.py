"""Following the name's CNAME chain inside its zone, bounded (RFC 1034 §4.3.2).

An authoritative server puts the in-zone part of a CNAME chain into one answer,
but only up to a limit of its own; a resolver then asks again for the last
target, and again, until it has the data or gives up (after about a dozen links)
with SERVFAIL. To see a loop or an over-long chain the probe does the same,
at most ``Limits.max_cname_depth`` links from the name (and one more, to see
that a chain is longer than that), with the first type
asked and only at the zone's own servers (a target in another zone would need
a walk of its own). The follow-up answers are stored under the ``cname``
variant; ``analysis.cnames`` reads the chain back from them.
"""

from __future__ import annotations

import asyncio

import dns.name
import dns.rdatatype

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.cnamechain import answer_chain
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.model.survey import QueryKey, ZoneCut
from dnssec_doctor.model.variants import CNAME_VARIANT
from dnssec_doctor.names import name_of
from dnssec_doctor.transport.client import Client


async def chase_cnames(
    client: Client,
    cut: ZoneCut,
    name: str,
    qtype: str,
    limits: Limits,
    stop_at: dns.name.Name | None = None,
) -> None:
    """Ask each server of ``cut`` for the CNAME targets its answer left unanswered, up to
    ``stop_at`` (where the chain leaves the zone: ``probe.aliases``, a walk of its own)."""
    await asyncio.gather(
        *(
            _chase(client, cut, server, name, qtype, limits, stop_at)
            for server in cut.server_addresses()
        )
    )


async def _chase(
    client: Client,
    cut: ZoneCut,
    server: ServerAddress,
    name: str,
    qtype: str,
    limits: Limits,
    stop_at: dns.name.Name | None,
) -> None:
    zone = name_of(cut.zone)
    rdtype = dns.rdatatype.from_text(qtype)
    names = [name_of(name)]
    exchange = cut.queries.get(QueryKey("child", str(server), name, qtype))
    while exchange is not None:
        msg = exchange.message()
        if msg is None:
            return
        # One link beyond the limit is asked for, so that "longer than the limit" is seen.
        chain = answer_chain(msg, names[-1], rdtype, limits.max_cname_depth + 2 - len(names))
        new = chain.names[1:]
        if chain.loop or any(n in names for n in new):
            return  # a loop: the analysis reads it from the answers
        names.extend(new)
        if chain.cut_short or len(names) - 1 > limits.max_cname_depth:
            return  # longer than the limit: the analysis reports it
        last = names[-1]
        if any(r.name == last and r.rdtype == rdtype for r in chain.rrsets):
            return  # the chain ends in data
        if not new or not last.is_subdomain(zone) or last == stop_at:
            return  # no alias (or no further link), or a target in another zone
        spec = QuerySpec(last.to_text(), qtype)
        exchange = await client.query(server, spec)
        cut.queries[QueryKey("child", str(server), spec.qname, qtype, CNAME_VARIANT)] = exchange
