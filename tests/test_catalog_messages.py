"""Message templates and the code enum: the catalog's contract with the checks."""

from __future__ import annotations

import pytest

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.catalog.messages import TemplateError, fill, template_fields


def test_the_enum_holds_exactly_the_catalog_codes_in_catalog_order() -> None:
    assert [c.value for c in Code] == [e.code for e in catalog.ALL_ENTRIES]
    assert all(c.name == c.value for c in Code)


def test_every_template_in_the_catalog_reads_and_names_its_fields() -> None:
    for entry in catalog.ALL_ENTRIES:
        for case, template in (*entry.details.items(), *entry.fixes.items()):
            assert case, entry.code
            template_fields(template)  # raises for a positional or unreadable field
        assert set(entry.fixes) <= set(entry.details), entry.code


def test_fill_requires_every_field_and_refuses_unused_parameters() -> None:
    templates = {"detail": "{count} signatures expired {ago} ago", "fix": "re-sign {zone}"}
    filled = fill(templates, {"count": 3, "ago": "2 days", "zone": "example"}, "X")
    assert filled == {"detail": "3 signatures expired 2 days ago", "fix": "re-sign example"}
    with pytest.raises(TemplateError, match=r"missing \['ago'\]"):
        fill(templates, {"count": 3, "zone": "example"}, "X")
    with pytest.raises(TemplateError, match=r"unused \['extra'\]"):
        fill(templates, {"count": 3, "ago": "1 day", "zone": "e", "extra": 1}, "X")


@pytest.mark.parametrize("bad", ["{0} keys", "{} keys", "{key.tag}", "{keys[0]}", "{unclosed"])
def test_positional_indexed_or_broken_fields_are_refused(bad: str) -> None:
    with pytest.raises(TemplateError):
        template_fields(bad)


def test_dns_data_in_a_parameter_is_inserted_as_text_not_interpreted() -> None:
    # A name with braces must not be read as another field (format_map does not re-parse).
    filled = fill({"detail": "name {name}"}, {"name": "{evil}.example."}, "X")
    assert filled["detail"] == "name {evil}.example."


def test_a_finding_without_says_needs_a_written_detail() -> None:
    with pytest.raises(TypeError):
        catalog.finding(Code.RRSIG_EXPIRED, zone="example.")
