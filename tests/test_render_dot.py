"""The chain-of-trust graph: valid DOT whatever the data, drawn by Graphviz, labels escaped."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from dnssec_doctor.escape import dot_label
from dnssec_doctor.model.findings import Diagnosis, Finding, ZoneReport
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.render.dot import MAX_NOTES_PER_ZONE, render_dot
from labthread import LAB_NOW, doctor, probe_to_file, start_lab
from render_samples import (
    HOSTILE_PARTS,
    RAW_FORBIDDEN,
    check_golden,
    hostile_diagnosis,
    small_diagnosis,
)

SVG = "{http://www.w3.org/2000/svg}"
QUOTED = r'"(?:[^"\\\n]|\\.)*"'
ATTRS = rf"\[(?:\w+={QUOTED}(?:, )?)*\]"
STATEMENT = re.compile(
    rf"digraph \w+ \{{|\}}|  (?:graph|node|edge) {ATTRS};|  \w+(?: -> \w+)? {ATTRS};"
    rf'|  \{{ rank="same"; \w+; \w+; \}}'
)
"""Every line the renderer may write; a stray quote or newline in a label breaks the match."""


def dot_binary() -> str:
    path = shutil.which("dot")
    assert path, "Graphviz 'dot' is required: apt-get install graphviz (make debian-packages)"
    return path


def draw(dot_text: str) -> ET.Element:
    """Render with Graphviz and parse the SVG (XML): both must succeed."""
    result = subprocess.run(
        [dot_binary(), "-Tsvg"],
        input=dot_text.encode("ascii"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert b"Error" not in result.stderr and b"syntax" not in result.stderr, result.stderr
    return ET.fromstring(result.stdout)


def svg_text(svg: ET.Element) -> str:
    return "\n".join("".join(t.itertext()) for t in svg.iter(f"{SVG}text"))


def assert_well_formed(dot_text: str) -> None:
    assert dot_text.isascii()
    lines = dot_text.splitlines()
    for line in lines:
        assert STATEMENT.fullmatch(line), line
    assert lines[0].startswith("digraph") and lines[-1] == "}"


def label_lines(label: str) -> list[str]:
    """A DOT string's content as Graphviz reads it: ``\\n`` breaks lines, ``\\x`` is x."""
    lines, current = [], ""
    for token in re.findall(r"\\.|[^\\]", label):
        if token == "\\n":
            lines.append(current)
            current = ""
        else:
            current += token[-1]
    return [*lines, current]


def parts_diagnosis() -> Diagnosis:
    """One zone and one root cause per hostile piece, so no piece is cut from a label."""
    zones = tuple(ZoneReport(f"{part}.test.", "bogus", (), part) for part in HOSTILE_PARTS)
    findings = tuple(
        Finding(f"CODE{part}", Severity.ERROR, f"{part}.test.", part, part, part, subject=part)
        for part in HOSTILE_PARTS
    )
    return Diagnosis(HOSTILE_PARTS[0], 0, "bogus", findings, zones)


# -- the escaping primitive -------------------------------------------------------------


def test_dot_label_escapes_quotes_backslashes_entities_and_controls() -> None:
    assert dot_label('a"b') == 'a\\"b'
    assert dot_label("a\\b") == "a\\\\b"
    assert dot_label("a\\") == "a\\\\"  # cannot escape the closing quote
    assert dot_label("a\nb") == "a\\\\010b"  # shown as \010, never a line break
    assert dot_label("&#x202E;") == "&amp;#x202E;"  # Graphviz decodes entities in labels
    assert dot_label("\u202e") == "\\\\u202e"
    assert dot_label("b\u00fccher") == "b&#252;cher"  # ASCII out, same character drawn
    assert dot_label("\\N\\G\\l") == "\\\\N\\\\G\\\\l"  # no Graphviz escString expansion


# -- the hostile diagnosis --------------------------------------------------------------


@pytest.mark.parametrize("build", [hostile_diagnosis, parts_diagnosis])
def test_hostile_graph_is_well_formed_ascii_dot(build: Callable[[], Diagnosis]) -> None:
    out = render_dot(build())
    assert_well_formed(out)
    for raw in RAW_FORBIDDEN:
        assert raw not in out, repr(raw)
    assert "\n" not in "".join(re.findall(QUOTED, out))
    for label in re.findall(rf"label=({QUOTED})", out):
        assert '"' not in re.sub(r"\\.", "", label[1:-1]), label  # no unescaped quote


def test_hostile_graph_draws_and_shows_the_data_as_text() -> None:
    svg = draw(render_dot(parts_diagnosis()))
    assert not list(svg.iter(f"{SVG}script"))
    assert not list(svg.iter(f"{SVG}image"))
    text = svg_text(svg)
    assert "<script>alert(1)</script>" in text
    assert "&#x202E;" in text  # literally: not decoded into a bidi override
    assert "\\027[31m" in text
    assert "\\u202e" in text
    assert "b\u00fccher.test." in text
    assert "\\udcff" in text
    assert "[bold red]" in text
    assert "\\n.test." in text  # a backslash and n in data: no line break
    for raw in RAW_FORBIDDEN:
        assert raw not in text, repr(raw)
    hostile_svg = svg_text(draw(render_dot(hostile_diagnosis())))
    assert "<script>alert(1)</script>" in hostile_svg
    for raw in RAW_FORBIDDEN:
        assert raw not in hostile_svg, repr(raw)


