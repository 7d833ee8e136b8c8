"""Property: exchanges and captures survive JSON (and a file) unchanged.

Wire bytes, stray datagrams and names are arbitrary — a hostile server chooses
them — so the capture must carry any of them through save and load.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import dns.name
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_doctor.model.capture import OUTCOMES, Capture, Exchange, load_capture, save_capture
from dnssec_doctor.model.query import QuerySpec

pytestmark = pytest.mark.timeout(60)

PROPERTY = settings(
    derandomize=True,
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def dns_names(draw: st.DrawFn) -> dns.name.Name:
    """Absolute names whose labels hold any octets, within RFC 1035 §2.3.4 sizes."""
    labels = draw(st.lists(st.binary(min_size=1, max_size=20), max_size=8))
    return dns.name.Name([*labels, b""])


# Timings are stored with 6 decimals; microsecond steps survive that exactly.
timings = st.integers(min_value=0, max_value=10**9).map(lambda us: us / 10**6)


@st.composite
def query_specs(draw: st.DrawFn) -> QuerySpec:
    return QuerySpec(
        qname=draw(dns_names()).to_text(),
        qtype=draw(st.sampled_from(["A", "AAAA", "DNSKEY", "DS", "NSEC3PARAM", "TYPE65534"])),
        rd=draw(st.booleans()),
        cd=draw(st.booleans()),
        do=draw(st.booleans()),
        edns=draw(st.none() | st.integers(0, 255)),
        payload=draw(st.integers(512, 65535)),
        options=tuple(
            draw(st.lists(st.tuples(st.integers(0, 65535), st.binary(max_size=40)), max_size=3))
        ),
        tcp=draw(st.booleans()),
    )


@st.composite
def exchanges(draw: st.DrawFn) -> Exchange:
    return Exchange(
        server=draw(st.sampled_from(["127.0.0.1", "127.0.0.1:5300", "[::1]:53000"])),
        query=draw(query_specs()),
        transport=draw(st.sampled_from(["udp", "tcp"])),
        outcome=draw(st.sampled_from(OUTCOMES)),
        wire=draw(st.none() | st.binary(max_size=600)),
        started=draw(timings),
        elapsed=draw(timings),
        error=draw(st.text(max_size=40)),
        stray=tuple(draw(st.lists(st.binary(max_size=100), max_size=3))),
        query_id=draw(st.integers(0, 65535)),
    )


@PROPERTY
@given(dns_names())
def test_names_survive_their_text_form(name: dns.name.Name) -> None:
    # QuerySpec keeps the name as text: escaping must lose no octet.
    assert dns.name.from_text(name.to_text()) == name
    spec = QuerySpec(name.to_text(), "A")
    assert spec.to_message(1).question[0].name == name


@PROPERTY
@given(exchanges())
def test_exchange_json_round_trip(exchange: Exchange) -> None:
    text = json.dumps(exchange.as_json())
    again = Exchange.from_json(json.loads(text))
    assert again == exchange


@PROPERTY
@given(st.lists(exchanges(), max_size=6), st.text(max_size=30))
def test_capture_file_round_trip(items: list[Exchange], seed: str) -> None:
    capture = Capture(
        name="example.test.",
        created="2024-05-01T12:00:00Z",
        root_hints=["127.0.0.1:5300"],
        seed=seed,
        exchanges=items,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "capture.json"
        save_capture(capture, path)
        loaded = load_capture(path)
    assert loaded.exchanges == items
    assert loaded.as_json() == capture.as_json()
