"""Key rollovers seen in one snapshot: which roll, which stage (RFC 6781 §4.1, RFC 7583).

Without history only the shape of the key set tells the stage: a published key
that signs nothing is pre-published; two keys signing the same data is a
double-signature roll; two algorithms is an algorithm roll.
"""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain.rrsigs import RRsetVerdict
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.keys import AnyKey, is_revoked, is_sep, is_zone_key, key_tag
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.timefmt import duration

DNSKEY_TYPE = "DNSKEY"


def rollover_findings(
    zone: str, keys: Sequence[AnyKey], verdicts: Sequence[RRsetVerdict], dnskey_ttl: int | None
) -> list[Finding]:
    """ROLLOVER_IN_PROGRESS findings describing each roll the key set shows."""
    live = [k for k in keys if is_zone_key(k) and not is_revoked(k)]
    if len(live) < 2 or _servers_disagree(verdicts):
        # Different key sets on different servers are a consistency problem (reported
        # elsewhere), not a roll: mixing them would invent a double signature.
        return []
    data_signers = _signers(verdicts, dnskey=False)
    key_signers = _signers(verdicts, dnskey=True)
    ttl = f" (DNSKEY TTL {duration(dnskey_ttl)})" if dnskey_ttl else ""
    stages: list[str] = []
    # Keys sharing a tag and algorithm cannot be told apart by the RRSIGs that name them
    # (a KeyTrap zone publishes dozens): one of each, or a collision would look like a roll.
    zsks = _distinct([k for k in live if not is_sep(k)])
    ksks = _distinct([k for k in live if is_sep(k)])
    idle_zsks = [k for k in zsks if (key_tag(k), k.algorithm) not in data_signers]
    busy_zsks = [k for k in zsks if (key_tag(k), k.algorithm) in data_signers]
    if idle_zsks and busy_zsks:
        stages.append(
            f"ZSK pre-publish: key {_tags(idle_zsks)} is published but signs nothing yet while "
            f"{_tags(busy_zsks)} signs the data. Start signing with the new key only after it "
            f"has been published for at least the DNSKEY TTL{ttl} plus propagation time; keep "
            "the old key published until its signatures have aged out of caches."
        )
    if len(busy_zsks) > 1 and len({k.algorithm for k in busy_zsks}) == 1:
        stages.append(f"ZSK double-signature: keys {_tags(busy_zsks)} both sign the data.")
    idle_ksks = [k for k in ksks if (key_tag(k), k.algorithm) not in key_signers]
    busy_ksks = [k for k in ksks if (key_tag(k), k.algorithm) in key_signers]
    if idle_ksks and busy_ksks:
        stages.append(
            f"KSK pre-publish: key {_tags(idle_ksks)} is published but does not sign the DNSKEY "
            f"RRset; {_tags(busy_ksks)} does. Do not switch the DS until the new KSK signs."
        )
    if len(busy_ksks) > 1:
        stages.append(
            f"KSK double-signature: keys {_tags(busy_ksks)} both sign the DNSKEY RRset; replace "
            "the DS, wait the DS TTL at the parent, then retire the old KSK."
        )
    if len({k.algorithm for k in live}) > 1:
        algs = sorted({k.algorithm for k in live})
        stages.append(f"Algorithm roll: keys of algorithms {algs} are published.")
    if not stages:
        return []
    return [
        catalog.finding(
            Code.ROLLOVER_IN_PROGRESS,
            zone=zone,
            detail=" ".join(stages),
            evidence={"stages": stages},
        )
    ]


def _signers(verdicts: Sequence[RRsetVerdict], *, dnskey: bool) -> set[tuple[int, int]]:
    return {
        (check.key_tag, check.algorithm)
        for v in verdicts
        if (v.item.type_text == DNSKEY_TYPE) == dnskey
        for check in v.checks
    }


def _distinct(keys: Sequence[AnyKey]) -> list[AnyKey]:
    """The first key of each (key tag, algorithm)."""
    seen: dict[tuple[int, int], AnyKey] = {}
    for k in keys:
        seen.setdefault((key_tag(k), int(k.algorithm)), k)
    return list(seen.values())


def _tags(keys: Sequence[AnyKey]) -> str:
    return ", ".join(str(key_tag(k)) for k in keys)


def _servers_disagree(verdicts: Sequence[RRsetVerdict]) -> bool:
    key_sets = {
        frozenset(r.to_digestable() for r in v.item.rrset)
        for v in verdicts
        if v.item.type_text == DNSKEY_TYPE
    }
    return len(key_sets) > 1
