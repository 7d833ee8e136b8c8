"""The fast reader (block lexer, bytes converters, name keys) equals the reference reader.

``ZoneReader.records()`` is the reference (Lexer, dnspython names, the RDATA
converters that ``test_zone_reader`` checks against dnspython); ``stream()`` is
what the verifier reads with. Both must give the same records — owner, type,
class, TTL, canonical RDATA, line — or the same error, on the corpus, on
hand-made awkward input, on random input, and whatever the block size.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import dns.name
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.dnspython_dnssec import dnssecalgs
from dnssec_doctor.dnssec.signatures import RRSIG, KeyRing, SignedRRset, check_signature
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.limits import Limits
from dnssec_doctor.zonefile import namekey, scan
from dnssec_doctor.zonefile.lexer import Lexer
from dnssec_doctor.zonefile.reader import ReaderOptions, ZoneReader
from dnssec_doctor.zonefile.scan import Scanner
from dnssec_doctor.zonefile.sigverify import (
    Checker,
    Context,
    SigJob,
    _fast_valid,
    _labels,
    verify_chunk,
)

ORIGIN = dns.name.from_text("example.test.")
CORPUS = Path(__file__).parent / "data" / "corpus"
Item = tuple[object, ...]


def reference(path: Path, origin: dns.name.Name) -> list[Item]:
    zone = namekey.Origin(origin)
    return [
        (zone.key_of(r.owner), r.owner.to_digestable(), r.owner.to_text(), r.rdtype,
         r.rdclass, r.ttl, r.rdata, r.line)
        for r in ZoneReader(path, origin, ReaderOptions(allow_include=True)).records()
    ]  # fmt: skip


def fast(path: Path, origin: dns.name.Name) -> list[Item]:
    return [
        (owner.key, owner.wire, owner.name.to_text(), rdtype, rdclass, ttl, rdata, line)
        for owner, rdtype, rdclass, ttl, rdata, line in ZoneReader(
            path, origin, ReaderOptions(allow_include=True)
        ).stream()
    ]


def both(path: Path, origin: dns.name.Name = ORIGIN) -> tuple[list[Item] | str, list[Item] | str]:
    results: list[list[Item] | str] = []
    for read in (reference, fast):
        try:
            results.append(read(path, origin))
        except DoctorError as exc:
            results.append(f"DoctorError: {exc}")
    return results[0], results[1]


def corpus_files() -> list[tuple[Path, str]]:
    found = []
    for manifest in sorted(CORPUS.glob("*/MANIFEST.tsv")):
        with manifest.open(newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                found.append((manifest.parent / row["file"], row["origin"]))
    return found


def test_stream_equals_records_on_the_corpus() -> None:
    compared = 0
    for path, origin in corpus_files():
        ref, new = both(path, dns.name.from_text(origin))
        assert ref == new, path
        compared += len(ref) if isinstance(ref, list) else 0
    assert compared > 2000


PLAIN = """$ORIGIN example.test.
$TTL 1h
@ IN SOA ns1 hostmaster ( 2024010101 ; serial
        7200 3600 1209600 300 )
@ 300 IN NS ns1
  IN 300 NS ns2.other.test.
ns1 A 192.0.2.1
NS1 A 192.0.2.2
Mixed.Case.example.test. 60 CH TXT "ch class"
txt TXT "semi;colon" "paren(" ")x" bare "" "a(b)c"
txt2 TXT "a" ; comment with "quotes"
* MX 10 @
_srv._tcp SRV 0 5 5060 host.other.test.
rel CNAME host
abs CNAME HOST.Example.Test.
k DNSKEY 257 3 ECDSAP256SHA256 ( mdsswUyr3DPW132mOi8V9xESWE8jTo0d
    xCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ== )
k2 DNSKEY 256 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=
d DS 60485 5 1 ( 2BB183AF5F22588179A53B0A
                 98631FAD1A292118 )
s RRSIG A 13 3 300 20300101000000 ( 20200101000000 12345
    example.test. AAAA AAAA )
s RRSIG A 13 3 300 1893456000 1577836800 12345 Example.Test. AAAA
s RRSIG TYPE1 RSASHA256 3 300 1893456000 1577836800 12345 example.test. AAAA
n NSEC Next.example.test. A NS RRSIG NSEC TYPE65534
n NSEC next.other.test. A
n3 NSEC3 1 1 12 aabbccdd ( 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG )
n3p NSEC3PARAM 1 0 0 -
caa CAA 0 issue "ca.example.net"
tl TLSA 3 1 1 ( 0c72ac70b745ac19998811b131d662c9
    ac69dbdbe7cb23e5b514b56664c5d3d6 )
soa2 SOA a.b. c.d. 1 1h 1d 1w 1m
ttl 1w2d A 192.0.2.10
cls IN 60 A 192.0.2.11
cls2 CLASS1 A 192.0.2.12
lower a 192.0.2.13
$ORIGIN sub.example.test.
x 2d A 192.0.2.5
@ A 192.0.2.6
$GENERATE 1-3 h$ A 192.0.2.$
$TTL 5m
y A 192.0.2.7
crlf A 192.0.2.8
 A 192.0.2.9
