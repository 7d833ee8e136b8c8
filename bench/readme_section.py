"""Each benchmark writes its own ``## …`` section of bench/README.md; the rest stays."""

from __future__ import annotations

import sys
from pathlib import Path


def write_section(section: str, text: str, readme: Path) -> None:
    """Replace (or append) the section headed ``section`` of ``readme`` with ``text``."""
    old = readme.read_text() if readme.exists() else "# Benchmarks\n"
    start = old.find(section + "\n")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    else:
        end = old.find("\n## ", start + len(section))
        rest = old[end + 1 :] if end >= 0 else ""
        new = old[:start] + text.rstrip("\n") + "\n" + ("\n" + rest if rest else "")
    readme.write_text(new)
    print(f"wrote the {section[3:]!r} section of {readme}", file=sys.stderr)
