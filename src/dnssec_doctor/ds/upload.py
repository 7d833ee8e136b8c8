"""The DS records to upload: from the keys that sign the DNSKEY RRset on every server.

RFC 4035 §5.2: a DS works when it names a key that signs the DNSKEY RRset; the
registry's pre-upload check (the NIST guide's "0 keys saved") asks every
authoritative server, so the key must be served and signing on all of them.
Keys with the SEP flag are preferred (RFC 4034 §2.1.1); a key signing without it
(a CSK with flags 256) is offered only when no SEP key qualifies.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dns.name

from dnssec_doctor.dnssec.algorithms import algorithm_name, digest_info
from dnssec_doctor.dnssec.keys import (
    AnyKey,
    DsLike,
    DsMatchStatus,
    DsRecord,
    is_sep,
    make_ds,
    match_ds,
)
from dnssec_doctor.ds.live import LiveKey, LiveZone
from dnssec_doctor.ds.registry_policy import RegistryPolicy

MATCH = DsMatchStatus.MATCH


@dataclass(frozen=True, slots=True)
class Upload:
    """One record to submit, and the key behind it."""

    key: LiveKey
    ds: DsRecord
    at_parent: bool
    """True when the parent already publishes a DS for this key."""

    def ds_line(self, zone: dns.name.Name) -> str:
        """``zone. IN DS tag alg type DIGEST`` (RFC 4034 §5.3, digest in upper case)."""
        return f"{zone.to_text()} IN DS {self.ds.to_text()}"

    def dnskey_line(self, zone: dns.name.Name) -> str:
        """``zone. IN DNSKEY flags 3 alg base64`` (RFC 4034 §2.2), for DNSKEY registries."""
        return dnskey_line(zone, self.key.key)

    def to_json(self, zone: dns.name.Name) -> dict[str, Any]:
        """The record and its facts for ``--format json``."""
        k = self.key.key
        return {
            "record": self.ds_line(zone),
            "key_tag": self.ds.key_tag,
            "algorithm": self.ds.algorithm,
            "algorithm_name": algorithm_name(self.ds.algorithm),
            "digest_type": self.ds.digest_type,
            "digest_name": digest_info(self.ds.digest_type).mnemonic,
            "digest": self.ds.digest.hex().upper(),
            "dnskey": self.dnskey_line(zone),
            "flags": k.flags,
            "role": self.key.role,
            "published_at_parent": self.at_parent,
        }


def dnskey_line(zone: dns.name.Name, key: AnyKey) -> str:
    """A DNSKEY in canonical presentation format on one line."""
    encoded = base64.b64encode(key.key).decode("ascii")
    return f"{zone.to_text()} IN DNSKEY {key.flags} {key.protocol} {key.algorithm} {encoded}"


def upload_set(
    live: LiveZone, keys: Sequence[LiveKey], policy: RegistryPolicy
) -> tuple[Upload, ...]:
    """The DS records to upload (the policy's preferred digest), best keys first."""
    everywhere = [k for k in keys if k.usable and k.signs_everywhere(live.servers)]
    chosen = [k for k in everywhere if is_sep(k.key)] or everywhere
    return tuple(
        Upload(k, as_record(make_ds(live.zone, k.key, policy.preferred_digest)),
               at_parent=published(live, k.key))
        for k in sorted(chosen, key=lambda k: (k.key.algorithm, k.tag))
    )  # fmt: skip


def as_record(ds: DsLike) -> DsRecord:
    """Any DS as a :class:`DsRecord`."""
    return DsRecord(ds.key_tag, ds.algorithm, ds.digest_type, bytes(ds.digest))


def published(live: LiveZone, key: AnyKey) -> bool:
    """True when a DS at the parent matches ``key`` (any digest type)."""
    return any(match_ds(live.zone, ds, [key]).status is MATCH for ds in live.parent_ds)


def parent_ds_states(live: LiveZone, keys: Sequence[LiveKey]) -> list[dict[str, Any]]:
    """Each DS the parent publishes now and what it leads to (evidence for the report)."""
    out = []
    for ds in live.parent_ds:
        match = match_ds(live.zone, ds, [k.key for k in keys])
        state = "names no key the zone serves (stale)"
        if match.key is not None and match.status is MATCH:
            key = next(k for k in keys if k.key == match.key)
            state = (
                f"names {key.describe()}, which signs the DNSKEY RRset on every server"
                if key.signs_everywhere(live.servers)
                else f"names {key.describe()}, signing on {len(key.signs_on)} of "
                f"{len(live.servers)} servers"
            )
        elif match.status is DsMatchStatus.DIGEST_MISMATCH:
            state = "has the tag of a served key but not its digest"
        out.append({"record": f"{live.zone.to_text()} IN DS {ds.to_text()}", "state": state})
    return out
