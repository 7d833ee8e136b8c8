"""SIGNATURE_LIFETIME_POLICY: a zone's signature validity periods, judged as a policy.

Only signatures that validate now are looked at: an expired or not-yet-valid
RRSIG has its own code, and its period says nothing more about the live policy.

Two halves, each told honestly from one snapshot:

* Validity too long (Zonemaster DNSSEC04 DURATION_LONG): an inception-to-expiration
  period above the limit. Zonemaster's REMAINING_LONG (time left above the same
  limit) needs no test of its own here: a valid signature has its inception in
  the past, so its time left is never longer than its whole period, and
  REMAINING_LONG can only fire where DURATION_LONG does. The time left is kept
  as evidence instead.
* Refresh margin too short: a snapshot shows when signatures expire, not when
  the signer will refresh them, so the margin itself cannot be read. Its upper
  bound can: a signature is made no earlier than its inception, so a whole
  validity period below the bound means that, however the signer is
  scheduled, a stopped signer breaks the zone within that period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dnssec_doctor import catalog
from dnssec_doctor.analysis.observed import SignedRRset
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.signatures import SigCheck
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.timefmt import duration, iso

LONG_VALIDITY = 180 * 86400
"""Validity periods longer than this (180 days) are a long replay window.

The default of Zonemaster's DNSSEC04 DURATION_LONG and REMAINING_LONG limits
(profile keys test_cases_vars.dnssec04.DURATION_LONG / REMAINING_LONG, both
$DURATION_180_DAYS_IN_SECONDS in Zonemaster::Engine::Profile); like Zonemaster,
a period of exactly the limit passes.
"""

SHORT_VALIDITY = 2 * 86400
"""Validity periods shorter than this (2 days) leave a stopped signer under 2 days.

Zonemaster has no such limit (its REMAINING_SHORT, 12 hours, is about the time
left, which RRSIG_EXPIRES_SOON covers). Two days is our own bound: below it a
signer that stops on a Friday evening breaks the zone before Monday, whatever
its refresh schedule; common policies (BIND's 14-day signatures-validity, Knot's
14-day rrsig-lifetime, the lab's 30 days) stay well clear of it.
"""


@dataclass(frozen=True, slots=True)
class _Sig:
    item: SignedRRset
    check: SigCheck

    @property
    def period(self) -> int:
        return self.check.expiration - self.check.inception


def lifetime_policy_finding(
    valid: Sequence[tuple[SignedRRset, SigCheck]],
    zone_text: str,
    now: int,
    all_servers: Sequence[str] = (),
) -> Finding | None:
    """One SIGNATURE_LIFETIME_POLICY finding for the zone, or None.

    ``valid`` holds the signatures that validate at ``now``, each with the RRset
    it covers. The finding names the servers that served an offending signature.
    """
    sigs = [_Sig(item, check) for item, check in valid]
    long = [s for s in sigs if s.period > LONG_VALIDITY]
    short = [s for s in sigs if s.period < SHORT_VALIDITY]
    if not long and not short:
        return None
    says: list[str] = []
    params: dict[str, object] = {}
    evidence: dict[str, object] = {}
    if long:
        worst = max(long, key=lambda s: (s.period, s.item.label))
        latest = max(long, key=lambda s: (s.check.expiration, s.item.label))
        remaining = latest.check.expiration - now
        says.append("too_long")
        params.update(
            long_count=len(long),
            long_limit=duration(LONG_VALIDITY),
            longest_rrset=worst.item.label,
            longest_tag=worst.check.key_tag,
            longest_period=duration(worst.period),
            longest_from=iso(worst.check.inception),
            longest_to=iso(worst.check.expiration),
            latest_rrset=latest.item.label,
            latest_remaining=duration(remaining),
        )
        evidence.update(
            longest_validity_seconds=worst.period,
            longest_rrset=worst.item.label,
            longest_key_tag=worst.check.key_tag,
            longest_inception=iso(worst.check.inception),
            longest_expiration=iso(worst.check.expiration),
            longest_remaining_seconds=remaining,
            longest_remaining_rrset=latest.item.label,
            long_limit_seconds=LONG_VALIDITY,
        )
    if short:
        worst = min(short, key=lambda s: (s.period, s.item.label))
        says.append("too_short")
        params.update(
            short_count=len(short),
            short_limit=duration(SHORT_VALIDITY),
            shortest_rrset=worst.item.label,
            shortest_tag=worst.check.key_tag,
            shortest_period=duration(worst.period),
            shortest_from=iso(worst.check.inception),
            shortest_to=iso(worst.check.expiration),
            zone=zone_text,
        )
        evidence.update(
            shortest_validity_seconds=worst.period,
            shortest_rrset=worst.item.label,
            shortest_key_tag=worst.check.key_tag,
            short_limit_seconds=SHORT_VALIDITY,
        )
    servers = tuple(sorted({s.item.server for s in (*long, *short)}))
    everywhere = bool(all_servers) and set(servers) >= set(all_servers)
    evidence["servers"] = list(servers)
    return catalog.finding(
        Code.SIGNATURE_LIFETIME_POLICY,
        zone=zone_text,
        says="_and_".join(says),
        params=params,
        servers=() if everywhere else servers,
        servers_ok=tuple(s for s in all_servers if s not in servers),
        evidence=evidence,
    )
