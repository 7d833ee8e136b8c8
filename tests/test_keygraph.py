"""The key-level chain graph: golden DOT per lab scenario, the broken element highlighted.

The recorded lab captures (tests/cases/check-*) replay to deterministic diagnoses, so
each scenario's DOT is compared with tests/data/keygraph/<case>.dot (regenerate with
``python tests/make_keygraph_golden.py`` and review the diff). The other tests check,
per family of failure, that the element that broke is the one drawn as broken.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.graph import ChainGraph, GraphNode
from dnssec_doctor.render.graphviz import dot_to_svg
from dnssec_doctor.render.keydot import RED, render_graph_dot, render_key_dot
from dnssec_doctor.render.summary import split_findings
from labthread import doctor
from make_keygraph_golden import CASES, diagnosis_of, golden_path
from render_samples import hostile_graph_diagnosis

SVG = "{http://www.w3.org/2000/svg}"
QUOTED = r'"(?:[^"\\\n]|\\.)*"'
ATTRS = rf"\[(?:[\w]+={QUOTED}(?:, )?)*\]"
STATEMENT = re.compile(
    rf"digraph \w+ \{{|\}}|  \}}|  subgraph cluster_\w+ \{{"
    rf"|  (?:graph|node|edge) {ATTRS};|    graph {ATTRS};|(?:  |    )\w+(?: -> \w+)? {ATTRS};"
)
"""Every line the key renderer may write; a stray quote or newline in a label breaks it."""


@cache
def diagnosis(scenario: str) -> Diagnosis:
    return diagnosis_of(Path(__file__).parent / "cases" / f"check-{scenario}")


def graph(scenario: str) -> ChainGraph:
    g = diagnosis(scenario).graph
    assert g is not None
    return g


def root(scenario: str, code: str) -> Finding:
    roots = {f.code: f for f in diagnosis(scenario).root_causes()}
    assert code in roots, sorted(roots)
    return roots[code]


def dot_line(dot: str, element_id: str) -> str:
    """The DOT statement that draws the node or edge with model id ``element_id``."""
    found = [line for line in dot.splitlines() if f'id="g_{element_id}"' in line]
    assert len(found) == 1, (element_id, found)
    return found[0]


def node(g: ChainGraph, node_id: str) -> GraphNode:
    return next(n for n in g.nodes if n.id == node_id)


# -- golden files -----------------------------------------------------------------------


def test_every_recorded_scenario_has_a_golden_graph() -> None:
    assert len(CASES) >= 25
    stored = sorted(p.stem for p in golden_path(CASES[0]).parent.glob("*.dot"))
    assert stored == [c.name for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_dot(case: Path) -> None:
    out = render_graph_dot(diagnosis_of(case))
    assert all(STATEMENT.fullmatch(line) for line in out.splitlines())
    assert out == golden_path(case).read_text(encoding="ascii"), (
        f"{case.name}: the graph differs from {golden_path(case)}; if intended, run "
        "python tests/make_keygraph_golden.py and review the diff"
    )


def test_every_golden_graph_draws_as_svg() -> None:
    for case in CASES:
        svg = ET.fromstring(dot_to_svg(golden_path(case).read_text(encoding="ascii")))
        ids = {e.get("id") for e in svg.iter()}
        assert "g_z0" in ids and "g_ta" in ids, case.name


# -- the broken element, per family of failure --------------------------------------------


def test_every_root_cause_is_drawn_on_some_element() -> None:
    for case in CASES:
        d = diagnosis_of(case)
        assert d.graph is not None
        roots, _ = split_findings(d.findings)
        for f in roots:
            assert d.graph.elements_for(f.key), (case.name, f.key)


def test_ds_matching_no_key_points_to_a_ghost_key_over_a_red_edge() -> None:
    g, f = graph("ds-no-matching-key"), root("ds-no-matching-key", "DS_NO_MATCHING_DNSKEY")
    (edge,) = [e for e in g.edges if e.kind == "ds" and f.key in e.findings]
    assert edge.status == "missing"
    ghost, ds = node(g, edge.target), node(g, edge.source)
    assert ghost.ghost and ghost.kind == "dnskey" and f.key in ghost.findings
    assert ds.kind == "ds" and ghost.title == f"DNSKEY {ds.title.split()[1]}"
    served = [n for n in g.nodes if n.zone == ghost.zone and n.kind == "dnskey" and not n.ghost]
    assert len(served) == 2 and not any(f.key in n.findings for n in served)
    dot = render_graph_dot(diagnosis("ds-no-matching-key"))
    assert f'color="{RED}"' in dot_line(dot, edge.id)
    assert "DS_NO_MATCHING_DNSKEY" in dot_line(dot, edge.id)
    assert 'style="dashed,filled"' in dot_line(dot, ghost.id)
    assert "DS_NO_MATCHING_DNSKEY" in dot_line(dot, ghost.id)


@pytest.mark.parametrize(
    ("scenario", "code", "status", "text"),
    [
        ("expired-signatures", "RRSIG_EXPIRED", "expired", "expired"),
        ("not-yet-valid", "RRSIG_NOT_YET_VALID", "not-yet-valid", "not yet valid"),
        ("corrupted-signature", "RRSIG_CRYPTO_INVALID", "bogus", "bogus"),
    ],
)
def test_failing_signatures_are_edges_of_their_status(
    scenario: str, code: str, status: str, text: str
) -> None:
    g, f = graph(scenario), root(scenario, code)
    marked = [e for e in g.edges if f.key in e.findings]
    assert marked and all(e.kind == "rrsig" and e.status == status for e in marked)
    assert all(e.status != status for e in g.edges if e not in marked)
    dot = render_graph_dot(diagnosis(scenario))
    for e in marked:
        line = dot_line(dot, e.id)
        assert text in line and code in line and 'penwidth="3"' in line
    # what the zone serves above the broken signatures still validates
    assert all(e.status == "valid" for e in g.edges if e.kind in ("ds", "anchor"))


def test_signature_by_a_removed_key_comes_from_a_ghost_key() -> None:
    g, f = graph("zsk-removed-early"), root("zsk-removed-early", "RRSIG_KEY_NOT_FOUND")
    sources = {e.source for e in g.edges if f.key in e.findings}
    assert len(sources) == 1
    ghost = node(g, sources.pop())
    assert ghost.ghost and "not in the DNSKEY RRset" in ghost.lines


def test_unsigned_rrset_gets_a_missing_edge() -> None:
    g, f = graph("unsigned-rrset"), root("unsigned-rrset", "RRSIG_MISSING")
    (edge,) = [e for e in g.edges if f.key in e.findings]
    assert edge.status == "missing"
    target = node(g, edge.target)
    assert target.title == "www.unsigned-rrset.test./A" and target.problem
    assert 'style="dotted"' in dot_line(render_graph_dot(diagnosis("unsigned-rrset")), edge.id)


def test_ds_key_that_does_not_sign_is_highlighted_and_signs_nothing() -> None:
    g, f = graph("ds-key-not-signing"), root("ds-key-not-signing", "DS_KEY_NOT_SIGNING_DNSKEY")
    (edge,) = [e for e in g.edges if f.key in e.findings]
    assert edge.kind == "ds" and edge.status == "valid"  # the DS does name the key...
    assert not [e for e in g.edges if e.kind == "rrsig" and e.source == edge.target]  # ...idle


def test_good_zones_have_nothing_highlighted_and_every_edge_valid() -> None:
    for scenario in ("good-nsec", "good-nsec3", "good-zsk-prepublish"):
        dot = render_graph_dot(diagnosis(scenario))
        assert 'penwidth="3"' not in dot and RED not in dot, scenario
        assert all(e.status == "valid" for e in graph(scenario).edges), scenario


def test_proofs_are_drawn_as_their_own_kind() -> None:
    titles = [n.title for n in graph("good-nsec3").nodes if n.kind == "proof"]
    assert titles and all(t.endswith("/NSEC3") for t in titles)
    assert any(n.kind == "proof" for n in graph("good-nsec").nodes)


def test_negative_answers_hang_from_their_proofs() -> None:
    g = graph("good-nsec")
    denials = [n for n in g.nodes if n.kind == "denial"]
    assert any(n.lines[0] == "NXDOMAIN" for n in denials)
    assert any(n.lines[0] == "NODATA" for n in denials)
    for n in denials:
        into = [e for e in g.edges if e.target == n.id]
        assert into and all(e.kind == "proof" and e.status == "valid" for e in into)
        assert all(node(g, e.source).kind == "proof" for e in into)
        assert not n.problem and not n.servers_note


def test_negative_answers_a_server_cannot_prove_carry_the_root_cause() -> None:
    g, f = graph("pre-nsec3-server"), root("pre-nsec3-server", "NEGATIVE_PROOF_MISSING")
    marked = [node(g, i) for i in g.elements_for(f.key)]
    assert marked and all(n.kind == "denial" for n in marked)
    assert all(n.servers_note == "proof incomplete on 1 of 2" for n in marked)
    assert "NEGATIVE_PROOF_MISSING" in dot_line(
        render_graph_dot(diagnosis("pre-nsec3-server")), marked[0].id
    )


def test_keys_and_signatures_some_servers_lack_are_marked() -> None:
    g = graph("secondary-unsigned-same-serial")  # one server serves the zone unsigned
    keys = [n for n in g.nodes if n.kind == "dnskey" and n.zone.startswith("secondary")]
    assert keys and all(n.servers_note.startswith("missing on 1 of 2 servers") for n in keys)
    assert any(e.servers_note.startswith("on 1 of 2 servers") for e in g.edges)
    assert any(n.servers_note == "differs between servers" for n in graph("secondary-stale").nodes)
    assert not any(n.servers_note for n in graph("good-nsec").nodes)


def test_trust_anchor_vouches_for_the_root_ksk() -> None:
    g = graph("good-nsec")
    (edge,) = [e for e in g.edges if e.kind == "anchor"]
    assert edge.source == "ta" and edge.status == "valid"
    assert node(g, edge.target).role == "KSK" and node(g, edge.target).zone == "."


def test_roles_tags_and_algorithms_are_on_the_keys() -> None:
    keys = [n for n in graph("good-nsec").nodes if n.kind == "dnskey"]
    assert {n.role for n in keys} == {"KSK", "ZSK"}
    for n in keys:
        assert re.fullmatch(r"DNSKEY \d+", n.title)
        assert n.lines[0] == "alg 13 ECDSAP256SHA256"
        assert n.lines[1] == ("flags 257" if n.role == "KSK" else "flags 256")


# -- hostile data ---------------------------------------------------------------------------


def test_hostile_labels_come_out_of_dot_and_svg_as_inert_text() -> None:
    from render_samples import RAW_FORBIDDEN

    d = hostile_graph_diagnosis()
    assert d.graph is not None
    dot = render_key_dot(d, d.graph)
    assert dot.isascii()
    for line in dot.splitlines():
        assert STATEMENT.fullmatch(line), line
    for raw in RAW_FORBIDDEN:
        assert raw not in dot, repr(raw)
    # every label a quoted string, never an HTML-like label=<...>
    assert dot.count("label=") == dot.count('label="')
    svg_text = dot_to_svg(dot)
    svg = ET.fromstring(svg_text)
    tags = {e.tag.removeprefix(SVG) for e in svg.iter()}
    assert not tags & {"script", "foreignObject", "image", "use", "a", "style", "iframe"}
    for element in svg.iter():
        assert not [a for a in element.attrib if a.lower().startswith("on")], element.attrib
        assert "javascript:" not in " ".join(element.attrib.values()).lower()
    text = "\n".join("".join(t.itertext()) for t in svg.iter(f"{SVG}text"))
    assert "<script>alert(1)</script>" in text
    assert '"><img src=x onerror=alert(1)>' in text
    assert "&#x202E;" in text  # literally: never decoded into a bidi override
    assert "\\027[31m.test./TXT" in text and "\\u202e.test./TXT" in text
    assert "b\u00fccher.test./TXT" in text
    for raw in RAW_FORBIDDEN:
        assert raw not in svg_text and raw not in text, repr(raw)


# -- the command line -----------------------------------------------------------------------


def replay(scenario: str, *args: str) -> str:
    case = Path(__file__).parent / "cases" / f"check-{scenario}"
    at = json.loads((case / "expected.json").read_text())["at"]
    result = doctor("check", "--replay", str(case / "capture.json.gz"), "--at", f"@{at}", *args)
    assert result.returncode == 2, result.stderr
    return result.stdout


def test_cli_dot_is_key_level_by_default_and_zone_level_on_request() -> None:
    keys = replay("ds-no-matching-key", "--format", "dot")
    assert keys == golden_path(CASES[0].parent / "check-ds-no-matching-key").read_text()
    zones = replay("ds-no-matching-key", "--format", "dot", "--graph", "zones")
    assert zones.startswith("digraph dnssec_chain {") and "DNSKEY 58901" not in zones


def test_cli_svg_is_the_drawn_key_graph() -> None:
    svg = ET.fromstring(replay("ds-no-matching-key", "--format", "svg"))
    ids = {e.get("id") for e in svg.iter()}
    assert {"g_ta", "g_z2", "g_z2d0", "g_z2g0", "g_e11"} <= ids
    text = " ".join("".join(t.itertext()) for t in svg.iter(f"{SVG}text"))
    assert "DS_NO_MATCHING_DNSKEY" in text and "ds-no-matching-key.test. is BOGUS" in text


def test_without_graphviz_svg_fails_clearly_and_html_goes_out_without_the_graph(
    tmp_path: Path,
) -> None:
    import os
    import subprocess
    import sys

    case = Path(__file__).parent / "cases" / "check-ds-no-matching-key"
    at = json.loads((case / "expected.json").read_text())["at"]
    env = {**os.environ, "PATH": str(tmp_path)}  # no dot anywhere on it

    def run(fmt: str) -> subprocess.CompletedProcess[str]:
        argv = ["check", "--replay", str(case / "capture.json.gz"), "--at", f"@{at}"]
        return subprocess.run(
            [sys.executable, "-m", "dnssec_doctor", *argv, "--format", fmt],
            capture_output=True, text=True, timeout=60, check=False, env=env,
        )  # fmt: skip

    svg = run("svg")
    assert (svg.returncode, svg.stdout) == (3, "")
    assert svg.stderr.count("\n") == 1 and "install Graphviz" in svg.stderr
    html = run("html")
    assert html.returncode == 2 and "<svg" not in html.stdout and 'id="root-causes"' in html.stdout
    assert "the report has no graph: Graphviz 'dot' was not found" in html.stderr
