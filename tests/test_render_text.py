"""The text and JSON reports escape DNS data: no terminal escapes, no rich markup injection.

The text report does not load rich, wraps like it did, and keeps records whole.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dnssec_doctor import catalog
from dnssec_doctor.model.diagnosis_json import render_json
from dnssec_doctor.model.findings import Diagnosis, ZoneReport
from dnssec_doctor.render.nagios import render_nagios
from dnssec_doctor.render.styled import RESET, sgr
from dnssec_doctor.render.text import SEVERITY_STYLE, STATUS_STYLE, render_text

CASES = Path(__file__).parent / "cases"

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


CONTROLS = "\x1b[31m\x9b31m\x07\r\n\x00\x7f\u202e\u2028"
"""ESC (an SGR sequence), CSI, BEL, CR, LF, NUL, DEL, a bidi override, a line separator."""


def controlled_diagnosis() -> Diagnosis:
    name = f"a{CONTROLS}b.test."
    finding = catalog.finding(
        "AUTH_UDP_UNREACHABLE",
        zone=name,
        detail=f"server of {name} is silent",
        servers=(name,),
        servers_ok=(name,),
        fix=f"restart {name}",
    )
    return Diagnosis(
        name=name,
        at=1_800_000_000,
        status="indeterminate",
        findings=(finding,),
        zones=(ZoneReport(name, "indeterminate", (name,), name),),
        stats={"status_reason": name},
    )


OUR_CODES = re.compile(
    "|".join(
        re.escape(code)
        for code in {RESET, *(sgr(s) for s in (*STATUS_STYLE.values(), *SEVERITY_STYLE.values()))}
        | {sgr(s) for s in ("bold", "dim", "bold underline", "green", "bold green", "magenta")}
    )
)


@pytest.mark.parametrize("color", [False, True])
def test_control_characters_in_names_are_shown_escaped(
    color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    out = render_text(controlled_diagnosis(), color=color)
    assert ("\x1b[" in out) is color  # the report's own styles, only in colour
    # Take away the report's own SGR codes: what is left is the plain report, with
    # no control character at all, and every one from the data written as an escape.
    visible = OUR_CODES.sub("", out)
    assert visible == render_text(controlled_diagnosis(), color=False)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e\u2028]", visible)
    assert visible.count("a\\027[31m\\15531m\\007\\013\\010\\000\\127\\u202e\\u2028b") >= 7


def test_a_dumb_terminal_gets_no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert "\x1b" not in render_text(hostile_diagnosis(), color=True)


def test_details_and_fixes_stay_on_one_line_other_lines_wrap() -> None:
    # A record to paste (in a detail or a fix) is left whole for the terminal to wrap,
    # as rich's soft wrap did; titles and server lists wrap at the width.
    record = "example.test. 3600 IN DS 12345 13 2 " + "AB" * 32
    finding = catalog.finding(
        "AUTH_UDP_UNREACHABLE",
        zone="example.test.",
        detail=f"add this record at the parent:\n{record}",
        servers=tuple(f"192.0.2.{i}" for i in range(1, 30)),
        fix=f"publish {record} " + "then wait for the TTL " * 8,
    )
    d = Diagnosis(name="example.test.", at=1_800_000_000, status="secure", findings=(finding,))
    lines = render_text(d, width=60).splitlines()
    assert f"    {record}" in lines
    assert next(line for line in lines if line.startswith("    fix: publish ")).endswith("TTL")
    servers = lines.index(next(line for line in lines if line.startswith("    servers: ")))
    assert len(lines[servers]) <= 60 and len(lines[servers + 1]) <= 60
    assert lines[servers + 1].startswith("    192.0.2.")  # continued at the line's indent


def test_the_replayed_report_is_the_same_at_the_default_width() -> None:
    from dnssec_doctor.analysis.engine import AnalysisOptions
    from dnssec_doctor.model.capture import load_capture
    from dnssec_doctor.session import diagnose_capture

    case = CASES / "check-expired-signatures"
    at = json.loads((case / "expected.json").read_text())["at"]
    d = diagnose_capture(load_capture(case / "capture.json.gz"), at, AnalysisOptions(7 * 86400))
    out = render_text(d)
    assert out.startswith("expired-signatures.test. is BOGUS  (as of 2027-01-15T08:00:00Z)\n")
    assert "\nRoot causes\n   CRITICAL  RRSIG_EXPIRED  expired-signatures.test.\n" in out
    assert max(map(len, out.splitlines())) > 100  # the detail and fix, left whole


_NO_RICH = """
import atexit, sys
atexit.register(lambda: print("rich loaded:", "rich" in sys.modules, file=sys.stderr))
if sys.argv[1] == "import":
    import dnssec_doctor.render.text
    sys.exit(0)
from dnssec_doctor.cli.main import main
sys.argv = ["dnssec-doctor", "check", "--replay", sys.argv[2], "--at", "2027-01-15T08:00:00Z"]
main()
"""


@pytest.mark.parametrize("how", ["import", "check"])
def test_the_text_report_does_not_load_rich(how: str) -> None:
    # rich costs more start-up time than the rest of a check; the text report and
    # a whole ``check --format text`` into a pipe must not load it.
    capture = CASES / "check-expired-signatures" / "capture.json.gz"
    result = subprocess.run(
        [sys.executable, "-c", _NO_RICH, how, str(capture)],
        capture_output=True,
        text=True,
        check=False,  # ``check`` exits 2 (the capture has errors): the report is what counts
    )
    assert "rich loaded: False" in result.stderr
    if how == "check":
        assert "RRSIG_EXPIRED" in result.stdout


def test_json_is_ascii_and_round_trips() -> None:
    out = render_json(hostile_diagnosis())
    assert out.isascii()
    data = json.loads(out)
    assert data["name"] == EVIL
    assert data["findings"][0]["evidence"]["txt"] == EVIL


def test_nagios_output_is_one_line_per_root_cause_without_escapes() -> None:
    # The status line, then one line per root cause at warning or above.
    d = hostile_diagnosis()
    out = render_nagios(d)
    assert out.count("\n") == 1 + sum(1 for f in d.root_causes() if f.severity >= 2)
    assert out.count("\n") > 1
    assert "\x1b" not in out
    assert out.startswith("DNSSEC CRITICAL")
