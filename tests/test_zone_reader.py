"""The zone-file reader: safe with hostile input, exact with normal input."""

from __future__ import annotations

import csv
from pathlib import Path

import dns.name
import dns.rdatatype
import pytest

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.zonefile import rdata as rdata_mod
from dnssec_doctor.zonefile.reader import ReaderOptions, ZoneReader

ORIGIN = dns.name.from_text("example.test.")
HEAD = "$ORIGIN example.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 2 3 4 5\n@ NS ns1\n"
CORPUS = Path(__file__).parent / "data" / "corpus"


def read(tmp_path: Path, text: str, **options: object) -> list[tuple[str, str, int, int]]:
    path = tmp_path / "zone.db"
    path.write_bytes(text.encode("latin-1") if isinstance(text, str) else text)
    reader = ZoneReader(path, ORIGIN, ReaderOptions(**options))  # type: ignore[arg-type]
    return [
        (r.owner.to_text(), dns.rdatatype.to_text(r.rdtype), r.ttl, r.line)
        for r in reader.records()
    ]


def test_owner_ttl_class_and_lines(tmp_path: Path) -> None:
    records = read(
        tmp_path,
        HEAD + "www 60 IN A 192.0.2.1\n  IN 70 AAAA ::1\n\n; comment\nmx ( MX\n  10 www )\n",
    )
    assert records[2:] == [
        ("www.example.test.", "A", 60, 5),
        ("www.example.test.", "AAAA", 70, 6),
        ("mx.example.test.", "MX", 300, 9),
    ]


def test_include_refused_by_default(tmp_path: Path) -> None:
    (tmp_path / "other.db").write_text("x A 192.0.2.1\n")
    with pytest.raises(DoctorError, match=r"zone.db:5: \$INCLUDE refused"):
        read(tmp_path, HEAD + "$INCLUDE other.db\n")


def test_include_allowed_only_inside_the_directory(tmp_path: Path) -> None:
    (tmp_path / "other.db").write_text("x A 192.0.2.1\n")
    records = read(tmp_path, HEAD + "$INCLUDE other.db\n", allow_include=True)
    assert records[-1][:2] == ("x.example.test.", "A")
    with pytest.raises(DoctorError, match="only name files in the zone file's directory"):
        read(tmp_path, HEAD + "$INCLUDE /etc/passwd\n", allow_include=True)
    with pytest.raises(DoctorError, match="only name files in the zone file's directory"):
        read(tmp_path, HEAD + "$INCLUDE ../outside.db\n", allow_include=True)


def test_include_loop_is_bounded(tmp_path: Path) -> None:
    with pytest.raises(DoctorError, match="nested too deeply"):
        read(tmp_path, HEAD + "$INCLUDE zone.db\n", allow_include=True)


def test_generate_expands_and_is_bounded(tmp_path: Path) -> None:
    records = read(tmp_path, HEAD + "$GENERATE 1-3 host$ A 192.0.2.$\n"
                   "$GENERATE 10-20/5 ${0,3,d}.r PTR h${-9}.example.test.\n")  # fmt: skip
    names = [r[0] for r in records[2:]]
    assert names == [
        "host1.example.test.", "host2.example.test.", "host3.example.test.",
        "010.r.example.test.", "015.r.example.test.", "020.r.example.test.",
    ]  # fmt: skip
    with pytest.raises(DoctorError, match=r"zone.db:5: .*makes 1000001 records"):
        read(tmp_path, HEAD + "$GENERATE 0-1000000 h$ A 192.0.2.1\n")


def test_record_and_size_limits(tmp_path: Path) -> None:
    with pytest.raises(DoctorError, match="more than 3 records"):
        read(tmp_path, HEAD + "a A 192.0.2.1\nb A 192.0.2.2\n", max_records=3)
    with pytest.raises(DoctorError, match="exceeds 10 bytes"):
        read(tmp_path, HEAD, max_bytes=10)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("www A 300.1.2.3\n", r":5: invalid A data '300.1.2.3'"),
        ("www BOGUSTYPE 1\n", r":5: unknown record type 'BOGUSTYPE'"),
        ("www ( A 192.0.2.1\n", r":5: unbalanced parenthesis"),
        ('www TXT "open\n', r":5: unterminated quoted string"),
        ("$FOO bar\n", r":5: unknown directive"),
        ("www ANY 1\n", r":5: type ANY cannot appear in a zone"),
        ("\x00\x01\xff A 1\n", r":5: invalid A data"),
    ],
)
def test_errors_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DoctorError, match=message):
        read(tmp_path, HEAD + text)


