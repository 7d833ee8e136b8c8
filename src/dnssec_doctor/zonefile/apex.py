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

from dnssec_doctor.catalog.codes import Code
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
        out.add(Code.ZONE_DATA_INVALID, "no_apex_soa", {"zone": name}, subject="SOA")
    elif len(apex.soa) > 1:
        out.add(
            Code.ZONE_DATA_INVALID,
            "several_soa",
            {"count": len(apex.soa), "zone": name},
            subject="SOA-multiple",
            line=apex.lines.get(T.SOA),
        )
    if not apex.has_ns:
        out.add(Code.ZONE_DATA_INVALID, "no_apex_ns", {"zone": name}, subject="NS")
    line = apex.lines.get(T.DNSKEY)
    for key in apex.dnskeys:
        _check_key(key, name, line, out)
    _check_algorithms(apex, name, uses_nsec3, line, out)
    tags = Counter((key_tag(k), k.algorithm) for k in apex.dnskeys)
    for (tag, alg), count in sorted(tags.items()):
        if count > KEY_TAG_COLLISION_LIMIT:
            out.add(
                Code.DNSKEY_MALFORMED,
                "key_tag_keytrap",
                {"count": count, "algorithm": alg, "tag": tag},
                subject=f"keytag {tag}/{alg}",
                line=line,
            )
        elif count > 1:
            out.add(
                Code.DNSKEY_MALFORMED,
                "key_tag_shared",
                {"count": count, "algorithm": alg, "tag": tag},
                subject=f"keytag {tag}/{alg}",
                line=line,
                severity=Severity.NOTICE,
            )
    _check_self_signature(apex, name, line, out)


def _check_key(key: AnyKey, zone: str, line: int | None, out: Emitter) -> None:
    tag = key_tag(key)
    for problem in key_problems(key):
        if problem.kind in _FLAG_PROBLEMS:
            code = Code.DNSKEY_FLAGS_INVALID
            severity = Severity.WARNING if problem.kind is KeyProblemKind.UNKNOWN_FLAGS else None
        elif problem.kind in _RSA_SIZE:
            code, severity = Code.RSA_KEY_SIZE_OUT_OF_RANGE, None
        else:
            code, severity = Code.DNSKEY_MALFORMED, None
        out.add(
            code,
            "zone_key",
            {
                "tag": tag,
                "algorithm": key.algorithm,
                "flags": key.flags,
                "zone": zone,
                "problem": problem.detail,
            },
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
                Code.ALGORITHM_INVALID,
                "zone_key",
                {"algorithm": alg, "mnemonic": info.mnemonic, "zone": zone, "reason": info.reason},
                subject=f"alg{alg}",
                line=line,
            )
        elif info.status is PolicyStatus.NOT_RECOMMENDED:
            out.add(
                Code.ALGORITHM_NOT_RECOMMENDED,
                "zone_signs",
                {"zone": zone, "algorithm": alg, "mnemonic": info.mnemonic, "reason": info.reason},
                subject=f"alg{alg}",
                line=line,
            )
    if prohibited:
        only = len(prohibited) == len(algorithms)
        names = ", ".join(f"{a} ({statuses[a].mnemonic})" for a in sorted(prohibited))
        out.add(
            Code.ALGORITHM_SIGNING_PROHIBITED,
            "zone_only" if only else "zone_also_others",
            {"zone": zone, "algorithms": names, "reason": statuses[sorted(prohibited)[0]].reason},
            subject="algorithms",
            line=line,
            severity=None if only else Severity.WARNING,
        )
    if uses_nsec3:
        old = sorted(a for a in algorithms if not statuses[a].nsec3_capable)
        if old:
            out.add(
                Code.NSEC3_WITH_NON_NSEC3_ALGORITHM,
                "zone_keys",
                {"zone": zone, "algorithms": old},
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
                Code.REVOKED_KEY_MISUSED,
                "not_self_signed",
                {"tag": key_tag(key), "zone": zone},
                subject=f"revoked {key_tag(key)}",
                line=line,
            )
    if valid and not any(is_sep(k) for k in signers):
        out.add(
            Code.DS_KEY_NOT_SEP,
            "no_sep_signer",
            {"zone": zone},
            subject="dnskey-no-sep",
            line=line,
            severity=Severity.INFO,
        )
