"""Owner names as compact, sortable keys (RFC 4034 §6.1 canonical order).

A million-name zone cannot keep a ``dns.name.Name`` per name (about 1 KB each
with its labels), so the verifier keeps a *key* per name: the labels below the
zone origin, lower-cased, rightmost first, joined by ``\\x00``. Plain byte
comparison of keys is canonical order, the apex is ``b""``, and the keys of a
name's descendants start with its key followed by ``\\x00``. Bytes 0 and 1 inside
labels (only possible with ``\\DDD`` escapes) are escaped as ``\\x01\\x01`` and
``\\x01\\x02``, which keeps the order: the separator sorts below any label octet.

Names are rebuilt from keys only when a finding needs their text.
"""

from __future__ import annotations

import dns.name

SEP = b"\x00"


def _escape(label: bytes) -> bytes:
    if b"\x00" in label or b"\x01" in label:
        return label.replace(b"\x01", b"\x01\x02").replace(b"\x00", b"\x01\x01")
    return label


def _unescape(label: bytes) -> bytes:
    if b"\x01" in label:
        return label.replace(b"\x01\x01", b"\x00").replace(b"\x01\x02", b"\x01")
    return label


_LENGTHS = [bytes((n,)) for n in range(64)]


class Owner:
    """An owner name as the verifier keeps it while its node is read.

    ``key`` is None for names outside the zone; ``wire`` is the lower-cased wire
    form (what signatures cover); ``case`` the wire form as written, kept only
    when it differs (so findings show the name as the file spells it).
    """

    __slots__ = ("case", "key", "wire")

    def __init__(self, key: bytes | None, wire: bytes, case: bytes | None) -> None:
        self.key = key
        self.wire = wire
        self.case = case

    @property
    def name(self) -> dns.name.Name:
        """The name, as written in the file."""
        return dns.name.from_wire(self.case or self.wire, 0)[0]


class Origin:
    """The zone origin in the forms key computations need."""

    __slots__ = ("apex_text", "labels", "lower_labels", "name", "suffix", "wire")

    def __init__(self, name: dns.name.Name) -> None:
        self.name = name
        self.labels: tuple[bytes, ...] = tuple(name.labels)
        self.lower_labels = tuple(label.lower() for label in self.labels)
        self.wire = name.to_digestable()
        """Lower-cased wire form."""
        text = b".".join(self.lower_labels[:-1])
        self.suffix = (b"." + text + b".") if text else b"."
        """``.origin.`` in lower-case presentation form (``.`` for the root)."""
        self.apex_text = self.suffix[1:]

    def owner(self, token: bytes, relative_to_zone: bool) -> Owner | None:
        """The owner a plain name token stands for, None when it needs dnspython.

        Handles names without escapes that are the apex, absolute below the apex,
        or relative when the current ``$ORIGIN`` is the zone's (``relative_to_zone``).
        """
        if b"\\" in token:
            return None
        lower = token.lower()
        if lower.endswith(b"."):
            if lower == self.apex_text:
                return Owner(b"", self.wire, None if token == lower else _case_wire(token))
            if not lower.endswith(self.suffix):
                return None
            relative = lower[: len(lower) - len(self.suffix)]
        elif relative_to_zone and token != b"@":
            relative = lower
        else:
            return None
        labels = relative.split(b".")
        if len(relative) + 1 + len(self.wire) > 255:
            return None
        parts = []
        for label in labels:
            size = len(label)
            if not 0 < size < 64:
                return None
            parts.append(_LENGTHS[size])
            parts.append(label)
        parts.append(self.wire)
        wire = b"".join(parts)
        labels.reverse()
        key = SEP.join(labels)
        case = None
        if token != lower:
            case = dns.name.from_text(token.decode("ascii"), self.name).to_wire()
        return Owner(key, wire, case)

    def owner_of_name(self, name: dns.name.Name) -> Owner:
        """The owner for a name parsed by dnspython."""
        wire = name.to_digestable()
        written = name.to_wire() or b""
        return Owner(self.key_of(name), wire, None if written == wire else written)

    def key_of_labels(self, labels: tuple[bytes, ...] | list[bytes]) -> bytes | None:
        """Key of an absolute name given as labels (root label included); None if outside."""
        size = len(self.lower_labels)
        if len(labels) < size:
            return None
        lower = [label.lower() for label in labels]
        if tuple(lower[len(lower) - size :]) != self.lower_labels:
            return None
        relative = lower[: len(lower) - size]
        relative.reverse()
        return SEP.join(_escape(label) for label in relative)

    def key_of(self, name: dns.name.Name) -> bytes | None:
        """Key of ``name``; None when it is outside the zone."""
        return self.key_of_labels(name.labels)

    def labels_of(self, key: bytes) -> tuple[bytes, ...]:
        """Absolute labels (lower case) of the name with ``key``."""
        if not key:
            return self.lower_labels
        parts = [_unescape(label) for label in key.split(SEP)]
        parts.reverse()
        return (*parts, *self.lower_labels)

    def name_of(self, key: bytes) -> dns.name.Name:
        """The name with ``key`` (lower case)."""
        if not key:
            return self.name
        return dns.name.Name(self.labels_of(key))

    def wire_of(self, key: bytes) -> bytes:
        """Lower-cased wire form of the name with ``key`` (RFC 4034 §6.2)."""
        if not key:
            return self.wire
        if b"\x01" in key:
            return dns.name.Name(self.labels_of(key)).to_wire() or b""
        parts = key.split(SEP)
        parts.reverse()
        return b"".join([bytes((len(p),)) + p for p in parts]) + self.wire


def _case_wire(token: bytes) -> bytes:
    return dns.name.from_text(token.decode("ascii")).to_wire() or b""


def parent(key: bytes) -> bytes:
    """Key of the parent name (the apex's children have the apex ``b""`` as parent)."""
    cut = key.rfind(SEP)
    return key[:cut] if cut >= 0 else b""


def is_below(key: bytes, ancestor: bytes) -> bool:
    """True when ``key`` is a proper descendant of ``ancestor``."""
    if not ancestor:
        return bool(key)
    return key.startswith(ancestor) and key[len(ancestor) : len(ancestor) + 1] == SEP


def is_at_or_below(key: bytes, ancestor: bytes) -> bool:
    """True when ``key`` is ``ancestor`` or one of its descendants."""
    return key == ancestor or is_below(key, ancestor)


def ancestors(key: bytes) -> list[bytes]:
    """Keys of the proper ancestors below the apex, nearest first (``a\\x00b`` → ``[a]``)."""
    found = []
    cut = key.rfind(SEP)
    while cut >= 0:
        key = key[:cut]
        found.append(key)
        cut = key.rfind(SEP)
    return found


def depth(key: bytes) -> int:
    """Labels below the origin (0 for the apex)."""
    return key.count(SEP) + 1 if key else 0


def is_wild(key: bytes) -> bool:
    """True for ``*.something``: the leftmost label (the key's last one) is ``*``."""
    return key == b"*" or key.endswith(b"\x00*")
