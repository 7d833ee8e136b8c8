"""Styled text for a terminal: lines of spans, ANSI SGR codes only when colour is on.

The text report needs a handful of styles and word wrapping, nothing more; rich
would cost more start-up time than a whole ``check`` of a healthy zone on a fast
network. Spans hold plain text: this module never interprets markup, and callers
escape DNS data (``escape.terminal``) before it reaches a span.
"""

from __future__ import annotations

import copy
import os
import textwrap
from collections.abc import Iterator, Sequence

Span = tuple[str, str]
"""Text and its style: space-separated words from ``ATTRIBUTES`` and ``COLOURS``, a
background as ``on COLOUR`` (``"bold white on red"``), or ``""`` for none."""

ATTRIBUTES = {"bold": 1, "dim": 2, "underline": 4}
COLOURS = {"red": 31, "green": 32, "yellow": 33, "magenta": 35, "cyan": 36, "white": 37}
RESET = "\x1b[0m"


def sgr(style: str) -> str:
    """The escape sequence that turns ``style`` on ("" for no style).

    Attributes come first, then the foreground, then the background, as rich wrote
    them: the same bytes as the reports before this module.
    """
    words = style.split()
    attributes: list[int] = []
    foreground: list[int] = []
    background: list[int] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "on" and i + 1 < len(words) and words[i + 1] in COLOURS:
            background.append(COLOURS[words[i + 1]] + 10)
            i += 2
            continue
        if word in ATTRIBUTES:
            attributes.append(ATTRIBUTES[word])
        elif word in COLOURS:
            foreground.append(COLOURS[word])
        else:
            raise ValueError(f"unknown style {word!r} in {style!r}")
        i += 1
    codes = sorted(set(attributes)) + foreground[-1:] + background[-1:]
    return f"\x1b[{';'.join(map(str, codes))}m" if codes else ""


def dumb_terminal() -> bool:
    """Whether ``TERM`` says the terminal understands no escape sequences (as rich
    decided for the report before: Emacs' shell mode sets ``TERM=dumb``)."""
    return os.environ.get("TERM", "").lower() in ("dumb", "unknown")


class _Wrapper(textwrap.TextWrapper):
    """A word longer than the line starts a line of its own before it is cut, as rich
    did, rather than filling the end of the previous line."""

    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        if cur_line:
            return
        super()._handle_long_word(reversed_chunks, cur_line, cur_len, width)


class StyledWriter:
    """Collects lines of styled spans and renders them at a fixed width."""

    def __init__(self, *, color: bool, width: int = 100) -> None:
        self.color = color
        self.width = width
        self._out: list[str] = []
        self._wrapper = _Wrapper(
            width=max(1, width),
            expand_tabs=False,
            replace_whitespace=False,
            break_on_hyphens=False,  # dates, key tags and names hold hyphens
        )

    def line(self, *spans: str | Span, wrap: bool = True, hang: int | None = None) -> None:
        """Add one line (more if a span holds ``\\n``); a bare string is unstyled.

        With ``wrap``, lines longer than the width break at spaces (a longer word is
        cut) and the continuation lines keep the line's indentation (or start at
        column ``hang``); without, they are left to the terminal, so a record to copy
        stays whole.
        """
        for physical in _split_lines([s if isinstance(s, tuple) else (s, "") for s in spans]):
            for piece in self._wrap(physical, hang) if wrap else (physical,):
                self._out.append("".join(self._render(span) for span in piece) + "\n")

    def blank(self) -> None:
        """Add an empty line."""
        self._out.append("\n")

    def getvalue(self) -> str:
        """Everything written so far."""
        return "".join(self._out)

    def _render(self, span: Span) -> str:
        text, style = span
        if not text or not self.color or not style:
            return text
        return f"{sgr(style)}{text}{RESET}"

    def _wrap(self, spans: list[Span], hang: int | None = None) -> Iterator[list[Span]]:
        text = "".join(t for t, _ in spans)
        if len(text) <= self.width or not text.strip():
            yield spans
            return
        # Continuations keep the line's indentation (or start at ``hang``), leaving room
        # for the words: half the line for an indentation, 20 columns for a hang.
        if hang is None:
            indent = len(text) - len(text.lstrip(" "))
            indent = min(indent, self.width - min(40, self.width // 2))
        else:
            indent = max(0, min(hang, self.width - 20))
        wrapper = self._wrapper
        if indent:
            wrapper = copy.copy(self._wrapper)
            wrapper.subsequent_indent = " " * indent
        # Every wrapped line is a piece of ``text`` in order (after the indentation the
        # wrapper adds), with only whitespace dropped between pieces: find each to cut
        # the spans at the same places.
        pos = 0
        for number, piece in enumerate(wrapper.wrap(text)):
            body = piece[indent:] if number and indent else piece
            start = text.find(body, pos)
            pos = start + len(body)
            yield ([(" " * indent, "")] if number and indent else []) + _slice(spans, start, pos)


def _split_lines(spans: Sequence[Span]) -> Iterator[list[Span]]:
    """The spans of each line, cutting spans that hold line breaks."""
    current: list[Span] = []
    for text, style in spans:
        first, *rest = text.split("\n")
        current.append((first, style))
        for part in rest:
            yield current
            current = [(part, style)]
    yield current


def _slice(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    """The spans covering characters ``start:end`` of their joined text."""
    out: list[Span] = []
    offset = 0
    for text, style in spans:
        lo, hi = max(start, offset), min(end, offset + len(text))
        if lo < hi:
            out.append((text[lo - offset : hi - offset], style))
        offset += len(text)
    return out
