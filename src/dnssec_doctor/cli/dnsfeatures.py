"""dnspython's optional features, decided without loading ``importlib.metadata``.

On its first import dnspython decides whether its optional packages (idna for IDNA
2008, cryptography for DNSSEC) are installed and recent enough, by reading their
package metadata through ``importlib.metadata``, and loading that module alone costs
about 13 ms: a quarter of a whole probe on a fast network, in every run.

dnspython offers ``dns._features.force`` "for any cases where importlib.metadata is
ineffective". The console entry point calls :func:`prepare` before anything imports
dnspython: it answers each feature from the version the package states itself
(``__version__``) with dnspython's own requirement strings, and leaves in
``sys.modules`` a stand-in for ``importlib.metadata`` that loads the real module the
moment any of its attributes is read (PEP 562), so it costs nothing unless something
really uses it. A feature that cannot be answered this way is left to dnspython.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

FEATURES: tuple[str, ...] = ("idna", "dnssec")
"""The dnspython features ``dns.name`` and ``dns.dnssec`` ask about when imported."""
METADATA = "importlib.metadata"


def prepare() -> None:
    """Decide dnspython's features cheaply; a no-op once dnspython has been imported."""
    if "dns" in sys.modules or METADATA in sys.modules:
        return
    _install_stand_in()
    import dns._features as features

    requirements: dict[str, list[str]] = getattr(features, "_requirements", {})
    for feature in FEATURES:
        verdicts = [satisfied(r) for r in requirements.get(feature, ["unknown"])]
        if None not in verdicts:
            features.force(feature, all(verdicts))


def satisfied(requirement: str) -> bool | None:
    """Whether ``package>=version`` holds; None when that cannot be told without metadata."""
    package, separator, minimum = requirement.partition(">=")
    if not separator or not package.isidentifier():
        return None
    if importlib.util.find_spec(package) is None:
        return False
    version = getattr(importlib.import_module(package), "__version__", None)
    if not isinstance(version, str):
        return None
    return version_numbers(version) >= version_numbers(minimum)


def version_numbers(version: str) -> tuple[int, ...]:
    """The leading numeric parts of a version (``3.10rc1`` → (3, 10))."""
    parts: list[int] = []
    for part in version.split("."):
        digits = part[: len(part) - len(part.lstrip("0123456789"))]
        if not digits:
            break
        parts.append(int(digits))
        if digits != part:
            break
    return tuple(parts)


def _install_stand_in() -> None:
    stand_in = types.ModuleType(METADATA, "Loads importlib.metadata when first used.")

    def load_real(name: str) -> Any:
        # Put the real module in place of the stand-in, then answer from it.
        if sys.modules.get(METADATA) is stand_in:
            del sys.modules[METADATA]
        real = importlib.import_module(METADATA)
        sys.modules["importlib"].metadata = real  # type: ignore[attr-defined]
        return getattr(real, name)

    stand_in.__getattr__ = load_real  # type: ignore[method-assign]
    sys.modules[METADATA] = stand_in
    sys.modules["importlib"].metadata = stand_in  # type: ignore[attr-defined]
