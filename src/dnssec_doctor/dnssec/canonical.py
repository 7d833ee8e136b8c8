"""The data an RRSIG signs: RFC 4034 §3.1.8.1 and §6 (canonical form and order).

Built by hand rather than through dnspython's private helper so that the same
bytes can be produced from plain wire data in worker processes (zone verifier)
and from dnspython objects (live path).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Protocol

import dns.name
import dns.rdata
import dns.rdtypes.ANY.RRSIG
from dns.rdtypes.ANY.CNAME import CNAME
from dns.rdtypes.ANY.NS import NS
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.PTR import PTR
from dns.rdtypes.ANY.SOA import SOA

RRSIG = dns.rdtypes.ANY.RRSIG.RRSIG


class RrsigHeader(Protocol):
    """The RRSIG fields that precede the signature."""

    @property
    def type_covered(self) -> int: ...
    @property
    def algorithm(self) -> int: ...
    @property
    def labels(self) -> int: ...
    @property
    def original_ttl(self) -> int: ...
    @property
    def expiration(self) -> int: ...
    @property
    def inception(self) -> int: ...
    @property
    def key_tag(self) -> int: ...
    @property
    def signer(self) -> dns.name.Name: ...


def rrsig_header(rrsig: RrsigHeader) -> bytes:
    """RRSIG RDATA without the signature, signer in canonical (lower-case) form."""
    fixed = struct.pack(
        "!HBBIIIH",
        rrsig.type_covered,
        rrsig.algorithm,
        rrsig.labels,
        rrsig.original_ttl,
        rrsig.expiration,
        rrsig.inception,
        rrsig.key_tag,
    )
    return fixed + rrsig.signer.to_digestable()


def signing_owner(owner: dns.name.Name, labels: int) -> dns.name.Name:
    """The owner as signed: ``*.<rightmost labels>`` for wildcard expansions.

    RFC 4035 §5.3.2: when the RRSIG Labels field is smaller than the owner's label
    count (root and a leading ``*`` excluded), the RRset was synthesised from a
    wildcard and the signature covers the wildcard owner. Callers check first that
    ``labels`` does not exceed the owner's count.
    """
    count = owner_label_count(owner)
    if labels >= count:
        return owner
    # keep the root label plus the rightmost ``labels`` labels
    suffix = dns.name.Name(owner.labels[len(owner.labels) - labels - 1 :])
    return dns.name.Name((b"*", *suffix.labels))


def owner_label_count(owner: dns.name.Name) -> int:
    """Labels counted by the RRSIG Labels field: no root, no leading ``*``."""
    count = len(owner.labels) - 1 if owner.is_absolute() else len(owner.labels)
    if owner.is_wild():
        count -= 1
    return count


def canonical_rdata(rdatas: Iterable[dns.rdata.Rdata]) -> list[bytes]:
    """Canonical RDATA (RFC 4034 §6.2, RFC 6840 §5.1), sorted, duplicates removed."""
    return sorted({digestable(rd) for rd in rdatas})


def digestable(rd: dns.rdata.Rdata) -> bytes:
    """``rd.to_digestable()``: the canonical RDATA (RFC 4034 §6.2, RFC 6840 §5.1).

    Built here for the types that carry names and fill every answer (SOA, NS, CNAME,
    PTR, NSEC): dnspython writes a name into an RDATA through a stream, making a
    ``Name`` for every suffix of it on the way, which costs 30 times what the name's
    own canonical bytes do. Names in SOA, NS, CNAME and PTR are lower-cased (§6.2);
    NSEC's next name is not (RFC 6840 §5.1), and its type bitmap follows (RFC 4034
    §4.1.2). Any other type (or subclass) goes to dnspython.
    """
    if type(rd) is SOA:
        return (
            rd.mname.to_digestable()
            + rd.rname.to_digestable()
            + struct.pack("!IIIII", rd.serial, rd.refresh, rd.retry, rd.expire, rd.minimum)
        )
    if type(rd) is NS or type(rd) is CNAME or type(rd) is PTR:
        target: dns.name.Name = rd.target
        return target.to_digestable()
    if type(rd) is NSEC:
        bitmap = b"".join(struct.pack("!BB", w, len(b)) + b for w, b in rd.windows)
        return bytes(rd.next.to_wire()) + bitmap
    return rd.to_digestable()


def signed_data(
    owner: dns.name.Name,
    *,
    rdtype: int,
    rdclass: int,
    original_ttl: int,
    header: bytes,
    canonical_rdatas: Iterable[bytes],
) -> bytes:
    """The octets the signature covers (RFC 4034 §3.1.8.1).

    ``header`` comes from :func:`rrsig_header`; ``owner`` must already be the
    signing owner (see :func:`signing_owner`); ``canonical_rdatas`` sorted and
    deduplicated (see :func:`canonical_rdata`).
    """
    prefix = owner.to_digestable() + struct.pack("!HHI", rdtype, rdclass, original_ttl)
    parts = [header]
    for rd in canonical_rdatas:
        parts.append(prefix)
        parts.append(struct.pack("!H", len(rd)))
        parts.append(rd)
    return b"".join(parts)
