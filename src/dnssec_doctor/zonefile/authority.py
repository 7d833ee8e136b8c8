"""Which names the zone is authoritative for (RFC 4035 §2.2, RFC 2181 §6).

Below a zone cut (a non-apex name with NS) everything is glue or occluded; at the
cut only DS and NSEC are the zone's own data. Empty non-terminals are names that
exist only because something lies below them (RFC 5155 §7.1 needs them).

One sweep over the names in canonical order finds all of it: a name's descendants
follow it directly, so a stack of the cuts (and DNAMEs) enclosing the current name
is all the state needed.
"""

from __future__ import annotations

from collections.abc import Iterator

import dns.name
import dns.rdatatype

from dnssec_doctor.zonefile import namekey
from dnssec_doctor.zonefile.namekey import SEP
from dnssec_doctor.zonefile.table import NSEC3_ONLY, NameTable

T = dns.rdatatype
AUTHORITATIVE_AT_CUT = frozenset({T.DS, T.NSEC})
"""Types a parent is authoritative for at a delegation point (RFC 4035 §2.2)."""

DELEGATION = 1
"""NS at a name other than the apex (a zone cut)."""
BELOW_CUT = 2
"""A zone cut lies strictly above: glue or occluded data."""
NSEC3_NODE = 4
"""Only NSEC3 records: a hashed owner, not a name of the zone."""
BELOW_DNAME = 8
"""A DNAME lies strictly above (the apex's included)."""
_NS, _DNAME = int(T.NS), int(T.DNAME)


class Authority:
    """Authority facts of every row of a sorted :class:`NameTable`."""

    def __init__(self, table: NameTable) -> None:
        self.table = table
        self.flags = bytearray(len(table))
        cuts: list[bytes] = []
        dnames: list[bytes] = []
        shapes = table.shapes
        types_of = [shape.types for shape in shapes]
        shape_ids = table.shape_ids
        flags = self.flags
        for index, key in enumerate(table.keys):
            types = types_of[shape_ids[index]]
            flag = 0
            while cuts and not key.startswith(cuts[-1]):
                cuts.pop()
            while dnames and not key.startswith(dnames[-1]):
                dnames.pop()
            if cuts:
                flag = BELOW_CUT
            if dnames:
                flag |= BELOW_DNAME
            if _NS in types and key:
                flag |= DELEGATION
                cuts.append(key + SEP)
            if _DNAME in types:
                dnames.append(key + SEP if key else b"")
            if types == NSEC3_ONLY:
                flag |= NSEC3_NODE
            flags[index] = flag
        self.has_dname = any(_DNAME in t for t in types_of)

    def authoritative(self) -> Iterator[int]:
        """Rows of names with data the zone answers for (cuts included), canonical order."""
        flags = self.flags
        for index in range(len(flags)):
            if not flags[index] & (BELOW_CUT | NSEC3_NODE):
                yield index

    def is_delegation_key(self, key: bytes) -> bool:
        """True when ``key`` is a zone cut."""
        index = self.table.find(key)
        return index >= 0 and bool(self.flags[index] & DELEGATION)

    def cut_above(self, key: bytes) -> bytes | None:
        """Key of the nearest delegation strictly above ``key`` (below the apex), if any."""
        for ancestor in namekey.ancestors(key):
            if self.is_delegation_key(ancestor):
                return ancestor
        return None

    def dname_above(self, key: bytes) -> bytes | None:
        """Key of the nearest DNAME owner strictly above ``key`` (the apex included)."""
        if not key:
            return None
        for ancestor in [*namekey.ancestors(key), b""]:
            types = self.table.types_at(ancestor)
            if types is not None and _DNAME in types:
                return ancestor
        return None

    def is_authoritative_for(self, key: bytes | None, rdtype: int) -> bool:
        """Whether data at (``key``, ``rdtype``) is the zone's own (signatures over it count)."""
        if key is None:
            return True
        index = self.table.find(key)
        if index < 0:
            return True
        flag = self.flags[index]
        if flag & BELOW_CUT:
            return False
        return not (flag & DELEGATION and rdtype not in AUTHORITATIVE_AT_CUT)

    def empty_non_terminals(self) -> list[bytes]:
        """Keys of ancestors of authoritative names (below the origin) without records.

        In canonical order an ancestor comes just before its first descendant, so
        an ancestor of the current name that is not an ancestor (or the name) of
        the previous one cannot exist: it is an empty non-terminal.
        """
        found: list[bytes] = []
        keys = self.table.keys
        previous = b""
        for index in self.authoritative():
            key = keys[index]
            for ancestor in namekey.ancestors(key):
                if namekey.is_at_or_below(previous, ancestor):
                    break
                found.append(ancestor)
            previous = key
        return found

    def name(self, key: bytes) -> dns.name.Name:
        """The name of ``key`` (as written, when it has records)."""
        return self.table.name_of(key)
