"""The zone apex: SOA, NS, the DNSKEY RRset and its self-signature (RFC 4035 §2.1).

The DNSKEY RRset is verified here, in the main process, as soon as the apex is
read: its keys are what every other signature is checked against.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CDNSKEY
import dns.rdtypes.ANY.DNSKEY

from dnssec_doctor.dnssec.algorithms import PolicyStatus, algorithm_info
from dnssec_doctor.dnssec.keys import (
    AnyKey,
    DsRecord,
    KeyProblemKind,
    is_revoked,
    is_sep,
    is_zone_key,
    key_problems,
    key_tag,
)
from dnssec_doctor.dnssec.signatures import (
    KeyRing,
    RrsigFields,
    SigCheck,
    SignedRRset,
    check_signature,
)
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.nodes import Node

T = dns.rdatatype

KEY_TAG_COLLISION_LIMIT = 3
"""More keys than this sharing one tag and algorithm is treated as hostile (KeyTrap,
CVE-2023-50387); Knot's semantic check draws the same line."""


@dataclass(slots=True)
class Apex:
    """What the verifier needs from the apex node."""

    soa: list[bytes] = field(default_factory=list)
    soa_ttl: int = 0
    has_ns: bool = False
    dnskeys: list[AnyKey] = field(default_factory=list)
    cds: list[DsRecord] = field(default_factory=list)
    cdnskeys: list[AnyKey] = field(default_factory=list)
    nsec3param: list[bytes] = field(default_factory=list)
    zonemd: list[bytes] = field(default_factory=list)
    dnskey_checks: list[tuple[SigCheck, int]] = field(default_factory=list)
    lines: dict[int, int] = field(default_factory=dict)

    @property
    def soa_serial(self) -> int | None:
        """The SOA serial (RFC 1035 §3.3.13), None without an SOA."""
        if not self.soa:
            return None
        return int.from_bytes(self.soa[0][-20:-16], "big")

    @property
    def soa_expire(self) -> int | None:
        """SOA EXPIRE, seconds."""
        return int.from_bytes(self.soa[0][-8:-4], "big") if self.soa else None

    @property
    def soa_minimum(self) -> int | None:
        """SOA MINIMUM (the negative-caching TTL, RFC 2308 §4)."""
        return int.from_bytes(self.soa[0][-4:], "big") if self.soa else None

    @property
    def zone_key_algorithms(self) -> frozenset[int]:
        """Algorithms of the usable zone keys: each must sign every RRset (RFC 4035 §2.2)."""
        return frozenset(k.algorithm for k in self.dnskeys if is_zone_key(k) and k.protocol == 3)

    @property
    def signed(self) -> bool:
        """True when the apex publishes keys."""
        return bool(self.dnskeys)


def _keys(wires: list[bytes], rdtype: int) -> list[AnyKey]:
    out = []
    for wire in wires:
        rd = dns.rdata.from_wire(
            dns.rdataclass.IN, dns.rdatatype.RdataType.make(rdtype), wire, 0, len(wire)
        )
        assert isinstance(rd, dns.rdtypes.ANY.DNSKEY.DNSKEY | dns.rdtypes.ANY.CDNSKEY.CDNSKEY)
        out.append(rd)
    return out


def read_apex(node: Node, origin: dns.name.Name, now: int, limits: Limits) -> Apex:
    """Extract the apex facts and verify the DNSKEY RRset's own signatures."""
    apex = Apex(lines={t: r.line for t, r in node.rrsets.items()})
    rrsets = node.rrsets
    if T.SOA in rrsets:
        apex.soa = list(rrsets[T.SOA].rdatas)
        apex.soa_ttl = rrsets[T.SOA].ttl
    apex.has_ns = T.NS in rrsets
    if T.DNSKEY in rrsets:
        apex.dnskeys = _keys(rrsets[T.DNSKEY].rdatas, T.DNSKEY)
    if T.CDNSKEY in rrsets:
        apex.cdnskeys = _keys(rrsets[T.CDNSKEY].rdatas, T.CDNSKEY)
    if T.CDS in rrsets:
        apex.cds = [DsRecord.from_rdata_wire(w) for w in rrsets[T.CDS].rdatas if len(w) >= 4]
    if T.NSEC3PARAM in rrsets:
        apex.nsec3param = list(rrsets[T.NSEC3PARAM].rdatas)
    if T.ZONEMD in rrsets:
        apex.zonemd = list(rrsets[T.ZONEMD].rdatas)
    if T.DNSKEY in rrsets:
        keyset = rrsets[T.DNSKEY]
        data = SignedRRset(
            origin, T.DNSKEY, keyset.rdclass, keyset.ttl, tuple(sorted(keyset.rdatas))
        )
        ring = KeyRing(apex.dnskeys)
        for rdata, ttl, line in node.sigs.get(T.DNSKEY, ()):
            try:
                fields = RrsigFields.from_wire(rdata)
            except ValueError:
                continue  # reported by the bulk verifier too
            apex.dnskey_checks.append(
                (check_signature(data, fields, ttl, ring, origin, now, limits), line)
            )
    return apex


_FLAG_PROBLEMS = frozenset(
    {KeyProblemKind.BAD_PROTOCOL, KeyProblemKind.NOT_ZONE_KEY, KeyProblemKind.UNKNOWN_FLAGS}
)
_RSA_SIZE = frozenset({KeyProblemKind.RSA_MODULUS_WEAK, KeyProblemKind.RSA_MODULUS_OUT_OF_RANGE})


