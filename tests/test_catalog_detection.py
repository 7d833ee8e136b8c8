"""The catalog says honestly which codes dnssec-doctor reports today.

A code marked ``not_detected`` is emitted by no check (the marker would lie once one
does); every other code is emitted by some check, and a full test run makes each of
them appear at least once (tests/conftest.py, ``pytest_sessionfinish``). ``explain``
and docs/codes.md say "not detected yet" instead of promising evidence no report shows.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dnssec_doctor import catalog
from dnssec_doctor.catalog.markdown import render_markdown

SOURCE = Path(catalog.__file__).parent.parent
"""src/dnssec_doctor: the checks (the catalog itself excluded below)."""
MENTIONS_ONLY = {"analysis/graph/links.py"}
"""Modules that name codes to draw them (the graph's code → element table), never emit."""


def _check_sources() -> str:
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(SOURCE.rglob("*.py"))
        if "catalog" not in p.relative_to(SOURCE).parts
        and p.relative_to(SOURCE).as_posix() not in MENTIONS_ONLY
    )


def _mentions(text: str, code: str) -> bool:
    """A check names a code as the enum member or, in older checks, as a string."""
    return re.search(rf"\bCode\.{code}\b", text) is not None or f'"{code}"' in text


def test_a_code_not_detected_is_emitted_by_no_check() -> None:
    text = _check_sources()
    for entry in catalog.ALL_ENTRIES:
        if not entry.detected:
            assert not _mentions(text, entry.code), f"{entry.code} is emitted: drop not_detected"


def test_a_detected_code_is_emitted_by_some_check() -> None:
    text = _check_sources()
    silent = [e.code for e in catalog.ALL_ENTRIES if e.detected and not _mentions(text, e.code)]
    assert not silent, f"no check emits {silent}: mark them not_detected in the catalog"


def test_history_codes_are_detected_only_by_the_history_modules() -> None:
    """The timing codes need the history of earlier checks: a check that reports one
    must live with the history store, where earlier observations are read."""
    history = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted((SOURCE / "history").glob("*.py"))
    )
    detected = [e for e in catalog.ALL_ENTRIES if "(from history)" in e.evidence and e.detected]
    assert detected, "the rollover-timing codes are reported from history"
    for entry in detected:
        assert _mentions(history, entry.code), entry.code


def test_explain_says_a_code_is_not_detected_yet() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dnssec_doctor", "explain", "BOOTSTRAP_SIGNAL_INVALID"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "Not detected yet: dnssec-doctor does not report this code today" in result.stdout
    assert "Evidence shown:" not in result.stdout
    detected = subprocess.run(
        [sys.executable, "-m", "dnssec_doctor", "explain", "RRSIG_EXPIRED"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "Evidence shown:" in detected.stdout and "Not detected" not in detected.stdout


@pytest.mark.parametrize("code", ["BOOTSTRAP_SIGNAL_INVALID", "MULTI_SIGNER_KEYSET_INCOMPLETE"])
def test_the_documentation_says_so_too(code: str) -> None:
    doc = render_markdown()
    section = doc.split(f"### {code}\n", 1)[1].split("\n### ", 1)[0]
    assert "**Not detected yet.**" in section and "**Evidence.**" not in section
    assert re.search(rf"\| \[`{code}`\].*\(not detected yet\) \|", doc)


def test_no_fix_calls_rectify_zone_a_re_sign() -> None:
    """pdnsutil rectify-zone fixes ordering data; it signs nothing (PowerDNS signs on the
    fly). Fixes that say "re-sign" name what does it with PowerDNS."""
    for entry in catalog.ALL_ENTRIES:
        assert not re.search(r"PowerDNS: pdnsutil rectify-zone ZONE[;)]", entry.fix), entry.code
