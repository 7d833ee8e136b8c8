"""What the monitoring outputs (Nagios plugin, Prometheus) read from a diagnosis.

A monitoring system wants a few numbers rather than a report: how long until the
first signature on the chain expires (the warning no validator gives before it
fails; how long ago, once it has), how many servers answer well, how many problems
of each severity, and how long the check took. Pure: the diagnosis and the run's
facts go in, numbers come out.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.model.severity import Severity

DEFAULT_WARNING = 7 * 86400
"""Nagios WARNING when the earliest signature expires within 7 days (the analysis's
own expiry warning: a signer re-signs well before that)."""
DEFAULT_CRITICAL = 2 * 86400
"""Nagios CRITICAL within 2 days: a weekend without anyone re-signing breaks the zone."""


@dataclass(frozen=True, slots=True)
class ExpiryThresholds:
    """``--warning``/``--critical``: seconds left before the earliest signature expires."""

    warning: int = DEFAULT_WARNING
    critical: int = DEFAULT_CRITICAL


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What the run knows beyond the diagnosis (a replayed capture has no duration)."""

    duration: float | None = None
    """Seconds the probe and analysis took."""


def zone_expiries(d: Diagnosis) -> dict[str, int]:
    """Zone on the chain → the earliest expiration of the signatures its validation needs.

    That of the zone's valid signatures (``ZoneReport.valid_until``), or earlier: the
    expiration of signatures the zone still serves although they expired, when that
    breaks validation (RRSIG_EXPIRED at error or above; an expired signature beside a
    valid one of the same RRset breaks nothing, RFC 4035 §5.3.3). Without them a zone
    whose signatures have just expired would leave the minimum, and the time left
    would jump from hours to its parent's weeks at the very moment it broke.
    """
    expiries = {z.name: z.valid_until for z in d.zones if z.valid_until is not None}
    for f in d.findings:
        if f.code != "RRSIG_EXPIRED" or f.severity < Severity.ERROR:
            continue
        earliest = f.evidence.get("earliest") if f.evidence else None
        if isinstance(earliest, int) and not isinstance(earliest, bool):
            expiries[f.zone] = min(expiries.get(f.zone, earliest), earliest)
    return expiries


def earliest_expiry(d: Diagnosis) -> int | None:
    """The earliest expiration (POSIX) on the chain, in the past once signatures that
    validation needs have expired (:func:`zone_expiries`); None when no signature on
    the chain validated."""
    return min(zone_expiries(d).values(), default=None)


def seconds_left(d: Diagnosis) -> int | None:
    """Seconds from the evaluation time to the earliest expiry on the chain, negative
    once it has passed (None: no signature on the chain validated)."""
    until = earliest_expiry(d)
    return None if until is None else until - d.at


def servers_ok(d: Diagnosis) -> int:
    """Servers of the chain that no warning, error or critical finding names.

    A finding that names no server concerns its zone's data everywhere: it counts
    against every server of that zone.
    """
    by_zone = {z.name: z.servers for z in d.zones}
    named = {
        s
        for f in d.findings
        if f.severity >= Severity.WARNING
        for s in (f.servers or by_zone.get(f.zone, ()))
    }
    return sum(1 for s in d.servers if s not in named)


def findings_by_severity(d: Diagnosis) -> dict[Severity, int]:
    """How many findings of each severity (every severity present, zero or not)."""
    counts = dict.fromkeys(Severity, 0)
    for f in d.findings:
        counts[f.severity] += 1
    return counts


def problem_codes(d: Diagnosis, limit: int = 5) -> list[str]:
    """The codes of the root causes at warning or above, worst first, without repeats."""
    codes = [f.code for f in d.root_causes() if f.severity >= Severity.WARNING]
    return list(dict.fromkeys(codes))[:limit]
