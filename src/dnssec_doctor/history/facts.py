"""Normalised facts of one observation: what each server served, without the diagnosis.

The history store keeps these so that timelines, forecasts and (later) rollover
timing (RFC 7583) are computed from tables, never by re-parsing captures: per zone
and server the SOA serial and TTL, the DNSKEY set (tag, flags, algorithm, TTL), the
DS set at every parent server (RFC 4034 §5), every RRSIG's inception and expiration
per RRset and key (RFC 4034 §3.1.5), and the denial mode with its NSEC3 parameters
(RFC 5155 §4). Pure: a survey in, facts out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import NamedTuple

import dns.message
import dns.rdatatype
import dns.rrset

from dnssec_doctor.dnssec.keys import key_tag
from dnssec_doctor.model.survey import Survey, ZoneCut

REVOKE_FLAG = 0x0080
"""RFC 5011 §3: the REVOKE bit of the DNSKEY flags."""

# Named tuples, as the package's other value types (why: ``history/__init__``); rows of
# facts are also built faster this way when ``history`` reads thousands of them.


class ServerFacts(NamedTuple):
    """What one server said about one zone (``role``: ``child`` or ``parent``)."""

    zone: str
    server: str
    role: str
    answered: bool
    soa_serial: int | None = None
    soa_ttl: int | None = None
    dnskey_ttl: int | None = None
    ds_ttl: int | None = None
    ns_names: str = ""
    """The NS set, sorted names joined by spaces (child side)."""
    denial: str = ""
    """``nsec``, ``nsec3`` or empty (not seen), from the answer to a name that does not exist."""
    nsec3_algorithm: int | None = None
    nsec3_flags: int | None = None
    nsec3_iterations: int | None = None
    nsec3_salt: str | None = None


class KeyFact(NamedTuple):
    """One DNSKEY as one server served it."""

    zone: str
    server: str
    key_tag: int
    algorithm: int
    flags: int
    key_id: str
    """The first 16 hex digits of SHA-256 over the public key: tells keys of equal tag apart."""
    ttl: int

    @property
    def revoked(self) -> bool:
        """RFC 5011 §3 REVOKE bit."""
        return bool(self.flags & REVOKE_FLAG)

    @property
    def role(self) -> str:
        """``KSK`` when the SEP bit is set (RFC 4034 §2.1.1), else ``ZSK``."""
        return "KSK" if self.flags & 0x0001 else "ZSK"


class DsFact(NamedTuple):
    """One DS record at one parent server (``zone`` is the child the DS is for)."""

    zone: str
    server: str
    key_tag: int
    algorithm: int
    digest_type: int
    digest: str
    ttl: int


class CdsFact(NamedTuple):
    """One CDS or CDNSKEY record at the zone's apex on one server (RFC 7344 §3).

    ``data`` is the digest (CDS) or the first 16 hex digits of SHA-256 over the public key
    (CDNSKEY, like ``KeyFact.key_id``); ``flags`` and ``digest_type`` are 0 where they do
    not apply. Kept so that history can tell how long a CDS set waited for the parent.
    """

    zone: str
    server: str
    rrtype: str
    key_tag: int
    algorithm: int
    digest_type: int
    flags: int
    data: str
    ttl: int


class SignatureFact(NamedTuple):
    """One RRSIG as one server served it (``zone`` is the signer name)."""

    zone: str
    server: str
    owner: str
    covered_type: str
    key_tag: int
    algorithm: int
    inception: int
    expiration: int
    original_ttl: int


@dataclass(frozen=True, slots=True)
class ObservationFacts:
    """Everything one observation saw, sorted, so that equal data gives equal digests."""

    zones: tuple[str, ...] = ()
    """The zones on the chain, from the root down to the one holding the name."""
    servers: tuple[ServerFacts, ...] = ()
    keys: tuple[KeyFact, ...] = ()
    ds: tuple[DsFact, ...] = ()
    signatures: tuple[SignatureFact, ...] = ()
    cds: tuple[CdsFact, ...] = ()
    digest: str = field(default="", compare=False)

    def canonical_json(self) -> str:
        """The facts as canonical JSON (the digest's input)."""
        # Field values in field order (dataclasses.asdict is five times slower, and this
        # runs on every recorded check).
        data = {
            "zones": list(self.zones),
            "servers": [_values(s) for s in self.servers],
            "keys": [_values(k) for k in self.keys],
            "ds": [_values(d) for d in self.ds],
            "signatures": [_values(s) for s in self.signatures],
            "cds": [_values(c) for c in self.cds],
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def earliest_expiration(self) -> int | None:
        """The first moment any signature on the chain stops being valid."""
        return min((s.expiration for s in self.signatures), default=None)

    def newest_inception(self, zone: str) -> int | None:
        """The latest inception of any signature made by ``zone`` (when it was last re-signed)."""
        return max((s.inception for s in self.signatures if s.zone == zone), default=None)


def _values(item: ServerFacts | KeyFact | DsFact | SignatureFact | CdsFact) -> list[object]:
    return list(item)


def sealed(
    zones: tuple[str, ...],
    servers: list[ServerFacts],
    keys: list[KeyFact],
    ds: list[DsFact],
    signatures: list[SignatureFact],
    cds: list[CdsFact] | None = None,
) -> ObservationFacts:
    """Facts in canonical order, with their digest."""
    facts = ObservationFacts(
        zones=zones,
        servers=tuple(sorted(set(servers))),
        keys=tuple(sorted(set(keys))),
        ds=tuple(sorted(set(ds))),
        signatures=tuple(sorted(set(signatures))),
        cds=tuple(sorted(set(cds or ()))),
    )
    digest = hashlib.sha256(facts.canonical_json().encode("utf-8")).hexdigest()
    return dataclasses.replace(facts, digest=digest)


def facts_from_survey(survey: Survey) -> ObservationFacts:
    """The normalised facts of a survey (only the standard queries, not the probes' variants)."""
    servers: list[ServerFacts] = []
    keys: list[KeyFact] = []
    ds: list[DsFact] = []
    signatures: list[SignatureFact] = []
    cds: list[CdsFact] = []
    nxname = survey.nonexistent_name
    for cut in survey.cuts:
        _child_facts(cut, nxname, servers, keys, signatures, cds)
        _parent_facts(cut, servers, ds, signatures)
    return sealed(tuple(c.zone for c in survey.cuts), servers, keys, ds, signatures, cds)


def _child_facts(
    cut: ZoneCut,
    nxname: str,
    servers: list[ServerFacts],
    keys: list[KeyFact],
    signatures: list[SignatureFact],
    cds: list[CdsFact],
) -> None:
    by_server: dict[str, list[dns.message.Message]] = {}
    for key, exchange in cut.queries.items():
        if key.side != "child" or key.variant:
            continue
        message = exchange.message() if exchange.outcome == "response" else None
        bucket = by_server.setdefault(key.server, [])
        if message is not None:
            bucket.append(message)
            _signatures(message, key.server, signatures)
    for server, messages in sorted(by_server.items()):
        values: dict[str, object] = {}
        for message in messages:
            for rrset in message.answer:
                if rrset.name.to_text() != cut.zone:
                    continue
                _apex_values(rrset, cut.zone, server, values, keys)
                _cds_values(rrset, cut.zone, server, cds)
            if nxname and message.question and message.question[0].name.to_text() == nxname:
                values["denial"] = _denial_mode(message)
        servers.append(
            ServerFacts(zone=cut.zone, server=server, role="child", answered=bool(messages),
                        **values)  # type: ignore[arg-type]
        )  # fmt: skip


def _apex_values(
    rrset: dns.rrset.RRset,
    zone: str,
    server: str,
    values: dict[str, object],
    keys: list[KeyFact],
) -> None:
    rdtype = rrset.rdtype
    if rdtype == dns.rdatatype.SOA and len(rrset):
        values["soa_serial"] = int(rrset[0].serial)
        values["soa_ttl"] = rrset.ttl
    elif rdtype == dns.rdatatype.NS:
        values["ns_names"] = " ".join(sorted(r.target.to_text() for r in rrset))
    elif rdtype == dns.rdatatype.NSEC3PARAM and len(rrset):
        first = rrset[0]
        values["nsec3_algorithm"] = int(first.algorithm)
        values["nsec3_flags"] = int(first.flags)
        values["nsec3_iterations"] = int(first.iterations)
        values["nsec3_salt"] = first.salt.hex() or "-"
    elif rdtype == dns.rdatatype.DNSKEY:
        values["dnskey_ttl"] = rrset.ttl
        for rdata in rrset:
            keys.append(
                KeyFact(
                    zone=zone,
                    server=server,
                    key_tag=key_tag(rdata),
                    algorithm=int(rdata.algorithm),
                    flags=int(rdata.flags),
                    key_id=hashlib.sha256(rdata.key).hexdigest()[:16],
                    ttl=rrset.ttl,
                )
            )


def _cds_values(rrset: dns.rrset.RRset, zone: str, server: str, out: list[CdsFact]) -> None:
    if rrset.rdtype == dns.rdatatype.CDS:
        for rdata in rrset:
            out.append(
                CdsFact(zone, server, "CDS", int(rdata.key_tag), int(rdata.algorithm),
                        int(rdata.digest_type), 0, rdata.digest.hex(), rrset.ttl)
            )  # fmt: skip
    elif rrset.rdtype == dns.rdatatype.CDNSKEY:
        for rdata in rrset:
            key_id = hashlib.sha256(rdata.key).hexdigest()[:16]
            tag = key_tag(rdata)
            out.append(
                CdsFact(zone, server, "CDNSKEY", tag, int(rdata.algorithm), 0,
                        int(rdata.flags), key_id, rrset.ttl)
            )  # fmt: skip


def _denial_mode(message: dns.message.Message) -> str:
    types = {rrset.rdtype for rrset in message.authority}
    if dns.rdatatype.NSEC3 in types:
        return "nsec3"
    if dns.rdatatype.NSEC in types:
        return "nsec"
    return ""


def _parent_facts(
    cut: ZoneCut,
    servers: list[ServerFacts],
    ds: list[DsFact],
    signatures: list[SignatureFact],
) -> None:
    for key, exchange in sorted(cut.queries.items()):
        if key.side != "parent" or key.variant or key.qtype != "DS" or key.qname != cut.zone:
            continue
        message = exchange.message() if exchange.outcome == "response" else None
        ds_ttl = None
        if message is not None:
            _signatures(message, key.server, signatures)
            for rrset in message.answer:
                if rrset.rdtype != dns.rdatatype.DS or rrset.name.to_text() != cut.zone:
                    continue
                ds_ttl = rrset.ttl
                for rdata in rrset:
                    ds.append(
                        DsFact(
                            zone=cut.zone,
                            server=key.server,
                            key_tag=int(rdata.key_tag),
                            algorithm=int(rdata.algorithm),
                            digest_type=int(rdata.digest_type),
                            digest=rdata.digest.hex(),
                            ttl=rrset.ttl,
                        )
                    )
        servers.append(
            ServerFacts(
                zone=cut.zone,
                server=key.server,
                role="parent",
                answered=message is not None,
                ds_ttl=ds_ttl,
            )
        )


def _signatures(message: dns.message.Message, server: str, out: list[SignatureFact]) -> None:
    for section in (message.answer, message.authority):
        for rrset in section:
            if rrset.rdtype != dns.rdatatype.RRSIG:
                continue
            for rdata in rrset:
                out.append(
                    SignatureFact(
                        zone=rdata.signer.to_text(),
                        server=server,
                        owner=rrset.name.to_text(),
                        covered_type=dns.rdatatype.to_text(rdata.type_covered),
                        key_tag=int(rdata.key_tag),
                        algorithm=int(rdata.algorithm),
                        inception=int(rdata.inception),
                        expiration=int(rdata.expiration),
                        original_ttl=int(rdata.original_ttl),
                    )
                )
