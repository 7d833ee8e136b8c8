"""`scan` without a network: the input reader, records and CSV cells, the output and
``--resume``, the per-destination pace and the shared wire."""

from __future__ import annotations

import asyncio
import io
import json
import os
import tracemalloc
from pathlib import Path

import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.scan.inputs import MAX_LINE, InputItem, _Seen, read_items
from dnssec_doctor.scan.ratelimit import DestinationLimiter
from dnssec_doctor.scan.records import csv_row, guard_cell, scan_exit
from dnssec_doctor.scan.sharedwire import SharedWire
from dnssec_doctor.scan.summary import Summary
from dnssec_doctor.scan.writers import jsonl_line, open_output


def items(text: bytes) -> list[InputItem]:
    return list(read_items(io.BytesIO(text)))


def test_names_comments_blank_lines_and_errors() -> None:
    got = items(b"\xef\xbb\xbf# customers\n\nexample.com\n  Example.ORG.  \nbad..name\n# x\n")
    assert [(i.line, i.name) for i in got] == [(3, "example.com."), (4, "Example.ORG."), (5, None)]
    assert "invalid name" in got[2].error


def test_duplicates_are_reported_once_with_the_first_line() -> None:
    got = items(b"a.test\nb.test\nA.TEST.\na.test\n")
    assert [i.name for i in got] == ["a.test.", "b.test.", None, None]
    assert [i.duplicate_of for i in got] == [0, 0, 1, 1]


def test_dedupe_memory_is_bounded_by_generations() -> None:
    seen = _Seen(generation=2)
    for line, name in enumerate(["a.", "b.", "c.", "d.", "e."], start=1):
        assert seen.first_line(name, line) == 0
    assert seen.first_line("a.", 9) == 0  # forgotten: two generations of two names
    assert seen.first_line("e.", 10) == 5


def test_csv_with_a_name_column() -> None:
    got = items(b'customer,name,plan\nacme,"acme.test",gold\nbeta,,free\n"x, y",=cmd.test,z\n')
    assert [(i.line, i.name, i.error) for i in got] == [
        (2, "acme.test.", ""),
        (3, None, "no name in the 'name' column"),
        (4, "=cmd.test.", ""),  # a legal DNS name: the CSV output guards it
    ]


def test_a_comma_without_a_name_header_is_a_malformed_name() -> None:
    got = items(b"a.test,b.test\nc.test d.test\n")
    assert [i.name for i in got] == [None, None]
    assert all("separator" in i.error for i in got)


def test_control_characters_are_an_error_not_a_name() -> None:
    got = items(b"evil\x1b[31m.test\n")
    assert got[0].name is None and "control characters" in got[0].error


