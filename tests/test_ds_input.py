"""Reading what users paste as "the DS": real-world forms, repairs, and precise problems."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import dns.name
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_doctor.dnssec.keys import key_tag, make_ds
from dnssec_doctor.ds.input import MAX_RECORDS, ParsedInput, parse_ds_input

# RFC 4034 §5.4: the DNSKEY of dskey.example.com. and its SHA-1 DS, exactly as printed there.
RFC4034_TEXT = """\
dskey.example.com. 86400 IN DNSKEY 256 3 5 ( AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/
                                          2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvx
                                          egXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9Xzc
                                          nOf+EPbtG9DMBmADjFDc2w/rljwvFw==
                                          ) ;  key id = 60485

dskey.example.com. 86400 IN DS 60485 5 1 ( 2BB183AF5F22588179A53B0A9
                                           8631FAD1A292118 )
"""
APEX = dns.name.from_text("example.test.")
KEY_FIELD = bytes(range(1, 65))
"""64 octets: the length of an ECDSA P-256 public key (algorithm 13)."""
KEY_B64 = base64.b64encode(KEY_FIELD).decode()
KSK_TEXT = f"257 3 13 {KEY_B64}"
KSK = parse_ds_input(KSK_TEXT).records[0].dnskey
assert KSK is not None
TAG = key_tag(KSK)
DS2 = make_ds(APEX, KSK, 2)
HEX = DS2.digest.hex().upper()
DS1 = make_ds(APEX, KSK, 1)
HEX1 = DS1.digest.hex().upper()
DS_TEXT = f"{TAG} 13 2 {HEX}"


@dataclass(frozen=True)
class Want:
    """What a paste must read as."""

    records: tuple[tuple[str, int, int], ...] = ()
    """(kind, key tag, digest type or flags) per record, in order."""
    repair: str = ""
    """A substring of some record's repairs (empty: no repairs at all)."""
    problem: str = ""
    """A substring of some problem's reason (empty: no problems)."""
    defect: str = ""
    note: str = ""
    digest: str = HEX
    """The digest every DS record must carry (upper-case hex; empty: don't check)."""


