"""The lab's root trust anchor in the forms resolvers read, and a stale one.

BIND reads a ``trust-anchors`` statement (named.conf, ``static-ds``); Unbound
reads DS records in zone-file syntax from ``trust-anchor-file``.
"""

from __future__ import annotations

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab import realconf
from dnssec_doctor.lab.plan import LabPlan

STALE_ROOT_DS = "stale_root_ds"
"""``LabPlan.extra`` key of the stale root DS record."""


def bind_trust_anchors(plan: LabPlan) -> str:
    """A named.conf ``trust-anchors { . static-ds …; };`` statement for the lab root."""
    return realconf.bind_trust_anchors(plan.trust_anchor_ds)


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
