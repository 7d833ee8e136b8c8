"""Signed test zones and hand-assembled responses for the denial-of-existence tests.

One small zone (wildcard, empty non-terminals, a CNAME, a secure and an insecure
delegation with glue) signed at fixed times: with NSEC by ``dnspython_dnssec.sign_zone``,
with NSEC3 by :func:`nsec3_zone` (dnspython cannot sign with NSEC3 yet, so the chain
is built here from ``dnspython_dnssec.nsec3_hash``). Responses are assembled record by
record so that each test shows exactly what the server sent.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ed25519
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.NSEC3PARAM import NSEC3PARAM
from dns.rdtypes.util import Bitmap

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.nsec3 import b32hex_decode

ORIGIN = dns.name.from_text("example.")
INCEPTION = 1_704_067_200  # 2024-01-01T00:00:00Z
EXPIRATION = 1_706_745_600  # 2024-02-01T00:00:00Z

ZONE_TEXT = """\
$TTL 3600
@                SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
@                NS    ns1
ns1              A     192.0.2.1
www              A     192.0.2.2
www              TXT   "hello"
alias            CNAME www
*.wild           TXT   "from the wildcard"
host.ent.deep    A     192.0.2.3
insecure         NS    ns.insecure
ns.insecure      A     192.0.2.4
secure           NS    ns.secure
secure           DS    12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns.secure        A     192.0.2.5
"""

EXISTING = tuple(
    dns.name.from_text(t)
    for t in (
        "example.",
        "ns1.example.",
        "www.example.",
        "alias.example.",
        "*.wild.example.",
        "wild.example.",
        "host.ent.deep.example.",
        "ent.deep.example.",
        "deep.example.",
        "insecure.example.",
        "secure.example.",
    )
)
"""Names that exist authoritatively in the test zone (glue excluded)."""

SignedZone = tuple[dns.zone.Zone, ed25519.Ed25519PrivateKey, DNSKEY]


def name(text: str) -> dns.name.Name:
    """An absolute name; relative text is taken below ``example.``."""
    return dns.name.from_text(text, origin=ORIGIN)


@functools.cache
def _key() -> tuple[ed25519.Ed25519PrivateKey, DNSKEY]:
    private = ed25519.Ed25519PrivateKey.generate()
    dnskey = dnspython_dnssec.make_dnskey(
        private.public_key(), dnspython_dnssec.Algorithm.ED25519, flags=257
    )
    return private, dnskey


def unsigned_zone() -> dns.zone.Zone:
    """The test zone, unsigned."""
    return dns.zone.from_text(ZONE_TEXT, origin=ORIGIN, relativize=False)


@functools.cache
def nsec_zone() -> SignedZone:
    """The test zone signed with NSEC (dnspython's signer; NSEC TTL = SOA MINIMUM)."""
    zone = unsigned_zone()
    private, dnskey = _key()
    dnspython_dnssec.sign_zone(
        zone, keys=[(private, dnskey)], inception=INCEPTION, expiration=EXPIRATION
    )
    return zone, private, dnskey


def _cuts(zone: dns.zone.Zone) -> list[dns.name.Name]:
    return [
        n
        for n, node in zone.nodes.items()
        if n != zone.origin and node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS)
    ]


def _authoritative(zone: dns.zone.Zone, owner: dns.name.Name) -> bool:
    """False for glue and other names below a zone cut."""
    return not any(owner.is_subdomain(c) and owner != c for c in _cuts(zone))