CASES: dict[str, tuple[str, Want]] = {
    "full record": (f"example.test. 3600 IN DS {DS_TEXT}", Want((("DS", TAG, 2),))),
    "no ttl": (f"example.test. IN DS {DS_TEXT}", Want((("DS", TAG, 2),))),
    "class before ttl": (f"example.test. IN 3600 DS {DS_TEXT}", Want((("DS", TAG, 2),))),
    "bind ttl units": (f"example.test. 1h30m IN DS {DS_TEXT}", Want((("DS", TAG, 2),))),
    "type only": (f"DS {DS_TEXT}", Want((("DS", TAG, 2),))),
    "lower-case type": (f"example.test. in ds {DS_TEXT}", Want((("DS", TAG, 2),))),
    "bare rdata": (DS_TEXT, Want((("DS", TAG, 2),))),
    "lower-case hex": (f"{TAG} 13 2 {HEX.lower()}", Want((("DS", TAG, 2),))),
    "dig splits the digest": (
        f"example.test.\t\t3600\tIN\tDS\t{TAG} 13 2 {HEX[:56]} {HEX[56:]}",
        Want((("DS", TAG, 2),)),
    ),
    "hex in groups of four": (
        f"{TAG} 13 2 " + " ".join(HEX[i : i + 4] for i in range(0, 64, 4)),
        Want((("DS", TAG, 2),)),
    ),
    "parentheses over lines": (
        f"example.test. 3600 IN DS {TAG} 13 2 (\n  {HEX[:32]}\n  {HEX[32:]} )",
        Want((("DS", TAG, 2),)),
    ),
    "relative owner and @": (
        f"example.test IN DS {DS_TEXT}\n@ IN DS {DS_TEXT}",
        Want((("DS", TAG, 2), ("DS", TAG, 2))),
    ),
    "dnssec-dsfromkey (old BIND: SHA-1 and SHA-256)": (
        f"example.test. IN DS {TAG} 13 1 {HEX1}\nexample.test. IN DS {DS_TEXT}\n",
        Want((("DS", TAG, 1), ("DS", TAG, 2)), digest=""),
    ),
    "ldns-key2ds": (
        f"example.test.\t3600\tIN\tDS\t{TAG} 13 2 {HEX.lower()}",
        Want((("DS", TAG, 2),)),
    ),
    "knot keymgr ds": (f"example.test. DS {DS_TEXT}", Want((("DS", TAG, 2),))),
    "powerdns show-zone": (
        "This is a Native zone\nZone is not presigned\nZone has NSEC semantics\nkeys: \n"
        f"ID = 1 (CSK), flags = 257, tag = {TAG}, algo = 13, bits = 256\t  Active\t Published"
        "  ( ECDSAP256SHA256 ) \n"
        f"CSK DNSKEY = example.test. IN DNSKEY {KSK_TEXT} ; ( ECDSAP256SHA256 )\n"
        f"DS = example.test. IN DS {DS_TEXT} ; ( SHA256 digest )\n",
        Want((("DNSKEY", TAG, 257), ("DS", TAG, 2))),
    ),
    "bind key file": (
        f"; This is a key-signing key, keyid {TAG}, for example.test.\n"
        "; Created: 20260101000000 (Thu Jan  1 00:00:00 2026)\n"
        "; Publish: 20260101000000 (Thu Jan  1 00:00:00 2026)\n"
        "; Activate: 20260101000000 (Thu Jan  1 00:00:00 2026)\n"
        f"example.test. 3600 IN DNSKEY 257 3 13 {KEY_B64[:44]} {KEY_B64[44:]}\n",
        Want((("DNSKEY", TAG, 257),)),
    ),
    "dig +multi dnskey": (
        f"example.test.\t\t3600 IN DNSKEY 257 3 13 (\n\t\t\t\t{KEY_B64[:56]}\n"
        f"\t\t\t\t{KEY_B64[56:]}\n\t\t\t\t) ; KSK; alg = ECDSAP256SHA256 ; key id = {TAG}",
        Want((("DNSKEY", TAG, 257),)),
    ),
    "dig answer with rrsig and comments": (
        ";; ANSWER SECTION:\n"
        f"example.test.\t3600\tIN\tDS\t{DS_TEXT}\n"
        "example.test.\t3600\tIN\tRRSIG\tDS 13 2 3600 20270214080000 20270115070000 24524 "
        "test. nbno9M/FZphupnDnE3uipSUiku/vYRG/ FsRE3T9FFdpDEsr1ehj1tyvIOlEmlfm/\n"
        ";; Query time: 1 msec\n",
        Want((("DS", TAG, 2),)),
    ),
    "windows line endings": (f"example.test. IN DS {DS_TEXT}\r\n", Want((("DS", TAG, 2),))),
    "algorithm mnemonic": (f"{TAG} ECDSAP256SHA256 2 {HEX}", Want((("DS", TAG, 2),))),
    "rfc 4034 example": (
        RFC4034_TEXT,
        Want(
            (("DNSKEY", 60485, 256), ("DS", 60485, 1)),
            digest="2BB183AF5F22588179A53B0A98631FAD1A292118",
        ),
    ),
    "registrar panel": (
        f"Key Tag: {TAG}\nAlgorithm: 13 (ECDSAP256SHA256)\nDigest Type: 2 (SHA-256)\n"
        f"Digest: {HEX}\n",
        Want((("DS", TAG, 2),)),
    ),
    "registrar panel with public key too": (
        f"DS Record: example.test. 3600 IN DS {DS_TEXT}\n\nDigest: {HEX}\nDigest Type: 2\n"
        f"Algorithm: 13\nPublic Key: {KEY_B64}\nKey Tag: {TAG}\nFlags: 257\n",
        Want((("DS", TAG, 2), ("DS", TAG, 2))),
    ),
    "registrar panel, key data": (
        f"Flags: 257\nProtocol: 3\nAlgorithm: ECDSAP256SHA256\nPublic Key: {KEY_B64}\n",
        Want((("DNSKEY", TAG, 257),)),
    ),
    "epp secdns dsData with keyData": (
        "<secDNS:create xmlns:secDNS='urn:ietf:params:xml:ns:secDNS-1.1'>\n<secDNS:dsData>\n"
        f"  <secDNS:keyTag>{TAG}</secDNS:keyTag>\n  <secDNS:alg>13</secDNS:alg>\n"
        f"  <secDNS:digestType>2</secDNS:digestType>\n  <secDNS:digest>{HEX}</secDNS:digest>\n"
        "  <secDNS:keyData><secDNS:flags>257</secDNS:flags><secDNS:protocol>3</secDNS:protocol>"
        f"<secDNS:alg>13</secDNS:alg><secDNS:pubKey>{KEY_B64}</secDNS:pubKey></secDNS:keyData>\n"
        "</secDNS:dsData>\n</secDNS:create>",
        Want((("DS", TAG, 2),)),
    ),
    "epp secdns keyData": (
        "<keyData><flags>257</flags><protocol>3</protocol><alg>13</alg>"
        f"<pubKey>{KEY_B64}</pubKey></keyData>",
        Want((("DNSKEY", TAG, 257),)),
    ),
    # Repairs: read, but the corrected form must be shown.
    "digest type as mnemonic": (
        f"{TAG} 13 SHA-256 {HEX}",
        Want((("DS", TAG, 2),), repair="the digest type must be a number: SHA-256 is 2"),
    ),
    "fields out of order": (
        f"13 {TAG} 2 {HEX}",
        Want((("DS", TAG, 2),), repair="out of order"),
    ),
    "algorithm and digest type swapped": (
        f"{TAG} 2 13 {HEX}",
        Want((("DS", TAG, 2),), repair="out of order"),
    ),
    "digest type missing": (
        f"{TAG} 13 {HEX}",
        Want((("DS", TAG, 2),), repair="digest type was missing"),
    ),
    "0x prefix": (f"{TAG} 13 2 0x{HEX}", Want((("DS", TAG, 2),), repair="'0x' prefix")),
    "colon separated": (
        f"{TAG} 13 2 " + ":".join(HEX[i : i + 2] for i in range(0, 64, 2)),
        Want((("DS", TAG, 2),), repair="':' separators"),
    ),
    "base64 digest": (
        f"{TAG} 13 2 {base64.b64encode(DS2.digest).decode()}",
        Want((("DS", TAG, 2),), repair="base64"),
    ),
    "dnskey pasted as ds": (
        f"example.test. IN DS {KSK_TEXT}",
        Want((("DNSKEY", TAG, 257),), repair="labelled DS but holds DNSKEY data"),
    ),
    "cds record": (
        f"example.test. IN CDS {DS_TEXT}",
        Want((("DS", TAG, 2),), repair="CDS record"),
    ),
    "cdnskey record": (
        f"example.test. IN CDNSKEY {KSK_TEXT}",
        Want((("DNSKEY", TAG, 257),), repair="CDNSKEY record"),
    ),
    "missing base64 padding": (
        f"257 3 13 {KEY_B64.rstrip('=')}",
        Want((("DNSKEY", TAG, 257),), repair="padding was repaired"),
    ),
    "base64 lost a character": (
        f"257 3 13 {KEY_B64.rstrip('=')[:-1]}",
        Want(problem="not valid base64"),
    ),
    "flags and protocol swapped": (
        f"3 257 13 {KEY_B64}",
        Want((("DNSKEY", TAG, 257),), repair="flags and protocol were swapped"),
    ),
    "no-break spaces and zero-width space from a web page": (
        f"{TAG}\u00a013\u00a02 {HEX[:20]}\u200b{HEX[20:]}",
        Want((("DS", TAG, 2),), note="invisible characters"),
    ),
    "full-width digits": (
        f"{TAG} \uff11\uff13 2 {HEX}",
        Want((("DS", TAG, 2),), note="look-alikes"),
    ),
    # Defects and problems: precise reasons.
    "truncated digest": (
        f"{TAG} 13 2 {HEX[:-2]}",
        Want((("DS", TAG, 2),), defect="31 octets", digest=HEX[:-2]),
    ),
    "out of order and truncated": (
        f"13 {TAG} SHA256 {HEX[:-2]}",
        Want((("DS", TAG, 2),), repair="out of order", defect="31 octets", digest=HEX[:-2]),
    ),
    "odd number of hex digits": (f"{TAG} 13 2 {HEX[:-1]}", Want(problem="odd number")),
    "letter O for zero": (
        f"{TAG} 13 2 {HEX[:10]}O{HEX[11:]}",
        Want(problem="character 'O' at position 11 (a letter 'O' where the digit 0 belongs?)"),
    ),
    "key tag out of range": (f"70000 13 2 {HEX}", Want(problem="key tag 70000 is out of range")),
    "too few fields": (f"example.test. IN DS {TAG} 13", Want(problem="four fields")),
    "txt record": ('example.test. IN TXT "v=spf1 -all"', Want(problem="TXT record")),
    "class ch": (f"example.test. CH DS {DS_TEXT}", Want(problem="class CH")),
    "protocol not 3": (f"example.test. IN DNSKEY 257 2 13 {KEY_B64}", Want(problem="must be 3")),
    "truncated key": (
        f"example.test. IN DNSKEY 257 3 13 {KEY_B64[:40]}",
        Want(problem="public key is 30 octets, but ECDSAP256SHA256 keys are 64"),
    ),
    "unknown algorithm mnemonic": (f"{TAG} FOO 2 {HEX}", Want(problem="'FOO' is not a DNSSEC")),
    "bad owner": (f"a..b IN DS {DS_TEXT}", Want(problem="owner name")),
    "prose only": ("please add my DS record thanks", Want(problem="no DS or DNSKEY record")),
    "empty": ("   \n\n", Want(problem="it is empty")),
    "incomplete panel": (f"Key Tag: {TAG}\nAlgorithm: 13\n", Want(problem="incomplete")),
    "one good, one bad": (
        f"example.test. IN DS {DS_TEXT}\nexample.test. IN DS {TAG} 13 2 XYZ",
        Want((("DS", TAG, 2),), problem="not hexadecimal"),
    ),
}


