"""Making DNS data safe for a sink: a terminal, rich markup, HTML, DOT.

Labels and TXT strings can hold any byte: terminal escape sequences, rich
markup like ``[red]``, ``<script>``. Every renderer passes DNS-derived text
through the function for its sink.
"""

from __future__ import annotations

import html

_CONTROL = {i: f"\\{i:03d}" for i in (*range(0x20), 0x7F)}
_CONTROL.update({0x9B: "\\155"})  # C1 CSI introduces escape sequences too
_BIDI = {
    c: f"\\u{c:04x}"
    for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069)
}


def terminal(text: str) -> str:
    """Control characters (ESC, CSI, BEL, newlines in data) as ``\\DDD``; bidi overrides shown."""
    return text.translate(_CONTROL).translate(_BIDI)


def terminal_keep_newlines(text: str) -> str:
    """Like ``terminal`` but keeps line breaks (for multi-line report text we wrote)."""
    return "\n".join(terminal(line) for line in text.split("\n"))


def rich_markup(text: str) -> str:
    """Safe for rich markup and for a terminal."""
    from rich.markup import escape

    return escape(terminal(text))


def html_text(text: str) -> str:
    """Safe inside HTML element content and quoted attributes."""
    return html.escape(terminal(text), quote=True)


def dot_label(text: str) -> str:
    """Safe inside a double-quoted DOT string."""
    return terminal(text).replace("\\", "\\\\").replace('"', '\\"')
