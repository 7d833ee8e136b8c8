"""Hostile input files: one clear line and exit 3, within a memory bound, never a traceback.

The four cases that used to exhaust the machine (a trust anchor that is
``/dev/zero``, a 4 MB gzip bomb as a capture, a zone file of one 1 GB line, fifty
``$GENERATE 1-65535`` lines) run in a child process under ``/usr/bin/time -v`` and
must stay under 300 MB. The rest run the command line in this process.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from clirun import Run, invoke
from dnssec_doctor.limits import INPUT_LIMITS
from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.probe.hints import parse_root_hints
from measure import MEMORY_BOUND_KB, run_measured

pytestmark = pytest.mark.timeout(300)

CASE = Path(__file__).parent / "cases" / "check-good-nsec"
AT = "@1800000000"
SOA_HEAD = (
    "$ORIGIN example.test.\nexample.test. 300 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
)


def one_line_error(run: Run, *needles: str) -> str:
    """The single stderr line of a refused command (exit 3), holding every needle."""
    assert run.exit_code == 3, (run.exit_code, run.stdout[-500:], run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "internal error" not in lines[0] and "Traceback" not in run.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def capture_document() -> dict[str, object]:
    document = load_capture(CASE / "capture.json.gz").as_json()
    assert document["exchanges"]
    return document


# -- memory-bounded cases (child process, /usr/bin/time -v) --------------------------


def gzip_bomb(path: Path) -> None:
    """4 GiB of zeros in about 4 MB: one 16 MiB member, concatenated 256 times (RFC 1952 §2.2)."""
    member = gzip.compress(bytes(16 << 20), compresslevel=9, mtime=0)
    with path.open("wb") as out:
        for _ in range(256):
            out.write(member)
    assert path.stat().st_size < 8 << 20


@pytest.mark.requires_tools("time")
def test_gzip_bomb_capture_stops_at_the_cap(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.json.gz"
    gzip_bomb(bomb)
    run = run_measured("check", "--replay", str(bomb), "--at", AT)
    one_line_error(run, str(bomb), "decompresses to more than 64 MiB")  # type: ignore[arg-type]
    assert run.peak_kb < MEMORY_BOUND_KB, run.peak_kb


@pytest.mark.requires_tools("time")
def test_trust_anchor_dev_zero_is_refused_before_reading(tmp_path: Path) -> None:
    run = run_measured("check", "example.test", "--trust-anchor", "/dev/zero",
                       "--root-hints", "127.0.0.1")  # fmt: skip
    one_line_error(run, "trust anchor file /dev/zero", "character device")  # type: ignore[arg-type]
    assert run.peak_kb < MEMORY_BOUND_KB, run.peak_kb


@pytest.mark.requires_tools("time")
def test_zone_file_of_one_huge_line_stops_at_the_line_cap(tmp_path: Path) -> None:
    zone = tmp_path / "huge-line.zone"
    with zone.open("wb") as out:
        out.write(SOA_HEAD.encode() + b"big 300 IN TXT ")
        out.truncate(1 << 30)  # sparse: 1 GiB of NUL bytes without a line end, no disk used
    run = run_measured("zone", str(zone), "--at", AT)
    one_line_error(run, f"{zone}:3", "a line longer than 1048576 characters")  # type: ignore[arg-type]
    assert run.peak_kb < MEMORY_BOUND_KB, run.peak_kb


@pytest.mark.requires_tools("time")
def test_fifty_generate_lines_stop_at_the_file_budget(tmp_path: Path) -> None:
    zone = tmp_path / "generate.zone"
    zone.write_text(SOA_HEAD + "$GENERATE 1-65535 host-$ 300 IN A 192.0.2.1\n" * 50)
    run = run_measured("zone", str(zone), "--at", AT)
    cap = INPUT_LIMITS.zone_generate_total
    one_line_error(run, f"{zone}:{2 + cap // 65535 + 1}", f"more than {cap} records")  # type: ignore[arg-type]
    assert run.peak_kb < MEMORY_BOUND_KB, run.peak_kb


# -- file kinds that make no sense as input --------------------------------------------


def test_devices_directories_and_fifos_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # nobody writes to it: opening it for reading would block forever
    one_line_error(invoke("zone", "/dev/zero", "--origin", "example.test"),
                   "zone file /dev/zero", "character device")  # fmt: skip
    one_line_error(invoke("zone", str(fifo), "--origin", "example.test"), "a FIFO")
    one_line_error(invoke("check", "--replay", str(tmp_path)), "it is a directory")
    one_line_error(invoke("check", "x.test", "--root-hints", "/dev/zero"),
                   "root hints file /dev/zero", "character device")  # fmt: skip
    one_line_error(invoke("zone", str(tmp_path / "zone"), "--origin", "example.test"),
                   "No such file")  # fmt: skip


def test_an_oversized_trust_anchor_file_names_the_cap(tmp_path: Path) -> None:
    anchor = tmp_path / "big.ds"
    anchor.write_bytes(b";" * (INPUT_LIMITS.anchor_file_bytes + 1))
    one_line_error(invoke("check", "x.test", "--trust-anchor", str(anchor)),
                   f"trust anchor file {anchor} is larger than 1 MiB")  # fmt: skip


# -- captures ------------------------------------------------------------------------


def with_limit(name: str, value: float) -> str:
    document = capture_document()
    limits = document["limits"]
    assert isinstance(limits, dict) and name in limits
    limits[name] = value
    return json.dumps(document)  # Infinity and NaN are what Python's json writes


def with_long_number() -> str:
    text = json.dumps(capture_document())
    assert '"limits": {' in text
    return text.replace('"limits": {', '"limits": {"x": ' + "9" * 5000 + ", ", 1)


@pytest.mark.parametrize(
    ("document", "needle"),
    [
        (lambda: "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (with_long_number, "thousands of digits"),
        (lambda: with_limit("deadline", float("inf")), "'deadline' is inf"),
        (lambda: with_limit("deadline", float("nan")), "'deadline' is nan"),
        (lambda: with_limit("max_queries", -1), "'max_queries' is -1.0"),
    ],
)
def test_hostile_capture_documents(tmp_path: Path, document: object, needle: str) -> None:
    path = tmp_path / "capture.json"
    path.write_text(document())  # type: ignore[operator]
    one_line_error(
        invoke("check", "--replay", str(path), "--at", AT),
        str(path) if "deep" in needle or "digits" in needle else "malformed capture",
        needle,
    )


def test_an_untouched_capture_document_is_accepted(tmp_path: Path) -> None:
    # the hostile documents above differ from this one in the one place they name
    path = tmp_path / "capture.json"
    path.write_text(json.dumps(capture_document()))
    run = invoke("check", "--replay", str(path), "--at", AT)
    assert run.exit_code == 0, run.stderr


@pytest.mark.parametrize(
    ("at", "needle"),
    [
        ("+99999999999999999999999d", "invalid time"),
        ("@" + "9" * 5000, "invalid time"),
        ("9999-12-31", "outside 1970-01-01 to 2106-02-07"),
        ("0001-01-01", "outside 1970-01-01 to 2106-02-07"),
        ("-99999999999w", "outside 1970-01-01 to 2106-02-07"),
    ],
)
def test_evaluation_times_out_of_range_are_usage_errors(at: str, needle: str) -> None:
    one_line_error(invoke("check", "--replay", str(CASE / "capture.json.gz"), "--at", at), needle)


def test_the_latest_evaluation_time_still_diagnoses() -> None:
    # the bound is not off by one: 2106-02-07T06:28:15Z itself is a time
    run = invoke("check", "--replay", str(CASE / "capture.json.gz"), "--at", "@4294967295")
    assert run.exit_code in (0, 1, 2), run.stderr
    assert "internal error" not in run.stderr


# -- zone files ----------------------------------------------------------------------


def test_byte_order_mark_is_no_part_of_the_origin(tmp_path: Path) -> None:
    zone = tmp_path / "bom.zone"
    zone.write_bytes(b"\xef\xbb\xbf" + SOA_HEAD.encode() + b"www 300 IN A 192.0.2.1\n")
    run = invoke("zone", str(zone), "--at", AT, "--format", "json")
    assert run.exit_code in (0, 1, 2), run.stderr
    assert json.loads(run.stdout)["name"] == "example.test."
    bare = tmp_path / "bom-soa.zone"  # the BOM right before an absolute SOA owner
    bare.write_bytes(b"\xef\xbb\xbfexample.test. 300 IN SOA ns1.example.test. h. 1 2 3 4 5\n")
    run = invoke("zone", str(bare), "--at", AT, "--format", "json")
    assert json.loads(run.stdout)["name"] == "example.test.", run.stderr


def test_origin_is_never_taken_from_the_file_name(tmp_path: Path) -> None:
    zone = tmp_path / "example.com"
    zone.write_text("www 300 IN A 192.0.2.1\n")
    one_line_error(invoke("zone", str(zone), "--at", AT), "cannot tell the zone's origin",
                   "give --origin NAME")  # fmt: skip
    run = invoke("zone", str(zone), "--at", AT, "--origin", "example.com", "--format", "json")
    assert json.loads(run.stdout)["name"] == "example.com.", run.stderr


def test_idn_origin_is_encoded_with_idna_2008(tmp_path: Path) -> None:
    zone = tmp_path / "idn.zone"
    zone.write_text("@ 300 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ 300 IN NS ns1\n"
                    "ns1 300 IN A 192.0.2.1\n")  # fmt: skip
    run = invoke("zone", str(zone), "--at", AT, "--origin", "Bücher.example", "--format", "json")
    assert run.exit_code in (0, 1, 2), run.stderr
    assert json.loads(run.stdout)["name"] == "xn--bcher-kva.example."
    # IDNA 2008, not 2003: "ß" is kept (xn--fa-hia), not mapped to "ss"
    run = invoke("zone", str(zone), "--at", AT, "--origin", "faß.example", "--format", "json")
    assert json.loads(run.stdout)["name"] == "xn--fa-hia.example.", run.stderr
    one_line_error(invoke("zone", str(zone), "--origin", "a\u200db.example"), "invalid name")


def test_pipe_in_a_name_cannot_inject_nagios_perfdata(tmp_path: Path) -> None:
    zone = tmp_path / "pipe.zone"
    zone.write_text("$ORIGIN a|b.example.\n@ 300 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
                    "@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n")  # fmt: skip
    run = invoke("zone", str(zone), "--at", AT, "--format", "nagios")
    status_line, *long_text = run.stdout.splitlines()
    assert status_line.count("|") == 1, run.stdout  # only the perfdata separator
    assert status_line.startswith("DNSSEC ") and "a\\124b.example." in status_line
    assert " | expires_in=" in status_line
    # the long text (one line per root cause) carries no perfdata of its own
    assert long_text and all("|" not in line for line in long_text), run.stdout


def test_a_link_to_a_device_is_judged_by_what_it_opens(tmp_path: Path) -> None:
    link = tmp_path / "anchor.ds"
    link.symlink_to("/dev/zero")
    one_line_error(invoke("check", "x.test", "--trust-anchor", str(link)),
                   f"trust anchor file {link}", "character device")  # fmt: skip


def test_a_pipe_is_read_like_a_file(tmp_path: Path) -> None:
    # `--root-hints <(command)`: a pipe is read (bounded), a device is not
    read_end, write_end = os.pipe()
    os.write(write_end, b"\xef\xbb\xbf127.0.0.1:5353\n; comment\n::1\n")
    os.close(write_end)
    try:
        hints = parse_root_hints(f"/dev/fd/{read_end}")
    finally:
        os.close(read_end)
    assert [str(h) for h in hints] == ["127.0.0.1:5353", "::1"]
