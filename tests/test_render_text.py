"""The text and JSON reports escape DNS data: no terminal escapes, no rich markup injection."""

from __future__ import annotations

import json

from dnssec_doctor import catalog
from dnssec_doctor.findings import Diagnosis, ZoneReport
from dnssec_doctor.render.json_out import render_json
from dnssec_doctor.render.nagios import render_nagios
from dnssec_doctor.render.text import render_text

EVIL = "evil\x1b[31m[bold red]<script>alert(1)</script>\u202e\x07.test."


def hostile_diagnosis() -> Diagnosis:
    finding = catalog.finding(
        "RRSIG_EXPIRED",
        zone=EVIL,
        detail=f"signature over {EVIL}/TXT expired\x1b]0;pwned\x07",
        servers=("127.0.0.1",),
        fix=f"re-sign {EVIL}",
        evidence={"txt": EVIL},
    )
    return Diagnosis(
        name=EVIL,
        at=1_800_000_000,
        status="bogus",
        findings=(finding,),
        zones=(ZoneReport(EVIL, "bogus", ("127.0.0.1",), EVIL),),
    )


def test_text_report_has_no_control_characters() -> None:
    out = render_text(hostile_diagnosis(), color=False)
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\u202e" not in out
    assert "[bold red]" in out  # shown literally, not interpreted as markup
    assert "\\027" in out  # ESC made visible


def test_text_report_in_colour_keeps_data_escaped() -> None:
    out = render_text(hostile_diagnosis(), color=True)
    assert "\x1b]0;" not in out  # no title-setting sequence from the data
    assert "\x07" not in out


def test_json_is_ascii_and_round_trips() -> None:
    out = render_json(hostile_diagnosis())
    assert out.isascii()
    data = json.loads(out)
    assert data["name"] == EVIL
    assert data["findings"][0]["evidence"]["txt"] == EVIL


def test_nagios_line_is_one_line_without_escapes() -> None:
    out = render_nagios(hostile_diagnosis())
    assert out.count("\n") == 1
    assert "\x1b" not in out
    assert out.startswith("DNSSEC CRITICAL")
