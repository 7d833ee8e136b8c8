"""Owner names that look mistyped: the origin repeated (a missing trailing dot)."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.name
import dns.rcode

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.survey import ZoneCut
from dnssec_doctor.names import doubled_origin_name


def repeats_origin(owner: dns.name.Name, zone: dns.name.Name) -> bool:
    """True when ``owner`` is below ``zone`` + ``zone`` (the origin appended twice)."""
    relative = zone.labels[:-1]
    if not relative:
        return False
    doubled = dns.name.Name(relative + zone.labels)
    return owner.is_subdomain(doubled)


def mistyped_owner_findings(cut: ZoneCut, name: dns.name.Name) -> list[Finding]:
    """Names under the doubled origin that answered (the probe asks for one)."""
    zone = dns.name.from_text(cut.zone)
    doubled = doubled_origin_name(name, zone)
    if doubled is None:
        return []
    servers: set[str] = set()
    for key, exchange in cut.queries.items():
        if key.side != "child" or dns.name.from_text(key.qname) != doubled:
            continue
        msg = exchange.message()
        if msg is not None and _exists(msg):
            servers.add(exchange.server)
    if not servers:
        return []
    return [
        catalog.finding(
            Code.OWNER_NAME_SUSPICIOUS,
            zone=cut.zone,
            subject=doubled.to_text(),
            says="origin_repeated",
            params={
                "doubled": doubled.to_text(),
                "zone": cut.zone,
                "name": name.to_text(),
                "relative": name.relativize(zone).to_text(),
            },
        )
    ]


def _exists(msg: dns.message.Message) -> bool:
    return bool(msg.flags & dns.flags.AA) and msg.rcode() == dns.rcode.NOERROR
