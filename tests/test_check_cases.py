"""Golden `check` cases: recorded captures replayed offline give the scenario's diagnosis.

Each tests/cases/check-<scenario>/ holds a capture of the lab scenario and the
diagnosis its author expects (status, root-cause codes, the servers at fault).
Regenerate with `python tests/make_check_cases.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dnssec_doctor.capture import load_capture, save_capture
from dnssec_doctor.render.json_out import render_json
from dnssec_doctor.session import diagnose_capture
from dnssec_doctor.severity import Severity

CASES = sorted((Path(__file__).parent / "cases").glob("check-*"))


def test_there_are_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text())
    diagnosis = diagnose_capture(load_capture(case / "capture.json.gz"), expected["at"])
    roots = {f.code: f for f in diagnosis.root_causes()}
    assert diagnosis.status == expected["status"], (diagnosis.status, sorted(roots))
    for code in expected["root_causes"]:
        assert code in roots, (code, sorted(roots))
        if expected["servers"]:
            named = set(roots[code].servers)
            assert named and named <= set(expected["servers"]), (code, named)
    if not expected["root_causes"]:
        loud = [f.code for f in diagnosis.findings if f.severity >= Severity.WARNING]
        assert not loud, loud


@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_capture_round_trip_gives_the_same_diagnosis(tmp_path: Path, suffix: str) -> None:
    """save → load → the same analysis input, hence the same diagnosis (every case)."""
    for case in CASES:
        expected = json.loads((case / "expected.json").read_text())
        original = load_capture(case / "capture.json.gz")
        copy_path = tmp_path / f"{case.name}{suffix}"
        save_capture(original, copy_path)
        copy = load_capture(copy_path)
        assert copy.as_json() == original.as_json()
        first = render_json(diagnose_capture(original, expected["at"]))
        assert render_json(diagnose_capture(copy, expected["at"])) == first
