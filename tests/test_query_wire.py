"""QuerySpec.to_wire: the queries we send, encoded without dnspython's message
(RFC 1035 §4.1, RFC 6891 §6.1.2), must be byte for byte what dnspython renders.

Checked for every query the probe sent in every golden capture (each variant of the
behaviour probes among them), for the probe's own variant lists, and as a property
over random names, types, classes, flags, EDNS versions, payloads and options — a
query dnspython cannot build must fail here with the same error.
"""

from __future__ import annotations

from pathlib import Path

import dns.exception
import dns.name
import dns.opcode
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.model.mismatch import answer_mismatch, mismatch
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.probe.behaviour import edns_probes, first_round, size_probes

pytestmark = pytest.mark.timeout(120)

CASES = Path(__file__).parent / "cases"

PROPERTY = settings(
    derandomize=True,
    max_examples=1500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def rendered(spec: QuerySpec, query_id: int) -> bytes | tuple[type, str]:
    """dnspython's rendering of ``spec``, or the error it gives."""
    try:
        return spec.to_message(query_id).to_wire()
    except (dns.exception.DNSException, ValueError) as exc:
        return (type(exc), str(exc))


def encoded(spec: QuerySpec, query_id: int) -> bytes | tuple[type, str]:
    """``spec.to_wire``, or the error it gives."""
    try:
        return spec.to_wire(query_id).wire
    except (dns.exception.DNSException, ValueError) as exc:
        return (type(exc), str(exc))


def captured_specs() -> list[QuerySpec]:
    specs: set[QuerySpec] = set()
    for capture in sorted(CASES.glob("*/capture.json.gz")):
        specs.update(e.query for e in load_capture(capture).exchanges)
    return sorted(specs, key=repr)


def test_every_query_of_the_golden_captures_encodes_as_dnspython_renders_it() -> None:
    specs = captured_specs()
    assert len(specs) > 500  # the captures hold the probe's whole repertoire
    variants = {(s.edns, s.do, s.payload, s.options != (), s.rd, s.cd) for s in specs}
    assert len(variants) >= 6  # no EDNS, no DO, version 1, an option, the size ladder, RD
    for number, spec in enumerate(specs):
        query_id = (number * 7919) % 65536
        assert encoded(spec, query_id) == rendered(spec, query_id), spec


@pytest.mark.parametrize("zone", [".", "test.", "Example.TEST.", "a\\.b.test.", "x" * 63 + "."])
def test_the_behaviour_probes_encode_as_dnspython_renders_them(zone: str) -> None:
    probes = [*first_round(zone), *edns_probes(zone), *size_probes(zone, "nx1." + zone)]
    standard = [QuerySpec(zone, t) for t in ("SOA", "NS", "DNSKEY", "DS", "A", "AAAA")]
    for spec in [p.spec for p in probes] + standard + [s.with_(rd=True) for s in standard]:
        assert encoded(spec, 4660) == rendered(spec, 4660), spec


def test_the_question_is_the_message_s() -> None:
    spec = QuerySpec("WWW.Example.test.", "DNSKEY", "CH")
    query = spec.to_wire(1)
    message = spec.to_message(1)
    assert query.question == (message.question[0].name, 48, 3)
    assert query.with_id(0xBEEF) == spec.to_message(0xBEEF).to_wire()


def test_an_answer_judged_by_question_is_judged_as_by_message() -> None:
    # The transport checks answers against QueryWire.question, the analysis against
    # to_message: both must say the same.
    spec = QuerySpec("www.example.test.", "A")
    query = spec.to_message(99)
    answer = bytearray(query.to_wire())
    answer[2] |= 0x80
    assert mismatch(query, bytes(answer)) is None

    question = [spec.to_wire(99).question]
    assert answer_mismatch(99, dns.opcode.QUERY, question, bytes(answer)) is None
    other = QuerySpec("www.example.test.", "AAAA").to_wire(99).question
    assert answer_mismatch(99, dns.opcode.QUERY, [other], bytes(answer)) == "wrong_question"


names = st.one_of(
    st.lists(st.binary(min_size=1, max_size=64), max_size=9).map(
        lambda labels: (
            dns.name.Name.to_text(dns.name.Name([*labels[:8], b""]))
            if sum(len(x) + 1 for x in labels[:8]) < 255
            else "too.long."
        )
    ),
    st.text(alphabet="ab.\\@0123 -", max_size=12),
)


@st.composite
def specs(draw: st.DrawFn) -> QuerySpec:
    return QuerySpec(
        qname=draw(names),
        qtype=draw(
            st.sampled_from(
                ["A", "SOA", "DS", "DNSKEY", "OPT", "ANY", "AXFR", "TYPE0", "TYPE65535", "NOTATYPE"]
            )
        ),
        qclass=draw(st.sampled_from(["IN", "CH", "ANY", "NONE", "CLASS0", "CLASS65535"])),
        rd=draw(st.booleans()),
        cd=draw(st.booleans()),
        do=draw(st.booleans()),
        edns=draw(st.none() | st.integers(-2, 257)),
        payload=draw(st.sampled_from([0, 1, 511, 512, 1232, 1400, 4096, 65535, 65536, -1])),
        options=tuple(
            draw(
                st.lists(
                    st.tuples(
                        st.sampled_from([0, 3, 10, 15, 65001, 65535, 65536, -1]),
                        st.binary(max_size=300),
                    ),
                    max_size=3,
                )
            )
        ),
        tcp=draw(st.booleans()),
    )


@PROPERTY
@given(specs(), st.integers(0, 65535))
def test_any_query_encodes_as_dnspython_renders_it(spec: QuerySpec, query_id: int) -> None:
    assert encoded(spec, query_id) == rendered(spec, query_id)


@pytest.mark.parametrize("payload", [0, 512, 513, 4096])
@pytest.mark.parametrize("size", [511, 512, 513, 520])
def test_queries_near_512_octets_encode_or_fail_as_dnspython(payload: int, size: int) -> None:
    # dnspython refuses (TooBig) a query longer than max(512, payload): at the edge the
    # encoder must hand over rather than send what dnspython would not.
    option = (65001, bytes(size - 37))  # 12 header + 6 "test." + 4 + 11 OPT + 4 option head
    spec = QuerySpec("test.", "SOA", payload=payload, options=(option,))
    assert len(spec.to_message(1).to_wire(max_size=65535)) == size
    assert encoded(spec, 1) == rendered(spec, 1)