$ORIGIN Example.TEST.
upper A 192.0.2.14
"""

AWKWARD = r"""$ORIGIN example.test.
$TTL 1h
@ IN SOA ns1 hostmaster ( 2024010101 ; serial
        7200 3600 1209600 300 )
@ 300 IN NS ns1
  IN 300 NS ns2.other.test.
ns1 A 192.0.2.1
NS1 A 192.0.2.2
Mixed.Case.example.test. 60 CH TXT "ch class"
txt TXT "semi;colon" "paren(" ")x" bare "" "quote\"inside"
txt2 TXT "a" ; "comment with quote
esc\.dot A 192.0.2.3
\035hash AAAA 2001:db8::1
odd\000byte A 192.0.2.4
* MX 10 @
_srv._tcp SRV 0 5 5060 host.other.test.
rel CNAME host
abs CNAME HOST.Example.Test.
k DNSKEY 257 3 ECDSAP256SHA256 ( mdsswUyr3DPW132mOi8V9xESWE8jTo0d
    xCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ== )
k2 DNSKEY 256 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=
d DS 60485 5 1 ( 2BB183AF5F22588179A53B0A
                 98631FAD1A292118 )
d NSEC ( \# 6 016200000140 )
s RRSIG A 13 3 300 20300101000000 ( 20200101000000 12345
    example.test. AAAA AAAA )
s RRSIG A 13 3 300 1893456000 1577836800 12345 Example.Test. AAAA
n NSEC Next.example.test. A NS RRSIG NSEC TYPE65534
n3 NSEC3 1 1 12 aabbccdd ( 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG )
n3p NSEC3PARAM 1 0 0 -
u TYPE65534 \# 3 010203
$ORIGIN sub.example.test.
x 2d A 192.0.2.5
@ A 192.0.2.6
$GENERATE 1-3 h$ A 192.0.2.$
$TTL 5m
y A 192.0.2.7
crlf A 192.0.2.8
 A 192.0.2.9
"""


@pytest.mark.parametrize("block", [16, 100, 4096])
@pytest.mark.parametrize("text", [PLAIN, AWKWARD], ids=["plain", "awkward"])
def test_awkward_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, block: int
) -> None:
    monkeypatch.setattr(scan, "BLOCK", block)
    path = tmp_path / "zone.db"
    path.write_bytes(text.replace("crlf A 192.0.2.8\n", "crlf A 192.0.2.8\r\n").encode())
    ref, new = both(path)
    assert isinstance(ref, list), ref
    assert ref == new
    assert len(ref) > 30


@pytest.mark.parametrize(
    "text",
    [
        "www A 300.1.2.3\n",
        "www BOGUSTYPE 1\n",
        "www ( A 192.0.2.1\n",
        'www TXT "open\n',
        "$FOO bar\n",
        "www ANY 1\n",
        "\x00\x01\xff A 1\n",
        "a..b A 192.0.2.1\n",
        "x A 192.0.2.1 )\n",
        "x 99999999999 A 192.0.2.1\n",
        "x RRSIG A 13 3 300 20300101000000 20200101000000 1 example.test. !!!!\n",
        " A 192.0.2.1\n" * 2,
        "x DS 1 13 2 zz\n",
        "x NSEC3 1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr! A\n",
        "x SOA a b 1 2 3 4 5 6\n",
        "x MX 70000 mail\n",
    ],
)
def test_same_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "zone.db"
    path.write_bytes(("$ORIGIN example.test.\n$TTL 300\n" + text).encode("latin-1"))
    ref, new = both(path)
    assert ref == new


def scanned(
    data: bytes, block: int, cap: int = 1 << 20
) -> list[tuple[list[bytes], int, bool]] | str:
    try:
        scanner = Scanner(io.BytesIO(data), "f", cap, lambda _n: None, block=block)
        return list(scanner.entries())
    except DoctorError as exc:
        return str(exc)


def lexed(data: bytes, cap: int = 1 << 20) -> list[tuple[list[bytes], int, bool]] | str:
    lines = iter(data.splitlines(keepends=True))
    try:
        return [
            ([t.encode("latin-1") for t in e.tokens], e.line, e.continued_owner)
            for e in Lexer(lines, "f", cap).entries()
        ]
    except DoctorError as exc:
        return str(exc)


@pytest.mark.parametrize("block", [1, 7, 64, 333, 4096])
def test_scanner_equals_lexer_whatever_the_block_size(block: int) -> None:
    data = AWKWARD.encode() + b"tail ( A\n192.0.2.1 )\n\nlast A 192.0.2.2"
    assert scanned(data, block) == lexed(data)


def test_long_lines_cost_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # a 4 MB comment line read 256 bytes at a time: the buffer doubles instead of
    # being copied once per block (which would take minutes)
    data = b"a A 192.0.2.1\n; " + b"x" * (4 << 20) + b"\nb A 192.0.2.2\n"
    started = time.monotonic()
    assert scanned(data, 256, 8 << 20) == lexed(data, 8 << 20)
    assert time.monotonic() - started < 5
    weird = b"a ( A\n; " + b"y" * (2 << 20) + b"\n192.0.2.1 )\n"
    assert scanned(weird, 256, 8 << 20) == lexed(weird, 8 << 20)


@pytest.mark.parametrize("block", [256, 1 << 20])
def test_a_line_over_the_cap_is_refused_before_it_is_read_whole(block: int) -> None:
    # the per-line cap counts every byte of a line, comments too: a 1 GB line must
    # stop at the cap, not be held whole (the reader's memory bound)
    read: list[int] = []
    data = b"a A 192.0.2.1\n; " + b"x" * (4 << 20) + b"\nb A 192.0.2.2\n"
    scanner = Scanner(io.BytesIO(data), "f", 1 << 20, read.append, block=block)
    with pytest.raises(DoctorError, match=r"^f:2: a line longer than 1048576 characters"):
        list(scanner.entries())
    assert sum(read) < 3 << 20


PIECES = [
    "a", "b.c", "@", "*", "x.example.test.", " ", "\t", "\n", "\r\n", "(", ")", ";c", '"q r"',
    '"', "\\", "\\.", "\\065", "300", "IN", "A", "TXT", "NS", "1.2.3.4", "\x00", "\xe9", "$TTL",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.sampled_from([3, 16, 1 << 20]))
def test_scanner_equals_lexer_on_random_text(pieces: list[str], block: int) -> None:
    data = " ".join(pieces).encode("latin-1")
    assert scanned(data, block) == lexed(data)


# -- the signature shortcut never says "valid" when check_signature would not ----------

NOW = 1_795_000_000
KEY = dnssecalgs.PrivateECDSAP256SHA256.generate()
DNSKEY = KEY.public_key().to_dnskey(flags=257)


def _job(owner: str, rrsig_owner: str, ttl: int, mutate: str) -> tuple[SigJob, RRSIG]:
    name = dns.name.from_text(owner, ORIGIN)
    signed_as = dns.name.from_text(rrsig_owner, ORIGIN)
    rrset = dns.rrset.from_text(signed_as, 300, "IN", "A", "192.0.2.1", "192.0.2.2")
    rrsig = dnspython_dnssec.sign(
        rrset, KEY, ORIGIN, DNSKEY, inception=NOW - 100, expiration=NOW + 100
    )
    if mutate == "labels":
        rrsig = rrsig.replace(labels=rrsig.labels + 1)
    elif mutate == "signer":
        rrsig = rrsig.replace(signer=dns.name.from_text("other.test."))
    elif mutate == "expired":
        rrsig = rrsig.replace(expiration=NOW - 1)
    elif mutate == "future":
        rrsig = rrsig.replace(inception=NOW + 1)
    elif mutate == "tag":
        rrsig = rrsig.replace(key_tag=(rrsig.key_tag + 1) % 65536)
    elif mutate == "type":
        rrsig = rrsig.replace(type_covered=dns.rdatatype.AAAA)
    elif mutate == "signature":
        rrsig = rrsig.replace(signature=bytes(64))
    rdatas = tuple(sorted(rd.to_digestable() for rd in rrset))
    wire = rrsig.to_digestable()[:18] + rrsig.signer.to_wire() + rrsig.signature
    job: SigJob = (name.to_digestable(), 1, 1, ttl, rdatas, ((wire, ttl, 7),))
    return job, rrsig


@pytest.mark.parametrize(
    ("owner", "signed_as"),
    [("www", "www"), ("x.wild", "*.wild"), ("a.b.wild", "*.wild"), ("*.wild", "*.wild")],
)
@pytest.mark.parametrize(
    "mutate", ["", "labels", "signer", "expired", "future", "tag", "type", "signature"]
)
@pytest.mark.parametrize("ttl", [300, 301])
def test_shortcut_agrees_with_check_signature(
    owner: str, signed_as: str, mutate: str, ttl: int
) -> None:
    job, rrsig = _job(owner, signed_as, ttl, mutate)
    checker = Checker(Context((DNSKEY,), ORIGIN, NOW, Limits()))
    totals = verify_chunk([job], checker)
    rrset = SignedRRset(dns.name.from_wire(job[0], 0)[0], 1, 1, ttl, job[4])
    expected = check_signature(rrset, rrsig, ttl, KeyRing([DNSKEY]), ORIGIN, NOW, Limits())
    assert totals.checked == 1
    assert totals.valid == int(expected.valid)
    if not expected.valid:
        assert [p.status for p in totals.problems] == [expected.status]


@pytest.mark.parametrize(("owner", "signed_as"), [("www", "www"), ("x.wild", "*.wild")])
def test_valid_signatures_take_the_shortcut(owner: str, signed_as: str) -> None:
    job, _ = _job(owner, signed_as, 300, "")
    checker = Checker(Context((DNSKEY,), ORIGIN, NOW, Limits()))
    assert _fast_valid(checker, job, job[5][0][0], *_labels(job[0])) == NOW + 100