def _check(parsed: ParsedInput, want: Want) -> None:
    got = []
    for r in parsed.records:
        if r.kind == "DS":
            assert r.ds is not None
            got.append(("DS", r.ds.key_tag, r.ds.digest_type))
            if want.digest:
                assert r.ds.digest.hex().upper() == want.digest
        else:
            assert r.dnskey is not None
            got.append(("DNSKEY", key_tag(r.dnskey), r.dnskey.flags))
    assert tuple(got) == want.records, parsed
    repairs = [x for r in parsed.records for x in r.repairs]
    if want.repair:
        assert any(want.repair in x for x in repairs), repairs
    else:
        assert not repairs, repairs
    reasons = [p.reason for p in parsed.problems]
    if want.problem:
        assert any(want.problem in x for x in reasons), reasons
    else:
        assert not reasons, reasons
    defects = [x for r in parsed.records for x in r.defects]
    assert bool(defects) == bool(want.defect), defects
    assert all(want.defect in x for x in defects)
    if want.note:
        assert any(want.note in x for x in parsed.notes), parsed.notes
    else:
        assert not parsed.notes


@pytest.mark.parametrize("text,want", list(CASES.values()), ids=list(CASES))
def test_paste_forms(text: str, want: Want) -> None:
    _check(parse_ds_input(text), want)


