"""Zone-file lexing (RFC 1035 §5.1): logical entries from physical lines.

An entry is one record or directive: its tokens, the line it starts on, and
whether it starts with white space (the owner is then the previous one).
Parentheses join lines; ``;`` starts a comment; quoted strings keep their quotes
and escapes so the RDATA can be re-read exactly. Bytes outside printable ASCII
become ``\\DDD`` escapes, so a hostile file cannot smuggle terminal control
characters or invalid text into names or messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dnssec_doctor.errors import DoctorError

_SPECIAL = frozenset('();"\\')
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\xff]")
"""Control characters and non-ASCII (the line was decoded as latin-1); tab is fine."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One logical entry: tokens (raw text), first line number, blank-owner flag."""

    tokens: list[str]
    line: int
    continued_owner: bool


def _escape_nonprintable(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if 0x20 <= code < 0x7F or ch == "\t":
            out.append(ch)
        else:
            out.append(f"\\{code:03d}")
    return "".join(out)


class Lexer:
    """Turns the lines of a zone file into :class:`Entry` objects.

    ``max_entry_chars`` bounds a parenthesised entry, so an unbalanced ``(`` in a
    huge file is an error with a line number, not a memory exhaustion.
    """

    def __init__(
        self,
        lines: Iterator[bytes],
        filename: str,
        max_entry_chars: int,
        *,
        first_line: int = 1,
        more: Callable[[], bytes | None] | None = None,
    ) -> None:
        self._lines = lines
        self._filename = filename
        self._max = max_entry_chars
        self.line = first_line - 1
        self._more = more if more is not None else lambda: next(self._lines, None)
        """Where continuation lines of a parenthesised entry come from."""

    def _error(self, message: str, line: int) -> DoctorError:
        return DoctorError(f"{self._filename}:{line}: {message}")

    def entries(self) -> Iterator[Entry]:
        """Yield entries in file order; DoctorError on unbalanced quotes/parentheses."""
        for raw in self._lines:
            self.line += 1
            text = raw.decode("latin-1").rstrip("\r\n")
            if _UNPRINTABLE.search(text):
                text = _escape_nonprintable(text)
            if not text or text.isspace():
                continue
            first = text[0]
            if not _SPECIAL.intersection(text):
                tokens = text.split()
                if tokens:
                    yield Entry(tokens, self.line, first in " \t")
                continue
            entry = self._slow(text)
            if entry is not None:
                yield entry

    def _slow(self, text: str) -> Entry | None:
        start = self.line
        tokens: list[str] = []
        depth = 0
        size = 0
        while True:
            depth = self._scan(text, tokens, depth, start)
            if depth == 0:
                break
            size += len(text)
            if size > self._max:
                raise self._error("entry too long (unbalanced parenthesis?)", start)
            nxt = self._more()
            if nxt is None:
                raise self._error("unbalanced parenthesis at end of file", start)
            self.line += 1
            text = nxt.decode("latin-1").rstrip("\r\n")
            if _UNPRINTABLE.search(text):
                text = _escape_nonprintable(text)
        blank = bool(tokens) and tokens[0] == ""
        if blank:
            del tokens[0]
        if not tokens:
            return None
        return Entry(tokens, start, blank)

    def _scan(self, text: str, tokens: list[str], depth: int, start: int) -> int:
        """Tokenise one physical line, appending to ``tokens``; returns paren depth."""
        if depth == 0 and not tokens and text[:1] in (" ", "\t"):
            tokens.append("")  # marker: blank owner, removed by the caller
        if '"' not in text and "\\" not in text:
            # common case (multi-line RRSIG/DNSKEY/SOA): no quoting, plain split
            body = text.split(";", 1)[0]
            opened, closed = body.count("("), body.count(")")
            if closed and (depth + opened - closed < 0 or body.rfind("(") > body.find(")") >= 0):
                return self._scan_chars(text, tokens, depth)
            tokens.extend(body.replace("(", " ").replace(")", " ").split())
            return depth + opened - closed
        return self._scan_chars(text, tokens, depth)

    def _scan_chars(self, text: str, tokens: list[str], depth: int) -> int:
        """Character-level tokeniser for lines with quotes or escapes."""
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch in " \t":
                i += 1
            elif ch == ";":
                break
            elif ch == "(":
                depth += 1
                i += 1
            elif ch == ")":
                depth -= 1
                if depth < 0:
                    raise self._error("unbalanced ')'", self.line)
                i += 1
            elif ch == '"':
                j = i + 1
                while j < n and text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                if j >= n:
                    raise self._error("unterminated quoted string", self.line)
                tokens.append(text[i : j + 1])
                i = j + 1
            else:
                j = i
                while j < n and text[j] not in ' \t;()"':
                    j += 2 if text[j] == "\\" else 1
                tokens.append(text[i:j])
                i = j
        return depth
