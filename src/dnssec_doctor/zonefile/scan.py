"""Fast lexing of big zone files: whole blocks at a time, the :class:`.Lexer` as fallback.

Signed zones are millions of lines, most of them the continuation lines of
parenthesised RRSIG records. Handling them a line at a time in Python costs more
than loading the zone in C, so a block of the file (a *segment*, cut just before a
line that starts with an owner name) is lexed with a few whole-block byte
operations: quoted strings are set aside, comments dropped, and the newlines
inside parentheses turned into form feeds (``\\x0c``, white space to
``bytes.split`` but not a line end), so each remaining line is one entry and
counting its form feeds gives the line numbers.

The shortcut only applies to segments it is sure about: printable ASCII without
backslashes, balanced parentheses, quoted strings closed on their line, no line
starting with a quote or parenthesis. Any other segment goes through
:class:`.Lexer` — the reference, which escapes control bytes, decodes escapes
and reports errors with their line — so both paths yield the same entries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.zonefile.lexer import Lexer

Entry = tuple[list[bytes], int, bool]
"""(tokens, line of the first token, whether the owner field is blank)."""

_ALLOWED = bytes(range(0x20, 0x7F)).replace(b"\\", b"") + b"\t\n"
_QUOTED = re.compile(rb'"[^"\n]*"')
_COMMENT = re.compile(rb";[^\n]*")
BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte-order mark some editors put at the start of a file."""
BLOCK = 1 << 20
"""Bytes read at a time (a segment is about this long)."""
_NOT_START = frozenset(b' \t;()"\r\n')
"""First bytes of a line that may continue an entry (never cut a segment before them)."""


def _join_parentheses(text: bytes) -> bytes | None:
    """Replace ``(`` and ``)`` by spaces and the newlines between them by form feeds.

    None when the parentheses are not balanced pairs (nesting, a stray ``)``, or
    one left open at the end of the segment).
    """
    parts = text.split(b"(")
    if b")" in parts[0]:
        return None
    out = [parts[0]]
    for part in parts[1:]:
        inner, closed, rest = part.partition(b")")
        if not closed or b")" in rest:
            return None
        out.append(inner.replace(b"\n", b"\x0c"))
        out.append(rest)
    return b" ".join(out)


def fast_entries(segment: bytes, line: int) -> list[Entry] | None:
    """The entries of ``segment`` (starting at ``line``), or None when it needs the Lexer."""
    if b"\r" in segment:
        segment = segment.replace(b"\r\n", b"\n")
        if b"\r" in segment:
            return None
    if segment.translate(None, _ALLOWED):
        return None  # control bytes, non-ASCII or backslashes: the Lexer escapes/decodes
    strings: list[bytes] = []
    if b'"' in segment:
        if segment[:1] == b'"' or b'\n"' in segment:
            return None

        def keep(match: re.Match[bytes]) -> bytes:
            strings.append(match.group())
            return b" \x0e%d " % (len(strings) - 1)

        segment = _QUOTED.sub(keep, segment)
        if b'"' in segment:
            return None  # unterminated: the Lexer reports it
    if b";" in segment:
        segment = _COMMENT.sub(b"", segment)
    if b"(" in segment or b")" in segment:
        if segment[:1] == b"(" or b"\n(" in segment:
            return None
        joined = _join_parentheses(segment)
        if joined is None:
            return None
        segment = joined
    out: list[Entry] = []
    append = out.append
    for text in segment.split(b"\n"):
        tokens = text.split()
        if tokens:
            if strings and b"\x0e" in text:
                tokens = [strings[int(t[1:])] if t[0] == 14 else t for t in tokens]
            append((tokens, line, text[0] < 33))  # starts with a space or tab
        line += 1 + text.count(b"\x0c")
    return out


