"""BIND's ``$GENERATE`` directive, bounded (untrusted files must not explode).

``$GENERATE start-stop[/step] lhs [ttl] [class] type rhs``; in lhs and rhs ``$``
is the iterator, ``${offset[,width[,base]]}`` formats it, ``\\$`` is a literal
dollar sign (BIND ARM, "Zone File" chapter).
"""

from __future__ import annotations

import re

_MODIFIER = re.compile(r"\$\{(-?\d+)(?:,(\d+)(?:,([doxXnN]))?)?\}")


def parse_range(text: str, maximum: int) -> range:
    """The iteration range; ValueError when malformed or longer than ``maximum``."""
    body, _, step_text = text.partition("/")
    start_text, dash, stop_text = body.partition("-")
    if not dash:
        raise ValueError(f"$GENERATE range {text!r} is not start-stop[/step]")
    start, stop = int(start_text), int(stop_text)
    step = int(step_text) if step_text else 1
    if start < 0 or stop < start or step < 1:
        raise ValueError(f"$GENERATE range {text!r} is invalid")
    count = (stop - start) // step + 1
    if count > maximum:
        raise ValueError(f"$GENERATE range {text!r} makes {count} records (limit {maximum})")
    return range(start, stop + 1, step)


def _format(value: int, width: int, base: str) -> str:
    if base in "nN":
        # nibble mode: reversed hex digits as labels (reverse-DNS style)
        digits = f"{value:0{width}x}" if base == "n" else f"{value:0{width}X}"
        return ".".join(reversed(digits))
    spec = {"d": "d", "o": "o", "x": "x", "X": "X"}[base]
    return f"{value:0{width}{spec}}"


def substitute(template: str, value: int) -> str:
    """Expand ``$`` and ``${offset,width,base}`` in one field for ``value``."""
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "\\" and i + 1 < len(template) and template[i + 1] == "$":
            out.append("$")
            i += 2
        elif ch == "$":
            match = _MODIFIER.match(template, i)
            if match:
                offset = int(match.group(1))
                width = int(match.group(2) or 0)
                base = match.group(3) or "d"
                out.append(_format(value + offset, min(width, 255), base))
                i = match.end()
            else:
                out.append(str(value))
                i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)
