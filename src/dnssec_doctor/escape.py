"""Making DNS data safe for a sink: a terminal, HTML, DOT.

Labels and TXT strings can hold any byte: terminal escape sequences, markup like
``[red]``, ``<script>``. Every renderer passes DNS-derived text through the function
for its sink (the demo's rich table takes ``Text`` objects, which rich never reads
as markup, built from :func:`terminal`).
"""

from __future__ import annotations

# C0 controls, DEL and every C1 control as ``\DDD`` (the RFC 1035 §5.1 presentation
# escape, decimal). All of C1 counts: 8-bit terminals take CSI (0x9B), OSC (0x9D),
# DCS (0x90), APC (0x9F) … as introducers just like ESC [, and NEL (0x85) breaks lines.
_UNSAFE: dict[int, str] = {i: f"\\{i:03d}" for i in (*range(0x20), *range(0x7F, 0xA0))}
# Characters that reorder or break what is displayed around them (Trojan Source,
# CVE-2021-42574): bidi embeddings, overrides, isolates and marks; line and paragraph
# separators. Lone surrogates cannot be encoded at all and would crash the writer.
_UNSAFE.update(
    {
        c: f"\\u{c:04x}"
        for c in (
            0x061C,
            0x200E,
            0x200F,
            *range(0x202A, 0x202F),
            *range(0x2066, 0x206A),
            0x2028,
            0x2029,
            *range(0xD800, 0xE000),
        )
    }
)


def terminal(text: str) -> str:
    """Control characters (ESC, CSI, BEL, newlines in data) as ``\\DDD``; bidi controls,
    line separators and lone surrogates as ``\\uXXXX``."""
    return text.translate(_UNSAFE)


def terminal_keep_newlines(text: str) -> str:
    """Like ``terminal`` but keeps line breaks (for multi-line report text we wrote)."""
    return "\n".join(terminal(line) for line in text.split("\n"))


def html_text(text: str) -> str:
    """Safe inside HTML element content and quoted attributes."""
    # Imported here: ``html`` loads a table of 2,231 named entities, which the text
    # report and the other commands do not need.
    from html import escape

    return escape(terminal(text), quote=True)


def html_block(text: str) -> str:
    """Like ``html_text`` but keeps line breaks (for a ``white-space: pre-wrap`` block)."""
    from html import escape

    return escape(terminal_keep_newlines(text), quote=True)


def dot_label(text: str) -> str:
    """Safe inside a double-quoted DOT string, and ASCII.

    Graphviz decodes HTML entities even in plain labels (``&#x202E;`` becomes a
    bidi override), so ``&`` is escaped too; other non-ASCII characters are written
    as numeric entities, which Graphviz turns back into the same characters.
    """
    escaped = terminal(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return escaped.encode("ascii", "xmlcharrefreplace").decode("ascii")


def plugin_text(text: str) -> str:
    """Safe in a monitoring plugin's output text: one line, and no ``|``.

    Nagios and Icinga read everything after the first ``|`` of a line as performance
    data, so a ``|`` in a label (legal in DNS) would inject metrics: it is written as
    ``\\124``, the RFC 1035 §5.1 escape the other control characters get.
    """
    return terminal(text).replace("|", "\\124")
