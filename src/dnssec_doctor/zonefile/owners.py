"""Owner names that look like typing mistakes (catalog OWNER_NAME_SUSPICIOUS).

The classic one is a missing trailing dot: ``www.example.com`` written inside
``example.com.`` becomes ``www.example.com.example.com.``. Names outside the
zone are ignored by signers and servers alike, so they are reported and skipped.
"""

from __future__ import annotations

import dns.name

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.namekey import SEP

_HOST_OK = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*")
_KEY_OK = bytes(sorted(_HOST_OK)) + SEP


class OwnerScreen:
    """Tells cheaply, from a name's key, whether :func:`check_owner` could say anything."""

    def __init__(self, origin: dns.name.Name) -> None:
        inner = [label.lower() for label in origin.labels[:-1]]
        inner.reverse()
        self._repeat = SEP.join(inner) if inner else None
        self._origin_odd = any(
            label and (label[0] == 45 or not set(label) <= _HOST_OK)
            for label in origin.labels[:-1]
            if label != b"*"
        )

    def notable(self, key: bytes) -> bool:
        """True when the name with ``key`` needs :func:`check_owner` (repeat, odd characters)."""
        if self._origin_odd or key.translate(None, _KEY_OK) or key[:1] == b"-" or b"\x00-" in key:
            return True
        repeat = self._repeat
        return repeat is not None and (key == repeat or key.startswith(repeat + SEP))


def repeats_origin(name: dns.name.Name, origin: dns.name.Name) -> bool:
    """``x.example.com.example.com.`` in ``example.com.``: the origin appended twice."""
    if origin == dns.name.root or len(name.labels) < 2 * len(origin.labels) - 1:
        return False
    if not name.is_subdomain(origin) or name == origin:
        return False
    relative = name.relativize(origin)
    inner = origin.relativize(dns.name.root)
    return len(relative) >= len(inner) and (dns.name.Name(relative.labels[-len(inner) :]) == inner)


def check_owner(name: dns.name.Name, origin: dns.name.Name, line: int, out: Emitter) -> bool:
    """Report a suspicious owner; False when the record lies outside the zone."""
    text = name  # formatted lazily
    if not name.is_subdomain(origin):
        out.add(
            Code.OWNER_NAME_SUSPICIOUS,
            "outside_zone",
            {"name": text, "zone": origin},
            subject=f"{text}/outside",
            line=line,
        )
        return False
    if repeats_origin(name, origin):
        fixed = name.relativize(origin).to_text() + "."
        out.add(
            Code.OWNER_NAME_SUSPICIOUS,
            "repeated_origin",
            {"name": text, "fixed": fixed},
            subject=f"{text}/repeated-origin",
            line=line,
        )
    elif any(
        label and (label[0] == 45 or not set(label) <= _HOST_OK)
        for label in name.labels[:-1]
        if label != b"*"
    ):
        out.add(
            Code.OWNER_NAME_SUSPICIOUS,
            "characters",
            {"name": text},
            subject=f"{text}/characters",
            line=line,
            severity=None,
        )
    return True
