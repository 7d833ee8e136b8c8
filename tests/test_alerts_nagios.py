"""`check --format nagios` against the embedded lab: states, thresholds, perfdata, escaping.

The Monitoring Plugins interface: exit status 0/1/2/3 is the state, stdout's first
line is ``DNSSEC STATE - text | perfdata``, and no DNS data may end that line or
start the performance data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import labbases
from clirun import Run, invoke
from dnssec_doctor.cli import check as check_command
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.render import monitoring
from dnssec_doctor.render.monitoring import ExpiryThresholds, servers_ok
from dnssec_doctor.render.nagios import render_nagios, render_nagios_unknown
from dnssec_doctor.timefmt import iso
from dnssec_doctor.timeparse import parse_duration
from labthread import LAB_NOW, LabThread, start_lab
from render_samples import EVIL, RAW_FORBIDDEN, hostile_diagnosis

DAY = 86400
LAB_EXPIRY = LAB_NOW + 30 * DAY
"""The lab signs for 30 days from its build time: every signature expires then."""
PERF_ITEM = re.compile(r"^'?[^=']+'?=(-?[0-9.]+|U)(s|%|B|c)?(;[-0-9.:~@]*){0,4}$")
"""``label=value[UOM];[warn];[crit];[min];[max]`` (Monitoring Plugins guidelines)."""


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab(["good-nsec", "expired-signatures", "expires-within-day"]) as running:
        yield running


@pytest.fixture(scope="module")
def anchor(lab: LabThread, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lab.anchor_file(tmp_path_factory.mktemp("anchor"))


def nagios(lab: LabThread, anchor: Path, name: str, *args: str, at: int = LAB_NOW) -> Run:
    return invoke(
        "check", name, "--root-hints", lab.root_hints, "--trust-anchor", str(anchor),
        "--timeout", "1", "--at", f"@{at}", "--format", "nagios", *args,
    )  # fmt: skip


def split(out: str) -> tuple[str, dict[str, list[str]], list[str]]:
    """The status text, the perfdata (label → fields) and the long-text lines."""
    first, *rest = out.rstrip("\n").split("\n")
    assert first.count("|") == 1, first
    text, perf = first.split(" | ")
    items = {}
    for item in perf.split(" "):
        assert PERF_ITEM.match(item), item
        label, _, value = item.partition("=")
        items[label] = value.split(";")
    for line in rest:
        assert "|" not in line, line
    return text, items, rest


def test_healthy_zone_is_ok_with_the_time_to_expiry(lab: LabThread, anchor: Path) -> None:
    result = nagios(lab, anchor, "good-nsec.test")
    assert result.exit_code == 0, result
    text, perf, rest = split(result.stdout)
    assert text.startswith("DNSSEC OK - good-nsec.test. is SECURE;")
    # no minimum: the time left goes negative once signatures have expired
    assert perf["expires_in"] == [f"{30 * DAY}s", f"{7 * DAY}:", f"{2 * DAY}:", "", ""]
    assert perf["servers_ok"] == ["6", "", "", "0", "6"]
    assert perf["problems"][0] == "0"
    assert float(perf["time"][0].rstrip("s")) > 0
    assert rest == []


def test_expiring_zone_warns_then_goes_critical(lab: LabThread, anchor: Path) -> None:
    five_days = nagios(lab, anchor, "good-nsec.test", at=LAB_EXPIRY - 5 * DAY)
    assert five_days.exit_code == 1, five_days
    text, perf, rest = split(five_days.stdout)
    assert text.startswith("DNSSEC WARNING - good-nsec.test. is SECURE: RRSIG_EXPIRES_SOON")
    assert perf["expires_in"][0] == f"{5 * DAY}s"
    assert any(line.startswith("RRSIG_EXPIRES_SOON [warning]") for line in rest)
    # One day left: the finding is still a warning, the critical threshold (2d) decides.
    one_day = nagios(lab, anchor, "good-nsec.test", at=LAB_EXPIRY - DAY)
    assert one_day.exit_code == 2, one_day
    text, perf, _ = split(one_day.stdout)
    assert text.startswith("DNSSEC CRITICAL - good-nsec.test. is SECURE")
    assert "(critical below 2 days)" in text
    assert perf["expires_in"][0] == f"{DAY}s"


def test_a_zone_expiring_within_hours_is_critical(lab: LabThread, anchor: Path) -> None:
    # Its signatures expire 6 hours after the lab was built; the other zones' in 30 days.
    result = nagios(lab, anchor, "expires-within-day.test")
    assert result.exit_code == 2, result
    text, perf, rest = split(result.stdout)
    assert text.startswith(
        "DNSSEC CRITICAL - expires-within-day.test. is SECURE: RRSIG_EXPIRES_SOON"
    )
    assert perf["expires_in"][0] == f"{6 * 3600}s"
    assert rest[0].startswith("RRSIG_EXPIRES_SOON [warning] expires-within-day.test.: ")


def test_thresholds_decide_on_the_time_left(lab: LabThread, anchor: Path) -> None:
    # 30 days left: OK by default, WARNING within 40d, CRITICAL within 35d.
    warned = nagios(lab, anchor, "good-nsec.test", "--warning", "40d", "--critical", "5d")
    assert warned.exit_code == 1, warned
    _, perf, _ = split(warned.stdout)
    assert perf["expires_in"][1:3] == [f"{40 * DAY}:", f"{5 * DAY}:"]
    assert "RRSIG_EXPIRES_SOON" in warned.stdout  # --warning is the analysis's window too
    critical = nagios(lab, anchor, "good-nsec.test", "--warning=6w", "--critical=840h")
    assert critical.exit_code == 2, critical
    assert critical.stdout.startswith("DNSSEC CRITICAL - ")
    assert "(critical below 35 days)" in critical.stdout


def test_broken_zone_is_critical_with_its_root_cause(lab: LabThread, anchor: Path) -> None:
    result = nagios(lab, anchor, "expired-signatures.test")
    assert result.exit_code == 2, result
    text, perf, rest = split(result.stdout)
    assert text.startswith("DNSSEC CRITICAL - expired-signatures.test. is BOGUS: RRSIG_EXPIRED")
    assert rest[0].startswith("RRSIG_EXPIRED [critical] expired-signatures.test.: ")
    # The zone's two servers serve the expired signatures; the other four are fine.
    assert perf["servers_ok"] == ["4", "", "", "0", "6"]
    # Its signatures expired three days ago: the time left is negative, not the
    # parent's 30 days (which would make an expiry graph jump back up as the zone broke).
    assert perf["expires_in"][0] == f"{-3 * DAY}s"
    assert text.endswith(f"earliest signature expired {iso(LAB_NOW - 3 * DAY)}, 3 days ago")


def test_signatures_expiring_mid_monitoring_stay_critical(lab: LabThread, anchor: Path) -> None:
    # The zone that expires 6 hours after the lab was built, checked 1 hour after that.
    result = nagios(lab, anchor, "expires-within-day.test", at=LAB_NOW + 7 * 3600)
    assert result.exit_code == 2, result
    text, perf, _ = split(result.stdout)
    assert text.startswith("DNSSEC CRITICAL - expires-within-day.test. is BOGUS: RRSIG_EXPIRED")
    assert perf["expires_in"][0] == "-3600s"


def test_unreachable_is_unknown_on_stdout(lab: LabThread, anchor: Path) -> None:
    nowhere = f"{labbases.EMBEDDED}.254.254"  # in this module's range, where nothing listens
    result = invoke(
        "check", "good-nsec.test", "--root-hints", nowhere, "--trust-anchor", str(anchor),
        "--timeout", "0.2", "--format", "nagios",
    )  # fmt: skip
    assert result.exit_code == 3
    assert result.stdout.startswith("DNSSEC UNKNOWN - no root server answered (")
    assert "is this machine offline, or is port 53 blocked?" in result.stdout
    assert result.stdout.count("\n") == 1 and "|" not in result.stdout
    assert "no root server answered" in result.stderr


def test_bad_input_is_unknown_on_stdout_too() -> None:
    result = invoke("check", "--format", "nagios")
    assert (result.exit_code, result.stdout) == (
        3,
        "DNSSEC UNKNOWN - missing NAME (or --replay FILE)\n",
    )


def test_hostile_name_cannot_inject_perfdata(lab: LabThread, anchor: Path) -> None:
    name = "x|pwned=1;2;3\\010'<script>.good-nsec.test"
    result = nagios(lab, anchor, name)
    text, perf, _ = split(result.stdout)
    assert set(perf) == {"expires_in", "servers_ok", "servers", "problems", "time"}
    # the name does not exist in the signed zone: proven NXDOMAIN, said in the headline
    assert "x\\124pwned=1\\;2\\;3\\010'<script>.good-nsec.test. does not exist" in text


def test_hostile_findings_stay_in_the_text() -> None:
    evil = EVIL.replace("evil", "e|vil='x'")
    d = hostile_diagnosis()
    d = replace(d, name=evil, findings=tuple(replace(f, zone=evil) for f in d.findings))
    out = render_nagios(d)
    for raw in RAW_FORBIDDEN:
        assert raw not in out
    text, perf, rest = split(out)
    assert set(perf) == {"expires_in", "servers_ok", "servers", "problems"}
    assert text.startswith("DNSSEC CRITICAL - e\\124vil='x'")
    assert len(rest) == sum(1 for f in d.root_causes() if f.severity >= 2) > 0
    assert render_nagios_unknown("a|b\nc") == "DNSSEC UNKNOWN - a\\124b\\010c\n"


def test_servers_ok_counts_a_finding_without_servers_against_its_zone() -> None:
    d = hostile_diagnosis()
    assert servers_ok(d) == len(d.servers) - len({s for f in d.findings for s in f.servers})


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--warning", "7x"], "argument --warning: invalid duration '7x'"),
        (["--critical", "99999d"], "argument --critical: '99999d' is longer than"),
        (["--warning", "2d", "--critical", "7d"], "--critical (604800 s) must not be longer"),
        (["--warning", "1d", "--critical", "2d"], "--critical (172800 s) must not be longer"),
        (["--timeout", "abc"], "argument --timeout: 'abc' is not a number"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
    ],
)
def test_bad_options_are_unknown_on_stdout(argv: list[str], message: str) -> None:
    # Nagios shows stdout only: a bad command line is UNKNOWN there (Monitoring
    # Plugins guidelines, "Plugin Return Codes"), not an empty output.
    for fmt in (["--format", "nagios"], ["--format=nagios"]):
        result = invoke("check", "x.test", *fmt, *argv)
        assert result.exit_code == 3, result
        assert result.stdout.startswith(f"DNSSEC UNKNOWN - {message}"), result
        assert result.stdout.count("\n") == 1 and "|" not in result.stdout
        assert message in result.stderr


def test_thresholds_of_another_format_are_a_usage_error() -> None:
    result = invoke("check", "x.test", "--format", "json", "--warning", "1d")
    assert (result.exit_code, result.stdout) == (3, "")
    assert "--warning and --critical are thresholds of --format nagios" in result.stderr
    # The last --format given is the one used, as argparse reads it.
    result = invoke("check", "x.test", "--format", "nagios", "--format", "json", "--warning", "7x")
    assert (result.exit_code, result.stdout) == (3, "")


def test_durations() -> None:
    assert [parse_duration(t) for t in ("7d", "12h", "90m", "30s", "2w", "3600", " 1D ")] == [
        7 * DAY, 12 * 3600, 90 * 60, 30, 14 * DAY, 3600, DAY,
    ]  # fmt: skip
    for bad in ("", "d", "-1d", "1.5d", "7 d", "7y"):
        with pytest.raises(DoctorError):
            parse_duration(bad)


def test_default_thresholds_agree() -> None:
    # check.py keeps its own copy (the renderers are not imported before the probe).
    assert check_command.DEFAULT_CRITICAL == monitoring.DEFAULT_CRITICAL
    assert ExpiryThresholds() == ExpiryThresholds(7 * DAY, 2 * DAY)
