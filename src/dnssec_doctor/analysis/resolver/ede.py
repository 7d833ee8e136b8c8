"""Extended DNS Errors from resolvers (RFC 8914), mapped to the zone-side codes.

An EDE is the resolver's own account of a failure. Resolvers disagree on
which code they attach (Unbound says 9 where BIND says nothing, a resolver
with a broken trust anchor says 6 for every name), so an EDE is evidence shown
next to the verdict, never the verdict: each one is reported with its extra
text and the zone-side code it corresponds to, and whether this run's own
analysis found that code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dnssec_doctor import catalog
from dnssec_doctor.analysis.resolver.view import Asked, Expectation, short_list
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.edns import ede_name
from dnssec_doctor.model.findings import Finding

EDE_MAP: dict[int, tuple[Code, ...]] = {
    1: (Code.ALGORITHM_SIGNING_PROHIBITED, Code.ALGORITHM_NOT_RECOMMENDED, Code.ALGORITHM_INVALID),
    2: (Code.DS_DIGEST_INVALID_TYPE, Code.DS_DIGEST_SHA1_ONLY),
    3: (Code.RESOLVER_STALE_ANSWER,),
    6: (Code.RRSIG_CRYPTO_INVALID,),
    7: (Code.RRSIG_EXPIRED,),
    8: (Code.RRSIG_NOT_YET_VALID,),
    9: (
        Code.RRSIG_KEY_NOT_FOUND,
        Code.DS_NO_MATCHING_DNSKEY,
        Code.DS_DIGEST_MISMATCH,
        Code.DS_WITHOUT_SIGNED_ZONE,
    ),
    10: (Code.RRSIG_MISSING, Code.DS_KEY_NOT_SIGNING_DNSKEY, Code.RRSIG_MISSING_FOR_ALGORITHM),
    11: (Code.DNSKEY_FLAGS_INVALID,),
    12: (Code.NEGATIVE_PROOF_MISSING, Code.NSEC_PROOF_INVALID, Code.NSEC3_PROOF_INVALID),
    19: (Code.RESOLVER_STALE_ANSWER,),
    22: (Code.AUTH_UDP_UNREACHABLE, Code.LAME_OR_NOT_AUTHORITATIVE),
    23: (Code.AUTH_UDP_UNREACHABLE, Code.AUTH_TCP_UNREACHABLE),
    27: (Code.RESOLVER_NSEC3_LIMIT,),
}
"""EDE INFO-CODE (RFC 8914 §4) → zone-side codes it corresponds to, the usual one first.

6 (DNSSEC Bogus) is the catch-all; it maps to a bad signature but any zone-side
finding of the zone may be behind it. 9 (DNSKEY Missing) is what Unbound says
for a DS that matches no key as well as for a signature by an unpublished key.
"""

SKEW_CODES: dict[int, Code] = {7: Code.RRSIG_EXPIRED, 8: Code.RRSIG_NOT_YET_VALID}
"""EDEs that name a signature validity window (RFC 8914 §4.8, §4.9)."""
STALE_CODES = frozenset({3, 19})
NSEC3_LIMIT_CODE = 27


@dataclass(slots=True)
class EdeSeen:
    """One EDE INFO-CODE one resolver attached, with every answer that carried it."""

    code: int
    zone: str
    texts: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    """Keys of the resolver findings these answers belong to."""
    related: list[Finding] = field(default_factory=list)
    """Zone-side findings that make these answers bogus (the EDE's likely meaning)."""


def mapped_code(code: int, zone_findings: Sequence[Finding]) -> tuple[str, Finding | None]:
    """The zone-side code ``code`` maps to: one this run found if any, else the usual one."""
    candidates = EDE_MAP.get(code, ())
    for candidate in candidates:
        for f in zone_findings:
            if f.code == candidate:
                return candidate, f
    return (candidates[0] if candidates else ""), None


def collect_ede(
    views: Sequence[tuple[Asked, Expectation]], owner_keys: dict[str, str]
) -> dict[int, EdeSeen]:
    """Every EDE code in the resolver's answers; ``owner_keys`` maps a question label to
    the key of the resolver finding it is part of."""
    seen: dict[int, EdeSeen] = {}
    for asked, exp in views:
        for reply in asked.replies():
            for code, text in reply.ede:
                item = seen.setdefault(code, EdeSeen(code, exp.zone))
                if asked.label not in item.questions:
                    item.questions.append(asked.label)
                if text and text not in item.texts:
                    item.texts.append(text)
                item.related.extend(f for f in exp.causes if f not in item.related)
                owner = owner_keys.get(asked.label)
                if owner and owner not in item.causes:
                    item.causes.append(owner)
    return dict(sorted(seen.items()))


def ede_findings(
    server: str, seen: dict[int, EdeSeen], findings: Sequence[Finding], anchor_key: str | None
) -> list[Finding]:
    """RESOLVER_EDE for every code seen, and RESOLVER_STALE_ANSWER for EDE 3/19."""
    out: list[Finding] = []
    stale: dict[str, list[tuple[int, EdeSeen]]] = {}
    for code, item in seen.items():
        zone_findings = [*item.related, *(f for f in findings if f.zone == item.zone)]
        mapped, found = mapped_code(code, zone_findings)
        if mapped and found is not None:
            says, about = "found", {"mapped": mapped, "found_at": found.zone}
        elif mapped and anchor_key is not None:
            says, about = "own_anchor", {"mapped": mapped, "zone": item.zone}
        elif mapped:
            says, about = "not_found", {"mapped": mapped, "zone": item.zone}
        else:
            says, about = "unmapped", {}
        if item.texts:
            says, about = f"{says}_text", {**about, "text": item.texts[0]}
        evidence: dict[str, object] = {
            "resolver": server,
            "info_code": code,
            "name": ede_name(code),
            "extra_text": list(item.texts),
            "queries": list(item.questions),
            "maps_to": mapped,
            "found": found.key if found is not None else None,
        }
        f = catalog.finding(
            Code.RESOLVER_EDE,
            zone=item.zone,
            subject=f"{server} EDE {code}",
            servers=(server,),
            says=says,
            params={
                "server": server,
                "info_code": code,
                "name": ede_name(code),
                "questions": short_list(item.questions),
                **about,
            },
            evidence=evidence,
        )
        out.append(f.with_cause(*item.causes) if item.causes else f)
        if code in STALE_CODES:
            stale.setdefault(item.zone, []).append((code, item))
    for zone, items in stale.items():  # EDE 3 and 19 together are one stale resolver
        codes = ", ".join(f"EDE {code} ({ede_name(code)})" for code, _ in items)
        questions = [q for _, item in items for q in item.questions]
        out.append(
            catalog.finding(
                Code.RESOLVER_STALE_ANSWER,
                zone=zone,
                subject=server,
                servers=(server,),
                says="stale_served",
                params={"server": server, "edes": codes, "questions": short_list(questions)},
                evidence={
                    "resolver": server,
                    "info_codes": [code for code, _ in items],
                    "queries": questions,
                },
            )
        )
    return out