def check_apex(apex: Apex, origin: dns.name.Name, uses_nsec3: bool, out: Emitter) -> None:
    """SOA and NS presence, key problems, algorithm policy, key-tag collisions."""
    name = origin.to_text()
    if not apex.soa:
        out.add("ZONE_DATA_INVALID", f"no SOA record at the zone apex {name}", subject="SOA")
    elif len(apex.soa) > 1:
        out.add(
            "ZONE_DATA_INVALID",
            f"{len(apex.soa)} different SOA records at {name}; a "
            "zone has exactly one (RFC 1035 §5.2)",
            subject="SOA-multiple",
            line=apex.lines.get(T.SOA),
        )
    if not apex.has_ns:
        out.add("ZONE_DATA_INVALID", f"no NS records at the zone apex {name}", subject="NS")
    line = apex.lines.get(T.DNSKEY)
    for key in apex.dnskeys:
        _check_key(key, name, line, out)
    _check_algorithms(apex, name, uses_nsec3, line, out)
    tags = Counter((key_tag(k), k.algorithm) for k in apex.dnskeys)
    for (tag, alg), count in sorted(tags.items()):
        if count > KEY_TAG_COLLISION_LIMIT:
            out.add(
                "DNSKEY_MALFORMED",
                f"{count} DNSKEYs of algorithm {alg} share key tag "
                f"{tag}: validators must try each for every signature, which is the "
                "KeyTrap attack pattern (CVE-2023-50387); many resolvers give up",
                subject=f"keytag {tag}/{alg}",
                line=line,
                fix="Generate new keys until every key tag is unique, then re-sign.",
            )
        elif count > 1:
            out.add(
                "DNSKEY_MALFORMED",
                f"{count} DNSKEYs of algorithm {alg} share key tag "
                f"{tag}; validators cope, but tools and registries may confuse them",
                subject=f"keytag {tag}/{alg}",
                line=line,
                severity=Severity.NOTICE,
                fix="Replace one of the keys so that key tags are unique.",
            )
    _check_self_signature(apex, name, line, out)


def _check_key(key: AnyKey, zone: str, line: int | None, out: Emitter) -> None:
    tag = key_tag(key)
    for problem in key_problems(key):
        if problem.kind in _FLAG_PROBLEMS:
            code = "DNSKEY_FLAGS_INVALID"
            severity = Severity.WARNING if problem.kind is KeyProblemKind.UNKNOWN_FLAGS else None
        elif problem.kind in _RSA_SIZE:
            code, severity = "RSA_KEY_SIZE_OUT_OF_RANGE", None
        else:
            code, severity = "DNSKEY_MALFORMED", None
        out.add(
            code,
            f"DNSKEY {tag} (algorithm {key.algorithm}, flags {key.flags}) at {zone}: "
            f"{problem.detail}",
            subject=f"DNSKEY {tag}/{problem.kind.value}",
            line=line,
            severity=severity,
        )


def _check_algorithms(
    apex: Apex, zone: str, uses_nsec3: bool, line: int | None, out: Emitter
) -> None:
    algorithms = apex.zone_key_algorithms
    if not algorithms:
        return
    statuses = {alg: algorithm_info(alg) for alg in algorithms}
    prohibited = [a for a, i in statuses.items() if i.status is PolicyStatus.PROHIBITED]
    for alg, info in sorted(statuses.items()):
        if info.status is PolicyStatus.INVALID:
            out.add(
                "ALGORITHM_INVALID",
                f"DNSKEY algorithm {alg} ({info.mnemonic}) at {zone}: {info.reason}",
                subject=f"alg{alg}",
                line=line,
            )
        elif info.status is PolicyStatus.NOT_RECOMMENDED:
            out.add(
                "ALGORITHM_NOT_RECOMMENDED",
                f"{zone} signs with algorithm {alg} ({info.mnemonic}): {info.reason}",
                subject=f"alg{alg}",
                line=line,
            )
    if prohibited:
        only = len(prohibited) == len(algorithms)
        names = ", ".join(f"{a} ({statuses[a].mnemonic})" for a in sorted(prohibited))
        out.add(
            "ALGORITHM_SIGNING_PROHIBITED",
            f"{zone} signs with {names}: "
            f"{statuses[sorted(prohibited)[0]].reason}"
            + (
                ""
                if only
                else "; other algorithms are present, so validators still have a usable one"
            ),
            subject="algorithms",
            line=line,
            severity=None if only else Severity.WARNING,
        )
    if uses_nsec3:
        old = sorted(a for a in algorithms if not statuses[a].nsec3_capable)
        if old:
            out.add(
                "NSEC3_WITH_NON_NSEC3_ALGORITHM",
                f"{zone} uses NSEC3 with algorithm(s) {old}, which predate NSEC3 (RFC 5155 §2)",
                subject="nsec3-alg",
                line=line,
            )


def _check_self_signature(apex: Apex, zone: str, line: int | None, out: Emitter) -> None:
    if not apex.dnskeys:
        return
    valid = [check for check, _ in apex.dnskey_checks if check.valid and check.key is not None]
    signers = [check.key for check in valid if check.key is not None]
    for key in apex.dnskeys:
        if is_revoked(key) and key not in signers:
            out.add(
                "REVOKED_KEY_MISUSED",
                f"revoked DNSKEY {key_tag(key)} does not sign the "
                f"DNSKEY RRset of {zone}, so RFC 5011 resolvers never see the revocation",
                subject=f"revoked {key_tag(key)}",
                line=line,
            )
    if valid and not any(is_sep(k) for k in signers):
        out.add(
            "DS_KEY_NOT_SEP",
            f"the DNSKEY RRset of {zone} is signed only by keys without "
            "the SEP flag (flags 256); a DS for them works, but registries often refuse it",
            subject="dnskey-no-sep",
            line=line,
            severity=Severity.INFO,
        )
