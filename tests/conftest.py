"""Shared test hooks: tools from Debian packages are required, never a reason to skip."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from debian_tools import TOOL_PACKAGES, which
from dnssec_doctor import catalog
from dnssec_doctor.model.findings import Finding


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


EMITTED: set[str] = set()
"""Every problem code some test made the analysis emit, in this process."""


@pytest.fixture(autouse=True, scope="session")
def _record_emitted_codes() -> Iterator[None]:
    """Record the code of every finding the analysis makes (all go through catalog.finding),
    for the check at the end of a full run (``pytest_sessionfinish``)."""
    original = catalog.finding

    def recording(code: str, *args: Any, **kwargs: Any) -> Finding:
        EMITTED.add(code)
        return original(code, *args, **kwargs)

    catalog.finding = recording  # type: ignore[assignment]
    try:
        yield
    finally:
        catalog.finding = original  # type: ignore[assignment]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A full run must make every code the catalog calls detected appear at least once:
    a code no test ever sees is a check nobody tests (mark it ``not_detected`` in the
    catalog if no check reports it). Partial runs (-k, -m, a file) are not judged."""
    missing = sorted(missing_codes(session))
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                "catalog codes no test made the analysis emit (add a test, or mark them "
                f"not_detected in the catalog): {', '.join(missing)}",
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def missing_codes(session: pytest.Session) -> set[str]:
    """The detected codes never emitted, when this was a full, passing run; else none."""
    option = session.config.option
    whole = not option.keyword and not option.markexpr and not option.deselect
    args = [a.rstrip("/") for a in session.config.args]
    if not whole or args not in ([], ["tests"], [str(session.config.rootpath / "tests")]):
        return set()
    if session.testsfailed or session.testscollected < 100:
        return set()
    return {e.code for e in catalog.ALL_ENTRIES if e.detected} - EMITTED - _asserted(session)


def _asserted(session: pytest.Session) -> set[str]:
    """Codes a test module that ran names in quotes: the checks below the findings (a
    denial proof's verdict, a signature's status) are tested by the code they return.
    The catalog's own tests, which list every code, do not count."""
    text = "\n".join(
        path.read_text(encoding="utf-8")
        for path in {item.path for item in session.items}
        if not path.name.startswith("test_catalog")
    )
    return {e.code for e in catalog.ALL_ENTRIES if f'"{e.code}"' in text}
