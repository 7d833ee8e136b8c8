"""``make bench``: run every benchmark script in ``bench/``, one after the other.

A benchmark is any ``bench/*.py`` with a top-level ``main()`` (found by
reading the source, not by importing it). ``peers.py`` runs first: it lists
the peer tools and their versions. Each script runs in its own interpreter,
so one that fails does not stop the others; the exit status is 1 when any
failed.

    .venv/bin/python bench/run.py [--write] [--list] [NAME ...]

``NAME`` selects scripts (``check_bench`` or ``check_bench.py``); ``--write``
is passed to the scripts that accept it (they then update ``bench/README.md``).
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
FIRST = ("peers",)
"""Scripts that run before the others, in this order."""

_RUN_MAIN = (
    "import importlib, sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "module = importlib.import_module(sys.argv[2])\n"
    "sys.argv = [module.__file__, *sys.argv[3:]]\n"
    "status = module.main()\n"
    "sys.exit(status if isinstance(status, int) else 0)\n"
)


def has_main(path: Path) -> bool:
    """True when the file defines a top-level function ``main``."""
    try:
        tree = ast.parse(path.read_text(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return False
    return any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body)


def scripts() -> list[Path]:
    """Every benchmark script, ``FIRST`` ones first, then by name."""
    found = [p for p in sorted(BENCH.glob("*.py")) if p.name != "run.py" and has_main(p)]
    first = [p for stem in FIRST for p in found if p.stem == stem]
    return first + [p for p in found if p.stem not in FIRST]


def accepts_write(path: Path) -> bool:
    """True when the script has a ``--write`` option."""
    return '"--write"' in path.read_text()


def run(path: Path, write: bool) -> tuple[int, float]:
    """Run one script's ``main()`` in a fresh interpreter; its exit status and wall time."""
    args = ["--write"] if write and accepts_write(path) else []
    argv = [sys.executable, "-c", _RUN_MAIN, str(BENCH), path.stem, *args]
    print(f"\n=== {path.name} {' '.join(args)}".rstrip(), flush=True)
    start = time.monotonic()
    status = subprocess.run(argv, check=False).returncode
    return status, time.monotonic() - start


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected benchmark scripts (all by default); 1 when any failed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="scripts to run (default: all)")
    parser.add_argument("--write", action="store_true", help="let scripts update README.md")
    parser.add_argument("--list", action="store_true", help="list the scripts and stop")
    args = parser.parse_args(argv)
    chosen = scripts()
    if args.names:
        wanted = {n.removesuffix(".py") for n in args.names}
        unknown = wanted - {p.stem for p in chosen}
        if unknown:
            parser.error(f"no benchmark script {', '.join(sorted(unknown))}")
        chosen = [p for p in chosen if p.stem in wanted]
    if args.list:
        print("\n".join(p.name for p in chosen))
        return 0
    failed = []
    for path in chosen:
        status, seconds = run(path, args.write)
        print(f"=== {path.name}: exit {status} after {seconds:.0f} s", flush=True)
        if status != 0:
            failed.append(path.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