def test_long_labels_are_cut_before_escaping() -> None:
    name = "\\" * 300 + '"' * 300
    d = replace(small_diagnosis(), name=name, zones=(ZoneReport(name, "secure"),))
    out = render_dot(d)
    assert_well_formed(out)
    draw(out)


# -- the graph model --------------------------------------------------------------------


def test_one_node_per_zone_with_status_colour_and_counts() -> None:
    out = render_dot(small_diagnosis())
    zones = re.findall(r"^  (z\d+) \[label=(" + QUOTED + r").*color=\"(#\w+)\"", out, re.M)
    assert [(node, label_lines(label[1:-1])[:3]) for node, label, _ in zones] == [
        ("z0", [".", "secure", "no findings"]),
        ("z1", ["test.", "secure", "1 finding: 1 info"]),
        ("z2", ["example.test.", "bogus", "2 findings: 1 critical, 1 error"]),
    ]
    assert [colour for *_, colour in zones] == ["#dcf5e3", "#dcf5e3", "#fde0e0"]


def test_ds_to_dnskey_edges_per_zone() -> None:
    out = render_dot(small_diagnosis())
    assert re.search(r'^  ds0 \[label="trust anchor"', out, re.M)
    for index in range(3):
        assert re.search(rf'^  ds{index} -> z{index} \[label="DS&#8594;DNSKEY"', out, re.M)
    for index in (1, 2):
        assert f"  z{index - 1} -> ds{index} [" in out  # the parent publishes the DS
    assert re.search(r'^  ds2 -> z2 .*style="bold"', out, re.M)  # the broken link stands out
    # the evidence of the broken link: the DS the parent has, the tags the zone has
    assert '  ds2 [label="DS\\nexample.test.\\n4711 13 2 ab12"' in out
    assert "\\nDNSKEY tags 12345, 23456" in out


def test_many_ds_records_are_counted() -> None:
    small = small_diagnosis()
    ds = [f"{tag} 13 2 ab" for tag in range(5)]
    root = replace(small.findings[0], evidence={"ds": ds, "keys": "not a list"})
    out = render_dot(replace(small, findings=(root, *small.findings[1:])))
    assert "\\n0 13 2 ab\\n1 13 2 ab\\n2 13 2 ab\\n(and 2 more)" in out
    assert "DNSKEY tags" not in out


def test_root_causes_are_notes_on_their_zone() -> None:
    out = render_dot(small_diagnosis())
    notes = re.findall(r"^  (n\d+) \[label=(" + QUOTED + r")", out, re.M)
    assert [label_lines(label[1:-1]) for _, label in notes] == [
        ["CRITICAL DS_NO_MATCHING_DNSKEY", "No DS record matches a key the zone serves"]
    ]
    assert '  n0 -> z2 [style="dotted"' in out
    assert "RRSIG_MISSING" not in out  # a consequence, not a root cause


def test_many_root_causes_on_one_zone_are_summarised() -> None:
    findings = tuple(
        Finding(f"CODE_{i}", Severity.ERROR, "a.test.", "t", "d", "f", subject=str(i))
        for i in range(MAX_NOTES_PER_ZONE + 3)
    )
    d = Diagnosis("a.test.", 0, "bogus", findings, (ZoneReport("a.test.", "bogus"),))
    out = render_dot(d)
    assert out.count('shape="note"') == MAX_NOTES_PER_ZONE + 1
    assert "and 3 more root causes" in out
    draw(out)


def test_findings_off_the_chain_get_their_own_node() -> None:
    d = replace(small_diagnosis(), zones=())
    out = render_dot(d)
    assert_well_formed(out)
    assert "example.test.\\nnot on the chain" in out
    assert "test.\\nnot on the chain" in out
    draw(out)


def test_golden_small_graph() -> None:
    out = render_dot(small_diagnosis())
    check_golden("small.dot", out)
    draw(out)


# -- end to end: probe a lab, replay the capture as DOT -----------------------------------


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("capture")
    with start_lab(names=["ds-no-matching-key"]) as lab:
        yield probe_to_file(lab, "ds-no-matching-key", directory)


def test_cli_replay_as_dot(capture: Path) -> None:
    result = doctor(
        "check", "--replay", str(capture), "--at", f"@{LAB_NOW}", "--format", "dot",
        "--graph", "zones",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    out = result.stdout
    assert_well_formed(out)
    assert re.search(r'^  z2 \[label="ds-no-matching-key\.test\.\\nbogus', out, re.M)
    assert re.search(r'^  z0 \[label="\.\\nsecure', out, re.M)
    # the DS the parent serves, shortened to tag, algorithm, digest type, digest start
    assert re.search(
        r'^  ds2 \[label="DS\\nds-no-matching-key\.test\.\\n\d+ 13 2 [0-9A-F]{20}&#8230;"',
        out,
        re.M,
    )
    text = svg_text(draw(out))
    assert "DS_NO_MATCHING_DNSKEY" in text
    assert "ds-no-matching-key.test. is BOGUS" in text


def test_an_alias_targets_zone_hangs_from_the_zone_that_delegates_it() -> None:
    # www.a.example. is a CNAME to www.b.example.: the target's chain joins the name's at
    # example., so b.example.'s DS is published by example., not by a.example.
    zones = tuple(
        ZoneReport(name, "secure") for name in (".", "example.", "a.example.", "b.example.")
    )
    dot = render_dot(Diagnosis("www.a.example.", LAB_NOW, "secure", (), zones=zones))
    assert_well_formed(dot)
    assert "  z1 -> ds3 " in dot and "  z2 -> ds3 " not in dot
    assert "  z1 -> ds2 " in dot and "  z0 -> ds1 " in dot
