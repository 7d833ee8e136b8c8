"""DOT → SVG through Debian's Graphviz: clear errors, a timeout and an output cap."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.render.graphviz import dot_to_svg, svg_fragment

SMALL = 'digraph g {\n  a [id="g_a", label="a"];\n  a -> b [id="g_e0"];\n}\n'


def test_real_dot_draws_parseable_svg_with_our_ids() -> None:
    svg = dot_to_svg(SMALL)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert {"g_a", "g_e0"} <= {e.get("id") for e in root.iter()}


def test_fragment_drops_prolog_doctype_and_comments() -> None:
    svg = dot_to_svg(SMALL)
    assert svg.startswith("<?xml") and "<!--" in svg
    fragment = svg_fragment(svg)
    assert fragment.startswith("<svg") and "<!--" not in fragment and "<!DOCTYPE" not in fragment
    ET.fromstring(fragment)
    assert svg_fragment("no svg here") == ""


def test_missing_graphviz_is_one_clear_error() -> None:
    with pytest.raises(DoctorError, match=r"install Graphviz.*--format dot"):
        dot_to_svg(SMALL, program="dnssec-doctor-no-such-dot")


def test_graphviz_failure_names_the_problem() -> None:
    with pytest.raises(DoctorError, match=r"Graphviz could not draw the graph: .*syntax"):
        dot_to_svg("digraph { a -> ; }")


def test_output_beyond_the_cap_is_refused() -> None:
    with pytest.raises(DoctorError, match="larger than 200 bytes"):
        dot_to_svg(SMALL, max_bytes=200)


def test_a_graphviz_that_hangs_is_stopped(tmp_path: Path) -> None:
    slow = tmp_path / "slow-dot"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    with pytest.raises(DoctorError, match=r"did not finish within 0\.3 s"):
        dot_to_svg(SMALL, program=str(slow), timeout=0.3)


def test_a_graphviz_that_floods_is_stopped(tmp_path: Path) -> None:
    flood = tmp_path / "flood-dot"
    flood.write_text("#!/bin/sh\nexec cat /dev/zero\n")
    flood.chmod(0o755)
    with pytest.raises(DoctorError, match="larger than 100000 bytes"):
        dot_to_svg(SMALL, program=str(flood), max_bytes=100_000)
