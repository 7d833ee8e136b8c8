"""dnspython's features decided without package metadata: the same answers, cheaper."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dnssec_doctor.cli.dnsfeatures import satisfied, version_numbers

_REPORT = """
import json, sys
if sys.argv[1] == "prepared":
    from dnssec_doctor.cli.dnsfeatures import prepare
    prepare()
import dns.name, dns.message, dns.dnssec, dns._features
from dnssec_doctor.cli.dnsfeatures import FEATURES
loaded = "email" in sys.modules  # importlib.metadata's heaviest import
answers = {f: dns._features.have(f) for f in FEATURES}
from importlib.metadata import version
report = {"answers": answers, "metadata_loaded": loaded, "dnspython": version("dnspython")}
print(json.dumps(report))
"""


def _run(mode: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _REPORT, mode], capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, object] = json.loads(out)
    return result


def test_prepared_answers_are_dnspythons_own() -> None:
    prepared, plain = _run("prepared"), _run("plain")
    assert prepared["answers"] == plain["answers"]
    assert prepared["answers"] == {"idna": False, "dnssec": True}  # this venv: no idna
    assert plain["metadata_loaded"] is True
    assert prepared["metadata_loaded"] is False  # dnspython imported without it


def test_importlib_metadata_still_works_after_prepare() -> None:
    # The stand-in loads the real module on first use: later users see no difference.
    assert _run("prepared")["dnspython"] == _run("plain")["dnspython"]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("50.0.2", (50, 0, 2)), ("3.10rc1", (3, 10)), ("2", (2,)), ("dev", ()), ("1..2", (1,))],
)
def test_version_numbers(text: str, numbers: tuple[int, ...]) -> None:
    assert version_numbers(text) == numbers


def test_requirements_are_checked_against_the_stated_version() -> None:
    assert satisfied("cryptography>=1") is True
    assert satisfied("cryptography>=9999") is False
    assert satisfied("no_such_package_for_dnssec_doctor>=1") is False
    assert satisfied("cryptography~=1") is None  # not a form we can judge: dnspython does
    assert satisfied("not-an-identifier>=1") is None
