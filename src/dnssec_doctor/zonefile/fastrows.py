"""The zone reader's fast path: entries (bytes tokens) to compact rows.

Split from :mod:`.reader` for size; :func:`fast_rows` is used by
:meth:`.ZoneReader.stream` and relies on the reader's helpers for directives,
errors and every uncommon case.
"""

from __future__ import annotations

import binascii
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import dns.exception
import dns.rdatatype

from dnssec_doctor.zonefile.model import Record
from dnssec_doctor.zonefile.namekey import Owner
from dnssec_doctor.zonefile.scan import Entry
from dnssec_doctor.zonefile.wire import CONVERTERS, Fallback

if TYPE_CHECKING:
    from dnssec_doctor.zonefile.reader import State, ZoneReader

Row = tuple[Owner, int, int, int, bytes, int]
"""(owner, type, class, TTL, canonical RDATA, line): one record of ``ZoneReader.stream``."""

_CONVERSION_ERRORS = (
    Fallback, ValueError, TypeError, KeyError, IndexError, binascii.Error, struct.error,
    dns.exception.DNSException,
)  # fmt: skip

_FAST_TYPES: dict[bytes, int] = {
    name.encode("ascii"): int(dns.rdatatype.from_text(name))
    for name in (
        "A", "AAAA", "NS", "CNAME", "MX", "TXT", "SRV", "PTR", "DS", "DNSKEY", "RRSIG",
        "NSEC", "NSEC3", "NSEC3PARAM", "SOA", "CDS", "CDNSKEY", "DNAME", "CAA", "HINFO",
        "NAPTR", "SSHFP", "TLSA", "SVCB", "HTTPS", "ZONEMD",
    )
}  # fmt: skip
"""Upper-case mnemonics read without decoding (others go through the general path)."""


def fast_rows(
    self: ZoneReader,
    batch: list[Entry],
    state: State,
    path: Path,
    depth: int,
    directives: bool = True,
) -> Iterator[Record | Row]:
    """Rows of one batch of entries: the reader's hot loop, with locals only.

    Mirrors ``ZoneReader._record`` (the reference) and shares its helpers for
    everything but the common case: owner, ``[TTL] [IN] TYPE``, fast converter.
    """
    converters, fast_types, errors = CONVERTERS, _FAST_TYPES, _CONVERSION_ERRORS
    context = state.context
    owner, owner_token = state.owner, state.owner_token
    count, limit = self.count, self.options.max_records
    try:
        for tokens, line, blank in batch:
            if blank:
                if owner is None:
                    raise self._error(state, line, "record without an owner name")
                index = 0
            else:
                head = tokens[0]
                if head != owner_token or owner is None:
                    if head[:1] == b"$" and directives:
                        state.owner, state.owner_token, self.count = owner, owner_token, count
                        text = [t.decode("latin-1") for t in tokens]
                        yield from self._directive(text, line, state, path, depth)
                        context, count = state.context, self.count
                        owner, owner_token = state.owner, state.owner_token
                        continue
                    owner = self._owner(head, state, line)
                    owner_token = head
                index = 1
            # the common "[TTL] [IN] TYPE" heads without decoding; the rest as records() does
            size = len(tokens)
            after_owner = index
            ttl: int | None = None
            rdclass = 0
            rdtype: int | None = None
            if index < size:
                token = tokens[index]
                if token.isdigit() and len(token) < 10:
                    ttl = int(token)
                    index += 1
                    token = tokens[index] if index < size else b""
                if token == b"IN":
                    rdclass = 1
                    index += 1
                    token = tokens[index] if index < size else b""
                rdtype = fast_types.get(token)
            if rdtype is None:
                text = [t.decode("latin-1") for t in tokens[after_owner:]]
                ttl, rdclass, rdtype, start = self._head(text, state, line)
                index = after_owner + start
            else:
                index += 1
                if not rdclass:
                    rdclass = self._class or 1
                if self._class is None:
                    self._class = rdclass
            converter = converters.get(rdtype)
            try:
                if converter is None:
                    raise Fallback
                wire = converter(tokens, index, context)
            except errors:
                text = [t.decode("latin-1") for t in tokens[index:]]
                wire = self._reference_wire(state, line, rdclass, rdtype, text)
            if len(wire) > 0xFFFF:
                raise self._error(state, line, "RDATA longer than 65535 octets")
            if ttl is None:
                ttl = self._implicit_ttl(state, rdtype, wire)
            state.last_ttl = ttl
            count += 1
            if count > limit:
                raise self._error(state, line, f"more than {limit} records")
            yield owner, rdtype, rdclass, ttl, wire, line
    finally:
        state.owner, state.owner_token, self.count = owner, owner_token, count
