"""RRSIG time fields: 32-bit serial arithmetic (RFC 4034 §3.1.5, RFC 1982).

Inception and expiration are 32-bit counters that wrap in 2106; they are compared
with serial arithmetic, not as plain integers. A window such as 2016 → 2084 (just
under 2^31 seconds) is valid; peers that compare as signed 32-bit integers get it
wrong after 2038.
"""

from __future__ import annotations

_MOD = 1 << 32
_HALF = 1 << 31


def serial_offset(value: int, now: int) -> int:
    """Signed seconds from ``now`` to the 32-bit time ``value`` (RFC 1982 distance)."""
    diff = (value - now) % _MOD
    return diff - _MOD if diff >= _HALF else diff


def to_posix(value: int, now: int) -> int:
    """The POSIX time the 32-bit field ``value`` denotes, read relative to ``now``."""
    return now + serial_offset(value, now)


def is_expired(expiration: int, now: int) -> bool:
    """True when ``expiration`` is before ``now`` (RFC 4035 §5.3.1)."""
    return serial_offset(expiration, now) < 0


def is_not_yet_valid(inception: int, now: int) -> bool:
    """True when ``inception`` is after ``now`` (RFC 4035 §5.3.1)."""
    return serial_offset(inception, now) > 0
