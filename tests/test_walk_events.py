"""Every event the delegation walk can record names a code and a case the catalog words.

The probe writes codes as text (it does not load the catalog before its first query),
so a typo would only show when that event happens; this reads every ``WalkEvent`` the
probe builds and checks its code and case against the catalog.
"""

from __future__ import annotations

import ast
from pathlib import Path

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code

PROBE = Path(catalog.__file__).parent.parent / "probe"


def _walk_events() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(PROBE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "WalkEvent":
                code, _zone, says = node.args[:3]
                assert isinstance(code, ast.Constant) and isinstance(says, ast.Constant)
                found.append((path.name, str(code.value), str(says.value)))
    return found


def test_every_walk_event_names_a_known_code_and_case() -> None:
    events = _walk_events()
    assert len(events) >= 9  # loops, wrong referrals, unusable NS names, cut-offs
    for where, code, says in events:
        assert catalog.entry(Code(code)).details.get(says), f"{where}: {code}/{says}"
