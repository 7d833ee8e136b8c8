"""Small zones signed here with dnspython for the lab server tests (fixed times).

``test.`` (NSEC) delegates ``example.test.`` (signed, NSEC, with DS), ``insecure.test.``
(no DS) and ``n3.test.`` (NSEC3 with opt-out, hand-built chain, with DS).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.rrset
import dns.zone

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.dnspython_dnssec import dnssecalgs

NOW = 1_800_000_000
INCEPTION = NOW - 3600
EXPIRATION = NOW + 30 * 86400
N3_SALT = "aabb"
N3_ITERATIONS = 5

_SOA = "{o} 3600 IN SOA ns1.{o} hostmaster.{o} 1 7200 3600 1209600 300"

CHILD = """
{soa}
example.test. 3600 IN NS ns1.example.test.
ns1.example.test. 3600 IN A 127.0.0.2
www.example.test. 3600 IN A 192.0.2.1
alias.example.test. 3600 IN CNAME www.example.test.
dangling.example.test. 3600 IN CNAME nothing.example.test.
*.wild.example.test. 3600 IN TXT "wildcard"
host.sub.example.test. 3600 IN A 192.0.2.7
{big}
{medium}
"""

PARENT = """
{soa}
test. 3600 IN NS ns1.test.
ns1.test. 3600 IN A 127.0.0.1
example.test. 3600 IN NS ns1.example.test.
ns1.example.test. 3600 IN A 127.0.0.2
insecure.test. 3600 IN NS ns.insecure.test.
ns.insecure.test. 3600 IN A 127.0.0.3
n3.test. 3600 IN NS ns.n3.test.
ns.n3.test. 3600 IN A 127.0.0.4
{ds}
"""


@dataclass(frozen=True, slots=True)
class SignedZones:
    """Master-file texts and the public keys to validate them with."""

    parent: str
    child: str
    nsec3: str
    keys: dict[dns.name.Name, dns.rdtypes.ANY.DNSKEY.DNSKEY]


def _key() -> tuple[dnssecalgs.PrivateECDSAP256SHA256, dns.rdtypes.ANY.DNSKEY.DNSKEY]:
    private = dnssecalgs.PrivateECDSAP256SHA256.generate()
    return private, private.public_key().to_dnskey(flags=257)


def _signed_nsec(
    origin: str, text: str, window: tuple[int, int]
) -> tuple[str, dns.rdtypes.ANY.DNSKEY.DNSKEY]:
    private, dnskey = _key()
    zone = dns.zone.from_text(text, origin, relativize=False)
    dnspython_dnssec.sign_zone(
        zone, keys=[(private, dnskey)], inception=window[0], expiration=window[1]
    )
    return zone.to_text(relativize=False), dnskey


def _ds(origin: str, dnskey: dns.rdtypes.ANY.DNSKEY.DNSKEY) -> str:
    ds = dnspython_dnssec.make_ds(origin, dnskey, "SHA256")
    return f"{origin} 3600 IN DS {ds.to_text()}"


def nsec3_hash(name: str) -> str:
    """The owner hash the ``n3.test.`` chain uses for ``name``."""
    return dnspython_dnssec.nsec3_hash(name, N3_SALT, N3_ITERATIONS, 1)


def _nsec3_zone(window: tuple[int, int]) -> tuple[str, dns.rdtypes.ANY.DNSKEY.DNSKEY]:
    """n3.test. with an NSEC3 chain (opt-out: the insecure delegation has no NSEC3)."""
    origin = "n3.test."
    private, dnskey = _key()
    records = [
        _SOA.format(o=origin),
        f"{origin} 3600 IN NS ns.{origin}",
        f"{origin} 3600 IN DNSKEY {dnskey.to_text()}",
        f"{origin} 0 IN NSEC3PARAM 1 0 {N3_ITERATIONS} {N3_SALT}",
        f"ns.{origin} 3600 IN A 127.0.0.4",
        f"www.{origin} 3600 IN A 192.0.2.3",
        f"a.b.{origin} 3600 IN TXT deep",
        f"insec.{origin} 3600 IN NS ns.insec.{origin}",
        f"ns.insec.{origin} 3600 IN A 127.0.0.5",
    ]
    types = {
        origin: "SOA NS RRSIG DNSKEY NSEC3PARAM",
        f"ns.{origin}": "A RRSIG",
        f"www.{origin}": "A RRSIG",
        f"b.{origin}": "",
        f"a.b.{origin}": "TXT RRSIG",
    }
    hashes = sorted((nsec3_hash(name), bitmap) for name, bitmap in types.items())
    for index, (digest, bitmap) in enumerate(hashes):
        following = hashes[(index + 1) % len(hashes)][0]
        records.append(
            f"{digest}.{origin} 300 IN NSEC3 1 1 {N3_ITERATIONS} {N3_SALT} {following} {bitmap}"
        )
    zone = dns.zone.from_text("\n".join(records), origin, relativize=False)
    cut = dns.name.from_text(f"insec.{origin}")
    signatures = []
    for name, node in zone.nodes.items():
        if name.is_subdomain(cut):
            continue
        for rds in node.rdatasets:
            rrsig = dnspython_dnssec.sign(
                (name, rds),
                private,
                dns.name.from_text(origin),
                dnskey,
                inception=window[0],
                expiration=window[1],
            )
            signatures.append(f"{name} {rds.ttl} IN RRSIG {rrsig.to_text()}")
    return zone.to_text(relativize=False) + "\n".join(signatures) + "\n", dnskey


WIDE_WINDOW = (1_577_836_800, 3_471_292_800)
"""2020-01-01 to 2080-01-01: for tools that validate at the wall clock (delv)."""


def build_test_zones(window: tuple[int, int] = (INCEPTION, EXPIRATION)) -> SignedZones:
    """Sign the three zones (fresh ECDSA keys, fixed signature times)."""
    big = "\n".join(
        f'big.example.test. 3600 IN TXT "{base64.b64encode(bytes([i]) * 150).decode()}"'
        for i in range(12)
    )
    medium = "\n".join(f'medium.example.test. 3600 IN TXT "{"m" * 100}{i}"' for i in range(6))
    child_text = CHILD.format(soa=_SOA.format(o="example.test."), big=big, medium=medium)
    child, child_key = _signed_nsec("example.test.", child_text, window)
    nsec3, n3_key = _nsec3_zone(window)
    ds_lines = "\n".join([_ds("example.test.", child_key), _ds("n3.test.", n3_key)])
    parent, parent_key = _signed_nsec(
        "test.", PARENT.format(soa=_SOA.format(o="test."), ds=ds_lines), window
    )
    return SignedZones(
        parent=parent,
        child=child,
        nsec3=nsec3,
        keys={
            dns.name.from_text("test."): parent_key,
            dns.name.from_text("example.test."): child_key,
            dns.name.from_text("n3.test."): n3_key,
        },
    )


def validate(rrset: dns.rrset.RRset, rrsig: dns.rrset.RRset, zones: SignedZones) -> None:
    """Raise unless ``rrsig`` validates ``rrset`` with the signer's key at NOW."""
    signer = rrsig[0].signer
    keys = {signer: dns.rrset.from_rdata(signer, 3600, zones.keys[signer])}
    dnspython_dnssec.validate(rrset, rrsig, keys, now=NOW)  # type: ignore[arg-type]


def anchor_lines(zones: SignedZones) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``test.`` trust anchor as (DS lines, DNSKEY lines)."""
    key = zones.keys[dns.name.from_text("test.")]
    return (_ds("test.", key),), (f"test. 3600 IN DNSKEY {key.to_text()}",)
