"""CNAME loops and over-long chains at the name: resolvers answer SERVFAIL for both.

The chain is read from the name's answer on each server and the follow-up
answers ``probe.cnames`` collected (RFC 1034 §4.3.2: a resolver restarts the
lookup at each target). A chain that comes back to a name already on it is a
loop; one longer than ``Limits.max_cname_depth`` links is more than resolvers
follow (Unbound and BIND restart at most 11 times). Both are ZONE_DATA_INVALID
(the catalog's CNAME-loop code), at error: the name does not resolve anywhere.
"""

from __future__ import annotations

import dns.message
import dns.name
import dns.rdatatype

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.cnamechain import answer_chain
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.survey import QueryKey, ZoneCut
from dnssec_doctor.model.variants import CNAME_VARIANT
from dnssec_doctor.names import name_of

SHOWN_LINKS = 6
"""Names of a long chain shown in the detail (the rest are counted)."""


def cname_findings(cut: ZoneCut, name: str, qtype: str, limits: Limits) -> list[Finding]:
    """ZONE_DATA_INVALID for a loop, or a chain longer than the limit, from ``name``."""
    loops: dict[str, list[str]] = {}
    long: dict[str, list[str]] = {}
    for server in cut.server_addresses():
        names, loop = _chain(cut, str(server), name, qtype, limits)
        if loop:
            loops[str(server)] = names
        elif len(names) - 1 > limits.max_cname_depth:
            long[str(server)] = names
    out: list[Finding] = []
    if loops:
        names = next(iter(loops.values()))
        out.append(
            catalog.finding(
                Code.ZONE_DATA_INVALID,
                zone=cut.zone,
                subject=f"cname-loop:{name}",
                servers=tuple(loops),
                says="cname_loop",
                params={"name": name, "path": _path(names), "zone": cut.zone},
                evidence={"chain": names, "servers": sorted(loops)},
            )
        )
    if long:
        names = next(iter(long.values()))
        out.append(
            catalog.finding(
                Code.ZONE_DATA_INVALID,
                zone=cut.zone,
                subject=f"cname-chain:{name}",
                servers=tuple(long),
                says="cname_chain_too_long",
                params={
                    "name": name,
                    "limit": limits.max_cname_depth,
                    "path": _path(names),
                    "zone": cut.zone,
                },
                evidence={"chain": names, "limit": limits.max_cname_depth},
            )
        )
    return out


def _chain(
    cut: ZoneCut, server: str, name: str, qtype: str, limits: Limits
) -> tuple[list[str], bool]:
    """The names of the chain from ``name`` as ``server`` answered, and whether it loops."""
    rdtype = dns.rdatatype.from_text(qtype)
    names = [name_of(name)]
    exchange = cut.queries.get(QueryKey("child", server, name, qtype))
    while exchange is not None:
        msg = exchange.message()
        if msg is None:
            break
        chain = answer_chain(msg, names[-1], rdtype, limits.max_cname_depth + 2 - len(names))
        new = list(chain.names[1:])
        repeated = next((n for n in new if n in names), None)
        if repeated is not None:  # a follow-up answer led back to an earlier name
            path = [*names, *new[: new.index(repeated)], repeated]
            return [n.to_text() for n in path], True
        if chain.loop:
            path = [*names, *new]
            closing = _target(msg, path[-1])
            return [n.to_text() for n in (*path, *([closing] if closing else []))], True
        names.extend(new)
        if chain.cut_short or len(names) - 1 > limits.max_cname_depth or not new:
            break
        key = QueryKey("child", server, names[-1].to_text(), qtype, CNAME_VARIANT)
        exchange = cut.queries.get(key)
    return [n.to_text() for n in names], False


def _target(msg: dns.message.Message, owner: dns.name.Name) -> dns.name.Name | None:
    """The target of ``owner``'s CNAME in ``msg`` (where a looping chain turns back)."""
    for rrset in msg.answer:
        if rrset.rdtype == dns.rdatatype.CNAME and rrset.name == owner and len(rrset):
            target: dns.name.Name = rrset[0].target
            return target
    return None


def _path(names: list[str]) -> str:
    if len(names) <= SHOWN_LINKS + 1:
        return " → ".join(names)
    head = " → ".join(names[:SHOWN_LINKS])
    return f"{head} → … ({len(names) - SHOWN_LINKS} more)"
