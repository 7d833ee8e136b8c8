"""The zone's keys as every authoritative server serves them: the DS preflight's evidence.

A registry that checks a DS before accepting it (the NIST guide's "0 keys saved")
asks each of the zone's servers for the DNSKEY RRset and wants the key the DS
names there, signing the RRset (RFC 4035 §5.2), on all of them. This module turns
the survey into that per-server view. Pure: survey and ``now`` in, data out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import dns.name
import dns.rdatatype

from dnssec_doctor.analysis.observed import SignedRRset, rrsets_by_server
from dnssec_doctor.dnssec.keys import AnyKey, DsRecord, is_revoked, is_sep, is_zone_key, key_tag
from dnssec_doctor.dnssec.signatures import SigStatus, check_rrsig
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.survey import Survey

MAX_KEYS = 64
"""Distinct keys examined (a hostile server can serve thousands)."""


@dataclass(frozen=True, slots=True)
class LiveZone:
    """The apex of the zone holding the asked name, as its servers and parent serve it."""

    zone: dns.name.Name
    parent: dns.name.Name | None
    asked: dns.name.Name
    """The name the user gave (the zone apex, or a name inside the zone)."""
    servers: tuple[str, ...]
    """Every address of the zone's servers that was asked."""
    dnskeys: Mapping[str, SignedRRset]
    """Server → the DNSKEY RRset it served (servers without one are left out)."""
    answered: frozenset[str]
    """Servers that answered the DNSKEY query at all."""
    parent_ds: tuple[DsRecord, ...] = ()
    """The DS records the parent serves now (union over its servers)."""

    def missing(self, server: str) -> str:
        """Why ``server`` has no DNSKEY RRset, in words."""
        if server not in self.answered:
            return "did not answer the DNSKEY query"
        return "answered without a DNSKEY RRset"

    def lacks(self, server: str) -> str:
        """What ``server`` serves instead of a key it lacks, in words."""
        rrset = self.dnskeys.get(server)
        if rrset is None:
            return self.missing(server)
        tags = ", ".join(str(t) for t in sorted({key_tag(k) for k in rrset.rrset}))
        return f"serves a DNSKEY RRset without it (key tags {tags})"


@dataclass(frozen=True, slots=True)
class LiveKey:
    """One DNSKEY: which servers serve it and on which it signs the DNSKEY RRset."""

    key: AnyKey
    served_by: tuple[str, ...]
    signs_on: tuple[str, ...]
    """Servers where an RRSIG by this key over the DNSKEY RRset validates at ``now``."""
    failing: Mapping[str, str]
    """Server → why this key's RRSIG over the DNSKEY RRset there does not validate."""

    @property
    def tag(self) -> int:
        """The key tag (RFC 4034 Appendix B)."""
        return key_tag(self.key)

    @property
    def usable(self) -> bool:
        """A zone key that is not revoked: a DS may point to it."""
        return is_zone_key(self.key) and not is_revoked(self.key)

    @property
    def role(self) -> str:
        """KSK/CSK/ZSK in words, from the flags and what the key signs."""
        if not is_zone_key(self.key):
            return "non-zone key"
        if is_revoked(self.key):
            return "revoked key"
        if self.signs_on:
            return "KSK" if is_sep(self.key) else "CSK (no SEP flag)"
        return "non-signing KSK" if is_sep(self.key) else "ZSK"

    def describe(self) -> str:
        """``KSK 2371 (flags 257, algorithm 13)``."""
        return f"{self.role} {self.tag} (flags {self.key.flags}, algorithm {self.key.algorithm})"

    def signs_everywhere(self, servers: tuple[str, ...]) -> bool:
        """True when this key signs the DNSKEY RRset on every one of ``servers``."""
        return bool(servers) and set(servers) <= set(self.signs_on)


def live_zone(survey: Survey) -> LiveZone | None:
    """The preflight's view of the survey's target zone; None when the walk found none."""
    cut = survey.target
    if cut is None:
        return None
    zone = dns.name.from_text(cut.zone)
    exchanges = cut.child(cut.zone, "DNSKEY")
    ds_sets = rrsets_by_server(cut.parent_side(cut.zone, "DS"), zone, dns.rdatatype.DS)
    parent_ds: dict[bytes, DsRecord] = {}
    for item in ds_sets.values():
        for d in item.rrset:
            parent_ds.setdefault(d.to_digestable(), DsRecord.from_rdata_wire(d.to_digestable()))
    servers = [str(a) for a in cut.server_addresses()]
    servers += sorted(s for s in exchanges if s not in servers)
    return LiveZone(
        zone=zone,
        parent=dns.name.from_text(cut.parent) if cut.parent is not None else None,
        asked=dns.name.from_text(survey.name),
        servers=tuple(servers),
        dnskeys=rrsets_by_server(exchanges, zone, dns.rdatatype.DNSKEY),
        answered=frozenset(s for s, e in exchanges.items() if e.outcome == "response"),
        parent_ds=tuple(parent_ds.values()),
    )


def live_keys(live: LiveZone, now: int, limits: Limits) -> list[LiveKey]:
    """Every distinct key any server serves, with where it is served and where it signs."""
    order: dict[bytes, AnyKey] = {}
    served: dict[bytes, list[str]] = {}
    signs: dict[bytes, list[str]] = {}
    failing: dict[bytes, dict[str, str]] = {}
    for server in live.servers:
        rrset = live.dnskeys.get(server)
        if rrset is None:
            continue
        for key in rrset.rrset:
            wire = key.to_digestable()
            if wire not in order and len(order) >= MAX_KEYS:
                continue
            order.setdefault(wire, key)
            served.setdefault(wire, []).append(server)
            status = _signature_status(rrset, key, live.zone, now, limits)
            # A signature this machine's crypto library cannot check is neither confirmed
            # nor refuted (CANNOT_VERIFY_LOCALLY); it must not block the upload advice.
            if status in (SigStatus.VALID, SigStatus.CANNOT_VERIFY_LOCALLY):
                signs.setdefault(wire, []).append(server)
            elif status is not None:
                failing.setdefault(wire, {})[server] = status.value
    return [
        LiveKey(key, tuple(served[w]), tuple(signs.get(w, ())), dict(failing.get(w, {})))
        for w, key in order.items()
    ]


def _signature_status(
    rrset: SignedRRset, key: AnyKey, zone: dns.name.Name, now: int, limits: Limits
) -> SigStatus | None:
    """The best status of this key's RRSIGs over the DNSKEY RRset (None: it has none)."""
    tag = key_tag(key)
    own = [s for s in rrset.rrsigs if s.key_tag == tag and s.algorithm == key.algorithm]
    best: SigStatus | None = None
    for sig in own[: limits.max_keys_per_tag]:
        status = check_rrsig(rrset.rrset, sig, rrset.rrsig_ttl, [key], zone, now, limits).status
        if status is SigStatus.VALID:
            return status
        best = best or status
    return best
