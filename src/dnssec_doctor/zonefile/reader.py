"""A safe, streaming zone-file reader (RFC 1035 §5, BIND/Knot extensions).

Untrusted input is the normal case (a file from a customer, a CI artefact):

- ``$INCLUDE`` is refused unless the caller allows it, and even then only files
  inside the zone file's own directory are read (no absolute paths, no ``..``).
- ``$GENERATE`` ranges are bounded; file size, record count and entry length too.
- Anything unparseable is a :class:`DoctorError` naming the file and line.

Two ways to read, same rules: :meth:`ZoneReader.records` yields :class:`Record`
objects (dnspython names, RDATA through the reference converter), and
:meth:`ZoneReader.stream` yields compact rows for the verifier of big zones
(owners as :class:`~.namekey.Owner` keys, RDATA through the fast converters of
:mod:`.wire`, falling back to the reference).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import dns.exception
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.ttl

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import open_input
from dnssec_doctor.limits import INPUT_LIMITS, InputLimits
from dnssec_doctor.zonefile import generate, namekey
from dnssec_doctor.zonefile.fastrows import Row, fast_rows
from dnssec_doctor.zonefile.model import Record
from dnssec_doctor.zonefile.namekey import Owner
from dnssec_doctor.zonefile.origin import guess_origin
from dnssec_doctor.zonefile.rdata import rdata_wire
from dnssec_doctor.zonefile.scan import Scanner
from dnssec_doctor.zonefile.wire import NameContext


@dataclass(frozen=True, slots=True)
class ReaderOptions:
    """Bounds and permissions for reading one zone file (defaults: :class:`InputLimits`)."""

    allow_include: bool = False
    max_bytes: int = INPUT_LIMITS.zone_file_bytes
    """Total bytes over the file and its includes."""
    max_records: int = INPUT_LIMITS.zone_records
    max_generate: int = INPUT_LIMITS.zone_generate_records
    """Records one ``$GENERATE`` may produce."""
    max_generate_total: int = INPUT_LIMITS.zone_generate_total
    """Records all ``$GENERATE`` lines together may produce."""
    max_entry_chars: int = INPUT_LIMITS.zone_entry_chars
    """Characters in one line or parenthesised entry."""
    max_include_depth: int = 8
    stop_at: float | None = None
    """``time.monotonic()`` value after which reading stops (None: no deadline)."""
    deadline: float = INPUT_LIMITS.zone_deadline
    """The seconds ``stop_at`` stands for (named in the error)."""

    @classmethod
    def bounded(
        cls, limits: InputLimits = INPUT_LIMITS, *, allow_include: bool = False
    ) -> ReaderOptions:
        """Options from ``limits``, with the deadline starting now."""
        return cls(
            allow_include=allow_include,
            max_bytes=limits.zone_file_bytes,
            max_records=limits.zone_records,
            max_generate=limits.zone_generate_records,
            max_generate_total=limits.zone_generate_total,
            max_entry_chars=limits.zone_entry_chars,
            stop_at=time.monotonic() + limits.zone_deadline,
            deadline=limits.zone_deadline,
        )


_CLASSES = {"IN": 1, "CH": 3, "CS": 2, "HS": 4}
_MAX_TTL = 0x7FFFFFFF
_TYPES: dict[str, int] = {}
"""Type mnemonics already accepted (a zone uses a dozen; parsing them costs)."""
_TTLS: dict[str, int] = {}
_DEFAULT_TTL = 3600
"""TTL of records before any TTL is known (Knot's default; BIND warns likewise)."""


def _class_of(token: str) -> int | None:
    upper = token.upper()
    if upper in _CLASSES:
        return _CLASSES[upper]
    if upper.startswith("CLASS") and upper[5:].isdigit():
        return int(dns.rdataclass.from_text(upper))
    return None


@dataclass(slots=True)
class State:
    """Per-file reading state (a $INCLUDE gets its own, RFC 1035 §5.1)."""

    origin: dns.name.Name
    filename: str
    context: NameContext
    default_ttl: int | None = None
    last_ttl: int | None = None
    last_owner: dns.name.Name | None = None
    last_owner_text: str | None = None
    owner: Owner | None = None
    owner_token: bytes = b""


class ZoneReader:
    """Reads one zone file; iterate :meth:`records` or :meth:`stream` once.

    ``origin`` None means: the first ``$ORIGIN``, else the owner of an SOA with an
    absolute owner near the top (see :func:`.origin.guess_origin`; never the file name).
    """

    def __init__(
        self, path: str | os.PathLike[str], origin: dns.name.Name | None, options: ReaderOptions
    ) -> None:
        self.path = Path(path)
        self.options = options
        self.origin = (
            origin if origin is not None else guess_origin(self.path, options.max_entry_chars)
        )
        self.zone = namekey.Origin(self.origin)
        self.count = 0
        self.generated = 0
        self.bytes_read = 0
        self._class: int | None = None
        self._fast = False

    # -- public -------------------------------------------------------------

    def records(self) -> Iterator[Record]:
        """Every record of the file (and allowed includes), in file order."""
        self._fast = False
        for item in self._read_file(self.path, self.origin, depth=0):
            assert isinstance(item, Record)
            yield item

    def stream(self) -> Iterator[Row]:
        """Every record as a compact :data:`Row`, in file order (the verifier's input)."""
        self._fast = True
        return cast(Iterator[Row], self._read_file(self.path, self.origin, depth=0))

    # -- internals ----------------------------------------------------------

    def _count_bytes(self, size: int) -> None:
        self.bytes_read += size
        if self.bytes_read > self.options.max_bytes:
            raise DoctorError(f"{self.path}: zone data exceeds {self.options.max_bytes} bytes")
        self._check_deadline()

    def _check_deadline(self) -> None:
        stop_at = self.options.stop_at
        if stop_at is not None and time.monotonic() > stop_at:
            raise DoctorError(
                f"{self.path}: not done after {self.options.deadline:g} s "
                "(the zone deadline; --deadline SECONDS raises it)"
            )

    def _read_file(self, path: Path, origin: dns.name.Name, depth: int) -> Iterator[Record | Row]:
        handle = open_input(path, what="zone file", regular_only=True)
        with handle:
            size = os.fstat(handle.fileno()).st_size
            if self.bytes_read + size > self.options.max_bytes:
                raise DoctorError(f"{path}: zone data exceeds {self.options.max_bytes} bytes")
            state = State(origin=origin, filename=str(path), context=NameContext(origin))
            scanner = Scanner(handle, str(path), self.options.max_entry_chars, self._count_bytes)
            for batch in scanner.batches():
                if self._fast:
                    yield from fast_rows(self, batch, state, path, depth)
                    continue
                for tokens, line, blank in batch:
                    if not blank and tokens[0][:1] == b"$":
                        text = [t.decode("latin-1") for t in tokens]
                        yield from self._directive(text, line, state, path, depth)
                    else:
                        text = [t.decode("latin-1") for t in tokens]
                        yield self._record(text, line, blank, state)

    def _error(self, state: State, line: int, message: str) -> DoctorError:
        return DoctorError(f"{state.filename}:{line}: {message}")

    def _directive(
        self, tokens: list[str], line: int, state: State, path: Path, depth: int
    ) -> Iterator[Record | Row]:
        name, args = tokens[0].upper(), tokens[1:]
        if name == "$ORIGIN":
            if len(args) != 1:
                raise self._error(state, line, "$ORIGIN takes one name")
            state.origin = self._parse_name(state, line, args[0])
            state.context = NameContext(state.origin)
            state.last_owner_text = None
            state.owner_token = b""
        elif name == "$TTL":
            if len(args) != 1:
                raise self._error(state, line, "$TTL takes one value")
            state.default_ttl = self._parse_ttl(state, line, args[0])
        elif name == "$INCLUDE":
            yield from self._include(tokens, line, state, path, depth)
        elif name == "$GENERATE":
            yield from self._generate(args, line, state)
        else:
            raise self._error(state, line, f"unknown directive {tokens[0]!r}")

    def _include(
        self, tokens: list[str], line: int, state: State, path: Path, depth: int
    ) -> Iterator[Record | Row]:
        if not self.options.allow_include:
            raise self._error(state, line, "$INCLUDE refused (use --allow-include to permit it)")
        if not 1 <= len(tokens) - 1 <= 2:
            raise self._error(state, line, "$INCLUDE takes a file and an optional origin")
        if depth + 1 > self.options.max_include_depth:
            raise self._error(state, line, "$INCLUDE nested too deeply")
        base = self.path.resolve().parent
        target = (path.parent / tokens[1]).resolve()
        if Path(tokens[1]).is_absolute() or not target.is_relative_to(base):
            raise self._error(
                state, line, "$INCLUDE may only name files in the zone file's directory"
            )
        origin = state.origin
        if len(tokens) == 3:
            origin = self._parse_name(state, line, tokens[2])
        yield from self._read_file(target, origin, depth + 1)

    def _generate(self, args: list[str], line: int, state: State) -> Iterator[Record | Row]:
        if len(args) < 4:
            raise self._error(state, line, "$GENERATE needs range, owner, type and data")
        try:
            span = generate.parse_range(args[0], self.options.max_generate)
        except ValueError as exc:
            raise self._error(state, line, str(exc)) from None
        self.generated += len(span)
        if self.generated > self.options.max_generate_total:
            raise self._error(
                state,
                line,
                f"$GENERATE lines make more than {self.options.max_generate_total} records "
                "together (the limit for one file)",
            )
        self._check_deadline()
        lhs, middle, rhs = args[1], args[2:-1], args[-1]
        for index, value in enumerate(span):
            if not index & 0xFFF:
                self._check_deadline()
            tokens = [generate.substitute(lhs, value), *middle, generate.substitute(rhs, value)]
            if self._fast:
                entry = ([t.encode("latin-1") for t in tokens], line, False)
                yield from fast_rows(
                    self, [entry], state, Path(state.filename), 0, directives=False
                )
            else:
                yield self._record(tokens, line, False, state)

    def _parse_name(self, state: State, line: int, text: str) -> dns.name.Name:
        try:
            if text == "@":
                return state.origin
            return dns.name.from_text(text, state.origin)
        except (dns.exception.DNSException, UnicodeError, ValueError) as exc:
            raise self._error(state, line, f"invalid name {text!r}: {exc}") from None

    def _parse_type(self, state: State, line: int, text: str) -> int:
        try:
            rdtype = dns.rdatatype.from_text(text)
        except (dns.exception.DNSException, ValueError):
            raise self._error(state, line, f"unknown record type {text!r}") from None
        if dns.rdatatype.is_metatype(rdtype) or rdtype == dns.rdatatype.OPT:
            raise self._error(state, line, f"type {text} cannot appear in a zone")
        if len(_TYPES) < 1024:
            _TYPES[text] = int(rdtype)
        return int(rdtype)

    def _parse_ttl(self, state: State, line: int, text: str) -> int:
        cached = _TTLS.get(text)
        if cached is not None:
            return cached
        try:
            value = dns.ttl.from_text(text)
        except (dns.exception.DNSException, ValueError) as exc:
            raise self._error(state, line, f"invalid TTL {text!r}: {exc}") from None
        if value > _MAX_TTL:
            raise self._error(state, line, f"TTL {value} above 2^31-1 (RFC 2181 §8)")
        if len(_TTLS) < 1024:
            _TTLS[text] = value
        return value

    def _head(self, tokens: list[str], state: State, line: int) -> tuple[int | None, int, int, int]:
        """TTL, class, type of a record without its owner, and where the RDATA starts."""
        ttl, rdclass, index = None, None, 0
        while index < len(tokens) and index < 2:
            token = tokens[index]
            if ttl is None and token[:1].isdigit():
                ttl = self._parse_ttl(state, line, token)
            elif rdclass is None and (cls := _class_of(token)) is not None:
                rdclass = cls
            else:
                break
            index += 1
        if index >= len(tokens):
            raise self._error(state, line, "record has no type")
        type_text = tokens[index]
        rdtype = _TYPES.get(type_text)
        if rdtype is None:
            rdtype = self._parse_type(state, line, type_text)
        rdclass = rdclass or self._class or dns.rdataclass.IN
        if self._class is None:
            self._class = rdclass
        return ttl, rdclass, rdtype, index + 1

    def _reference_wire(
        self, state: State, line: int, rdclass: int, rdtype: int, tokens: list[str]
    ) -> bytes:
        try:
            wire = rdata_wire(rdclass, rdtype, tokens, state.origin)
        except (dns.exception.DNSException, ValueError, UnicodeError) as exc:
            text = " ".join(tokens)
            if len(text) > 80:
                text = text[:77] + "..."
            name = dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))
            raise self._error(state, line, f"invalid {name} data {text!r}: {exc}") from None
        return wire

    def _finish(self, state: State, line: int, ttl: int | None, rdtype: int, wire: bytes) -> int:
        """Checks and bookkeeping shared by both ways of reading; returns the TTL."""
        if len(wire) > 0xFFFF:
            raise self._error(state, line, "RDATA longer than 65535 octets")
        if ttl is None:
            ttl = self._implicit_ttl(state, rdtype, wire)
        state.last_ttl = ttl
        self.count += 1
        if self.count > self.options.max_records:
            raise self._error(state, line, f"more than {self.options.max_records} records")
        return ttl

    def _record(self, tokens: list[str], line: int, blank: bool, state: State) -> Record:
        if blank:
            if state.last_owner is None:
                raise self._error(state, line, "record without an owner name")
            owner, rest = state.last_owner, tokens
        else:
            owner_text = tokens[0]
            if owner_text == state.last_owner_text and state.last_owner is not None:
                owner = state.last_owner
            else:
                owner = self._parse_name(state, line, owner_text)
                state.last_owner_text = owner_text
            rest = tokens[1:]
        state.last_owner = owner
        ttl, rdclass, rdtype, start = self._head(rest, state, line)
        wire = self._reference_wire(state, line, rdclass, rdtype, rest[start:])
        ttl = self._finish(state, line, ttl, rdtype, wire)
        return Record(owner, rdtype, rdclass, ttl, wire, line)

    def _owner(self, token: bytes, state: State, line: int) -> Owner:
        found = self.zone.owner(token, state.context.origin is self.origin)
        if found is not None:
            return found
        name = self._parse_name(state, line, token.decode("latin-1"))
        return self.zone.owner_of_name(name)

    def _implicit_ttl(self, state: State, rdtype: int, wire: bytes) -> int:
        # RFC 2308 §4: $TTL; before that, BIND and Knot use the last explicit TTL
        # and, for the SOA itself, its MINIMUM field.
        if state.default_ttl is not None:
            return state.default_ttl
        if state.last_ttl is not None:
            return state.last_ttl
        if rdtype == dns.rdatatype.SOA:
            return int.from_bytes(wire[-4:], "big")
        return _DEFAULT_TTL