class Scanner:
    """Entries of one file, read block by block.

    ``on_bytes`` is told how many bytes each read returned (for limits and
    progress). Entries come in file order with the line they start on.
    """

    def __init__(
        self,
        handle: BinaryIO,
        filename: str,
        max_entry_chars: int,
        on_bytes: Callable[[int], None],
        block: int = 0,
    ) -> None:
        self._handle = handle
        self._filename = filename
        self._max = max_entry_chars
        self._on_bytes = on_bytes
        self._block = block or BLOCK
        self._buf = b""
        self._pos = 0
        self._base = 0
        """File offset of ``_buf[0]``."""
        self._eof = False
        self.line = 1
        """Number of the next line to read."""

    def _read(self, size: int = 0) -> bool:
        """Append at least a block (``size`` bytes if more) to the buffer; False at the end.

        Callers waiting for the end of a long line ask for as much as they hold, so
        the buffer doubles and a line of any length costs linear time.
        """
        if self._eof:
            return False
        chunk = self._handle.read(max(self._block, size))
        if not chunk:
            self._eof = True
            return False
        self._on_bytes(len(chunk))
        if self._base == 0 and self._pos == 0 and not self._buf and chunk[:3] == BOM:
            chunk = chunk[3:]  # a UTF-8 byte-order mark is no part of the first owner
            self._base = 3
        self._base += self._pos
        self._buf = self._buf[self._pos :] + chunk
        self._pos = 0
        return True

    def _check_line(self, pending: int) -> None:
        """DoctorError when ``pending`` bytes without a line end already exceed the cap:
        a 1 GB line is refused after a few MB, never held whole."""
        if pending > self._max:
            raise DoctorError(
                f"{self._filename}:{self.line}: a line longer than {self._max} characters "
                "(the limit for one zone-file line)"
            )

    def _cut(self) -> int | None:
        """End (in ``_buf``) of the next segment, None at the end of the file."""
        while len(self._buf) - self._pos < self._block and self._read():
            pass
        while True:
            buf, pos = self._buf, self._pos
            if pos >= len(buf):
                return None
            if self._eof:
                return len(buf)
            last = buf.rfind(b"\n", pos, len(buf) - 1)
            if last >= pos:
                break
            self._check_line(len(buf) - pos)
            self._read(len(buf) - pos)  # one line longer than a block: read on to its end
        index = last
        for _ in range(10_000):
            if index < pos:
                break
            if buf[index + 1] not in _NOT_START:
                return index + 1
            index = buf.rfind(b"\n", pos, index)
        # no line that surely starts an entry: cut at a line end anyway (a segment
        # that ends inside parentheses is not balanced and goes to the Lexer)
        return last + 1 if last >= pos else len(buf)

    def entries(self) -> Iterator[Entry]:
        """Every entry of the file."""
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[Entry]]:
        """Every entry of the file, in lists (one per segment on the fast path)."""
        while True:
            end = self._cut()
            if end is None:
                return
            segment = self._buf[self._pos : end]
            found = fast_entries(segment, self.line)
            if found is not None:
                self._pos = end
                self.line += segment.count(b"\n")
                yield found
                continue
            for entry in self._slow(self._base + end):
                yield [entry]

    def _slow(self, end: int) -> Iterator[Entry]:
        """The Lexer over the lines up to file offset ``end`` (and beyond, to finish an entry)."""
        lexer = Lexer(self._lines_until(end), self._filename, self._max,
                      first_line=self.line, more=self._next_line)  # fmt: skip
        for entry in lexer.entries():
            yield [t.encode("latin-1") for t in entry.tokens], entry.line, entry.continued_owner
        self.line = lexer.line + 1

    def _lines_until(self, end: int) -> Iterator[bytes]:
        while self._base + self._pos < end:
            line = self._next_line()
            if line is None:
                return
            yield line

    def _next_line(self) -> bytes | None:
        searched = 0  # bytes after _pos already known to hold no newline
        while True:
            index = self._buf.find(b"\n", self._pos + searched)
            if index >= 0:
                line = self._buf[self._pos : index + 1]
                self._pos = index + 1
                return line
            searched = len(self._buf) - self._pos
            self._check_line(searched)
            if not self._read(searched):
                if self._pos >= len(self._buf):
                    return None
                line = self._buf[self._pos :]
                self._pos = len(self._buf)
                return line
