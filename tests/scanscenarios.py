"""What the multi-process `scan` tests (worker processes, Dask) scan and compare.

A mix of healthy, broken and dead-server lab scenarios (not all: each scan of them takes
a while), and a scan's output reduced to what two ways of scanning must agree on.
"""

from __future__ import annotations

import json
from pathlib import Path

from dnssec_doctor.scan.records import Record

SCENARIOS = (
    "good-nsec", "good-nsec3", "unsigned", "island-of-security", "expired-signatures",
    "ds-no-matching-key", "zsk-removed-early", "secondary-stale", "lame-server", "sha1-only-ds",
    "cds-mismatch", "middlebox-drop-do", "deprecated-algorithm", "refused-server",
)  # fmt: skip

Outcome = list[tuple[int, str, str, object]]
"""(input line, name, status, root causes) per record, in the order written."""


def outcome(path: Path) -> Outcome:
    """The JSON Lines output at ``path``, reduced to :data:`Outcome`."""
    got: list[Record] = [json.loads(line) for line in path.read_text().splitlines()]
    return [(r["line"], r["name"], r["status"], r.get("root_causes")) for r in got]
