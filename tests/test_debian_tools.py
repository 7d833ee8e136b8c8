"""Every tool a test requires comes from a Debian package that `make test` installs."""

from __future__ import annotations

import ast
import os
import re
import subprocess
from pathlib import Path

import pytest

from debian_tools import TOOL_PACKAGES, which

TESTS = Path(__file__).parent
MAKEFILE = TESTS.parent / "Makefile"


def installed_by_make_test() -> set[str]:
    """The packages of the Makefile's DEBIAN_PACKAGES (what `make test` installs)."""
    match = re.search(r"^DEBIAN_PACKAGES := (.*)$", MAKEFILE.read_text(encoding="utf-8"), re.M)
    assert match, "DEBIAN_PACKAGES not found in the Makefile"
    return set(match.group(1).split())


def package_owning(path: str) -> str:
    """The Debian package that installed ``path`` (``dpkg -S``), following links.

    With merged /usr, dpkg may know ``/usr/bin/ip`` as ``/bin/ip``: both are asked.
    """
    real = os.path.realpath(path)
    unmerged = [p.removeprefix("/usr") for p in (path, real) if p.startswith("/usr/")]
    for candidate in (path, real, *unmerged):
        found = subprocess.run(
            ["dpkg", "-S", candidate], capture_output=True, text=True, check=False, timeout=60
        )
        if found.returncode == 0:
            return found.stdout.split(":", 1)[0].strip()
    pytest.fail(f"dpkg knows no package for {path}")


def tools_named_by_markers() -> set[str]:
    """Every string literal (or tuple constant) given to ``requires_tools`` in the tests."""
    names: set[str] = set()
    for path in TESTS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "requires_tools"
            ):
                continue
            for arg in node.args:
                value = arg.value if isinstance(arg, ast.Starred) else arg
                if isinstance(value, ast.Name) and value.id in constants:
                    value = constants[value.id]
                names.update(ast.literal_eval(value) if isinstance(value, ast.Tuple) else ())
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    names.add(value.value)
    return names


def test_every_required_tool_is_listed_with_its_package() -> None:
    named = tools_named_by_markers()
    assert {"dig", "delv", "kzonecheck", "dnssec-verify"} <= named  # the scan sees the markers
    assert named <= set(TOOL_PACKAGES), named - set(TOOL_PACKAGES)


@pytest.mark.parametrize("tool", sorted(TOOL_PACKAGES))
def test_the_listed_package_provides_the_tool_and_make_test_installs_it(tool: str) -> None:
    path = which(tool)
    assert path, f"{tool} is not installed: `make test` must install {TOOL_PACKAGES[tool]}"
    assert package_owning(path) == TOOL_PACKAGES[tool]
    # iproute2 is part of every Debian system; everything else must be installed by us
    if TOOL_PACKAGES[tool] != "iproute2":
        assert TOOL_PACKAGES[tool] in installed_by_make_test(), (
            f"{tool} comes from {TOOL_PACKAGES[tool]}, which `make test` does not install"
        )