class _Endless(io.RawIOBase):
    """``size`` bytes of one line without a newline, then a name: produced, never stored."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._tail = b"\nlast.test\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        if self._left > 0:
            n = min(len(buffer), self._left)
            buffer[:n] = b"a" * n
            self._left -= n
            return n
        n = min(len(buffer), len(self._tail))
        buffer[:n] = self._tail[:n]
        self._tail = self._tail[n:]
        return n


def test_a_gigabyte_line_is_streamed_and_reported() -> None:
    tracemalloc.start()
    try:
        got = list(read_items(io.BufferedReader(_Endless(1 << 30), buffer_size=1 << 20)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(i.line, i.name) for i in got] == [(1, None), (2, "last.test.")]
    assert got[0].error == f"line longer than {MAX_LINE} bytes"
    assert peak < 16 * 1024 * 1024


def test_csv_cells_are_guarded_against_formulas_and_escapes() -> None:
    assert guard_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    for opening in "+-@\t\r":
        assert guard_cell(opening + "x").startswith("'")
    assert guard_cell("a\x1b[2Jb") == "a\\027[2Jb"
    row = csv_row({"line": 3, "name": "@evil.test.", "status": "error", "error": "-1+1",
                   "exit": 3})  # fmt: skip
    assert row[1] == "'@evil.test." and row[7] == "'-1+1" and row[6] == "3"
    dup = csv_row({"line": 4, "name": "a.test", "status": "duplicate", "duplicate_of": 1})
    assert dup[7] == "duplicate of line 1" and dup[6] == ""


def test_exit_is_the_worst_diagnosed_and_3_only_when_none_was() -> None:
    summary = Summary()
    summary.add({"status": "error", "exit": 3, "line": 1})
    assert scan_exit(summary.worst_exit) == 3
    summary.add({"status": "secure", "exit": 1, "line": 2, "root_causes": ["X"]})
    summary.add({"status": "secure", "exit": 0, "line": 3})
    assert scan_exit(summary.worst_exit) == 1
    assert summary.root_causes["X"] == 1


def test_jsonl_escapes_every_byte_of_dns_data() -> None:
    line = jsonl_line({"name": "\x1b]0;pwned\x07é.test.", "line": 1})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert b"\x1b" not in line and line.isascii()


def test_resume_cuts_a_truncated_last_line_and_keeps_whole_ones(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    whole = [jsonl_line({"name": f"n{i}.", "line": i, "status": "secure", "exit": 0})
             for i in (2, 5)]  # fmt: skip
    out.write_bytes(b"".join(whole) + b'{"name":"n7.","li')
    seen: list[dict[str, object]] = []
    output, done = open_output(out, "jsonl", resume=True, seen=seen.append)
    output.write({"name": "n7.", "line": 7, "status": "bogus", "exit": 2})
    output.close()
    lines = out.read_bytes().splitlines()
    assert [json.loads(x)["line"] for x in lines] == [2, 5, 7]
    assert 2 in done and 5 in done and 7 not in done and 3 not in done
    assert len(seen) == 2


def test_resume_of_csv_keeps_the_header(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    output, _ = open_output(out, "csv", resume=False, seen=lambda r: None)
    output.write({"line": 1, "name": "a.", "status": "secure", "exit": 0, "root_causes": ["A"]})
    output.close()
    with out.open("ab") as handle:
        handle.write(b"2,b.,sec")
    seen: list[dict[str, object]] = []
    output, done = open_output(out, "csv", resume=True, seen=seen.append)
    output.write({"line": 2, "name": "b.", "status": "bogus", "exit": 2})
    output.close()
    rows = out.read_text().splitlines()
    assert rows[0].startswith("line,name,status") and len(rows) == 3
    assert 1 in done and seen[0]["root_causes"] == ["A"] and seen[0]["exit"] == 0


def test_output_refuses_a_planted_link_and_a_fifo(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = tmp_path / "out.jsonl"
    link.symlink_to(victim)
    with pytest.raises(DoctorError, match="symbolic link"):
        open_output(link, "jsonl", resume=False, seen=lambda r: None)
    assert victim.read_text() == "precious\n"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(DoctorError, match=r"FIFO|No such device"):
        open_output(fifo, "jsonl", resume=True, seen=lambda r: None)


def test_resume_needs_a_file() -> None:
    with pytest.raises(DoctorError, match="--resume"):
        open_output(None, "jsonl", resume=True, seen=lambda r: None)


def test_pace_per_destination_with_a_burst() -> None:
    now = [100.0]
    limiter = DestinationLimiter(10.0, burst=2, clock=lambda: now[0])
    assert [limiter.delay("a") for _ in range(4)] == pytest.approx([0.0, 0.0, 0.1, 0.2])
    assert limiter.delay("b") == 0.0  # another server has its own schedule
    now[0] += 10
    assert limiter.delay("a") == 0.0


class _CountingWire:
    def __init__(self, outcomes: list[str]) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self._outcomes = outcomes

    async def send(self, server: ServerAddress, spec: QuerySpec, transport: str,
                   timeout: float) -> Exchange:  # fmt: skip
        self.sent.append((str(server), spec.qname, transport))
        await asyncio.sleep(0.01)
        outcome = self._outcomes[min(len(self.sent), len(self._outcomes)) - 1]
        return Exchange(str(server), spec, "udp", outcome, started=99.0)  # type: ignore[arg-type]


def test_shared_wire_asks_each_attempt_once_and_numbers_retries() -> None:
    inner = _CountingWire(["timeout", "response"])
    server = ServerAddress.parse("127.0.0.1")
    spec = QuerySpec("test.", "DS")

    async def run() -> list[list[str]]:
        shared = SharedWire(inner, DestinationLimiter(1000.0))
        views = [shared.view() for _ in range(3)]

        async def two_attempts(view: object) -> list[str]:
            first = await view.send(server, spec, "udp", 1.0)  # type: ignore[attr-defined]
            second = await view.send(server, spec, "udp", 1.0)  # type: ignore[attr-defined]
            assert first.started < 99.0  # timed from the name's own start
            return [first.outcome, second.outcome]

        return list(await asyncio.gather(*(two_attempts(v) for v in views)))

    results = asyncio.run(run())
    assert results == [["timeout", "response"]] * 3
    assert len(inner.sent) == 2  # one first attempt, one retry, for three names


def test_a_cancelled_asker_does_not_leave_the_others_hanging() -> None:
    inner = _CountingWire(["response"])
    server = ServerAddress.parse("127.0.0.1")
    spec = QuerySpec("test.", "NS")

    async def run() -> str:
        shared = SharedWire(inner, DestinationLimiter(1000.0))
        first = asyncio.ensure_future(shared.view().send(server, spec, "udp", 1.0))
        await asyncio.sleep(0)
        second = asyncio.ensure_future(shared.view().send(server, spec, "udp", 1.0))
        await asyncio.sleep(0)
        first.cancel()
        exchange = await asyncio.wait_for(second, 2.0)
        return exchange.outcome

    assert asyncio.run(run()) == "response"
    assert len(inner.sent) == 2


def _scan_errors_only(tmp_path: Path, *, tty: bool) -> tuple[int, bytes]:
    """`scan` of a list holding only malformed lines (no query is sent), stderr a pty or not."""
    import pty
    import subprocess
    import sys

    listing = tmp_path / "bad.txt"
    listing.write_text("bad..name\nx,y\n")
    argv = [sys.executable, "-m", "dnssec_doctor", "scan", str(listing), "-o",
            str(tmp_path / "out.jsonl"), "--root-hints", "127.0.0.1", "--workers", "0"]  # fmt: skip
    if not tty:
        run = subprocess.run(argv, capture_output=True, timeout=60, check=False)
        return run.returncode, run.stderr
    pid, fd = pty.fork()
    if pid == 0:  # the child: stderr is the pty
        os.execv(sys.executable, argv)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out


def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    code, shown = _scan_errors_only(tmp_path, tty=True)
    assert code == 3
    assert b"2 names, " in shown and b"/s" in shown  # the bar: names done and the rate
    code, plain = _scan_errors_only(tmp_path, tty=False)
    assert code == 3
    assert b"\x1b[" not in plain and b"names, " not in plain
    assert plain.startswith(b"scanned 2 lines: 2 error")


def test_dask_missing_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from dnssec_doctor.scan.config import ScanConfig
    from dnssec_doctor.scan.dask_adapter import scan_with_dask

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    config = ScanConfig(root_hints=("127.0.0.1",), trust_anchors=(), now=0, seed="s")
    with pytest.raises(DoctorError, match=r"needs the 'distributed' package"):
        scan_with_dask("local", iter([]), config, lambda r: None)


def test_summary_says_how_long_names_waited_for_the_cpu_and_the_rate() -> None:
    """A CPU-bound scan says so (names held by the loop gate); an idle one does not."""
    from dnssec_doctor.scan.runner import ScanStats

    summary = Summary()
    summary.add({"status": "secure", "exit": 0, "line": 1})
    busy = ScanStats(names=1, sent=50, reused=40, rate_wait=1.25, gate_wait=3.5, seconds=2.0)
    text = summary.text(busy)
    assert "1.2s waited for the per-server rate, 3.5s held while the CPU caught up" in text
    idle = ScanStats(names=1, sent=50, reused=40, seconds=2.0)
    assert "held while" not in summary.text(idle) and "waited" not in summary.text(idle)


def test_a_workers_share_divides_the_rate_and_the_shared_answers() -> None:
    """Catches: each worker pacing servers at the whole --rate (N times too fast) or
    keeping the whole table of shared answers (N times the memory)."""
    from dnssec_doctor.scan.config import MIN_SHARED_ANSWERS, ScanConfig
    from dnssec_doctor.scan.sharedwire import MAX_ENTRIES

    config = ScanConfig(root_hints=(), trust_anchors=(), now=0, seed="s", rate=50.0)
    share = config.share(4)
    assert share.rate == 12.5
    assert share.shared_answers == MAX_ENTRIES // 4
    assert config.share(1000).shared_answers == MIN_SHARED_ANSWERS
    assert share.with_rate(5.0).shared_answers == share.shared_answers
