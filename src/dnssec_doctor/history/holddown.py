"""RFC5011_HOLDDOWN_RISK: a trust anchor's KSK taken away before its successor is trusted.

Pure. A resolver that keeps a zone's key as a managed trust anchor (RFC 5011) accepts a
new KSK only after it has seen it for the add hold-down: 30 days, or the original TTL of
the DNSKEY RRset that first held it when that is longer (RFC 5011 §2.4.1). A KSK removed
or revoked before its successor has been served that long leaves such resolvers with no
trusted key: every name under the zone fails for them. History knows when each KSK was
first served, and each observation records the zones its check was anchored at (the
owners of its trust anchors: the root by default, or what ``--trust-anchor`` gave). The
rule judges every zone the newest observation was anchored at: whoever monitors a zone
with its own anchor stands for the resolvers configured alike.

Only a successor history saw appear counts: a key served since the first observation kept
may have been published long before it, so nothing is claimed about it. The hold-down of
a successor is counted from the state that first served it, with that state's original
TTL: the Original TTL field of the RRSIGs over the zone's DNSKEY RRset (RFC 4034 §3.1.4;
a cache may decrement the TTL it serves, the signed field it may not), the longest when
servers differ. The rule reads every state served within the longest hold-down still
running before the newest observation (``holddown_window``: 30 days, or the original TTL
of a state served in the last ``MAX_HOLDDOWN`` whose hold-down has not ended), however
many re-signings that is: a signer that re-signs daily serves thirty states in one
hold-down. A key first seen earlier than its hold-down has been trusted since. TTLs above
``MAX_HOLDDOWN`` count as that much: history is read for at most a year before a check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.history.facts import KeyFact, ObservationFacts
from dnssec_doctor.history.records import StateRun, StoredObservation, runs_of
from dnssec_doctor.history.rollover import Segment
from dnssec_doctor.model.findings import Finding, JsonValue
from dnssec_doctor.timefmt import duration, iso

CODE = Code.RFC5011_HOLDDOWN_RISK
ADD_HOLDDOWN = 30 * 86400
"""RFC 5011 §2.4.1: the add hold-down, at least 30 days."""
MAX_HOLDDOWN = 365 * 86400
"""The longest hold-down judged: a DNSKEY original TTL above it counts as this much.

An RRSIG's Original TTL is a 32-bit field (RFC 4034 §3.1.4; RFC 2181 §8 allows up to
2**31 - 1 seconds, 68 years, RFC 8767 §4 reads larger values as positive), and the
hold-down sets how far back ``check --db`` reads history: one hostile TTL must not make
every later check read decades of states. Nobody serves a DNSKEY TTL of a year, and
resolvers cap the TTLs they cache far below it (RFC 8767 §4 suggests 7 days), so a year
is no real zone's limit while it bounds what a check reads."""


class Risk(NamedTuple):
    """One KSK of a trust-anchor zone gone (or revoked) at ``at`` while its successor,
    first served at ``seen``, was younger than the add hold-down that ends at ``safe``."""

    zone: str
    old: KeyFact
    new: KeyFact
    seen: int
    safe: int
    at: int
    revoked: bool


def _trusted_ksks(facts: ObservationFacts, zone: str) -> dict[str, KeyFact]:
    """The zone's KSKs without the REVOKE bit, by key identity (tags change on revocation)."""
    return {k.key_id: k for k in facts.keys if k.zone == zone and k.role == "KSK" and not k.revoked}


def dnskey_original_ttls(facts: ObservationFacts) -> dict[str, int]:
    """Zone → the original TTL of its DNSKEY RRset in ``facts``: the longest Original TTL
    of the zone's RRSIGs over it (RFC 4034 §3.1.4); zones without one are left out (an
    unsigned DNSKEY RRset is no trust point's, RFC 5011 §2.4.1 counts validated ones).
    ``Store.dnskey_original_ttls`` reads the same from the store's tables."""
    out: dict[str, int] = {}
    for sig in facts.signatures:
        if sig.covered_type == "DNSKEY" and sig.owner.lower() == sig.zone.lower():
            zone = sig.zone.lower()
            out[zone] = max(out.get(zone, 0), sig.original_ttl)
    return out


