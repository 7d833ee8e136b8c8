"""Every catalog entry, assembled from the per-section modules in catalog order."""

from __future__ import annotations

from types import ModuleType

from dnssec_doctor.catalog import (
    section_a,
    section_b,
    section_c,
    section_d,
    section_e,
    section_f,
    section_g,
    section_h,
    section_i,
    section_j,
    section_k,
    section_l,
)
from dnssec_doctor.catalog.entry import CatalogEntry

__all__ = ["ALL_ENTRIES", "SECTION_TITLES"]

_SECTIONS: tuple[ModuleType, ...] = (
    section_a,
    section_b,
    section_c,
    section_d,
    section_e,
    section_f,
    section_g,
    section_h,
    section_i,
    section_j,
    section_k,
    section_l,
)

SECTION_TITLES: dict[str, str] = {m.SECTION: m.TITLE for m in _SECTIONS}
"""Section letter → heading, in catalog order (the contract's order)."""

ALL_ENTRIES: tuple[CatalogEntry, ...] = tuple(e for m in _SECTIONS for e in m.ENTRIES)
"""All problem codes, section A first, in the order the contract lists them."""
