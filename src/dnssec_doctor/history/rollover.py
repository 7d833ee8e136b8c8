"""Rollover timing from history: was each step taken after the caches it depends on expired?

Pure: the observations of a name (oldest first) and their served facts in, findings
out. A resolver may combine any RRset it cached within the last TTL with what a
server serves now (RFC 6781 §4.1; RFC 7583 §2-3). Each observation is therefore
checked against every set that was *served* recently enough to still be cached:

- ``ZSK_USED_BEFORE_PROPAGATED``: data served now is signed only by keys that a
  DNSKEY RRset still cacheable does not contain (RFC 7583 §3.2.1, pre-publication).
- ``ZSK_REMOVED_TOO_EARLY``: a DNSKEY RRset served now lacks every key that signed an
  RRset whose signatures are still cacheable (RFC 7583 §3.2.1, Iret).
- ``DS_SWAPPED_TOO_EARLY``: a DS RRset served now matches no key that signs a DNSKEY
  RRset still cacheable (RFC 7583 §3.3.2, double-KSK).
- ``KSK_REMOVED_BEFORE_DS_UPDATED``: the keys signing a DNSKEY RRset served now match
  no DS of a DS RRset still cacheable (RFC 7583 §3.3.1, double-DS).

"Still cacheable" is judged from the last observation that *showed* the older set
plus the TTL it was served with: the older set was certainly served then, so a
finding is never a guess made from sparse observations. The time it would have been
safe is when the older set had gone from every server (the first observation
without it) plus its TTL; while a server still serves it, that time is not known yet.
Sets that never worked together (a zone broken from the start, a first signing) are
not rollovers and give nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.history.facts import ObservationFacts
from dnssec_doctor.history.records import StoredObservation
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.timefmt import duration, iso

Key = tuple[int, int]
"""A key as signatures and DS records name it: (key tag, algorithm)."""

APEX_KEY_TYPES = frozenset({"DNSKEY", "CDS", "CDNSKEY"})
"""RRsets signed by the key-signing side, not by the ZSK (RFC 6781 §3.1)."""

MAX_EXAMPLES = 5
ROLLOVER_LOOKBACK = 2 * 86400
"""How far back ``check --db`` looks for sets that may still be cached: longer than the
DNSKEY, DS and data TTLs of nearly every zone (resolvers commonly cap TTLs at a day)."""
ROLLOVER_OBSERVATIONS = 200
"""At most this many of those recent observations are read (their facts are loaded)."""


class Segment(NamedTuple):
    """Consecutive observations that saw the same served state."""

    start: int
    last: int
    state_id: int


class Served(NamedTuple):
    """One set served by one server in one segment: a DNSKEY RRset's keys, the keys that
    sign it (``anchors``), a DS RRset, or the keys signing one data RRset (``label``)."""

    kind: str
    label: str
    keys: frozenset[Key]
    ttl: int
    server: str
    consistent: bool
    """It worked with the other side in its own segment (so losing it breaks something)."""


@dataclass(slots=True)
class ZoneSets:
    """The sets one zone served in one segment, by kind."""

    dnskey: list[Served] = field(default_factory=list)
    anchors: list[Served] = field(default_factory=list)
    ds: list[Served] = field(default_factory=list)
    rrsig: list[Served] = field(default_factory=list)


class Violation(NamedTuple):
    """One rollover step taken too early."""

    code: Code
    zone: str
    at: int
    """The first observation that showed the step."""
    server: str
    keys: tuple[Key, ...]
    """The keys the finding is about: new keys used or DS'd, old keys or DS removed."""
    cached_last_seen: int
    cached_ttl: int
    safe_at: int | None
    """When the step would have been safe; None: a server still serves the older set."""
    still_served_by: tuple[str, ...]
    examples: tuple[str, ...]


def segments_of(history: Sequence[StoredObservation]) -> list[Segment]:
    """Consecutive observations of the same served state merged (oldest first)."""
    out: list[Segment] = []
    for o in history:
        if out and out[-1].state_id == o.state_id:
            out[-1] = Segment(out[-1].start, o.observed_at, o.state_id)
        else:
            out.append(Segment(o.observed_at, o.observed_at, o.state_id))
    return out