def holddown_of(ttls: Mapping[str, int], zones: Iterable[str]) -> int:
    """The add hold-down of a new KSK of ``zones`` first served with ``ttls``
    (``dnskey_original_ttls``): 30 days or the original TTL, whichever is greater (RFC 5011
    §2.4.1), at most ``MAX_HOLDDOWN``."""
    ttl = max((ttls.get(zone.lower(), 0) for zone in zones), default=0)
    return max(ADD_HOLDDOWN, min(ttl, MAX_HOLDDOWN))


def holddowns_of(facts: Mapping[int, ObservationFacts], zones: Iterable[str]) -> dict[int, int]:
    """State id → ``holddown_of`` its facts for ``zones``."""
    wanted = tuple(zones)
    return {sid: holddown_of(dnskey_original_ttls(f), wanted) for sid, f in facts.items()}


def holddown_reach(runs: Sequence[StateRun], now: int, holddowns: Mapping[int, int]) -> int:
    """How far before ``now`` ``holddown_window`` reads: the longest hold-down still running
    at ``now`` of a state of ``runs`` (``holddowns``: state id → its hold-down, 30 days when
    not given), at least 30 days. A state older than its own hold-down cannot have first
    served a key that is still young, so only the running ones stretch the window."""
    reach = ADD_HOLDDOWN
    for run in runs:
        held = min(holddowns.get(run.state_id, ADD_HOLDDOWN), MAX_HOLDDOWN)
        if held > reach and run.first_at + held > now:
            reach = held
    return reach


def holddown_window(
    runs: Sequence[StateRun], now: int, holddowns: Mapping[int, int] | None = None
) -> list[StateRun]:
    """The runs ``holddown_findings`` reads at ``now``: every state still served within the
    longest add hold-down running at ``now`` (``holddown_reach``) before it (the first of
    them started before, or is history's first)."""
    reach = holddown_reach(runs, now, holddowns or {})
    return [r for r in runs if r.last_at >= now - reach]


def settled(first: ObservationFacts, newest: ObservationFacts, anchor_zones: Sequence[str]) -> bool:
    """True when ``holddown_findings`` can find nothing: in every zone of ``anchor_zones``
    a KSK trusted now was already served in ``first``, the first state of the window
    (``holddown_window``'s, or any reaching further back, up to ``MAX_HOLDDOWN``). Such a
    key is older than its hold-down (a state whose hold-down still runs is inside the
    window), or served since the window's first state, of which ``risks`` claims nothing.
    Lets ``check --db`` read one state instead of the window's while no anchor zone's key
    set is younger than its hold-down."""
    anchored = {zone.lower() for zone in anchor_zones}
    for zone in newest.zones:
        if zone.lower() not in anchored:
            continue
        trusted = _trusted_ksks(newest, zone)
        if trusted and not trusted.keys() & _trusted_ksks(first, zone).keys():
            return False
    return True


def holddown_findings(
    runs: Sequence[StateRun],
    facts: dict[int, ObservationFacts],
    *,
    anchor_zones: Sequence[str],
) -> list[Finding]:
    """RFC5011_HOLDDOWN_RISK at the newest observation of ``runs`` (the served states of
    ``holddown_window``, or more), for each zone of ``anchor_zones`` (what the newest check
    was anchored at) on its chain: a KSK of that zone gone or revoked while every KSK left
    is younger than its add hold-down, so RFC 5011 resolvers trust none of them yet."""
    return [_finding(risk, "") for risk in risks(runs, facts, anchor_zones)]


