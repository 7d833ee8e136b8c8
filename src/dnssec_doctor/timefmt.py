"""Times and durations as reports print them."""

from __future__ import annotations

import datetime


def iso(posix: int) -> str:
    """``2026-11-24T00:00:00Z``."""
    when = datetime.datetime.fromtimestamp(posix, tz=datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(seconds: int) -> str:
    """A rough human duration: ``3 days``, ``5 hours``, ``12 minutes``."""
    seconds = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"
