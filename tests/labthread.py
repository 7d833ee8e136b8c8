"""Start an embedded lab for a test module (fixed build time and keys)."""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.scenarios import build_lab

LabThread = BackgroundLab

LAB_NOW = 1_800_000_000
"""The lab's build time in tests (2027-01-15): signatures are relative to it."""


def start_lab(names: Sequence[str] | None = None, base: str = "127.77") -> BackgroundLab:
    """A lab of the given scenarios (all by default), built at LAB_NOW with fixed keys."""
    return BackgroundLab(build_lab(LAB_NOW, base=base, seed=7, names=names))