def risks(
    runs: Sequence[StateRun], facts: dict[int, ObservationFacts], anchor_zones: Sequence[str]
) -> list[Risk]:
    """The risks ``holddown_findings`` reports, at the newest observation of ``runs``."""
    segs = sorted((Segment(r.first_at, r.last_at, r.state_id) for r in runs), key=lambda s: s.start)
    if len(segs) < 2:
        return []
    newest, now, began = facts[segs[-1].state_id], segs[-1].last, segs[0].start
    anchored = {zone.lower() for zone in anchor_zones}
    out = []
    for zone in newest.zones:  # chain order: the root first
        if zone.lower() not in anchored:
            continue
        # key id → when first served, the key, when its hold-down ends (RFC 5011 §2.4.1:
        # counted with the original TTL of the first DNSKEY RRset that held it)
        first_seen: dict[str, tuple[int, KeyFact, int]] = {}
        for seg in segs:
            state = facts[seg.state_id]
            for key_id, key in _trusted_ksks(state, zone).items():
                if key_id not in first_seen:
                    held = holddown_of(dnskey_original_ttls(state), (zone,))
                    first_seen[key_id] = (seg.start, key, seg.start + held)
        trusted = _trusted_ksks(newest, zone)
        young = {
            key_id: first_seen[key_id]
            for key_id in trusted
            if began < first_seen[key_id][0] and now < first_seen[key_id][2]
        }
        # A KSK resolvers already trust still signs: they keep validating through it.
        if not young or len(young) < len(trusted):
            continue
        seen, successor, safe = min(young.values(), key=lambda item: item[0])
        for key_id, (first, old, _) in sorted(first_seen.items()):
            if key_id in trusted or first >= seen:
                continue
            revoked = any(k.key_id == key_id for k in newest.keys if k.zone == zone)
            out.append(Risk(zone, old, successor, seen, safe, now, revoked))
    return out


def past_holddown_findings(
    everything: Sequence[StoredObservation],
    facts: dict[int, ObservationFacts],
    since: int | None = None,
) -> list[Finding]:
    """The risks of the timeline (``everything``, oldest first; shown from ``since``) that
    are over at its newest observation, as ``history`` lists them afterwards: each KSK
    removal or revocation judged at the first observation that showed it, with that
    observation's trust anchors, once its safe time has passed. A risk not over yet is
    the newest observation's own (``holddown_findings``); one whose safe time is ahead
    but no longer at risk (the old key served again) is not listed. ``facts`` holds every
    state served within the hold-down still running at each such observation
    (``holddown_reach``)."""
    if not everything:
        return []
    now = everything[-1].observed_at
    out: list[Finding] = []
    said: set[tuple[str, str, str]] = set()
    for i in range(1, len(everything)):
        obs, before = everything[i], everything[i - 1]
        if (since is not None and obs.observed_at < since) or obs.state_id == before.state_id:
            continue
        if before.state_id not in facts:  # more than a hold-down before ``since``: not read
            continue
        if not _ksk_gone(facts[before.state_id], facts[obs.state_id], obs.anchor_zones):
            continue
        held = holddowns_of(facts, obs.anchor_zones)
        window = holddown_window(runs_of(everything[: i + 1]), obs.observed_at, held)
        for risk in risks(window, facts, obs.anchor_zones):
            key = (risk.zone, risk.old.key_id, risk.new.key_id)
            if risk.safe > now or key in said:
                continue
            said.add(key)
            out.append(_finding(risk, "_history"))
    return out


def _ksk_gone(before: ObservationFacts, after: ObservationFacts, zones: Sequence[str]) -> bool:
    """A KSK of an anchored zone trusted in ``before`` is gone or revoked in ``after``."""
    anchored = {zone.lower() for zone in zones}
    return any(
        _trusted_ksks(before, zone).keys() - _trusted_ksks(after, zone).keys()
        for zone in after.zones
        if zone.lower() in anchored
    )


def _finding(risk: Risk, case: str) -> Finding:
    """The finding of ``risk``: at risk now (``case`` empty) or history (``_history``, which
    also says when the key was seen gone)."""
    params: dict[str, object] = {
        "zone": risk.zone,
        "old": risk.old.key_tag,
        "new": risk.new.key_tag,
        "seen": iso(risk.seen),
        "age": duration(risk.at - risk.seen),
        "safe": iso(risk.safe),
    }
    evidence: dict[str, JsonValue] = {
        "old_ksk": risk.old.key_tag,
        "new_ksk": risk.new.key_tag,
        "new_first_seen": iso(risk.seen),
        "safe_at": iso(risk.safe),
    }
    if case:
        params["at"] = evidence["at"] = iso(risk.at)
    return catalog.finding(
        CODE,
        zone=risk.zone,
        says=("revoked" if risk.revoked else "removed") + case,
        params=params,
        evidence=evidence,
        subject=f"KSK {risk.old.key_tag}",
    )
