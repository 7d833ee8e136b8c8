"""The history page's plot of signature validity windows: pure SVG text, labels escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dnssec_doctor.history.facts import ObservationFacts, SignatureFact
from dnssec_doctor.history.store import StoredObservation
from dnssec_doctor.render.validity_svg import (
    BARS_PER_ROW,
    MAX_ROWS,
    earliest_windows,
    plot_rows,
    render_validity_svg,
)
from dnssec_doctor.timefmt import iso

SVG = "{http://www.w3.org/2000/svg}"
DAY = 86400
T0 = 1_800_000_000
HOSTILE = '<script>alert(1)</script>."><img src=x onerror=alert(1)>.\x1b[31m\u202e.test.'


def _sig(owner: str, inception: int, expiration: int, server: str = "192.0.2.1") -> SignatureFact:
    return SignatureFact("test.", server, owner, "A", 12345, 13, inception, expiration, 3600)


def _observation(i: int, at: int, state: int, status: str = "secure") -> StoredObservation:
    return StoredObservation(i, "test.", at, status, "info", 0, 0, None, state)


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # our own output: parsed to show it is well-formed XML


def test_the_earliest_expiring_distinct_windows_are_kept() -> None:
    facts = ObservationFacts(
        signatures=tuple(
            [_sig("a.test.", T0, T0 + 9 * DAY, server) for server in ("192.0.2.1", "192.0.2.2")]
            + [_sig(f"n{i}.test.", T0, T0 + (i + 1) * DAY) for i in range(5)]
        )
    )
    windows = earliest_windows(facts)
    assert len(windows) == BARS_PER_ROW
    assert [w.owner for w in windows] == ["n0.test.", "n1.test.", "n2.test."]
    # The same RRSIG from two servers is one window.
    assert len(earliest_windows(facts, 10)) == 6


def test_one_row_per_observation_with_its_mark_and_bars() -> None:
    old = ObservationFacts(signatures=(_sig("test.", T0, T0 + 10 * DAY),))
    new = ObservationFacts(signatures=(_sig("test.", T0 + 5 * DAY, T0 + 15 * DAY),))
    history = [
        _observation(1, T0 + DAY, 1),
        _observation(2, T0 + 6 * DAY, 2),
        _observation(3, T0 + 12 * DAY, 1, "bogus"),
    ]
    rows = plot_rows(history, {1: old, 2: new})
    assert [r.observation_id for r in rows] == [1, 2, 3]
    root = _tree(render_validity_svg(rows, "validity of test."))
    groups = root.findall(f"{SVG}g")
    assert [g.get("data-id") for g in groups] == ["1", "2", "3"]
    marks = [g.find(f"{SVG}line") for g in groups]
    xs = [float(m.get("x1", "nan")) for m in marks if m is not None]
    assert xs == sorted(xs) and len(set(xs)) == 3  # the marks move right with time
    bars = [g.find(f"{SVG}rect") for g in groups]
    assert all(b is not None for b in bars)
    # The third observation is past the end of its window: drawn red.
    assert [b.get("fill") for b in bars if b is not None] == ["#2e7d32", "#2e7d32", "#c62828"]
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert iso(T0 + DAY) in labels and iso(T0 + 6 * DAY) in labels


def test_hostile_labels_stay_text() -> None:
    facts = ObservationFacts(signatures=(_sig(HOSTILE, T0, T0 + 10 * DAY),))
    svg = render_validity_svg(
        plot_rows([_observation(1, T0 + DAY, 1)], {1: facts}), f"validity of {HOSTILE}"
    )
    root = _tree(svg)
    assert not [e for e in root.iter() if e.tag.removeprefix(SVG) in ("script", "img")]
    assert not [k for e in root.iter() for k in e.attrib if k.startswith("on")]
    assert "\x1b" not in svg and "\u202e" not in svg
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert any(t.startswith('<script>alert(1)</script>."><img src=x onerror') for t in titles)
    assert "validity of <script>" in titles[0]


def test_an_empty_history_and_a_long_one_stay_small() -> None:
    assert "no signatures observed" in render_validity_svg([], "nothing")
    facts = {1: ObservationFacts(signatures=(_sig("test.", T0, T0 + 30 * DAY),))}
    many = [_observation(i, T0 + i * 60, 1) for i in range(1, 500)]
    rows = plot_rows(many, facts)
    assert len(rows) == MAX_ROWS and rows[-1].observation_id == 499
    assert len(_tree(render_validity_svg(rows, "t")).findall(f"{SVG}g")) == MAX_ROWS