def zone_sets(facts: ObservationFacts, zone: str) -> ZoneSets:
    keys: dict[str, set[Key]] = {}
    key_ttl: dict[str, int] = {}
    for k in facts.keys:
        if k.zone == zone and not k.revoked:
            keys.setdefault(k.server, set()).add((k.key_tag, k.algorithm))
            key_ttl[k.server] = max(key_ttl.get(k.server, 0), k.ttl)
    signers: dict[str, set[Key]] = {}
    data: dict[tuple[str, str, str], tuple[set[Key], int]] = {}
    for s in facts.signatures:
        if s.zone != zone:
            continue
        if s.covered_type == "DNSKEY" and s.owner == zone:
            signers.setdefault(s.server, set()).add((s.key_tag, s.algorithm))
        elif s.covered_type not in APEX_KEY_TYPES:
            found, ttl = data.setdefault((s.server, s.owner, s.covered_type), (set(), 0))
            found.add((s.key_tag, s.algorithm))
            data[(s.server, s.owner, s.covered_type)] = (found, max(ttl, s.original_ttl))
    ds: dict[str, set[Key]] = {}
    ds_ttl: dict[str, int] = {}
    for d in facts.ds:
        if d.zone == zone:
            ds.setdefault(d.server, set()).add((d.key_tag, d.algorithm))
            ds_ttl[d.server] = max(ds_ttl.get(d.server, 0), d.ttl)
    all_ds = set().union(*ds.values()) if ds else set()
    anchors = {
        server: frozenset(published & signers.get(server, published))
        for server, published in keys.items()
    }
    all_anchors = set().union(*anchors.values()) if anchors else set()
    signing: dict[str, set[Key]] = {}  # every key any RRset of a server is signed with
    for (srv, _, _), (found, _) in data.items():
        signing.setdefault(srv, set()).update(found)
    out = ZoneSets()
    for server, published in sorted(keys.items()):
        used = bool(signing.get(server, set()) & published)
        out.dnskey.append(Served("dnskey", "", frozenset(published), key_ttl[server], server, used))
        out.anchors.append(
            Served("anchors", "", anchors[server], key_ttl[server], server,
                   bool(anchors[server] & all_ds))
        )  # fmt: skip
    for server, found_ds in sorted(ds.items()):
        out.ds.append(
            Served("ds", "", frozenset(found_ds), ds_ttl[server], server,
                   bool(found_ds & all_anchors))
        )  # fmt: skip
    for (server, owner, rtype), (found, ttl) in sorted(data.items()):
        ok = bool(found & keys.get(server, set()))
        out.rrsig.append(Served("rrsig", f"{owner} {rtype}", frozenset(found), ttl, server, ok))
    return out


_CHECKS = (
    # code, the set served now, the older set that may be cached, subject: new or old keys
    (Code.ZSK_USED_BEFORE_PROPAGATED, "rrsig", "dnskey", "current"),
    (Code.ZSK_REMOVED_TOO_EARLY, "dnskey", "rrsig", "cached"),
    (Code.DS_SWAPPED_TOO_EARLY, "ds", "anchors", "current"),
    (Code.KSK_REMOVED_BEFORE_DS_UPDATED, "anchors", "ds", "cached"),
)


def violations(
    history: Sequence[StoredObservation], facts: dict[int, ObservationFacts]
) -> list[Violation]:
    """Every rollover step of ``history`` (oldest first) taken before it was safe."""
    segs = segments_of(history)
    if len(segs) < 2:
        return []
    zones = list(dict.fromkeys(z for s in segs for z in facts[s.state_id].zones))
    found: dict[tuple[str, str, tuple[Key, ...]], Violation] = {}
    for zone in zones:
        sets = [zone_sets(facts[s.state_id], zone) for s in segs]
        for k in range(1, len(segs)):
            for violation in _check_segment(zone, segs, sets, k):
                found.setdefault((violation.code, zone, violation.keys), violation)
    return sorted(found.values(), key=lambda v: (v.at, v.zone, v.code, v.keys))


def _check_segment(
    zone: str, segs: Sequence[Segment], sets: Sequence[ZoneSets], k: int
) -> Iterable[Violation]:
    now = segs[k].start
    for code, current_kind, cached_kind, subject in _CHECKS:
        cached = cacheable(segs, sets, k, cached_kind)
        for current in getattr(sets[k], current_kind):
            if not _current_valid(current):
                continue
            groups: dict[tuple[Key, ...], list[tuple[Served, int]]] = {}
            for item, last_seen in cached:
                if item.consistent and not item.keys & current.keys:
                    keys = current.keys if subject == "current" else item.keys - current.keys
                    groups.setdefault(tuple(sorted(keys)), []).append((item, last_seen))
            for keys, items in groups.items():
                safe: list[int | None] = []
                still: set[str] = set()
                for item, _ in items:
                    safe_at, servers = safe_time(segs, sets, k, item)
                    safe.append(safe_at)
                    still |= set(servers)
                labels = sorted({i.label for i, _ in items if i.label} | {current.label} - {""})
                yield Violation(
                    code=code,
                    zone=zone,
                    at=now,
                    server=current.server,
                    keys=keys,
                    cached_last_seen=max(seen for _, seen in items),
                    cached_ttl=max(i.ttl for i, _ in items),
                    safe_at=None if None in safe else max(s for s in safe if s is not None),
                    still_served_by=tuple(sorted(still)),
                    examples=tuple(labels[:MAX_EXAMPLES]),
                )


