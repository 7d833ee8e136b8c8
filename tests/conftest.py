"""Shared test hooks: tools from Debian packages are required, never a reason to skip."""

from __future__ import annotations

import shutil

import pytest


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``@pytest.mark.requires_tools("dig", …)`` fails (not skips) when a tool is missing.

    `make test` installs them (bind9, bind9-dnsutils, unbound, ldnsutils, knot…); a
    missing one means the machine was not set up, and hiding that would hide the tests.
    """
    for marker in item.iter_markers("requires_tools"):
        missing = [name for name in marker.args if shutil.which(name) is None]
        if missing:
            pytest.fail(f"required tools missing: {', '.join(missing)} (run `make test`)")
