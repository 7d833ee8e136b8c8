"""The HTML report: escapes every piece of DNS data, forbids scripts, keeps its structure."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dnssec_doctor.escape import html_block, html_text, terminal
from dnssec_doctor.render.html import CSS, render_html
from labthread import LAB_NOW, doctor, probe_to_file, start_lab
from render_samples import (
    RAW_FORBIDDEN,
    check_golden,
    hostile_diagnosis,
    small_diagnosis,
)

VOID = {"meta", "br", "hr", "img", "input", "link"}
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section",
    "h1", "h2", "h3", "p", "span", "div", "time", "ol", "li", "table", "thead", "tbody", "tr",
    "th", "td", "article", "details", "summary", "code", "pre", "strong", "dl", "dt", "dd", "a",
    "ul",
}  # fmt: skip
ALLOWED_ATTRS = {"lang", "charset", "http-equiv", "content", "name", "class", "id", "datetime",
                 "href"}  # fmt: skip
SVG_TAGS = {"svg", "g", "title", "polygon", "polyline", "ellipse", "path", "text"}
"""What Graphviz draws with; no script, foreignObject, image, use, a, style, animate."""
SVG_ATTRS = {
    "width", "height", "viewbox", "xmlns", "xmlns:xlink", "id", "class", "transform", "fill",
    "stroke", "points", "cx", "cy", "rx", "ry", "d", "x", "y", "text-anchor", "font-family",
    "font-size", "font-weight", "font-style", "stroke-width", "stroke-dasharray",
    "stroke-opacity", "fill-opacity",
}  # fmt: skip


class StrictPage(HTMLParser):
    """Parses the page and fails on anything a safe report must not contain."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.style: list[str] = []
        self.ids: list[str] = []
        self.svg_ids: list[str] = []
        self.hrefs: list[str] = []
        self.meta: dict[str, str] = {}
        self.tags: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        in_svg = tag == "svg" or "svg" in self.stack
        if tag not in (SVG_TAGS if in_svg else ALLOWED_TAGS):
            self.errors.append(f"tag {tag}")
        for name, value in attrs:
            if name not in (SVG_ATTRS if in_svg else ALLOWED_ATTRS):
                self.errors.append(f"attribute {name}={value!r} on {tag}")
            if name == "id" and in_svg:
                self.svg_ids.append(value or "")
            if name == "id":
                self.ids.append(value or "")
            if name == "href":
                self.hrefs.append(value or "")
        if tag == "meta":
            values = dict(attrs)
            if values.get("http-equiv"):
                self.meta[str(values["http-equiv"])] = str(values.get("content"))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if "svg" not in self.stack:  # SVG (foreign content) may close its shapes itself
            self.errors.append(f"self-closing {tag}")
            return
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        (self.style if self.stack and self.stack[-1] == "style" else self.text).append(data)

    def handle_comment(self, data: str) -> None:
        self.errors.append(f"comment {data!r}")

    def handle_pi(self, data: str) -> None:
        self.errors.append(f"processing instruction {data!r}")


def parse_page(page: str) -> StrictPage:
    parser = StrictPage()
    parser.feed(page)
    parser.close()
    assert not parser.errors, parser.errors[:10]
    assert not parser.stack, parser.stack
    assert parser.tags[0] == "html"
    return parser


# -- escaping primitives ---------------------------------------------------------------


def test_terminal_escapes_every_c1_control_bidi_and_separator() -> None:
    for code in range(0x80, 0xA0):
        assert terminal(chr(code)) == f"\\{code:03d}"
    for char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c":
        assert terminal(char) == f"\\u{ord(char):04x}"
    assert terminal("a\u2028b\u2029c") == "a\\u2028b\\u2029c"
    assert terminal("\udcff") == "\\udcff"
    assert terminal("b\u00fccher.test") == "b\u00fccher.test"  # letters are not escaped


def test_html_text_escapes_markup_quotes_and_entities() -> None:
    assert html_text('<a href="x">&#x202E;\'') == ("&lt;a href=&quot;x&quot;&gt;&amp;#x202E;&#x27;")
    assert html_text("a\nb") == "a\\010b"
    assert html_block("a\n<b>\x1b") == "a\n&lt;b&gt;\\027"


# -- the hostile diagnosis ------------------------------------------------------------


def test_hostile_report_has_no_raw_dangerous_text() -> None:
    page = render_html(hostile_diagnosis())
    assert page.isascii()
    for raw in RAW_FORBIDDEN:
        assert raw not in page, repr(raw)
    lowered = page.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "</style><" not in lowered
    assert "&#x202e;" not in lowered  # would decode to a bidi override
    assert "<!--" not in page and "-->" not in page


