"""Command-line input that used to mislead: root hints, IDN names, limits, empty lists.

Each case ends in the right result or one clear line and exit 3; nothing is sent
when nothing can be (``,,,`` or a multicast root hint is a usage error, not "no
server answered"). The IDN cases run against a real embedded lab on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clirun import Run, invoke
from dnssec_doctor.cli.common import require_answers
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.model.capture import Capture, Exchange
from dnssec_doctor.probe.defaults import ROOT_SERVER_ADDRESSES
from dnssec_doctor.probe.hints import hints_from_text, parse_root_hints
from labthread import LAB_NOW, LabThread, start_lab

NAMED_ROOT = """;       This file holds the information on root name servers
.                        3600000      NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4
A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30
; OPERATED BY VERISIGN, INC.
.                        3600000      NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET.      3600000  IN  A     170.247.170.2
"""


def refused(run: Run, needle: str) -> str:
    assert run.exit_code == 3, (run.exit_code, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], run.stderr
    assert "queries sent" not in lines[0] and "internal error" not in lines[0]
    return lines[0]


# -- root hints ------------------------------------------------------------------------


def test_all_iana_root_addresses_are_a_list_not_a_file_name() -> None:
    value = ",".join(ROOT_SERVER_ADDRESSES)
    assert len(value) > 255 and len(ROOT_SERVER_ADDRESSES) == 26
    hints = parse_root_hints(value)
    assert [str(h) for h in hints] == list(ROOT_SERVER_ADDRESSES)


def test_named_root_file_is_read_for_its_addresses(tmp_path: Path) -> None:
    path = tmp_path / "named.root"
    path.write_bytes(b"\xef\xbb\xbf" + NAMED_ROOT.encode())
    assert [str(h) for h in parse_root_hints(str(path))] == [
        "198.41.0.4", "2001:503:ba3e::2:30", "170.247.170.2",
    ]  # fmt: skip
    plain = tmp_path / "hints"  # no "/" in the value: a file by being no address
    plain.write_text("127.0.0.1:5353\n[::1]:5353\n")
    assert [str(h) for h in parse_root_hints(str(plain))] == ["127.0.0.1:5353", "[::1]:5353"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("$GENERATE 1-4000000000 h$ A 192.0.2.1\n", "$GENERATE is not allowed here"),
        ("$INCLUDE /etc/passwd\n", "$INCLUDE is not allowed here"),
        ("a. 1 IN A 300.1.1.1\n", ":1: invalid server address"),
        ("a. 1 IN A\n", ":1: A record without an address"),
        (". NS a.\n", "holds no addresses"),
    ],
)
def test_hostile_hints_files(text: str, needle: str) -> None:
    with pytest.raises(DoctorError) as raised:
        hints_from_text(text, "hints")
    assert needle in str(raised.value)


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("", "--root-hints is empty"),
        ("  ", "--root-hints is empty"),
        (",,,", "holds no address"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("255.255.255.255", "broadcast"),
        ("127.0.0.1,224.0.0.1", "224.0.0.1 is a multicast address"),
        ("127.0.0.1,not-an-address", "not an IP address"),
    ],
)
def test_root_hints_that_cannot_be_asked_are_usage_errors(value: str, needle: str) -> None:
    refused(invoke("check", "example.test", "--root-hints", value), needle)


@pytest.mark.parametrize(("option", "value"), [("--ns", "224.0.0.1"), ("--resolver", "::")])
def test_server_options_that_cannot_be_asked_are_usage_errors(option: str, value: str) -> None:
    refused(invoke("check", "example.test", "--root-hints", "127.0.0.1", option, value), option)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--timeout", "inf"), ("--timeout", "nan"), ("--timeout", "-1"),
        ("--max-queries", "-5"), ("--max-queries", "9" * 5000), ("--deadline", "nan"),
        ("--deadline", "-inf"), ("--expiry-warning", "-1"),
    ],
)  # fmt: skip
def test_limits_that_are_no_limits_are_usage_errors(option: str, value: str) -> None:
    refused(invoke("check", "example.test", "--root-hints", "127.0.0.1", option, value),
            f"argument {option}: ")  # fmt: skip


def test_zone_deadline_must_be_a_number_of_seconds(tmp_path: Path) -> None:
    refused(
        invoke("zone", str(tmp_path / "z"), "--deadline", "inf"),
        "argument --deadline: 'inf' is not in the range 1.0 to 86400.0",
    )


# -- IDN names, against a real lab ---------------------------------------------------------


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab(names=["good-nsec"]) as running:
        yield running


def lab_args(lab: LabThread, directory: Path) -> list[str]:
    anchor = lab.anchor_file(directory)
    return ["--root-hints", lab.root_hints, "--trust-anchor", str(anchor), "--at", f"@{LAB_NOW}"]


def test_check_takes_an_idn_name(lab: LabThread, tmp_path: Path) -> None:
    run = invoke("check", "Bücher.good-nsec.test", *lab_args(lab, tmp_path), "--format", "json")
    assert run.exit_code in (0, 1, 2), run.stderr
    assert json.loads(run.stdout)["name"] == "xn--bcher-kva.good-nsec.test."


def test_ds_takes_an_idn_name(lab: LabThread, tmp_path: Path) -> None:
    run = invoke("ds", "Bücher.good-nsec.test", *lab_args(lab, tmp_path), "--format", "json")
    assert "internal error" not in run.stderr and "idna" not in run.stderr.lower()
    assert "xn--bcher-kva.good-nsec.test" in run.stdout + run.stderr


def test_invalid_idn_is_one_clear_line(lab: LabThread, tmp_path: Path) -> None:
    refused(invoke("check", "a\u200db.good-nsec.test", *lab_args(lab, tmp_path)), "invalid name")


def exchange(outcome: str) -> Exchange:
    return Exchange.from_json({
        "server": "192.0.2.1", "transport": "udp", "outcome": outcome,
        "query": {"qname": "example.test.", "qtype": "A"},
    })  # fmt: skip


@pytest.mark.parametrize(
    ("outcomes", "needle"),
    [
        (["policy", "budget", "budget"], "no query could be sent for example.test."),
        (["timeout", "budget", "refused"], "no server answered for example.test. (2 queries sent)"),
    ],
)
def test_no_answer_counts_only_queries_really_sent(outcomes: list[str], needle: str) -> None:
    capture = Capture(name="example.test.", created="", exchanges=[exchange(o) for o in outcomes])
    with pytest.raises(DoctorError) as raised:
        require_answers(capture, "diagnose")
    assert str(raised.value).startswith(needle), str(raised.value)
    capture.exchanges.append(exchange("response"))
    require_answers(capture, "diagnose")
