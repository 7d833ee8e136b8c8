"""Per-RRSIG checks of every RRset a server sent, tallied into grouped findings.

Each signature is judged on its own (RFC 4035 §5.3), not "some signature
validated": an expired RRSIG next to a valid one is still reported, with a lower
severity, because the next validator to fetch only the expired one fails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.name
import dns.rdatatype

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain.siglifetime import lifetime_policy_finding
from dnssec_doctor.analysis.observed import SignedRRset
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.catalog.sigstatus import STATUS_CODES
from dnssec_doctor.dnssec.keys import AnyKey, is_revoked, is_zone_key
from dnssec_doctor.dnssec.signatures import SigCheck, SigStatus, check_rrsig
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.timefmt import duration, iso

# Signatures that leave the RRset unvalidatable when no other signature is valid.
FATAL = {
    SigStatus.EXPIRED,
    SigStatus.NOT_YET_VALID,
    SigStatus.KEY_NOT_FOUND,
    SigStatus.CRYPTO_INVALID,
    SigStatus.SIGNER_NOT_ZONE,
    SigStatus.LABELS_INVALID,
    SigStatus.TYPE_MISMATCH,
}

# Types a zone signs even though they are not authoritative data of the zone
# itself are excluded from "must be signed": NS at a cut and glue are unsigned.
UNSIGNED_OK = {dns.rdatatype.NS}

# Codes whose finding says so when another, valid signature covers every RRset concerned.
COVERABLE = {
    Code.RRSIG_EXPIRED,
    Code.RRSIG_KEY_NOT_FOUND,
    Code.RRSIG_CRYPTO_INVALID,
    Code.RRSIG_NOT_YET_VALID,
}


@dataclass(frozen=True, slots=True)
class RRsetVerdict:
    """The outcome for one RRset from one server."""

    item: SignedRRset
    checks: tuple[SigCheck, ...]

    @property
    def validated(self) -> bool:
        """True when at least one RRSIG is valid (the RRset is secure for a validator)."""
        return any(c.status is SigStatus.VALID for c in self.checks)


@dataclass(slots=True)
class _Bucket:
    servers: set[str] = field(default_factory=set)
    rrsets: dict[str, None] = field(default_factory=dict)
    details: dict[str, None] = field(default_factory=dict)
    earliest: int | None = None
    fatal: bool = False
    key_tags: set[int] = field(default_factory=set)
    algorithms: set[int] = field(default_factory=set)
    beyond_algorithm_roll: bool = False
    """True once a signature here is not explained by an algorithm rollover: its key's
    algorithm is in the DNSKEY RRset, or no other signature validates its RRset."""


class SignatureTally:
    """Checks signatures of one zone's RRsets and groups problems by code."""

    def __init__(self, zone: dns.name.Name, now: int, limits: Limits) -> None:
        self.zone = zone
        self.now = now
        self.limits = limits
        self.verdicts: list[RRsetVerdict] = []
        self._buckets: dict[Code, _Bucket] = defaultdict(_Bucket)
        self._servers_seen: set[str] = set()
        self._published: tuple[Sequence[AnyKey], set[int]] | None = None

    def check(self, item: SignedRRset, keys: Sequence[AnyKey], zone_signed: bool) -> RRsetVerdict:
        """Check every RRSIG over ``item`` with ``keys``; record problems."""
        self._servers_seen.add(item.server)
        checks = tuple(
            check_rrsig(item.rrset, sig, item.rrsig_ttl, keys, self.zone, self.now, self.limits)
            for sig in item.rrsigs
        )
        verdict = RRsetVerdict(item, checks)
        self.verdicts.append(verdict)
        if zone_signed and not item.rrsigs and item.rrset.rdtype not in UNSIGNED_OK:
            self._note(Code.RRSIG_MISSING, item, "no RRSIG", fatal=True)
        for c in checks:
            named = STATUS_CODES.get(c.status)
            code = Code(named) if named is not None else None
            if c.status is SigStatus.CRYPTO_INVALID and c.keys_skipped:
                # The per-tag bound stopped the search (KeyTrap): the signature was not
                # shown to be bad, so it is not RRSIG_CRYPTO_INVALID.
                code = Code.KEY_TAG_COLLISION
            if code is None:
                continue
            bucket = self._note(
                code, item, c.detail, fatal=c.status in FATAL and not verdict.validated
            )
            bucket.key_tags.add(c.key_tag)
            bucket.algorithms.add(c.algorithm)
            if c.status is SigStatus.KEY_NOT_FOUND and not (
                verdict.validated and c.algorithm not in {k.algorithm for k in keys}
            ):
                bucket.beyond_algorithm_roll = True
            if c.status is SigStatus.EXPIRED:
                bucket.earliest = min(bucket.earliest or c.expiration, c.expiration)
            if c.status is SigStatus.NOT_YET_VALID:
                bucket.earliest = min(bucket.earliest or c.inception, c.inception)
        if zone_signed and item.rrsigs:
            self._algorithm_coverage(item, keys, checks)
        return verdict

    def _algorithm_coverage(
        self, item: SignedRRset, keys: Sequence[AnyKey], checks: tuple[SigCheck, ...]
    ) -> None:
        """RFC 4035 §2.2: every algorithm in the DNSKEY RRset signs every RRset."""
        if self._published is None or self._published[0] is not keys:
            # one key set per zone, asked for every RRset of every server
            usable: set[int] = {k.algorithm for k in keys if is_zone_key(k) and not is_revoked(k)}
            self._published = (keys, usable)
        published = self._published[1]
        signing = {c.algorithm for c in checks}
        for algorithm in sorted(published - signing):
            self._note(
                Code.RRSIG_MISSING_FOR_ALGORITHM,
                item,
                f"no RRSIG of algorithm {algorithm}",
                fatal=False,
            )

    def _note(self, code: Code, item: SignedRRset, detail: str, *, fatal: bool) -> _Bucket:
        bucket = self._buckets[code]
        bucket.servers.add(item.server)
        bucket.rrsets.setdefault(item.label, None)
        if detail:
            bucket.details.setdefault(f"{item.label}: {detail}", None)
        bucket.fatal = bucket.fatal or fatal
        return bucket

    def findings(self, zone_text: str, all_servers: Sequence[str]) -> list[Finding]:
        """One finding per code, naming the RRsets and servers concerned."""
        out: list[Finding] = []
        for code, bucket in self._buckets.items():
            rrsets = list(bucket.rrsets)
            shown = ", ".join(rrsets[:6]) + (
                f" and {len(rrsets) - 6} more" if len(rrsets) > 6 else ""
            )
            says = "rrsets_affected"
            params: dict[str, object] = {"count": len(rrsets), "rrsets": shown}
            severity: Severity | None = None
            tags = ", ".join(str(t) for t in sorted(bucket.key_tags))
            if code is Code.RRSIG_EXPIRED and bucket.earliest is not None:
                says = "expired"
                params["earliest"] = iso(bucket.earliest)
                params["ago"] = duration(self.now - bucket.earliest)
            if code is Code.RRSIG_NOT_YET_VALID and bucket.earliest is not None:
                says = "not_yet_valid"
                params["earliest"] = iso(bucket.earliest)
            if code is Code.KEY_TAG_COLLISION:
                says = "signatures_beyond_tag_bound"
                params["tags"] = tags
                params["max_keys_per_tag"] = self.limits.max_keys_per_tag
                severity = Severity.ERROR if bucket.fatal else Severity.WARNING
            if code is Code.RRSIG_KEY_NOT_FOUND and bucket.key_tags:
                says = "key_not_published"
                params["tags"] = tags
                params["zone"] = zone_text
                params["apex"] = zone_text.rstrip(".")
            if not bucket.fatal and code in COVERABLE:
                severity = Severity.WARNING
                says += "_but_covered"
            if code is Code.RRSIG_KEY_NOT_FOUND and not bucket.beyond_algorithm_roll:
                # Only signatures of an algorithm the DNSKEY RRset lacks, next to valid
                # ones: an algorithm rollover's signatures published before its keys, or
                # left a TTL after them (RFC 6781 §4.1.4). Validators ignore them (RFC 4035
                # §5.3.1, RFC 6840 §5.11): worth knowing, not a warning.
                severity = Severity.NOTICE
                says = "algorithm_not_published_but_covered"
                params["algorithms"] = ", ".join(str(a) for a in sorted(bucket.algorithms))
                params.pop("apex", None)  # the fix re-signs nothing, so names no command
            examples = list(bucket.details)[:5]
            timed = code in (Code.RRSIG_EXPIRED, Code.RRSIG_NOT_YET_VALID) and bucket.earliest
            when = {"earliest": bucket.earliest} if timed else {}
            servers = tuple(sorted(bucket.servers))
            everywhere = set(servers) >= set(all_servers)
            out.append(
                catalog.finding(
                    code,
                    zone=zone_text,
                    says=says,
                    params=params,
                    servers=() if everywhere else servers,
                    servers_ok=tuple(s for s in all_servers if s not in bucket.servers),
                    severity=severity,
                    evidence={
                        "rrsets": list(rrsets),
                        "examples": list(examples),
                        "key_tags": sorted(bucket.key_tags),
                        **when,
                    },
                )
            )
        return out

    def timing_findings(
        self,
        zone_text: str,
        soa_expire: int | None,
        warn_seconds: int,
        all_servers: Sequence[str] = (),
    ) -> list[Finding]:
        """Timing warnings from the valid signatures: soon, below SOA EXPIRE, TTL beyond,
        and a validity policy outside the usual bounds."""
        valid = [(v, c) for v in self.verdicts for c in v.checks if c.status is SigStatus.VALID]
        if not valid:
            return []
        out: list[Finding] = []
        policy = lifetime_policy_finding(
            [(v.item, c) for v, c in valid], zone_text, self.now, all_servers
        )
        if policy is not None:
            out.append(policy)
        earliest_v, earliest = min(valid, key=lambda vc: vc[1].expiration)
        remaining = earliest.expiration - self.now
        when = iso(earliest.expiration)
        if remaining < warn_seconds:
            out.append(
                catalog.finding(
                    Code.RRSIG_EXPIRES_SOON,
                    zone=zone_text,
                    says="earliest_expires_soon",
                    params={
                        "rrset": earliest_v.item.label,
                        "tag": earliest.key_tag,
                        "when": when,
                        "remaining": duration(remaining),
                        "zone": zone_text,
                    },
                    evidence={"expiration": when, "rrset": earliest_v.item.label},
                )
            )
        elif soa_expire is not None and remaining < soa_expire:
            out.append(
                catalog.finding(
                    Code.RRSIG_VALIDITY_BELOW_SOA_EXPIRE,
                    zone=zone_text,
                    says="expires_before_soa_expire",
                    params={
                        "when": when,
                        "remaining": duration(remaining),
                        "soa_expire": duration(soa_expire),
                    },
                    evidence={"expiration": when, "soa_expire": soa_expire},
                )
            )
        outliving = sorted(
            {v.item.label for v, c in valid if self.now + v.item.rrset.ttl > c.expiration}
        )
        if outliving:
            out.append(
                catalog.finding(
                    Code.RRSIG_TTL_OUTLIVES_SIGNATURE,
                    zone=zone_text,
                    says="ttl_outlives_signature",
                    params={"count": len(outliving), "rrsets": ", ".join(outliving[:6])},
                    evidence={"rrsets": list(outliving)},
                )
            )
        return out