def _current_valid(current: Served) -> bool:
    """Only steps of a rollover: a set that is empty, or names keys nobody publishes, is a
    plain error the live analysis reports (an unsigned zone, a wrong DS, a missing key)."""
    if not current.keys:
        return False
    return current.consistent or current.kind in ("dnskey", "anchors")


def cacheable(
    segs: Sequence[Segment], sets: Sequence[ZoneSets], k: int, kind: str
) -> list[tuple[Served, int]]:
    """Sets of ``kind`` a resolver may hold at the start of segment ``k``: served in it
    (by any server), or last seen before it less than their TTL ago. Each with the last
    time it was seen served."""
    now = segs[k].start
    best: dict[tuple[str, frozenset[Key]], tuple[Served, int]] = {}
    for j in range(k, -1, -1):
        seen = now if j == k else segs[j].last
        for item in getattr(sets[j], kind):
            if j < k and seen + item.ttl <= now:
                continue
            ident = (item.label, item.keys)
            if ident not in best or (item.consistent and not best[ident][0].consistent):
                best[ident] = (item, max(seen, best[ident][1]) if ident in best else seen)
    return sorted(best.values(), key=lambda pair: (pair[0].label, sorted(pair[0].keys)))


def _served_in(sets: ZoneSets, item: Served) -> list[str]:
    return sorted(
        s.server for s in getattr(sets, item.kind) if s.keys == item.keys and s.label == item.label
    )


def safe_time(
    segs: Sequence[Segment], sets: Sequence[ZoneSets], k: int, item: Served
) -> tuple[int | None, tuple[str, ...]]:
    """When the older set had gone from every server plus its TTL (None: still served,
    with the servers that serve it in the newest segment)."""
    last = next(j for j in range(k, -1, -1) if _served_in(sets[j], item))
    while last + 1 < len(segs) and _served_in(sets[last + 1], item):
        last += 1
    if last + 1 >= len(segs):
        return None, tuple(_served_in(sets[last], item))
    return segs[last + 1].start + item.ttl, ()


def _tags(keys: Iterable[Key]) -> str:
    return ", ".join(f"{tag} (algorithm {alg})" for tag, alg in keys)


def finding_of(v: Violation, now: int) -> Finding:
    """The catalog finding for ``v``, seen from ``now`` (the newest observation).

    Three cases: the risk is still there and the safe time known (``at_risk``) or not
    known yet because a server still serves the older set (``at_risk_unknown``), or
    the risk has passed (``history``)."""
    params: dict[str, object] = {
        "zone": v.zone,
        "keys": _tags(v.keys),
        "server": v.server,
        "at": iso(v.at),
        "seen": iso(v.cached_last_seen),
        "ttl": duration(v.cached_ttl),
    }
    if v.code is Code.ZSK_REMOVED_TOO_EARLY:  # the one step that quotes the signatures
        params["examples"] = ", ".join(v.examples)
    over = v.safe_at is not None and now >= v.safe_at
    if v.safe_at is None:
        says = "at_risk_unknown"
        params["still_served_by"] = ", ".join(v.still_served_by)
    else:
        says = "history" if over else "at_risk"
        params["safe"] = iso(v.safe_at)
    return catalog.finding(
        v.code,
        zone=v.zone,
        says=says,
        params=params,
        servers=(v.server,),
        severity=Severity.WARNING if over else None,
        evidence={
            "at": iso(v.at),
            "server": v.server,
            "keys": [{"key_tag": tag, "algorithm": alg} for tag, alg in v.keys],
            "older_set_last_seen": iso(v.cached_last_seen),
            "older_set_ttl": v.cached_ttl,
            "safe_at": iso(v.safe_at) if v.safe_at is not None else None,
            "still_served_by": list(v.still_served_by),
            "examples": list(v.examples),
        },
        subject=f"keys {', '.join(str(t) for t, _ in v.keys)} at {iso(v.at)}",
    )


def rollover_findings(
    history: Sequence[StoredObservation],
    facts: dict[int, ObservationFacts],
    *,
    current_only: bool = False,
) -> list[Finding]:
    """The findings of every rollover step taken too early in ``history`` (oldest first).

    ``current_only`` (``check --db``): only the steps whose risk has not passed at the
    newest observation (a safe time still ahead or not known yet); ``history`` shows all.
    """
    if not history:
        return []
    now = history[-1].observed_at
    out = []
    for v in violations(history, facts):
        if current_only and v.safe_at is not None and now >= v.safe_at:
            continue
        out.append(finding_of(v, now))
    return out
