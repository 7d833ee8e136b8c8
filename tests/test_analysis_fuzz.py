"""Hostile answers never crash the walk or the analysis (a Hypothesis property, bounded).

Every server answers with bytes drawn by Hypothesis: garbage, truncated
messages, or real DNS messages with random sections (referrals to anywhere,
DNSKEY/RRSIG/NSEC/NSEC3/DS records with random contents). The walk and the
analysis must end in a diagnosis, within the budget.
"""

from __future__ import annotations

import asyncio
from typing import Literal

import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.analysis.engine import analyse
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.diagnosis_json import render_json
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.probe.collect import collect
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.render.html import render_html
from dnssec_doctor.render.keydot import render_graph_dot
from dnssec_doctor.render.text import render_text
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from status_invariant import assert_explained

ANCHOR = [". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"]
NAMES = ["a.", "b.a.", "c.b.a.", ".", "x.", "*.a.", "\\000.a.", "<script>.a."]
RECORDS = [
    ("NS", "ns.a."),
    ("A", "127.10.0.1"),
    ("A", "127.10.0.2"),
    ("DS", "1 13 2 " + "AB" * 32),
    ("DNSKEY", "257 3 13 " + "A" * 86 + "=="),
    ("RRSIG", "SOA 13 1 3600 20300101000000 20200101000000 1 a. AAAA"),
    ("RRSIG", "A 8 9 3600 20300101000000 20200101000000 65535 . AAAA"),
    ("NSEC", "b.a. A NS SOA RRSIG NSEC"),
    ("NSEC3", "1 1 2500 AB 0123456789ABCDEFGHIJKLMNOPQRSTUV A RRSIG"),
    ("NSEC3PARAM", "1 0 0 -"),
    ("SOA", "ns.a. h.a. 1 3600 600 86400 300"),
    ("CNAME", "b.a."),
    ("TXT", '"\\027[31m"'),
]

record = st.tuples(st.sampled_from(NAMES), st.sampled_from(RECORDS))
message_spec = st.fixed_dictionaries(
    {
        "rcode": st.sampled_from([0, 2, 3, 5]),
        "aa": st.booleans(),
        "tc": st.booleans(),
        "answer": st.lists(record, max_size=4),
        "authority": st.lists(record, max_size=4),
        "additional": st.lists(record, max_size=3),
    }
)
referral = st.fixed_dictionaries(
    {
        "rcode": st.just(0),
        "aa": st.just(False),
        "tc": st.just(False),
        "answer": st.just([]),
        "authority": st.lists(
            st.tuples(st.sampled_from(["a.", "b.a.", "c.b.a."]), st.just(("NS", "ns.a."))),
            min_size=1,
            max_size=2,
        ).map(lambda ns: [*ns, ("a.", ("DS", "1 13 2 " + "AB" * 32))]),
        "additional": st.just([("ns.a.", ("A", "127.10.0.2"))]),
    }
)
reply = st.one_of(
    st.none(),  # silence
    st.binary(max_size=40),  # garbage
    message_spec,
    referral,
    referral,
)


def build(query: dns.message.Message, spec: dict[str, object]) -> bytes:
    response = dns.message.make_response(query)
    response.set_rcode(int(spec["rcode"]))  # type: ignore[call-overload]
    if spec["aa"]:
        response.flags |= dns.flags.AA
    if spec["tc"]:
        response.flags |= dns.flags.TC
    for section in ("answer", "authority", "additional"):
        for owner, (rdtype, data) in spec[section]:  # type: ignore[attr-defined]
            rrset = dns.rrset.from_text(owner, 300, "IN", rdtype, data)
            getattr(response, section).append(rrset)
    return response.to_wire(max_size=65535)


class HostileWire:
    """Answers every query from a list of drawn replies, in turn."""

    def __init__(self, replies: list[object]) -> None:
        self.replies = replies
        self.count = 0

    async def send(
        self,
        server: ServerAddress,
        spec: QuerySpec,
        transport: Literal["udp", "tcp"],
        timeout: float,
    ) -> Exchange:
        choice = self.replies[self.count % len(self.replies)]
        self.count += 1
        if choice is None:
            return Exchange(str(server), spec, transport, "timeout")
        if isinstance(choice, bytes):
            return Exchange(str(server), spec, transport, "malformed", stray=(choice,))
        assert isinstance(choice, dict)
        wire = build(spec.to_message(7), choice)
        return Exchange(str(server), spec, transport, "response", wire=wire, query_id=7)


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(reply, min_size=1, max_size=12), st.sampled_from(["c.b.a.", "a.", "x."]))
def test_hostile_answers_end_in_a_diagnosis(replies: list[object], name: str) -> None:
    limits = Limits(query_timeout=0.01, retries=0, max_queries=300, deadline=20)
    wire = HostileWire(replies)
    client = Client(wire, limits=limits, policy=AddressPolicy.permissive())
    request = ProbeRequest(
        name=dns.name.from_text(name),
        root_hints=(ServerAddress("127.10.0.1"),),
        trust_anchors=anchors_from_lines(ANCHOR),
        limits=limits,
    )
    survey = asyncio.run(asyncio.wait_for(collect(client, request), timeout=30))
    diagnosis = analyse(survey, client.exchanges, 1_800_000_000, limits)
    assert diagnosis.status in ("secure", "insecure", "bogus", "indeterminate")
    assert_explained(diagnosis)
    assert wire.count <= limits.max_queries
    # every sink renders it
    assert render_json(diagnosis)
    assert "\x1b" not in render_text(diagnosis)
    assert "<script>" not in render_html(diagnosis)
    dot = render_graph_dot(diagnosis)
    assert dot.isascii() and dot.startswith("digraph dnssec_keys {")
    assert dot.count("label=") == dot.count('label="')  # every label a quoted string
