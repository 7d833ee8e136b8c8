"""What a diagnosis must say about a lab scenario: exactly its root causes, every other
finding linked to the cause its author named, none of the forbidden codes.

Shared by the golden cases (recorded captures, test_check_cases.py) and the live
lab (test_check_lab.py); the expectation is ``make_check_cases.expected(info)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.model.severity import Severity


def consequences(diagnosis: Diagnosis) -> dict[str, list[str]]:
    """Every finding that is not a root cause → the codes of the findings it is linked to."""
    codes = {f.key: f.code for f in diagnosis.findings}
    out: dict[str, set[str]] = {}
    for f in diagnosis.findings:
        if f.caused_by:
            out.setdefault(f.code, set()).update(codes.get(k, k) for k in f.caused_by)
    return {code: sorted(causes) for code, causes in sorted(out.items())}


def assert_diagnosis(diagnosis: Diagnosis, expected: Mapping[str, Any]) -> None:
    """Status, the complete root causes, the links, the forbidden codes, the servers."""
    roots = {f.code: f for f in diagnosis.root_causes()}
    shown = [(f.code, f.servers, f.caused_by) for f in diagnosis.findings]
    assert diagnosis.status == expected["status"], (diagnosis.status, shown)
    assert sorted(roots) == expected["root_causes"], shown
    assert consequences(diagnosis) == expected["consequences"], shown
    found = {f.code for f in diagnosis.findings}
    assert not found & set(expected["forbidden"]), sorted(found & set(expected["forbidden"]))
    for code in expected["root_causes"]:
        if expected["servers"] and roots[code].severity >= Severity.WARNING:
            named = set(roots[code].servers)
            assert named and named <= set(expected["servers"]), (code, named)
    if not expected["root_causes"]:
        loud = [f.code for f in diagnosis.findings if f.severity >= Severity.WARNING]
        assert not loud, loud
