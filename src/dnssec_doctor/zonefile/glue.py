"""Name-server and alias sanity inside one zone (RFC 1034 §4.2.2, RFC 2181 §10.3, RFC 6672).

- An in-zone NS target that the zone itself serves (not below some other cut)
  must have an address, or nobody can reach it; a target below the delegation it
  serves needs glue; targets below another delegation or outside the zone are
  someone else's business.
- NS and MX targets must not be aliases (CNAME).
- Nothing may live below a DNAME.
"""

from __future__ import annotations

import dns.name
import dns.rdatatype

from dnssec_doctor.zonefile.authority import ZoneView, canonical_key, is_nsec3_node
from dnssec_doctor.zonefile.emit import Emitter

T = dns.rdatatype
_ADDRESS = frozenset({T.A, T.AAAA})


def _has_address(view: ZoneView, target: dns.name.Name) -> bool:
    info = view.nodes.get(target)
    if info is not None:
        return any(t in _ADDRESS for t in info.types)
    # no node: a wildcard at or below the closest existing ancestor may supply it
    current = target
    while len(current) > len(view.origin):
        current = current.parent()
        wildcard = view.nodes.get(dns.name.Name((b"*", *current.labels)))
        if wildcard is not None:
            return any(t in _ADDRESS for t in wildcard.types)
        if current in view.nodes:
            return False
    return False


def check_glue(view: ZoneView, out: Emitter) -> None:
    """Missing addresses for in-zone name servers, alias targets, data below DNAME."""
    origin = view.origin
    for owner in [origin, *sorted(view.delegations, key=canonical_key)]:
        info = view.nodes.get(owner)
        if info is None or view.cut_above(owner) is not None:
            continue
        for target in info.ns_targets:
            if not target.is_subdomain(origin):
                continue
            cut = view.cut_above(target) if target not in view.delegations else target
            if cut is not None and cut != owner:
                continue  # served by another delegation: its glue is optional here
            if not _has_address(view, target):
                where = "glue below the delegation" if cut == owner else "an address record"
                out.add(
                    "GLUE_MISMATCH_OR_MISSING",
                    f"{owner} is served by {target}, which is "
                    f"inside {origin} but has no A/AAAA ({where} is needed to reach it)",
                    subject=f"{owner}/{target}",
                    line=info.line_of(T.NS),
                )
            target_info = view.nodes.get(target)
            if target_info is not None and T.CNAME in target_info.types:
                out.add(
                    "NS_NAME_UNUSABLE",
                    f"the NS target {target} of {owner} is an alias "
                    "(CNAME); NS must name a host directly (RFC 2181 §10.3)",
                    subject=f"{owner}/{target}/cname",
                    line=info.line_of(T.NS),
                )
    for name, info in view.nodes.items():
        for target in info.mx_targets:
            target_info = view.nodes.get(target)
            if target_info is not None and T.CNAME in target_info.types:
                out.add(
                    "ZONE_DATA_INVALID",
                    f"the MX of {name} points to {target}, an alias "
                    "(CNAME); MX must name a host directly (RFC 2181 §10.3)",
                    subject=f"{name}/MX/{target}",
                    line=info.line_of(T.MX),
                )
        if view.dnames and not is_nsec3_node(info):
            above = view.dname_above(name)
            if above is not None and view.cut_above(name) is None:
                out.add(
                    "ZONE_DATA_INVALID",
                    f"{name} lies below the DNAME at {above}; a DNAME "
                    "owner has no descendants (RFC 6672 §2.4)",
                    subject=f"{name}/below-DNAME",
                    line=info.line,
                )
