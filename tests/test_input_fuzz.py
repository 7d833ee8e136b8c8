"""Properties: every file reader ends in a result or one DoctorError, whatever the bytes.

The same functions are Atheris targets (``fuzz_inputs.py``); here Hypothesis feeds
them raw bytes and, to get past the first check, structured near-valid inputs:
capture documents with arbitrary JSON in every field, zone text built from
directives and tokens (``$GENERATE``, ``$INCLUDE``, parentheses, quotes, escapes,
a byte-order mark), DS and trust-anchor lines, root hints. Derandomized, bounded.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzz_inputs
from dnssec_doctor.model.capture import CAPTURE_FORMAT, CAPTURE_VERSION

pytestmark = pytest.mark.timeout(120)

PROPERTY = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

EXCHANGE = {
    "server": "192.0.2.1",
    "query": {"qname": "example.", "qtype": "A", "rd": False, "cd": True, "do": True,
              "edns": 0, "payload": 1232, "options": [], "tcp": False},
    "transport": "udp",
    "outcome": "response",
    "wire": "AAA=",
    "started": 0.0,
    "elapsed": 0.01,
}  # fmt: skip


@st.composite
def capture_documents(draw: st.DrawFn) -> bytes:
    """A capture with one field (top level, in an exchange or in its query) replaced."""
    exchange: dict[str, Any] = json.loads(json.dumps(EXCHANGE))
    document: dict[str, Any] = {
        "format": CAPTURE_FORMAT,
        "version": CAPTURE_VERSION,
        "name": "example.",
        "limits": {"deadline": 60.0},
        "exchanges": [exchange],
    }
    where = draw(st.sampled_from(["top", "exchange", "query"]))
    target = {"top": document, "exchange": exchange, "query": exchange["query"]}[where]
    key = draw(st.sampled_from([*target, "extra"]))
    target[key] = draw(json_values)
    return json.dumps(document, allow_nan=True).encode()


@PROPERTY
@given(st.binary(max_size=2000) | capture_documents())
def test_capture_reader_never_fails_otherwise(data: bytes) -> None:
    fuzz_inputs.fuzz_capture(data)


@PROPERTY
@given(st.binary(max_size=500) | capture_documents())
def test_gzipped_capture_reader_never_fails_otherwise(data: bytes) -> None:
    fuzz_inputs.fuzz_gzipped_capture(data)


ZONE_PIECES = [
    "$ORIGIN", "$TTL", "$GENERATE", "$INCLUDE", "$BOGUS", "1-10", "0-4000", "1-3/0", "h$",
    "${0,3,x}", "@", "*", "a", "b.c", "x.example.test.", "..", "\\.", "\\065", "\\999", "300",
    "1w2d", "IN", "CH", "CLASS3", "A", "AAAA", "TXT", "NS", "SOA", "DS", "RRSIG", "NSEC3",
    "TYPE65534", "\\#", "0", "4", "1.2.3.4", "::1", "(", ")", '"q r"', '"', ";c", "\n", "\r\n",
    "\t", " ", "\x00", "\xe9", "\ufeff", "x" * 300,
]  # fmt: skip


@st.composite
def zone_texts(draw: st.DrawFn) -> bytes:
    pieces = draw(st.lists(st.sampled_from(ZONE_PIECES), max_size=60))
    head = "$ORIGIN example.test.\n" if draw(st.booleans()) else ""
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + head + " ".join(pieces) + "\n").encode("utf-8")


@PROPERTY
@given(st.binary(max_size=2000) | zone_texts())
def test_zone_reader_never_fails_otherwise(data: bytes) -> None:
    fuzz_inputs.fuzz_zone_file(data)


DS_PIECES = [
    "example.test.", "example.test", ".", "3600", "IN", "DS", "CDS", "DNSKEY", "CDNSKEY",
    "12345", "13", "8", "2", "1", "4", "0", "257", "3", "SHA-256", "(", ")", ";", "\n",
    "0123456789abcdef" * 4, "AwEAAa==", "Key Tag:", "Digest:", "<secDNS:dsData>",
    "</secDNS:dsData>", "DS =", "\u200b", "x" * 100,
]  # fmt: skip
ds_texts = st.lists(st.sampled_from(DS_PIECES), max_size=40).map(lambda p: " ".join(p).encode())


@PROPERTY
@given(st.binary(max_size=1000) | ds_texts)
def test_ds_input_parser_never_fails_otherwise(data: bytes) -> None:
    fuzz_inputs.fuzz_ds_input(data)


@PROPERTY
@given(st.binary(max_size=1000) | ds_texts)
def test_zone_ds_file_reader_never_fails_otherwise(data: bytes) -> None:
    fuzz_inputs.fuzz_ds_file(data)


@PROPERTY
@given(st.binary(max_size=1000) | ds_texts)
def test_trust_anchor_reader_never_fails_otherwise(data: bytes) -> None:
    fuzz_inputs.fuzz_trust_anchor_file(data)


HINT_PIECES = [
    "a.root-servers.net.", ".", "3600000", "IN", "NS", "A", "AAAA", "198.41.0.4", "2001:503::2",
    "127.0.0.1:5353", "[::1]:53", "[::1", "1.2.3.4:0", "1.2.3.4:99999", "300.1.1.1", "$ORIGIN",
    "$INCLUDE", "$GENERATE", ",", ",,,", ";", "\n", "\ufeff", "x" * 300,
]  # fmt: skip
hint_texts = st.lists(st.sampled_from(HINT_PIECES), max_size=40).map(lambda p: " ".join(p).encode())


@PROPERTY
@given(st.binary(max_size=1000) | hint_texts)
def test_root_hints_file_reader_never_fails_otherwise(data: bytes) -> None:
    fuzz_inputs.fuzz_root_hints_file(data)


@PROPERTY
@given(st.binary(max_size=300) | hint_texts.map(lambda b: b.replace(b"\n", b",")))
def test_root_hints_value_never_fails_otherwise(data: bytes) -> None:
    fuzz_inputs.fuzz_root_hints_value(data.replace(b"/", b""))


def test_the_targets_accept_good_input_too() -> None:
    # a fuzz target that refused everything would pass every property above
    assert (
        fuzz_inputs.fuzz_zone_file(
            b"$ORIGIN example.test.\n@ 60 SOA a b 1 2 3 4 5\n$GENERATE 1-3 h$ A 192.0.2.$\n"
        )
        == 4
    )
    assert fuzz_inputs.fuzz_root_hints_file(b"a. 1 IN A 192.0.2.1\nb. IN AAAA ::2\n. NS a.\n") == 2
    assert fuzz_inputs.fuzz_root_hints_value(b"198.41.0.4,170.247.170.2") == 2
    assert (
        fuzz_inputs.fuzz_trust_anchor_file(b"\xef\xbb\xbf. IN DS 20326 8 2 " + b"00" * 32 + b"\n")
        is not None
    )
    assert fuzz_inputs.fuzz_ds_file(b"example.test. IN DS 1 13 2 " + b"00" * 32 + b"\n") == 1
    document = {"format": CAPTURE_FORMAT, "version": CAPTURE_VERSION, "name": "example.",
                "exchanges": [EXCHANGE]}  # fmt: skip
    assert fuzz_inputs.fuzz_gzipped_capture(json.dumps(document).encode()) is not None
    assert fuzz_inputs.fuzz_ds_input(b"example.test. IN DS 1 13 2 " + b"00" * 32).records
