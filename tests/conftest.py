"""Shared test hooks: tools from Debian packages are required, never a reason to skip."""

from __future__ import annotations

import pytest

from debian_tools import TOOL_PACKAGES, which


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``@pytest.mark.requires_tools("dig", …)`` fails (not skips) when a tool is missing.

    `make test` installs them (the packages of ``debian_tools.TOOL_PACKAGES``); a
    missing one means the machine was not set up, and hiding that would hide the tests.
    A tool the table does not list fails too: its package must be known, so that
    ``test_debian_tools`` can check that `make test` installs it.
    """
    for marker in item.iter_markers("requires_tools"):
        unknown = [name for name in marker.args if name not in TOOL_PACKAGES]
        if unknown:
            pytest.fail(f"tools not listed in tests/debian_tools.py: {', '.join(unknown)}")
        missing = [f"{n} ({TOOL_PACKAGES[n]})" for n in marker.args if which(n) is None]
        if missing:
            pytest.fail(f"required tools missing: {', '.join(missing)} (run `make test`)")
