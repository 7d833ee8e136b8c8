"""Which owner name or key flags a mismatching DS digest was really computed for.

The DS digest covers the owner name and the DNSKEY RDATA (RFC 4034 §5.1.4), and
the key tag covers the flags (Appendix B). A DS made for the wrong name — the
parent zone, a subdomain, the name with a missing trailing dot (the origin
appended once more), the Unicode form of an IDN — or from the key before its SEP
or REVOKE bit changed never matches. Trying those few variants turns "the digest
differs" into "you computed it for www.example.com.".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from dnssec_doctor.dnssec.keys import (
    REVOKE_FLAG,
    SEP_FLAG,
    AnyKey,
    DsLike,
    dnskey_rdata_wire,
    ds_digest,
    key_tag,
    supported_digest,
)


@dataclass(frozen=True, slots=True)
class OtherOrigin:
    """The name and key a DS digest matches, and how that happened, in words."""

    owner: dns.name.Name
    key: AnyKey
    """The zone's key (as served) the DS was made from."""
    how: str


def owner_variants(
    zone: dns.name.Name,
    parent: dns.name.Name | None,
    asked: dns.name.Name,
    written: dns.name.Name | None,
) -> list[tuple[dns.name.Name, str]]:
    """Names a DS for ``zone`` is commonly computed for by mistake, each with why."""
    variants: list[tuple[dns.name.Name, str]] = []
    relative = zone.labels[:-1]

    def add(labels: tuple[bytes, ...], why: str) -> None:
        try:
            name = dns.name.Name(labels)
        except (dns.name.NameTooLong, dns.name.LabelTooLong, dns.name.EmptyLabel):
            return
        if name != zone and all(name != n for n, _ in variants):
            variants.append((name, why))

    if written is not None:
        add(written.labels, "the owner name written in the input")
    if asked != zone:
        add(asked.labels, "the name asked about, which is inside the zone")
    if parent is not None:
        add(parent.labels, "the parent zone")
        add(relative + parent.labels, "the name with the parent's origin appended again "
            "(written without its trailing dot)")  # fmt: skip
    add(relative + zone.labels, "the name with its own origin appended again "
        "(written without its trailing dot)")  # fmt: skip
    add((b"www", *zone.labels), "the subdomain www")
    if len(relative) > 1:
        add((relative[0], b""), "the first label alone")
    if any(label.startswith(b"xn--") for label in relative):
        add(_unicode_labels(zone), "the Unicode form of the name instead of its A-label form")
    add((b"",), "the root (an empty owner name)")
    return variants


def _unicode_labels(zone: dns.name.Name) -> tuple[bytes, ...]:
    labels = []
    for label in zone.labels:
        try:
            text = label.decode("ascii")
            labels.append(
                text[4:].encode("ascii").decode("punycode").encode("utf-8")
                if text.startswith("xn--")
                else label
            )
        except (UnicodeError, ValueError):
            labels.append(label)
    return tuple(labels)


def flag_variants(key: AnyKey) -> list[tuple[AnyKey, str]]:
    """The key with its SEP bit flipped or its REVOKE bit set: older copies of it."""
    out: list[tuple[AnyKey, str]] = []
    for flags, why in (
        (key.flags ^ SEP_FLAG, f"flags {key.flags ^ SEP_FLAG} (the key before its SEP bit "
         "changed)"),
        (key.flags ^ REVOKE_FLAG, f"flags {key.flags ^ REVOKE_FLAG} (the key with its REVOKE "
         "bit changed)"),
    ):  # fmt: skip
        wire = dnskey_rdata_wire(key)
        wire = flags.to_bytes(2, "big") + wire[2:]
        variant = dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DNSKEY, wire, 0, len(wire))
        out.append((variant, why))  # type: ignore[arg-type]
    return out


def find_other_origin(
    ds: DsLike,
    keys: Sequence[AnyKey],
    zone: dns.name.Name,
    variants: list[tuple[dns.name.Name, str]],
) -> OtherOrigin | None:
    """The variant owner (or key flags) that makes ``ds`` match one of ``keys``."""
    if not supported_digest(ds.digest_type):
        return None
    same_alg = [k for k in keys if k.algorithm == ds.algorithm]
    for key in same_alg:
        if key_tag(key) != ds.key_tag:
            continue
        for owner, why in variants:
            if ds_digest(owner, key, ds.digest_type) == ds.digest:
                return OtherOrigin(owner, key, f"{owner.to_text()}: {why}")
    for key in same_alg:
        for variant, why in flag_variants(key):
            if key_tag(variant) != ds.key_tag:
                continue
            for owner, owner_why in [(zone, ""), *variants]:
                if ds_digest(owner, variant, ds.digest_type) == ds.digest:
                    where = f" and for {owner.to_text()} ({owner_why})" if owner_why else ""
                    return OtherOrigin(owner, key, f"key {key_tag(key)} with {why}{where}")
    return None
