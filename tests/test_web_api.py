"""The web UI and JSON API of `dnssec-doctor serve`: Uvicorn on a real loopback socket,
checking zones of the embedded lab (signed as of now: the server reads the clock).

Asserted are states and contents, never timings.
"""

from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from dnssec_doctor.lab.background import BackgroundLab
from labthread import doctor
from web_scenarios import web_lab
from webserve import request, serving, submit, wait_over


@pytest.fixture(scope="module")
def lab() -> Iterator[BackgroundLab]:
    with web_lab(["good-nsec", "expired-signatures", "hostile-labels"]) as running:
        yield running


@pytest.fixture(scope="module")
def anchor(lab: BackgroundLab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lab.anchor_file(tmp_path_factory.mktemp("anchor"))


@pytest.fixture(scope="module")
def base(lab: BackgroundLab, anchor: Path) -> Iterator[str]:
    """A server that may query the lab (private targets allowed)."""
    with serving(lab, anchor, 9160, "--allow-private-targets", "--client-rate", "1000") as url:
        yield url


@pytest.fixture(scope="module")
def strict(lab: BackgroundLab, anchor: Path) -> Iterator[str]:
    """A server with the default, public-only address policy."""
    with serving(lab, anchor, 9161, "--client-rate", "1000") as url:
        yield url


def test_a_check_through_the_api_is_the_cli_diagnosis(base: str, tmp_path: Path) -> None:
    status, headers, raw = request(f"{base}/api/v1/checks", {"name": "expired-signatures.test"})
    assert status == 202, raw
    created = json.loads(raw)
    assert created["url"] == f"/api/v1/checks/{created['id']}" == headers["location"]
    assert created["page"] == f"/checks/{created['id']}"
    assert created["state"] in ("queued", "running") and created["reused"] is False

    state = wait_over(base, created["url"])
    assert state["state"] == "done", state
    assert state["name"] == "expired-signatures.test."
    assert state["progress"]["queries"] > 10 and state["progress"]["servers"] >= 4
    diagnosis = state["diagnosis"]
    assert diagnosis["status"] == "bogus" and state["exit_status"] == 2
    assert "RRSIG_EXPIRED" in {f["code"] for f in diagnosis["findings"]}

    # The capture replays with the CLI to the same diagnosis.
    status, headers, body = request(base + state["capture"])
    assert status == 200 and headers["content-type"] == "application/gzip"
    assert 'filename="expired-signatures.test.capture.json.gz"' in headers["content-disposition"]
    path = tmp_path / "capture.json.gz"
    path.write_bytes(body)
    replay = doctor("check", "--replay", str(path), "--format", "json", "--at", diagnosis["at"])
    assert replay.returncode == 2, replay.stderr
    replayed = json.loads(replay.stdout)
    assert replayed["status"] == "bogus"
    assert [f["code"] for f in replayed["findings"]] == [f["code"] for f in diagnosis["findings"]]

    status, headers, body = request(f"{base}/checks/{created['id']}/diagnosis.json")
    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body) == diagnosis


def test_the_same_request_is_answered_by_the_same_check(base: str) -> None:
    first = submit(base, {"name": "good-nsec.test"})
    wait_over(base, first["url"])
    again = submit(base, {"name": "GOOD-NSEC.test."})  # the same name, written otherwise
    assert again["id"] == first["id"] and again["reused"] is True and again["state"] == "done"
    # Other servers to ask make another check.
    lab_server = _lab_server(base, first["url"])
    other = submit(base, {"name": "good-nsec.test", "ns": [lab_server]})
    assert other["id"] != first["id"] and other["reused"] is False
    state = wait_over(base, other["url"])
    assert state["state"] == "done" and state["diagnosis"]["status"] == "secure", state


def _lab_server(base: str, url: str) -> str:
    _, _, raw = request(base + url)
    zones = json.loads(raw)["diagnosis"]["zones"]
    servers: list[str] = zones[-1]["servers"]
    return servers[0]


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Tags:
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_inert(page: str) -> Tags:
    """Only our own script, no inline code or style, no event handler, no image."""
    tags = parse(page)
    scripts = [a for t, a in tags.tags if t == "script"]
    assert scripts == [{"src": "/static/htmx.min.js", "defer": None}]
    assert not [t for t, _ in tags.tags if t in ("img", "style", "iframe", "object", "embed")]
    assert not [(t, a) for t, a in tags.tags for k in a if k.startswith("on") or k == "style"]
    assert "\x1b" not in page and "\u202e" not in page
    return tags


