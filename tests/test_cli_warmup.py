"""The import warm-up of a live check: it imports only while the process waits."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnssec_doctor.cli.warmup import POLL_SECONDS, Warmup, modules_for


@pytest.fixture
def fresh_module(tmp_path: Path) -> Iterator[str]:
    """The name of a module nobody has imported yet."""
    name = f"warmup_probe_{time.monotonic_ns()}"
    (tmp_path / f"{name}.py").write_text("VALUE = 42\n", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield name
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


def test_a_waiting_process_gets_the_modules_imported(fresh_module: str) -> None:
    with Warmup([fresh_module]) as warmup:
        time.sleep(POLL_SECONDS * 30)  # the probe waiting for answers
    assert warmup.started_importing
    assert fresh_module in sys.modules


def test_a_waiting_process_gets_the_idle_calls_made_before_the_imports(
    fresh_module: str,
) -> None:
    calls: list[bool] = []
    with Warmup([fresh_module], on_idle=(lambda: calls.append(fresh_module in sys.modules),)):
        time.sleep(POLL_SECONDS * 30)
    assert calls == [False]  # once, first


def test_leaving_at_once_calls_nothing(fresh_module: str) -> None:
    calls: list[str] = []
    with Warmup([fresh_module], on_idle=(lambda: calls.append("called"),)):
        pass
    assert calls == []


def test_leaving_at_once_imports_nothing(fresh_module: str) -> None:
    # A probe that ends before the first look (or a busy one) leaves the imports to
    # the main thread, after the probe, as without a warm-up.
    with Warmup([fresh_module]) as warmup:
        pass
    assert not warmup.started_importing
    assert fresh_module not in sys.modules


def test_a_broken_module_is_left_for_the_main_thread_to_report(tmp_path: Path) -> None:
    (tmp_path / "warmup_broken.py").write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        with Warmup(["warmup_broken", "warmup_missing_module"]) as warmup:
            time.sleep(POLL_SECONDS * 30)
        assert warmup.started_importing
        assert "warmup_broken" not in sys.modules
        with pytest.raises(RuntimeError, match="boom"):
            __import__("warmup_broken")
    finally:
        sys.path.remove(str(tmp_path))


def test_the_warmed_modules_are_the_analysis_and_the_chosen_renderer() -> None:
    assert modules_for("json") == (
        "dnssec_doctor.analysis.engine",
        "dnssec_doctor.model.diagnosis_json",
    )
    assert modules_for("text")[-1] == "dnssec_doctor.render.text"
    assert "dnssec_doctor.render.text" not in modules_for("nagios")
    assert "dnssec_doctor.analysis.resolver.diagnosis" not in modules_for("json")
    assert "dnssec_doctor.analysis.resolver.diagnosis" in modules_for("json", resolvers=True)


def test_the_probe_side_of_check_does_not_import_the_analysis() -> None:
    # What a live check imports before its first query: no analysis, no renderer
    # (they are what the warm-up overlaps with the probe's waits).
    import subprocess

    code = (
        "import sys, dnssec_doctor.cli.main, dnssec_doctor.cli.check, dnssec_doctor.session;"
        "print(sorted(m for m in sys.modules if m.startswith(('dnssec_doctor.analysis',"
        " 'dnssec_doctor.catalog', 'dnssec_doctor.dnssec', 'dnssec_doctor.render.',"
        " 'rich', 'cryptography', 'dns.dnssecalgs', 'prometheus_client', 'fastapi',"
        " 'starlette', 'uvicorn', 'pydantic', 'jinja2', 'markupsafe', 'dnssec_doctor.web'))"
        " and m != 'dnssec_doctor.escape'"
        " or m == 'dns.dnssec'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
