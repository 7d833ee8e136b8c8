"""``serve --db``: the web's checks recorded in the history store, and the history page.

Real parts: the embedded lab on loopback, ``dnssec-doctor serve`` (Uvicorn) on a
loopback socket, SQLite in a temporary directory. The web has no time parameter (it
checks now), so the earlier observation is a ``check --db --at -2d`` of the same lab
zone by the CLI into the same store; the web's check comes second.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dnssec_doctor.lab.background import BackgroundLab
from labthread import doctor
from test_web_api import assert_inert, parse
from web_scenarios import web_lab
from webserve import request, serving, submit, wait_over

CASES = Path(__file__).parent / "cases"
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>.hostile-labels.test."


@pytest.fixture(scope="module")
def lab() -> Iterator[BackgroundLab]:
    with web_lab(["good-nsec", "hostile-labels"]) as running:
        yield running


@pytest.fixture(scope="module")
def anchor(lab: BackgroundLab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lab.anchor_file(tmp_path_factory.mktemp("anchor"))


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("history") / "history.sqlite3"


@pytest.fixture(scope="module")
def recording(lab: BackgroundLab, anchor: Path, db_file: Path) -> Iterator[str]:
    """A server recording in ``db_file``, which holds an earlier check by the CLI."""
    earlier = doctor(
        "check", "good-nsec.test", "--root-hints", lab.root_hints, "--trust-anchor", str(anchor),
        "--timeout", "1", "--db", f"sqlite:///{db_file}", "--at", "-2d",
    )  # fmt: skip
    assert earlier.returncode in (0, 1, 2), earlier.stderr
    with serving(
        lab, anchor, 9170, "--allow-private-targets", "--client-rate", "1000",
        "--reuse-minutes", "0", "--db", f"sqlite:///{db_file}",
    ) as url:  # fmt: skip
        yield url


def _history(base: str, name: str) -> tuple[int, dict[str, Any]]:
    status, headers, raw = request(
        f"{base}/api/v1/names/{urllib.parse.quote(name, safe='')}/history"
    )
    assert headers["content-type"].startswith("application/json"), headers
    document: dict[str, Any] = json.loads(raw)
    return status, document


def _svg(page: str) -> ET.Element:
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    return ET.fromstring(svg)  # our own output: parsed to show it is well-formed XML


def test_a_web_check_joins_the_history_and_the_page_shows_the_timeline(recording: str) -> None:
    state = wait_over(recording, submit(recording, {"name": "good-nsec.test"})["url"])
    assert state["state"] == "done" and state["diagnosis"]["status"] == "secure", state

    status, document = _history(recording, "GOOD-NSEC.test")  # any spelling of the name
    assert status == 200, document
    assert document["name"] == "good-nsec.test." and document["observations"] == 2
    rows = document["signature_windows"]
    assert [r["observed_at"] for r in rows] == sorted(r["observed_at"] for r in rows)
    assert rows[-1]["observed_at"] == state["diagnosis"]["at"]
    assert rows[-1]["status"] == "secure"
    assert all(r["windows"] for r in rows)
    assert {w["zone"] for r in rows for w in r["windows"]} <= {".", "test.", "good-nsec.test."}
    assert document["runs"][-1]["last"] == state["diagnosis"]["at"]

    # The result page links to the name's history.
    _, _, raw = request(f"{recording}/checks/{state['id']}")
    links = [a.get("href") for t, a in parse(raw.decode()).tags if t == "a"]
    assert "/names/good-nsec.test." in links

    status, headers, raw = request(f"{recording}/names/good-nsec.test.")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "content-security-policy" in headers
    page = raw.decode()
    tags = assert_inert(page)
    text = " ".join(tags.text)
    assert "History of" in text and "good-nsec.test." in text
    assert "2 observations" in text
    assert state["diagnosis"]["at"] in text  # the timeline names the web check's time
    svg = _svg(page)
    groups = svg.findall(f"{SVG}g")
    assert len(groups) == 2
    assert all(
        g.find(f"{SVG}rect") is not None and g.find(f"{SVG}line") is not None for g in groups
    )
    marks = [float(g.find(f"{SVG}line").get("x1", "nan")) for g in groups]  # type: ignore[union-attr]
    assert marks[0] < marks[1]  # two days apart, in time order


def test_hostile_labels_stay_text_in_the_history(recording: str) -> None:
    state = wait_over(recording, submit(recording, {"name": HOSTILE})["url"])
    assert state["state"] == "done", state
    path = urllib.parse.quote(HOSTILE, safe="")
    _, _, raw = request(f"{recording}/checks/{state['id']}")
    assert f"/names/{path}" in [a.get("href") for t, a in parse(raw.decode()).tags if t == "a"]

    status, _, raw = request(f"{recording}/names/{path}")
    assert status == 200, raw
    page = raw.decode()
    tags = assert_inert(page)
    assert HOSTILE in " ".join(tags.text) and "&lt;script&gt;" in page
    svg = _svg(page)
    assert not [e for e in svg.iter() if e.tag.removeprefix(SVG) in ("script", "img")]
    titles = [t.text or "" for t in svg.iter(f"{SVG}title")]
    assert any(HOSTILE in t for t in titles)  # the signed RRset's owner, as text
    bars = [r.get("fill") for r in svg.iter(f"{SVG}rect")]
    assert bars and set(bars) == {"#c62828"}  # every signature of that zone has expired

    status, document = _history(recording, HOSTILE)
    assert status == 200 and document["name"] == HOSTILE


def test_a_store_that_fails_costs_the_record_not_the_check(recording: str, db_file: Path) -> None:
    _, before = _history(recording, "good-nsec.test")
    # Another writer holds the store's write lock for longer than a record waits (3 s).
    blocker = sqlite3.connect(db_file, isolation_level=None, timeout=1)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        state = wait_over(recording, submit(recording, {"name": "good-nsec.test"})["url"])
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert state["state"] == "done" and state["diagnosis"]["status"] == "secure", state
    _, after = _history(recording, "good-nsec.test")
    assert after["observations"] == before["observations"]  # not recorded, and said so in the log


def test_unknown_names_and_bad_names(recording: str) -> None:
    status, _, raw = request(f"{recording}/names/never-checked.test")
    assert status == 404 and "no observations of never-checked.test." in raw.decode()
    status, document = _history(recording, "never-checked.test")
    assert status == 404 and "no observations" in document["detail"]
    status, _, raw = request(f"{recording}/names/a..b")
    assert status == 422 and "<script" not in raw.decode().split("</nav>")[1]
    status, _, raw = request(f"{recording}/names/%1B%5B31m%E2%80%AE%00x.test")
    assert status == 422 and not set(raw.decode()) & {"\x1b", "\u202e", "\x00"}
    status, document = _history(recording, "a" * 1025)
    assert status == 422, document


def test_without_a_store_the_history_is_404_saying_why(lab: BackgroundLab, anchor: Path) -> None:
    with serving(lab, anchor, 9171, "--allow-private-targets") as base:
        status, _, raw = request(f"{base}/names/good-nsec.test")
        assert status == 404 and "serve --db" in raw.decode() and "--db URL" in raw.decode()
        status, document = _history(base, "good-nsec.test")
        assert status == 404 and "keeps no history" in document["detail"]
        state = wait_over(base, submit(base, {"name": "good-nsec.test"})["url"])
        _, _, raw = request(f"{base}/checks/{state['id']}")
        assert not [
            a
            for t, a in parse(raw.decode()).tags
            if t == "a" and "/names/" in (a.get("href") or "")
        ]


def test_a_failed_record_is_one_log_line_and_the_diagnosis_unchanged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from dnssec_doctor.model.capture import load_capture
    from dnssec_doctor.session import diagnose_capture_with_survey
    from dnssec_doctor.web.history import WebHistory
    from labthread import LAB_NOW

    capture = load_capture(CASES / "check-good-nsec" / "capture.json.gz")
    diagnosis, survey = diagnose_capture_with_survey(capture, LAB_NOW + 3600)
    db = tmp_path / "h.sqlite3"
    history = WebHistory.open(f"sqlite:///{db}")
    blocker = sqlite3.connect(db, isolation_level=None, timeout=1)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        with caplog.at_level("WARNING", logger="dnssec_doctor.web"):
            assert history.record(capture, diagnosis, survey) is diagnosis
        blocker.execute("ROLLBACK")
        recorded = history.record(capture, diagnosis, survey)  # the lock gone: recorded
        assert history.store.observations("good-nsec.test.")[0].observed_at == diagnosis.at
        assert recorded.status == diagnosis.status
    finally:
        blocker.close()
        history.close()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "\n" not in lines[0], lines
    assert lines[0].startswith("dnssec-doctor: not recorded: good-nsec.test.: history database")
    assert "locked" in lines[0]


def test_a_store_that_cannot_open_stops_serve_with_one_line(tmp_path: Path) -> None:
    from webserve import HOST

    missing = tmp_path / "no-such-dir" / "history.sqlite3"
    run = doctor("serve", "--host", HOST, "--port", "9173", "--db", f"sqlite:///{missing}")
    assert run.returncode == 3, run
    assert run.stderr.count("\n") == 1 and "cannot create history database" in run.stderr
    assert not missing.parent.exists()