def test_hostile_report_parses_and_shows_the_data_as_text() -> None:
    parser = parse_page(render_html(hostile_diagnosis()))
    text = "".join(parser.text)
    # What a reader sees: the markup as literal text, control characters made visible.
    assert "<script>alert(1)</script>" in text
    assert '"><img src=x onerror=alert(1)>' in text
    assert "&#x202E;" in text  # literally, not as U+202E
    assert "\\027[31m" in text
    assert "\\u202e" in text
    assert "\\155" in text  # C1 CSI
    assert "\\udcff" in text
    assert "b\u00fccher" in text  # letters survive, as character references
    assert "\\n\\027[31m" in text  # a backslash in data stays one backslash
    for raw in RAW_FORBIDDEN:
        assert raw not in text
    # every finding id unique, every link points at one
    assert len(parser.ids) == len(set(parser.ids))
    for href in parser.hrefs:
        assert re.fullmatch(r"#f\d+", href), href
        assert href[1:] in parser.ids


def test_csp_forbids_scripts_and_allows_exactly_the_inline_style() -> None:
    parser = parse_page(render_html(hostile_diagnosis()))
    csp = parser.meta["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'none'"
    style = "".join(parser.style)
    assert style == CSS
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert directives["style-src"] == f"'sha256-{digest}'"
    assert "url(" not in style and "@import" not in style  # no external assets


def test_hostile_evidence_of_any_shape_is_shown_not_fatal() -> None:
    page = render_html(hostile_diagnosis())
    text = "".join(parse_page(page).text)
    assert "3.5" in text
    assert "(1, 2)" in text  # tuple keys fall back to repr
    assert "[...]" in text  # the cycle, as repr shows it


# -- structure ------------------------------------------------------------------------


def test_root_causes_come_first_with_detail_evidence_fix_and_servers() -> None:
    page = render_html(small_diagnosis())
    parser = parse_page(page)
    root_at = page.index('id="root-causes"')
    other_at = page.index('id="other"')
    assert root_at < other_at
    root = page[root_at:other_at]
    assert "DS_NO_MATCHING_DNSKEY" in root
    assert "RRSIG_MISSING" not in root  # a consequence, not a root cause
    assert "<tr><th>keys</th><td><code>12345</code>, <code>23456</code></td></tr>" in root
    assert "example.test. 3600 IN DS 12345 13 2 0123456789abcdef" in root
    assert "<code>[2001:db8::1]:5300</code>" in root
    other = page[other_at:]
    assert other.index("<details") < other.index("RRSIG_MISSING")
    assert "<dt>Fine on</dt><dd><code>192.0.2.2</code></dd>" in other
    assert 'href="#f0"' in other  # caused by → the root cause
    assert "DS_NO_MATCHING_DNSKEY@example.test." in "".join(parser.text)


def test_chain_is_a_table_and_a_list_with_status_classes() -> None:
    page = render_html(small_diagnosis())
    chain = page[page.index('id="chain"') : page.index('id="other"')]
    assert chain.count('<li class="st-secure">') == 2
    assert chain.count('<li class="st-bogus">') == 1
    assert chain.count("<tr>") == 4  # header + three zones
    assert "2 findings: 1 critical, 1 error" in chain
    assert "1 finding: 1 info" in chain


def test_header_has_name_status_and_time() -> None:
    page = render_html(small_diagnosis())
    header = page[page.index("<header") : page.index("</header>")]
    assert "www.example.test." in header
    assert '<span class="badge st-bogus">bogus</span>' in header
    assert '<time datetime="2027-01-15T08:00:00Z">' in header


def test_unknown_status_is_not_used_as_a_class() -> None:
    from dataclasses import replace

    diagnosis = replace(small_diagnosis(), status='x" onclick="y')  # type: ignore[arg-type]
    page = render_html(diagnosis)
    assert "onclick" not in page
    assert '<span class="badge st-indeterminate">indeterminate</span>' in page


def test_golden_small_report() -> None:
    check_golden("small.html", render_html(small_diagnosis()))


# -- end to end: probe a lab, replay the capture as HTML ----------------------------------


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    directory = tmp_path_factory.mktemp("captures")
    with start_lab(names=["good-nsec", "ds-no-matching-key"]) as lab:
        yield {
            name: probe_to_file(lab, name, directory)
            for name in ("good-nsec", "ds-no-matching-key")
        }


def test_cli_replay_as_html_bogus(captures: dict[str, Path]) -> None:
    result = doctor(
        "check", "--replay", str(captures["ds-no-matching-key"]), "--at", f"@{LAB_NOW}",
        "--format", "html",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    page = result.stdout
    parser = parse_page(page)
    assert "script-src 'none'" in parser.meta["Content-Security-Policy"]
    roots = page[page.index('id="root-causes"') :]
    assert "DS_NO_MATCHING_DNSKEY" in roots
    assert '<span class="badge st-bogus">bogus</span>' in page
    assert "ds-no-matching-key.test." in "".join(parser.text)


def test_cli_replay_as_html_secure(captures: dict[str, Path]) -> None:
    result = doctor(
        "check", "--replay", str(captures["good-nsec"]), "--at", f"@{LAB_NOW}", "--format", "html"
    )
    assert result.returncode == 0, result.stderr
    parser = parse_page(result.stdout)
    assert '<span class="badge st-secure">secure</span>' in result.stdout
    assert "No problems found." in "".join(parser.text)
    assert result.stdout.count('<li class="st-secure">') == 3  # root, test., the zone


# -- the report with its graph ----------------------------------------------------------------


def graph_report(scenario: str) -> tuple[str, StrictPage]:
    from dnssec_doctor.render.graphviz import dot_to_svg
    from dnssec_doctor.render.keydot import render_graph_dot
    from make_keygraph_golden import diagnosis_of

    d = diagnosis_of(Path(__file__).parent / "cases" / f"check-{scenario}")
    page = render_html(d, dot_to_svg(render_graph_dot(d)))
    return page, parse_page(page)


def test_report_leads_with_headline_then_root_causes_then_the_graph() -> None:
    page, parser = graph_report("ds-no-matching-key")
    order = [page.index(mark) for mark in ("<h1", 'id="root-causes"', 'id="graph"', 'id="chain"')]
    assert order == sorted(order)
    assert parser.tags.count("svg") == 1 and "g_z2g0" in parser.svg_ids


def test_root_cause_fix_gives_the_ds_to_upload_and_commands_in_pre_blocks() -> None:
    page, _ = graph_report("ds-no-matching-key")
    root = page[page.index('id="root-causes"') : page.index('id="graph"')]
    blocks = re.findall(r'<pre class="copy">(.*?)</pre>', root, re.S)
    assert re.fullmatch(r"ds-no-matching-key\.test\. IN DS 58901 13 2 [0-9A-F]{64}", blocks[0])
    assert "# BIND\ndnssec-dsfromkey -2 K&lt;zone&gt;+&lt;alg&gt;+&lt;tag&gt;.key" in blocks[1]
    expired, _ = graph_report("expired-signatures")
    assert "# BIND\nrndc sign expired-signatures.test" in expired
    assert "# Knot\nknotc zone-sign expired-signatures.test" in expired


def test_findings_link_to_their_graph_elements_and_every_link_resolves() -> None:
    page, parser = graph_report("ds-no-matching-key")
    root = page[page.index('id="root-causes"') : page.index('id="graph"')]
    assert '<a href="#g_z2g0">DNSKEY 28249</a>' in root  # the ghost key the DS names
    assert '<a href="#g_e11">DS 28249 &#8594; DNSKEY 28249</a>' in root
    graph_links = [h for h in parser.hrefs if h.startswith("#g_")]
    assert graph_links
    for href in parser.hrefs:
        assert href[1:] in parser.ids, href
    _, expired_parser = graph_report("expired-signatures")
    assert sum(h.startswith("#g_e") for h in expired_parser.hrefs) >= 5  # the expired RRSIGs


def test_evidence_is_tables_not_json() -> None:
    page, _ = graph_report("expired-signatures")
    root = page[page.index('id="root-causes"') : page.index('id="graph"')]
    assert '<table class="evidence"><tr><th>rrsets</th><td><ul class="evidence">' in root
    assert "[&quot;" not in root and "{&quot;" not in root


def test_hostile_graph_in_the_report_is_inert() -> None:
    from dnssec_doctor.render.graphviz import dot_to_svg
    from dnssec_doctor.render.keydot import render_graph_dot
    from render_samples import hostile_graph_diagnosis

    d = hostile_graph_diagnosis()
    page = render_html(d, dot_to_svg(render_graph_dot(d)))
    parser = parse_page(page)  # the allowlist: no script, no handler, no foreign element
    assert page.isascii()
    for raw in RAW_FORBIDDEN:
        assert raw not in page, repr(raw)
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered and "&#x202e;" not in lowered
    assert "<!--" not in page
    assert "<script>alert(1)</script>" in "".join(parser.text)


def test_report_body_is_the_page_without_its_head() -> None:
    from dnssec_doctor.render.html import report_body

    d = small_diagnosis()
    body = report_body(d)
    assert body.startswith("<header") and body.endswith("</footer>")
    assert "<html" not in body and "<style" not in body
    assert body.encode("ascii", "xmlcharrefreplace").decode() in render_html(d)
