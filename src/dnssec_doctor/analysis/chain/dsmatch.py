"""DS ↔ DNSKEY: which DS records lead to a key that signs the zone's DNSKEY RRset.

RFC 4035 §5.2: a zone is secure when at least one DS (of a supported algorithm
and digest) matches a DNSKEY that validly signs the DNSKEY RRset. This module
judges each DS and each server's DNSKEY RRset; it does not build findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dns.name

from dnssec_doctor.analysis.observed import SignedRRset
from dnssec_doctor.dnssec.keys import AnyDs, AnyKey, DsMatch, DsMatchStatus, key_tag, match_ds
from dnssec_doctor.dnssec.signatures import SigCheck, SigStatus, check_rrsig
from dnssec_doctor.limits import Limits


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """One DS-matched key and what its signatures over one server's DNSKEY RRset say."""

    match: DsMatch
    server: str
    checks: tuple[SigCheck, ...]
    """Checks of the RRSIGs over DNSKEY made by this key (empty: it does not sign)."""

    @property
    def secure(self) -> bool:
        """True when the key's signature over the DNSKEY RRset is valid."""
        return any(c.status is SigStatus.VALID for c in self.checks)

    @property
    def unverifiable(self) -> bool:
        """True when the only obstacle is the local crypto library."""
        return bool(self.checks) and all(
            c.status is SigStatus.CANNOT_VERIFY_LOCALLY for c in self.checks
        )


@dataclass(frozen=True, slots=True)
class ServerChain:
    """The DS-to-DNSKEY verdict for one server of the zone."""

    server: str
    dnskeys: SignedRRset | None
    entries: tuple[EntryPoint, ...]

    @property
    def secure(self) -> bool:
        """True when a DS leads to a key that validly signs this server's DNSKEY RRset."""
        return any(e.secure for e in self.entries)

    @property
    def unverifiable(self) -> bool:
        """True when a DS-matched key signs, but its algorithm cannot be checked here."""
        return not self.secure and any(e.unverifiable for e in self.entries)

    @property
    def keys(self) -> list[AnyKey]:
        """The DNSKEY records this server serves."""
        if self.dnskeys is None:
            return []
        return [r for r in self.dnskeys.rrset]


def match_all(
    zone: dns.name.Name, ds_set: Sequence[AnyDs], keys: Sequence[AnyKey], limits: Limits
) -> list[DsMatch]:
    """Every DS matched against ``keys``."""
    return [match_ds(zone, ds, keys) for ds in ds_set]


def server_chain(
    zone: dns.name.Name,
    server: str,
    dnskeys: SignedRRset | None,
    ds_set: Sequence[AnyDs],
    now: int,
    limits: Limits,
) -> ServerChain:
    """Judge each DS against this server's DNSKEY RRset and its signatures."""
    if dnskeys is None:
        return ServerChain(server, None, ())
    keys = [r for r in dnskeys.rrset]
    entries: list[EntryPoint] = []
    for match in match_all(zone, ds_set, keys, limits):
        if match.status is not DsMatchStatus.MATCH or match.key is None:
            continue
        tag = key_tag(match.key)
        own = [s for s in dnskeys.rrsigs if s.key_tag == tag and s.algorithm == match.key.algorithm]
        checks = tuple(
            check_rrsig(dnskeys.rrset, s, dnskeys.rrsig_ttl, [match.key], zone, now, limits)
            for s in own
        )
        entries.append(EntryPoint(match, server, checks))
    return ServerChain(server, dnskeys, tuple(entries))


def anchor_chain(
    zone: dns.name.Name,
    server: str,
    dnskeys: SignedRRset | None,
    anchor_keys: Sequence[AnyKey],
    now: int,
    limits: Limits,
) -> ServerChain:
    """Like ``server_chain`` for a DNSKEY trust anchor: the anchor key must sign the RRset."""
    if dnskeys is None:
        return ServerChain(server, None, ())
    served = {(k.flags, k.protocol, k.algorithm, k.key) for k in dnskeys.rrset}
    entries: list[EntryPoint] = []
    for anchor in anchor_keys:
        if (anchor.flags, anchor.protocol, anchor.algorithm, anchor.key) not in served:
            continue
        tag = key_tag(anchor)
        own = [s for s in dnskeys.rrsigs if s.key_tag == tag and s.algorithm == anchor.algorithm]
        checks = tuple(
            check_rrsig(dnskeys.rrset, s, dnskeys.rrsig_ttl, [anchor], zone, now, limits)
            for s in own
        )
        fake = DsMatch(DsMatchStatus.MATCH, _pseudo_ds(zone, anchor), anchor, 1)
        entries.append(EntryPoint(fake, server, checks))
    return ServerChain(server, dnskeys, tuple(entries))


def _pseudo_ds(zone: dns.name.Name, key: AnyKey) -> AnyDs:
    from dnssec_doctor.dnssec.keys import make_ds

    return make_ds(zone, key, 2)