def test_canonical_form_is_what_registries_take() -> None:
    record = parse_ds_input(f"13 {TAG} SHA256 {HEX.lower()[:30]} {HEX.lower()[30:]}").records[0]
    assert record.canonical(APEX) == f"example.test. IN DS {TAG} 13 2 {HEX}"
    key = parse_ds_input(f"example.test. IN DNSKEY 257 3 13 {KEY_B64[:20]} {KEY_B64[20:]}")
    assert key.records[0].canonical(APEX) == f"example.test. IN DNSKEY 257 3 13 {KEY_B64}"


def test_a_dnskey_stands_for_its_ds_at_the_apex() -> None:
    record = parse_ds_input(KSK_TEXT).records[0]
    assert record.ds_at(APEX).digest == DS2.digest
    assert record.ds_at(APEX, 4).digest_type == 4
    assert record.label == f"DNSKEY {TAG} (flags 257)"


def test_owner_as_written_is_kept_for_the_owner_check() -> None:
    record = parse_ds_input(f"www.example.test. IN DS {DS_TEXT}").records[0]
    assert record.owner == dns.name.from_text("www.example.test.")
    assert parse_ds_input(f"@ IN DS {DS_TEXT}").records[0].owner is None


def test_line_numbers_point_at_the_record() -> None:
    parsed = parse_ds_input(f"; comment\n\nexample.test. IN DS {DS_TEXT}\n{TAG} 13 2 ZZ\n")
    assert [r.line for r in parsed.records] == [3]
    assert [p.line for p in parsed.problems] == [4]


def test_a_private_key_is_refused_and_never_echoed() -> None:
    secret = "c2VjcmV0LXByaXZhdGUta2V5LW1hdGVyaWFsLWRvLW5vdC1sZWFr"
    text = f"Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: {secret}\n"
    parsed = parse_ds_input(text, source="Kexample.test.+013+12345.private")
    assert not parsed.records
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert "private key" in problem.reason and "never" in problem.reason
    assert secret not in problem.reason + problem.given


def test_huge_input_is_bounded() -> None:
    parsed = parse_ds_input(f"example.test. IN DS {DS_TEXT}\n" * (MAX_RECORDS + 5))
    assert len(parsed.records) == MAX_RECORDS
    assert any(f"first {MAX_RECORDS} records" in p.reason for p in parsed.problems)


def test_prose_lines_around_records_are_ignored_not_errors() -> None:
    parsed = parse_ds_input(f"Here is my DS:\n{DS_TEXT}\nThanks!")
    assert len(parsed.records) == 1 and not parsed.problems
    assert any("Here is my DS" in x for x in parsed.ignored)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(max_size=400))
def test_any_text_reads_without_raising(text: str) -> None:
    parsed = parse_ds_input(text)
    for r in parsed.records:
        assert r.canonical(APEX)
        assert r.given == r.given[:300]


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [DS_TEXT, f"{TAG}", "13", "2", HEX[:7], "(", ")", ";", "IN", "DS", "DNSKEY",
             "257", "3", KEY_B64[:9], "=", ":", "0x", "\n", "Key Tag:", "<alg>", "</alg>"]
        ),
        max_size=30,
    )
)  # fmt: skip
def test_record_shaped_fragments_read_without_raising(parts: list[str]) -> None:
    parse_ds_input(" ".join(parts))