@functools.cache
def nsec3_zone(salt: bytes = b"", iterations: int = 0, opt_out: bool = False) -> SignedZone:
    """The test zone signed with NSEC3 (RFC 5155 §7.1), chain built by hand.

    With ``opt_out`` the unsigned delegation ``insecure`` gets no NSEC3 and the
    records spanning it carry the Opt-Out flag.
    """
    zone = unsigned_zone()
    private, dnskey = _key()
    cuts = _cuts(zone)
    with zone.writer() as txn:
        txn.add(ORIGIN, 3600, dnskey)
        txn.add(
            ORIGIN,
            0,
            NSEC3PARAM(dns.rdataclass.IN, dns.rdatatype.NSEC3PARAM, 1, 0, iterations, salt),
        )
    types: dict[dns.name.Name, set[int]] = {}
    for owner, node in zone.nodes.items():
        if not _authoritative(zone, owner):
            continue
        present = {rds.rdtype for rds in node.rdatasets}
        if opt_out and owner in cuts and dns.rdatatype.DS not in present:
            continue
        signed = owner not in cuts or dns.rdatatype.DS in present
        types[owner] = present | ({dns.rdatatype.RRSIG} if signed else set())
        for ancestor in _ancestors(owner):
            types.setdefault(ancestor, set())
    hashed = sorted(
        (b32hex_decode(dnspython_dnssec.nsec3_hash(n, salt, iterations, 1)) or b"", n)
        for n in types
    )
    soa_minimum = 300
    with zone.writer() as txn:
        for position, (digest, owner) in enumerate(hashed):
            nxt = hashed[(position + 1) % len(hashed)][0]
            rdata = NSEC3(
                dns.rdataclass.IN,
                dns.rdatatype.NSEC3,
                1,
                1 if opt_out else 0,
                iterations,
                salt,
                nxt,
                Bitmap.from_rdtypes(sorted(types[owner])).windows,
            )
            label = dnspython_dnssec.nsec3_hash(owner, salt, iterations, 1)
            txn.add(dns.name.Name((label.encode(), *ORIGIN.labels)), soa_minimum, rdata)
            assert digest
    _sign_all(zone, private, dnskey, cuts)
    return zone, private, dnskey


def _ancestors(owner: dns.name.Name) -> Iterable[dns.name.Name]:
    current = owner
    while current != ORIGIN and len(current) > len(ORIGIN):
        current = current.parent()
        if current != ORIGIN:
            yield current


def _sign_all(
    zone: dns.zone.Zone,
    private: ed25519.Ed25519PrivateKey,
    dnskey: DNSKEY,
    cuts: list[dns.name.Name],
) -> None:
    """Sign every authoritative RRset (at cuts only DS), as RFC 4035 §2.2 asks."""
    todo: list[dns.rrset.RRset] = []
    for owner, node in zone.nodes.items():
        if not _authoritative(zone, owner):
            continue
        for rds in node.rdatasets:
            if rds.rdtype == dns.rdatatype.RRSIG:
                continue
            if owner in cuts and rds.rdtype not in (dns.rdatatype.DS, dns.rdatatype.NSEC3):
                continue
            todo.append(dns.rrset.from_rdata_list(owner, rds.ttl, list(rds)))
    with zone.writer() as txn:
        for rrset in todo:
            txn.add(rrset.name, rrset.ttl, sign(rrset, private, dnskey))


def sign(
    rrset: dns.rrset.RRset, private: ed25519.Ed25519PrivateKey, dnskey: DNSKEY
) -> dns.rdata.Rdata:
    """An RRSIG over ``rrset`` made at the fixed test times."""
    return dnspython_dnssec.sign(
        rrset, private, ORIGIN, dnskey, inception=INCEPTION, expiration=EXPIRATION
    )


def signed_rrsets(rrset: dns.rrset.RRset, signed: SignedZone) -> list[dns.rrset.RRset]:
    """``rrset`` plus a fresh RRSIG over it (for records the tests make up)."""
    _, private, dnskey = signed
    rrsig = sign(rrset, private, dnskey)
    return [rrset, dns.rrset.from_rdata(rrset.name, rrset.ttl, rrsig)]


def find(signed: SignedZone, owner: str | dns.name.Name, rdtype: str) -> list[dns.rrset.RRset]:
    """The RRset ``owner``/``rdtype`` of the zone and its RRSIG RRset (when signed)."""
    zone = signed[0]
    owner_name = owner if isinstance(owner, dns.name.Name) else name(owner)
    rtype = dns.rdatatype.from_text(rdtype)
    rds = zone.get_rdataset(owner_name, rtype)
    assert rds is not None, f"{owner_name} {rdtype} not in the test zone"
    found = [dns.rrset.from_rdata_list(owner_name, rds.ttl, list(rds))]
    sigs = zone.get_rdataset(owner_name, dns.rdatatype.RRSIG, covers=rtype)
    if sigs is not None:
        found.append(dns.rrset.from_rdata_list(owner_name, sigs.ttl, list(sigs)))
    return found