def test_control_bytes_become_escapes(tmp_path: Path) -> None:
    records = read(tmp_path, HEAD + "bad\x1b[31m A 192.0.2.1\n")
    assert records[-1][0] == "bad\\027[31m.example.test."


def test_origin_guessed_from_origin_directive_or_soa(tmp_path: Path) -> None:
    path = tmp_path / "anything.db"
    path.write_text("$TTL 60\n$ORIGIN guessed.test.\n@ SOA a b 1 2 3 4 5\n")
    assert ZoneReader(path, None, ReaderOptions()).origin == dns.name.from_text("guessed.test.")
    path.write_text("soa.test. 60 IN SOA a b 1 2 3 4 5\n")
    assert ZoneReader(path, None, ReaderOptions()).origin == dns.name.from_text("soa.test.")
    # never the file name: "from.name" would be a silent guess (and "db.x" a wrong one)
    named = tmp_path / "from.name"
    named.write_text("@ 60 SOA a b 1 2 3 4 5\n")
    with pytest.raises(DoctorError, match=r"cannot tell the zone's origin .*give --origin"):
        ZoneReader(named, None, ReaderOptions())


def test_missing_file_is_a_doctor_error(tmp_path: Path) -> None:
    with pytest.raises(DoctorError, match="cannot read"):
        list(ZoneReader(tmp_path / "absent.db", ORIGIN, ReaderOptions()).records())


def test_lenient_where_dnspython_refuses(tmp_path: Path) -> None:
    # a DS with a wrong-length digest and an IPSECKEY without key are read, not refused
    records = read(tmp_path, HEAD + "sub NS ns.example.net.\nsub DS 1 13 2 00ff\n"
                   "ipsec IPSECKEY 10 0 0 .\nold MB mail.example.test.\n")  # fmt: skip
    assert [r[1] for r in records[-4:]] == ["NS", "DS", "IPSECKEY", "MB"]


def test_fast_rdata_path_equals_dnspython_on_the_corpus() -> None:
    compared = 0
    for manifest in sorted(CORPUS.glob("*/MANIFEST.tsv")):
        with manifest.open(newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        for row in rows:
            origin = dns.name.from_text(row["origin"])
            reader = ZoneReader(manifest.parent / row["file"], origin, ReaderOptions())
            try:
                records = list(reader.records())
            except DoctorError:
                continue
            compared += _compare(manifest.parent / row["file"], origin, len(records))
    assert compared > 2000


def _compare(path: Path, origin: dns.name.Name, _count: int) -> int:
    """Re-read the file capturing tokens, and compare fast and slow conversions."""
    seen = 0
    original = rdata_mod.rdata_wire

    def both(rdclass: int, rdtype: int, tokens: list[str], org: dns.name.Name) -> bytes:
        nonlocal seen
        fast = original(rdclass, rdtype, tokens, org)
        try:
            slow = rdata_mod.slow_rdata(rdclass, rdtype, tokens, org)
        except Exception:  # dnspython refuses it: the lenient cases above
            return fast
        assert fast == slow, (path.name, rdtype, tokens)
        seen += 1
        return fast

    import dnssec_doctor.zonefile.reader as reader_mod

    reader_mod.rdata_wire = both  # type: ignore[assignment]
    try:
        list(ZoneReader(path, origin, ReaderOptions()).records())
    finally:
        reader_mod.rdata_wire = original
    return seen


def test_a_passed_deadline_stops_the_read_with_one_line(tmp_path: Path) -> None:
    # stop_at in the past (monotonic time 0): no timing in the test, only the check
    path = tmp_path / "z.db"
    path.write_text("$ORIGIN d.test.\n@ 60 SOA a b 1 2 3 4 5\n$GENERATE 1-10 h$ A 192.0.2.1\n")
    options = ReaderOptions(stop_at=0.0, deadline=12.0)
    with pytest.raises(DoctorError, match=r"z\.db: not done after 12 s \(the zone deadline"):
        list(ZoneReader(path, None, options).records())
    assert len(list(ZoneReader(path, None, ReaderOptions()).records())) == 11


def test_generate_lines_share_one_budget(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    path.write_text("$ORIGIN g.test.\n@ 60 SOA a b 1 2 3 4 5\n"
                    + "$GENERATE 1-40 h$ A 192.0.2.1\n" * 3)  # fmt: skip
    options = ReaderOptions(max_generate_total=100)
    with pytest.raises(DoctorError, match=r"g\.db:5: \$GENERATE lines make more than 100 records"):
        list(ZoneReader(path, None, options).records())
    assert len(list(ZoneReader(path, None, ReaderOptions(max_generate_total=120)).records())) == 121
