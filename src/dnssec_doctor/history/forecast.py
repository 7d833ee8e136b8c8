"""Forecast from history: the earliest expiry on the chain, the re-signing cadence, and
SIGNATURES_NOT_REFRESHED when a signer has stopped.

Pure. A signer replaces signatures well before they expire (RFC 4034 §3.1.5; RFC
6781 §4.4.2 discusses validity and re-signing periods), so the newest inception of a
zone's signatures moves forward on a cadence. The cadence observed is the median
step of those moves; the next refresh is due one and a half cadences after the last
one (or, with no cadence observed yet, before the last quarter of the validity
period of the first signature to expire). A zone whose signatures were seen
unchanged past that time, in more than one observation, has a signer that stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.history.facts import ObservationFacts, SignatureFact
from dnssec_doctor.history.records import StateRun
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.timefmt import duration, iso

CODE = Code.SIGNATURES_NOT_REFRESHED
FORECAST_RUNS = 24
"""Served states the forecast looks back over (each re-signing makes one)."""


class ZoneForecast(NamedTuple):
    """What history says about one zone's signing."""

    zone: str
    earliest: SignatureFact
    """The signature that expires first in the newest observation."""
    last_refresh: int
    """The newest inception among the zone's signatures."""
    cadence: int | None
    """Median seconds between refreshes seen in history (None: fewer than two seen)."""
    due: int
    """When the next refresh should have happened at the latest."""
    unchanged_since: int
    """The first observation that showed the current newest inception."""
    unchanged_count: int
    """Observations that showed the current newest inception."""

    def stalled(self, now: int) -> bool:
        """The refresh is overdue and more than one observation saw it missing."""
        return now >= self.due and self.unchanged_count >= 2


def forecast(
    runs: Sequence[StateRun], newest_state: int, facts: dict[int, ObservationFacts]
) -> list[ZoneForecast]:
    """One forecast per signed zone of ``newest_state`` (``runs`` by first sighting)."""
    if not runs:
        return []
    newest = facts[newest_state]
    out = []
    for zone in newest.zones:
        signatures = [s for s in newest.signatures if s.zone == zone]
        last = newest.newest_inception(zone)
        if not signatures or last is None:
            continue
        earliest = min(signatures, key=lambda s: (s.expiration, s.owner, s.covered_type))
        refreshes = _refreshes(runs, facts, zone)
        steps = [b - a for a, b in pairwise(refreshes)]
        cadence = _median(steps) if steps else None
        quarter = earliest.expiration - max(0, earliest.expiration - earliest.inception) // 4
        due = quarter if cadence is None else min(quarter, last + cadence * 3 // 2)
        seen = [r for r in runs if facts[r.state_id].newest_inception(zone) == last]
        out.append(
            ZoneForecast(
                zone=zone,
                earliest=earliest,
                last_refresh=last,
                cadence=cadence,
                due=due,
                unchanged_since=min((r.first_at for r in seen), default=runs[-1].first_at),
                unchanged_count=sum(r.count for r in seen),
            )
        )
    return out


def _refreshes(
    runs: Sequence[StateRun], facts: dict[int, ObservationFacts], zone: str
) -> list[int]:
    """The zone's newest inception each time it moved forward, oldest first."""
    moves: list[int] = []
    for run in runs:
        inception = facts[run.state_id].newest_inception(zone)
        if inception is not None and (not moves or inception > moves[-1]):
            moves.append(inception)
    return moves


def stalled_findings(forecasts: Sequence[ZoneForecast], now: int) -> list[Finding]:
    """SIGNATURES_NOT_REFRESHED for every zone whose signer stopped."""
    out = []
    for f in forecasts:
        if not f.stalled(now):
            continue
        sig = f.earliest
        params: dict[str, object] = {
            "zone": f.zone,
            "due": iso(f.due),
            "last_refresh": iso(f.last_refresh),
            "unchanged": f.unchanged_count,
            "unchanged_since": iso(f.unchanged_since),
            "left": duration(sig.expiration - now),
            "expiration": iso(sig.expiration),
            "owner": sig.owner,
            "type": sig.covered_type,
            "tag": sig.key_tag,
        }
        if f.cadence is not None:
            params["cadence"] = duration(f.cadence)
        basis = "cadence" if f.cadence is not None else "no_cadence"
        out.append(
            catalog.finding(
                CODE,
                zone=f.zone,
                says=f"{basis}_{'expired' if sig.expiration <= now else 'expires'}",
                params=params,
                evidence={
                    "last_refresh": iso(f.last_refresh),
                    "cadence_seconds": f.cadence,
                    "due": iso(f.due),
                    "unchanged_since": iso(f.unchanged_since),
                    "observations_unchanged": f.unchanged_count,
                    "earliest_expiration": iso(sig.expiration),
                    "earliest_rrset": f"{sig.owner} {sig.covered_type}",
                    "key_tag": sig.key_tag,
                },
                subject="signer",
            )
        )
    return out


def _median(values: list[int]) -> int:
    """``int(statistics.median(values))``, without importing ``statistics`` (its decimal and
    fractions imports cost more than ``check --db`` records in)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return int((ordered[middle - 1] + ordered[middle]) / 2)
