"""The lab's root trust anchor in the forms resolvers read, and a stale one.

BIND reads a ``trust-anchors`` statement (named.conf, ``static-ds``); Unbound
reads DS records in zone-file syntax from ``trust-anchor-file``.
"""

from __future__ import annotations

import dns.exception
import dns.rdata
import dns.rdataclass
import dns.rdatatype
from dns.rdtypes.ANY.DS import DS

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab.plan import LabPlan

STALE_ROOT_DS = "stale_root_ds"
"""``LabPlan.extra`` key of the stale root DS record."""


def bind_trust_anchors(plan: LabPlan) -> str:
    """A named.conf ``trust-anchors { . static-ds …; };`` statement for the lab root."""
    lines = [_static_ds(record) for record in plan.trust_anchor_ds]
    return "trust-anchors {\n" + "".join(f"    {line}\n" for line in lines) + "};\n"


def unbound_trust_anchor_file(plan: LabPlan) -> str:
    """An Unbound ``trust-anchor-file``: the root DS records, one per line."""
    return "".join(f"{record}\n" for record in plan.trust_anchor_ds)


def stale_root_anchor(plan: LabPlan) -> str:
    """An Unbound ``trust-anchor-file`` holding the DS of a retired root KSK.

    A resolver configured with it finds no root key matching its anchor, so it
    treats everything as bogus: the "stale anchor" of RFC 5011 failures.
    """
    record = plan.extra.get(STALE_ROOT_DS)
    if not record:
        raise DoctorError("this lab plan has no stale root anchor")
    return f"{record}\n"


def _static_ds(record: str) -> str:
    """``"owner" static-ds tag alg digest-type "hex";`` from ``owner TTL IN DS …``."""
    fields = record.split()
    if len(fields) < 8 or fields[2].upper() != "IN" or fields[3].upper() != "DS":
        raise DoctorError(f"not a DS record: {record!r}")
    try:
        ds = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, " ".join(fields[4:]))
    except dns.exception.DNSException as error:
        raise DoctorError(f"not a DS record: {record!r} ({error})") from None
    assert isinstance(ds, DS)
    return (
        f'"{fields[0]}" static-ds {ds.key_tag} {ds.algorithm} {ds.digest_type} "{ds.digest.hex()}";'
    )
