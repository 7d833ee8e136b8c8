"""`lab list` describes the lab that `lab up` and `demo` serve: its addresses, its key tags.

The lab here serves on the demo test's range (port 53), which no other module uses
while this one runs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from clirun import invoke
from dnssec_doctor.lab import manager
from labbases import DEMO

SHOWN = ("ds-no-matching-key", "secondary-stale")
"""Scenarios whose descriptions name key tags and server addresses."""


def descriptions(listing: str) -> dict[str, str]:
    """Scenario name → description, from `lab list` output."""
    lines = listing.splitlines()
    found = {}
    for first, second in itertools.pairwise(lines):
        match = re.match(r"(\S+)\s+(secure|insecure|bogus|indeterminate)\s", first)
        if match and second.startswith(" "):
            found[match.group(1)] = second.strip()
    return found


@pytest.fixture
def lab_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "lab"
    yield directory
    manager.down(directory)


def test_lab_list_shows_the_served_lab_and_every_build_has_its_key_tags(
    lab_dir: Path, tmp_path: Path
) -> None:
    up = invoke("lab", "up", *SHOWN, "--dir", str(lab_dir), "--base", DEMO)
    assert up.exit_code == 0, up.stderr
    state = manager.status(lab_dir)
    assert state is not None
    served = {s.name: s.description for s in state.scenarios}
    assert f"{DEMO}.27.2" in served["secondary-stale"]  # the base actually served
    assert re.search(r"key \d+", served["ds-no-matching-key"])

    running = invoke("lab", "list", "--dir", str(lab_dir))
    assert running.exit_code == 0, running.stderr
    assert f"running in {lab_dir}" in running.stdout and f"{DEMO}.0.1" in running.stdout
    assert descriptions(running.stdout) == served  # this lab's scenarios, nothing else

    # Without a running lab, the listing is a fresh build: same keys, the base asked for.
    fresh = invoke("lab", "list", "--dir", str(tmp_path / "none"), "--base", DEMO)
    assert fresh.exit_code == 0, fresh.stderr
    listed = descriptions(fresh.stdout)
    assert len(listed) > len(SHOWN)
    assert {name: listed[name] for name in SHOWN} == served
    assert not (tmp_path / "none").exists()  # listing creates no lab directory


def test_lab_list_names_the_default_bases() -> None:
    result = invoke("lab", "list", "--dir", "/nonexistent/lab")
    assert result.exit_code == 0, result.stderr
    heading = result.stdout.splitlines()[0]
    assert f"lab on {manager.BASES['embedded']}.0.0/16" in heading
    assert f"'demo' on {manager.DEMO_BASE}" in heading
    listed = descriptions(result.stdout)
    assert f"{manager.BASES['embedded']}.27.2" in listed["secondary-stale"]
