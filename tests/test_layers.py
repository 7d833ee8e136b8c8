"""The layering: the pure layers load no I/O, and the import contract catches a breach.

``make lint`` runs ``lint-imports`` with the contracts in pyproject.toml. These tests
check the two things that contract alone cannot show: that it really fails when an
analysis module imports the transport, and what importing the analysis loads at run
time (dnspython, not our code, is the only importer of ``socket`` there).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

PURE_PACKAGES = ("analysis", "zonefile", "ds", "model", "catalog", "dnssec")
SHELL_PACKAGES = ("probe", "transport", "cli", "render", "lab", "web", "scan", "session")

# Imports every module of the pure packages in a fresh interpreter, with a finder that
# records which module first asked for socket, asyncio or selectors.
_IMPORT_ALL = """
import importlib, json, pkgutil, sys

WATCHED = {"socket", "asyncio", "selectors"}
importers = {}

class Recorder:
    def find_spec(self, name, path=None, target=None):
        if name in WATCHED and name not in importers:
            frame = sys._getframe(1)
            skip = ("importlib", "_frozen")
            while frame and frame.f_globals.get("__name__", "").startswith(skip):
                frame = frame.f_back
            importers[name] = frame.f_globals.get("__name__", "?") if frame else "?"
        return None

sys.meta_path.insert(0, Recorder())
for package in sys.argv[1:]:
    root = importlib.import_module("dnssec_doctor." + package)
    for info in pkgutil.walk_packages(root.__path__, root.__name__ + "."):
        importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m.startswith("dnssec_doctor."))
print(json.dumps({"importers": importers, "loaded": loaded}))
"""


def _import_all(*packages: str) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, *packages],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, object] = json.loads(run.stdout)
    return result


def test_importing_every_pure_module_loads_no_io_layer_and_no_event_loop() -> None:
    result = _import_all(*PURE_PACKAGES)
    loaded = result["loaded"]
    assert isinstance(loaded, list)
    assert any(m.startswith("dnssec_doctor.analysis.chain.") for m in loaded)
    shells = [m for m in loaded if m.split(".")[1] in SHELL_PACKAGES]
    assert shells == []
    importers = result["importers"]
    assert isinstance(importers, dict)
    assert "asyncio" not in importers
    # dnspython imports socket (for its address helpers), and socket imports selectors;
    # none of our pure modules imports either.
    assert {name: str(by).startswith("dnssec_doctor") for name, by in importers.items()} == {
        name: False for name in importers
    }
    assert str(importers.get("socket", "dns.")).startswith("dns.")


def test_the_recorder_names_our_module_when_it_imports_socket_itself() -> None:
    # The check above would pass vacuously if the recorder never saw an importer.
    result = _import_all("transport")
    importers = result["importers"]
    assert isinstance(importers, dict)
    assert importers["asyncio"].startswith("dnssec_doctor.transport.")


def _lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        check=False,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(pythonpath)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_contract_holds_for_the_tree() -> None:
    run = _lint_imports(ROOT, ROOT / "src")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 kept, 0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        (
            "analysis/chain/rrsigs.py",
            "import dnssec_doctor.transport.sockets\n",
            "dnssec_doctor.analysis is not allowed to import dnssec_doctor.transport",
        ),
        (
            "model/survey.py",
            "import asyncio\n",
            "dnssec_doctor.model is not allowed to import asyncio",
        ),
        (
            "analysis/engine.py",
            "import dnssec_doctor.render.text\n",
            "dnssec_doctor.analysis is not allowed to import dnssec_doctor.render",
        ),
    ],
)
def test_breaking_a_layer_fails_the_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    shutil.copytree(
        ROOT / "src" / "dnssec_doctor",
        tmp_path / "src" / "dnssec_doctor",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "dnssec_doctor" / module
    text = target.read_text(encoding="utf-8")
    # After the module docstring and `from __future__`, where an import would go.
    anchor = "from __future__ import annotations\n"
    target.write_text(text.replace(anchor, anchor + line, 1), encoding="utf-8")
    run = _lint_imports(tmp_path, tmp_path / "src")
    assert run.returncode != 0
    assert broken in run.stdout.replace("\n", " ") or broken in run.stdout, run.stdout
