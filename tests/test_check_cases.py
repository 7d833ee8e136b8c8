"""Golden `check` cases: recorded captures replayed offline give the scenario's diagnosis.

Each tests/cases/check-<scenario>/ holds a capture of the lab scenario and the
diagnosis its author expects: the status, the COMPLETE set of root-cause codes, every
other finding with the root cause it must be linked to, codes that must not appear at
all (the plausible wrong diagnoses), and the servers at fault. Regenerate with
`python tests/make_check_cases.py` (``--expectations-only`` after a scenario's
expectation changed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diagnosis_expect import assert_diagnosis
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.model.capture import load_capture, save_capture
from dnssec_doctor.model.diagnosis_json import render_json
from dnssec_doctor.session import diagnose_capture
from labbases import RECORDED_EMBEDDED
from labthread import LAB_NOW, LAB_SEED
from make_check_cases import expected as expectation_of

CASES = sorted((Path(__file__).parent / "cases").glob("check-*"))
CASES_DIR = Path(__file__).parent / "cases"


def test_there_are_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text())
    diagnosis = diagnose_capture(load_capture(case / "capture.json.gz"), expected["at"])
    assert_diagnosis(diagnosis, expected)


def test_a_root_cause_leads_with_the_severity_of_its_chain() -> None:
    """Reports order root causes by the worst finding they lead to: no consequence is
    more severe than the root cause it is linked to."""
    for case in CASES:
        expected = json.loads((case / "expected.json").read_text())
        diagnosis = diagnose_capture(load_capture(case / "capture.json.gz"), expected["at"])
        by_key = {f.key: f for f in diagnosis.findings}
        for f in diagnosis.findings:
            for cause in f.caused_by:
                assert by_key[cause].severity >= f.severity, (case.name, f.code, cause)


def test_the_cases_say_what_the_lab_scenarios_say() -> None:
    """expected.json is written from the scenario (lab/scenarios_*.py): the two never
    drift apart, so the demo and the golden cases expect the same diagnosis."""
    plan = build_lab(LAB_NOW, base=RECORDED_EMBEDDED, seed=LAB_SEED)
    recorded = {c.name.removeprefix("check-") for c in CASES}
    for info in plan.scenarios:
        if info.name in recorded:
            on_disk = json.loads((CASES_DIR / f"check-{info.name}" / "expected.json").read_text())
            assert on_disk == expectation_of(info), info.name
    assert recorded <= {info.name for info in plan.scenarios}


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
