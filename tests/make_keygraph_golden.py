"""Regenerate the golden key-level graphs: python tests/make_keygraph_golden.py.

Replays every recorded lab scenario (tests/cases/check-*/) at its recorded time and
writes the DOT ``check --format dot`` prints for it to tests/data/keygraph/<case>.dot.
The replay is deterministic, so test_keygraph.py compares byte for byte. Review the
diff before committing: each file is what a user sees for that broken zone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.render.keydot import render_graph_dot
from dnssec_doctor.session import diagnose_capture

CASES = sorted((Path(__file__).parent / "cases").glob("check-*"))
GOLDEN = Path(__file__).parent / "data" / "keygraph"


def diagnosis_of(case: Path) -> Diagnosis:
    """The diagnosis of a recorded case, as of the time its author expects."""
    expected = json.loads((case / "expected.json").read_text())
    return diagnose_capture(load_capture(case / "capture.json.gz"), expected["at"])


def golden_path(case: Path) -> Path:
    """Where the expected DOT of ``case`` is stored."""
    return GOLDEN / f"{case.name}.dot"


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        golden_path(case).write_text(render_graph_dot(diagnosis_of(case)), encoding="ascii")
        print(f"wrote {golden_path(case)}")


if __name__ == "__main__":
    main()