def test_the_result_page_is_the_report_with_its_graph(base: str) -> None:
    created = submit(base, {"name": "expired-signatures.test"})
    wait_over(base, created["url"])
    status, headers, raw = request(base + created["page"])
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe" not in csp
    page = raw.decode()
    tags = assert_inert(page)
    text = " ".join(tags.text)
    assert "RRSIG_EXPIRED" in text and "Fix" in text
    assert [t for t, _ in tags.tags].count("svg") == 1
    links = {a.get("href") for t, a in tags.tags if t == "a"}
    assert f"/checks/{created['id']}/capture.json.gz" in links
    assert f"/checks/{created['id']}/diagnosis.json" in links

    status, headers, js = request(f"{base}/static/htmx.min.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert js.startswith(b"var htmx=")
    status, headers, css = request(f"{base}/static/style.css")
    assert status == 200 and headers["content-type"].startswith("text/css") and b".graph" in css


def test_hostile_labels_come_out_as_text(base: str) -> None:
    name = "<script>.hostile-labels.test"
    state = wait_over(base, submit(base, {"name": name})["url"])
    assert state["state"] == "done", state
    assert state["name"] == "<script>.hostile-labels.test."
    document = json.dumps(state["diagnosis"])
    # The NS names the zone lists and the parent does not are named in the findings.
    assert "<script>.ns.invalid." in document and "onerror" in document
    assert "\\\\027[31mred\\\\226\\\\128\\\\174" in document  # escaped, as in a zone file

    _, _, raw = request(f"{base}/checks/{state['id']}")
    page = raw.decode()
    tags = assert_inert(page)
    text = "".join(tags.text)
    assert "<script>.hostile-labels.test." in text  # shown, as text
    assert "&lt;script&gt;" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "<script" not in svg and "<img" not in svg and "&lt;script&gt;" in svg

    status, _, fragment = request(f"{base}/checks/{state['id']}/progress")
    assert status == 200 and b"<script" not in fragment


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": ""}, "at least 1 character"),
        ({"name": "a" * 1025}, "at most 1024 characters"),
        ({"name": "a\nb.test"}, "control characters are not allowed"),
        ({"name": "a." * 130}, "invalid name"),
        ({"name": "x.test", "ns": ["192.0.2.1"] * 9}, "at most 8 items"),
        ({"name": "x.test", "ns": ["not-an-address"]}, "not an IP address"),
        ({"name": "x.test", "resolvers": ["1" * 65]}, "at most 64 characters"),
        ({"name": "x.test", "ds": "x" * 8193}, "at most 8192 characters"),
        ({"name": "x.test", "html": "<b>"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_requests_are_422(strict: str, body: dict[str, Any], message: str) -> None:
    status, headers, raw = request(f"{strict}/api/v1/checks", body)
    assert status == 422 and headers["content-type"] == "application/json", raw
    assert message in raw.decode()


def test_the_form_starts_a_check_and_the_page_follows_it(base: str) -> None:
    status, _, raw = request(f"{base}/")
    assert status == 200
    form = [a for t, a in assert_inert(raw.decode()).tags if t == "form"]
    assert form == [{"method": "post", "action": "/checks", "class": "check"}]

    fields = urllib.parse.urlencode({"name": "good-nsec.test", "ns": "", "ds": "", "resolvers": ""})
    status, headers, _ = request(f"{base}/checks", form=fields.encode())
    assert status == 303
    page_url = headers["location"]
    assert re.fullmatch(r"/checks/[\w-]+", page_url)
    status, _, raw = request(base + page_url)
    assert status == 200
    state = wait_over(base, "/api/v1/checks/" + page_url.rsplit("/", 1)[1])
    assert state["state"] == "done"
    status, headers, fragment = request(f"{base}{page_url}/progress")
    assert status == 200 and headers["hx-refresh"] == "true" and b"finished" in fragment


def test_a_bad_form_comes_back_with_the_reason_and_the_input_as_text(base: str) -> None:
    fields = urllib.parse.urlencode({"name": '"><img src=x onerror=alert(1)>\x07'})
    status, _, raw = request(f"{base}/checks", form=fields.encode())
    assert status == 422
    page = raw.decode()
    assert_inert(page)
    assert "control characters are not allowed" in page
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;' in page


def test_another_site_cannot_post_the_form(base: str) -> None:
    req = urllib.request.Request(
        f"{base}/checks",
        data=b"name=good-nsec.test",
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    try:
        urllib.request.urlopen(req, timeout=60)
    except urllib.error.HTTPError as exc:
        assert exc.code == 403 and b"this site&#39;s own form" in exc.read()
    else:
        raise AssertionError("a cross-site form post was accepted")


def test_a_form_with_too_many_fields_is_422(base: str) -> None:
    status, _, raw = request(f"{base}/checks", form=b"&".join([b"a=1"] * 20))
    assert status == 422 and b"the form has too many fields" in raw


def test_an_unknown_check_is_404(base: str) -> None:
    status, _, raw = request(f"{base}/api/v1/checks/nope")
    assert status == 404 and json.loads(raw)["detail"].startswith("no such check")
    status, _, _ = request(f"{base}/checks/nope")
    assert status == 404


# -- the address policy on what the user gives ------------------------------------------


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ({"name": "good-nsec.test", "ns": ["127.0.0.1"]}, "127.0.0.1 is a loopback address"),
        (
            {"name": "good-nsec.test", "ns": ["::ffff:127.0.0.1"]},
            "::ffff:7f00:1 leads to 127.0.0.1 (IPv4-mapped), a loopback address",
        ),
        ({"name": "good-nsec.test", "ns": ["10.1.2.3"]}, "10.1.2.3 is a private address"),
        ({"name": "good-nsec.test", "resolvers": ["10.0.0.1"]}, "10.0.0.1 is a private address"),
        ({"name": "good-nsec.test", "ns": ["64:ff9b::a00:1"]}, "leads to 10.0.0.1 (NAT64)"),
    ],
)
def test_private_servers_given_by_the_user_are_refused(
    strict: str, body: dict[str, Any], refused: str
) -> None:
    state = wait_over(strict, submit(strict, body)["url"])
    assert state["state"] == "failed" and state["diagnosis"] is None
    assert refused in state["error"], state["error"]
    assert "--allow-private-targets" in state["error"]


def test_a_public_server_queries_port_53_only(strict: str) -> None:
    for body in (
        {"name": "x.test", "ns": ["192.0.2.1:25"]},
        {"name": "x.test", "resolvers": ["[2001:db8::1]:80"]},
    ):
        status, _, raw = request(f"{strict}/api/v1/checks", body)
        assert status == 422 and "only port 53 is queried by this server" in raw.decode()


def test_the_lab_itself_is_refused_by_a_public_server(strict: str) -> None:
    # The root (the operator's own hint) answers; test. on loopback is refused.
    state = wait_over(strict, submit(strict, {"name": "good-nsec.test"})["url"])
    assert state["state"] == "failed"
    assert "is a loopback address (RFC 1122); the address policy refuses it" in state["error"]
    _, _, raw = request(f"{strict}/checks/{state['id']}")
    assert "the address policy refused to query" in raw.decode()


def test_too_many_checks_from_one_client_are_429(lab: BackgroundLab, anchor: Path) -> None:
    with serving(lab, anchor, 9162, "--allow-private-targets", "--client-rate", "1") as url:
        first = submit(url, {"name": "good-nsec.test"})
        status, headers, raw = request(f"{url}/api/v1/checks", {"name": "expired-signatures.test"})
        assert status == 429 and int(headers["retry-after"]) >= 1, raw
        assert "too many checks from your address" in json.loads(raw)["detail"]
        # Asking again for the check already made costs nothing.
        again = submit(url, {"name": "good-nsec.test"})
        assert again["id"] == first["id"] and again["reused"] is True
        status, _, page = request(f"{url}/checks", form=b"name=expired-signatures.test")
        assert status == 429 and b"too many checks from your address" in page


def test_openapi_states_the_limits(strict: str) -> None:
    status, _, raw = request(f"{strict}/openapi.json")
    assert status == 200
    schema = json.loads(raw)
    assert set(schema["paths"]) == {
        "/api/v1/checks",
        "/api/v1/checks/{check_id}",
        "/api/v1/names/{name}/history",
    }
    body = schema["components"]["schemas"]["CheckRequest"]
    assert body["properties"]["name"]["maxLength"] == 1024
    assert body["properties"]["ns"]["maxItems"] == 8
    assert body["additionalProperties"] is False
    post = schema["paths"]["/api/v1/checks"]["post"]
    assert {"202", "422", "429", "503"} <= set(post["responses"])


def test_the_capture_of_a_check_is_gzipped_json(base: str) -> None:
    state = wait_over(base, submit(base, {"name": "good-nsec.test"})["url"])
    _, _, body = request(base + state["capture"])
    capture = json.loads(gzip.decompress(body))
    assert capture["name"] == "good-nsec.test." and capture["exchanges"]


def test_a_ds_to_upload_is_checked_against_the_live_zone(base: str) -> None:
    wrong = "good-nsec.test. 3600 IN DS 11111 13 2 " + "ab" * 32
    state = wait_over(base, submit(base, {"name": "good-nsec.test", "ds": wrong})["url"])
    assert state["state"] == "done", state
    diagnosis = state["diagnosis"]
    codes = {f["code"] for f in diagnosis["findings"]}
    assert "DS_INPUT_NOT_IN_LIVE_ZONE" in codes, codes
    (candidate,) = diagnosis["preflight"]["candidates"]
    assert candidate["verdict"] == "rejected" and candidate["given"].startswith("good-nsec.test.")
    # The upload the zone needs is there too, and the page shows the finding.
    assert diagnosis["preflight"]["upload"]
    _, _, page = request(f"{base}/checks/{state['id']}")
    assert b"DS_INPUT_NOT_IN_LIVE_ZONE" in page
