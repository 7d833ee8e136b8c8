"""``--at TIME``: ISO 8601 or relative (``+7d``, ``-12h``), resolved against a given now."""

from __future__ import annotations

import datetime
import re

from dnssec_doctor.errors import DoctorError

_RELATIVE = re.compile(r"^([+-])(\d{1,12})([smhdw]?)$")
_POSIX = re.compile(r"^@(\d{1,12})$")
LATEST = 0xFFFFFFFF
"""2106-02-07T06:28:15Z: DNSSEC signature times are 32-bit seconds (RFC 4034 §3.1.5),
so a later (or pre-1970) evaluation time means nothing."""
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_at(text: str | None, now: int) -> int:
    """POSIX seconds for ``text`` (None: ``now``); DoctorError when it is not a time.

    Accepted: ``2026-11-24``, ``2026-11-24T12:00:00Z`` (no zone: UTC), ``+7d``,
    ``-36h``, ``+90m``, ``@1700000000`` (POSIX seconds), ``now``.
    """
    if text is None or text.strip().lower() in ("", "now"):
        return now
    raw = text.strip()
    when = _parse(raw, now)
    if not 0 <= when <= LATEST:
        raise DoctorError(
            f"time {raw[:40]!r} is outside 1970-01-01 to 2106-02-07, the range of "
            "DNSSEC signature times (RFC 4034 §3.1.5)"
        )
    return when


def _parse(raw: str, now: int) -> int:
    match = _RELATIVE.match(raw)
    if match:
        sign, amount, unit = match.groups()
        delta = int(amount) * _UNITS[unit]
        return now + delta if sign == "+" else now - delta
    match = _POSIX.match(raw)
    if match:
        return int(match.group(1))
    try:
        when = datetime.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
        return int(when.timestamp())
    except (ValueError, OverflowError):
        raise DoctorError(
            f"invalid time {raw[:40]!r}: use ISO 8601 (2026-11-24T12:00:00Z) "
            "or relative (+7d, -12h)"
        ) from None


_DURATION = re.compile(r"^(\d+)([smhdw]?)$")


def parse_duration(text: str) -> int:
    """Seconds in a duration such as ``7d``, ``12h``, ``90m``, ``2w`` or ``3600`` (seconds).

    The units are those of the relative ``--at`` forms; DoctorError when ``text`` is not one.
    """
    match = _DURATION.match(text.strip().lower())
    if match is None:
        raise DoctorError(f"invalid duration {text!r}: use a number and a unit (7d, 12h, 90m, 30s)")
    amount, unit = match.groups()
    return int(amount) * _UNITS[unit]
