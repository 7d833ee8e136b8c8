"""Does the name exist? An authoritative NXDOMAIN for it (RFC 1035 §4.1.1, RFC 8020).

Whether that is proven is the name's status: a secure NXDOMAIN carries a validated
NSEC/NSEC3 proof (RFC 4035 §5.4), an insecure zone proves nothing, a bogus one
failed to. Headlines say "does not exist" instead of "is SECURE" for such a name.
"""

from __future__ import annotations

import dns.flags
import dns.name
import dns.rcode

from dnssec_doctor.model.survey import ZoneCut
from dnssec_doctor.names import name_of


def is_nxdomain(name: str, cut: ZoneCut) -> bool:
    """True when the servers of ``cut`` that answered for ``name`` said NXDOMAIN, and
    none of them gave the name data (a server with other content is another finding)."""
    owner = name_of(name)
    rcodes: set[int] = set()
    for key, exchange in cut.queries.items():
        if key.side != "child" or key.variant or name_of(key.qname) != owner:
            continue
        msg = exchange.message() if exchange.outcome == "response" else None
        if msg is None or not msg.flags & dns.flags.AA:
            continue
        rcodes.add(msg.rcode())
    return rcodes == {dns.rcode.NXDOMAIN}
