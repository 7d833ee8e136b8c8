"""Sign a lab zone: DNSKEY RRset, NSEC or NSEC3 chain, RRSIGs (RFC 4035 §2).

``sign_zone`` makes a correct signed zone from a plan; the lab's broken
scenarios come from plans that are wrong on purpose (keys that sign nothing,
keys that are not published, times in the past) and from the small
post-signing edits at the end of this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rrset
from dns.rdatatype import RdataType
from dns.rdtypes.ANY.RRSIG import RRSIG

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.lab.keys import LabKey
from dnssec_doctor.lab.nsec3chain import NSEC3Params, build_nsec3_chain
from dnssec_doctor.lab.nsecchain import build_nsec_chain
from dnssec_doctor.lab.zonebuild import RRsetKey, ZoneContent, ZoneCuts

KSK_SIGNED_TYPES = frozenset({RdataType.DNSKEY, RdataType.CDS, RdataType.CDNSKEY})
"""Types signed by the key-signing keys (RFC 6781 §3.1; CDS/CDNSKEY per RFC 7344 §4.1)."""


@dataclass(frozen=True, slots=True)
class SigningPlan:
    """How to sign one zone copy.

    ``published`` is the DNSKEY RRset; ``ksks`` sign the DNSKEY, CDS and CDNSKEY
    RRsets and ``zsks`` everything else. A key may sign without being published
    (a ZSK removed too early) or be published without signing (a pre-published
    ZSK). ``denial`` is ``"nsec"`` or NSEC3 parameters.
    """

    published: tuple[LabKey, ...]
    ksks: tuple[LabKey, ...]
    zsks: tuple[LabKey, ...]
    inception: int
    expiration: int
    denial: str | NSEC3Params = "nsec"
    dnskey_ttl: int | None = None
    """DNSKEY TTL; None: the SOA TTL."""
    unsigned: frozenset[tuple[dns.name.Name, RdataType]] = field(default_factory=frozenset)
    """RRsets deliberately left without RRSIG (their NSEC/NSEC3 bits stay)."""

    @classmethod
    def standard(
        cls,
        ksk: LabKey,
        zsk: LabKey,
        inception: int,
        expiration: int,
        denial: str | NSEC3Params = "nsec",
    ) -> SigningPlan:
        """The common split-key setup: KSK signs DNSKEY, ZSK signs the rest."""
        return cls((ksk, zsk), (ksk,), (zsk,), inception, expiration, denial)


def sign_zone(content: ZoneContent, plan: SigningPlan) -> ZoneContent:
    """The signed copy of ``content`` (which must not be signed yet).

    Adds the DNSKEY RRset (unless ``content`` has one), NSEC3PARAM for NSEC3,
    the denial chain, and one RRSIG per signing key over every authoritative
    RRset; delegation NS RRsets and glue stay unsigned (RFC 4035 §2.2).
    """
    origin = content.origin
    soa_ttl, minimum = content.soa_ttl_and_minimum()
    added: list[dns.rrset.RRset] = []
    if content.get(origin, RdataType.DNSKEY) is None and plan.published:
        dnskey_ttl = plan.dnskey_ttl if plan.dnskey_ttl is not None else soa_ttl
        keys = [key.dnskey for key in _unique(plan.published)]
        added.append(dns.rrset.from_rdata_list(origin, dnskey_ttl, keys))
    if isinstance(plan.denial, NSEC3Params):
        # RFC 5155 §4: BIND and others publish NSEC3PARAM with TTL 0.
        added.append(dns.rrset.from_rdata(origin, 0, plan.denial.nsec3param()))
    with_keys = content.replace(*added)
    cuts = ZoneCuts.of(origin, with_keys.types_by_name())
    negative_ttl = min(soa_ttl, minimum)  # RFC 9077 §3
    if isinstance(plan.denial, NSEC3Params):
        chain = build_nsec3_chain(cuts, plan.denial, negative_ttl)
    elif plan.denial == "nsec":
        chain = build_nsec_chain(cuts, negative_ttl)
    else:
        raise ValueError(f"unknown denial mode {plan.denial!r}")
    unsigned = with_keys.replace(*chain)
    signatures: list[dns.rrset.RRset] = []
    for rrset in unsigned.rrsets:
        rdtype = RdataType(rrset.rdtype)
        if (rrset.name, rdtype) in plan.unsigned or not _needs_signature(rrset, cuts):
            continue
        signers = plan.ksks if rdtype in KSK_SIGNED_TYPES else plan.zsks
        if signers:
            signatures.append(sign_rrset(rrset, signers, origin, plan))
    return unsigned.replace(*signatures)


def _needs_signature(rrset: dns.rrset.RRset, cuts: ZoneCuts) -> bool:
    """RFC 4035 §2.2: authoritative RRsets only; at a delegation only DS and NSEC."""
    rdtype = RdataType(rrset.rdtype)
    if rdtype == RdataType.NSEC3:
        return True
    if rdtype == RdataType.RRSIG or rrset.name not in cuts.authoritative:
        return False  # glue below a zone cut, or already a signature
    if rrset.name in cuts.delegations:
        return rdtype in (RdataType.DS, RdataType.NSEC)
    return True


def sign_rrset(
    rrset: dns.rrset.RRset,
    keys: tuple[LabKey, ...],
    signer: dns.name.Name,
    plan: SigningPlan,
) -> dns.rrset.RRset:
    """One RRSIG per key over ``rrset`` (RFC 4034 §3; TTL = the RRset's TTL)."""
    rrsigs = [
        dnspython_dnssec.sign(
            rrset,
            key.private,
            signer,
            key.dnskey,
            inception=plan.inception,
            expiration=plan.expiration,
            policy=dnspython_dnssec.allow_all_policy,  # the lab signs with RSASHA1 on purpose
            deterministic=True,
        )
        for key in _unique(keys)
    ]
    return dns.rrset.from_rdata_list(rrset.name, rrset.ttl, rrsigs)


def _unique(keys: tuple[LabKey, ...]) -> list[LabKey]:
    seen: dict[bytes, LabKey] = {}
    for key in keys:
        seen.setdefault(key.dnskey.to_digestable(), key)
    return list(seen.values())


def rrsig_key(name: dns.name.Name, covered: RdataType) -> RRsetKey:
    """The ``ZoneContent`` key of the RRSIG RRset covering ``covered`` at ``name``."""
    return (name, RdataType.RRSIG, covered)


def drop_signatures(content: ZoneContent, name: dns.name.Name, covered: RdataType) -> ZoneContent:
    """Remove the RRSIGs over one RRset, as a dynamic update without the ZSK leaves it."""
    return content.without(rrsig_key(name, covered))


def corrupt_signatures(
    content: ZoneContent, name: dns.name.Name, covered: RdataType
) -> ZoneContent:
    """Flip bits in the signatures over one RRset, as a bit-flipping middlebox would."""
    rrsigs = content.get(name, RdataType.RRSIG, covered)
    if rrsigs is None:
        raise ValueError(f"no RRSIG over {name} {covered.name}")
    damaged: list[dns.rdata.Rdata] = []
    for rdata in rrsigs:
        assert isinstance(rdata, RRSIG)
        signature = bytearray(rdata.signature)
        signature[len(signature) // 2] ^= 0xFF
        damaged.append(rdata.replace(signature=bytes(signature)))
    return content.replace(dns.rrset.from_rdata_list(name, rrsigs.ttl, damaged))