def nsec3_owner(signed: SignedZone, of: str | dns.name.Name) -> dns.name.Name:
    """The owner name of the NSEC3 record for ``of`` (which must be in the chain)."""
    zone = signed[0]
    target = of if isinstance(of, dns.name.Name) else name(of)
    param = zone.get_rdataset(ORIGIN, dns.rdatatype.NSEC3PARAM)
    assert param is not None
    p = next(iter(param))
    label = dnspython_dnssec.nsec3_hash(target, p.salt, p.iterations, 1)
    return dns.name.Name((label.encode(), *ORIGIN.labels))


def nsec3_covering(signed: SignedZone, of: str | dns.name.Name) -> dns.name.Name:
    """The owner of the NSEC3 record whose span contains the hash of ``of``.

    Found by sorting the chain's hashes, independently of the code under test.
    """
    zone = signed[0]
    target = of if isinstance(of, dns.name.Name) else name(of)
    param = next(iter(zone.get_rdataset(ORIGIN, dns.rdatatype.NSEC3PARAM) or []))
    digest = dnspython_dnssec.nsec3_hash(target, param.salt, param.iterations, 1)
    owners = sorted(
        n.labels[0].decode().upper()
        for n, node in zone.nodes.items()
        if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC3)
    )
    assert digest not in owners, f"{target} has its own NSEC3"
    before = [o for o in owners if o < digest]
    label = before[-1] if before else owners[-1]
    return dns.name.Name((label.encode(), *ORIGIN.labels))


def response(
    qname: str | dns.name.Name,
    qtype: str,
    *,
    rcode: int = dns.rcode.NOERROR,
    answer: Sequence[dns.rrset.RRset] = (),
    authority: Sequence[dns.rrset.RRset] = (),
) -> dns.message.Message:
    """An authoritative DNSSEC response carrying exactly the given sections."""
    query = dns.message.make_query(
        qname if isinstance(qname, dns.name.Name) else name(qname), qtype, want_dnssec=True
    )
    msg = dns.message.make_response(query)
    msg.flags |= dns.flags.AA
    msg.set_rcode(rcode)
    for rrset in answer:
        msg.answer.append(rrset)
    for rrset in authority:
        msg.authority.append(rrset)
    return msg


def parts(signed: SignedZone, *items: tuple[str | dns.name.Name, str]) -> list[dns.rrset.RRset]:
    """Several zone RRsets with their signatures, in order."""
    found: list[dns.rrset.RRset] = []
    for owner, rdtype in items:
        found.extend(find(signed, owner, rdtype))
    return found


def unsigned(rrsets: Iterable[dns.rrset.RRset]) -> list[dns.rrset.RRset]:
    """``rrsets`` without their RRSIGs."""
    return [r for r in rrsets if r.rdtype != dns.rdatatype.RRSIG]


def wildcard_answer(
    signed: SignedZone, owner: str, wildcard: str, rdtype: str
) -> list[dns.rrset.RRset]:
    """``wildcard``'s RRset and RRSIG renamed to ``owner``, as a server synthesises them."""
    out: list[dns.rrset.RRset] = []
    for rrset in find(signed, wildcard, rdtype):
        copy = dns.rrset.from_rdata_list(name(owner), rrset.ttl, list(rrset))
        out.append(copy)
    return out


def test_nsec3_zone_has_a_closed_chain() -> None:
    """The hand-built chain is a ring: every next hash is some record's owner hash."""
    zone = nsec3_zone()[0]
    owners: set[bytes] = set()
    nexts: set[bytes] = set()
    for owner, node in zone.nodes.items():
        rds = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC3)
        if rds is None:
            continue
        owners.add(b32hex_decode(owner.labels[0]) or b"")
        nexts.update(r.next for r in rds)
    assert owners == nexts
    # 11 names hold NSEC3: 8 with data (apex included) and 3 empty non-terminals
    assert len(owners) == 11


def test_opt_out_zone_leaves_the_insecure_delegation_out() -> None:
    """With Opt-Out the unsigned delegation has no NSEC3 of its own."""
    signed = nsec3_zone(opt_out=True)
    assert signed[0].get_node(nsec3_owner(signed, "insecure")) is None
    assert signed[0].get_node(nsec3_owner(signed, "secure")) is not None
