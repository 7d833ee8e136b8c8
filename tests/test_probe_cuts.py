"""Zone cuts that no referral shows (``probe.cuts`` and the walk that uses it).

Servers are scripted behind a fake transport (no sockets): one server that serves a
parent and its child answers for the child directly, as BIND and the lab's
embedded server do (RFC 1034 §4.3.2 picks the deepest zone served). The walk must
still find every cut between the root and the name, and only cuts.
"""

from __future__ import annotations

import asyncio

import dns.flags
import dns.message
import dns.name
import dns.rrset

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.model.survey import Survey
from dnssec_doctor.probe.collect import collect
from dnssec_doctor.probe.cuts import (
    MAX_LABELS_ASKED,
    labels_to_ask,
    nearest_cut,
    sighting,
)
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from fakewire import FakeWire, Handler, authoritative, referral

ROOT = "127.10.0.1"
SHARED = "127.10.0.2"
"""Serves example. and (in most tests) its children."""
OTHER = "127.10.0.3"
ANCHOR = [". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"]


def name(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


def soa(zone: str) -> dns.rrset.RRset:
    return dns.rrset.from_text(zone, 300, "IN", "SOA", "ns.example. h.example. 1 2 3 4 300")


def negative(q: dns.message.Message, zone: str, nxdomain: bool = False) -> dns.message.Message:
    """An AA NODATA (or NXDOMAIN) from ``zone``: its SOA in the authority section."""
    response = authoritative(q)
    response.authority.append(soa(zone))
    if nxdomain:
        response.set_rcode(dns.rcode.NXDOMAIN)
    return response


class Shared:
    """A server of example. that also serves the zones in ``children`` (by apex)."""

    def __init__(self, children: tuple[str, ...], ents: tuple[str, ...] = ()) -> None:
        self.children = children
        self.ents = ents
        """Names that exist only because something below them does."""

    def __call__(self, q: dns.message.Message) -> dns.message.Message:
        qname = q.question[0].name
        qtype = q.question[0].rdtype
        zone = max(
            (z for z in ("example.", *self.children) if qname.is_subdomain(name(z))),
            key=lambda z: len(name(z).labels),
        )
        if qtype == dns.rdatatype.NS and qname == name(zone):
            return authoritative(q, [(zone, "NS", "ns.example.")])  # one provider's host
        if qtype == dns.rdatatype.SOA and qname == name(zone):
            return authoritative(q, [(zone, "SOA", soa(zone)[0].to_text())])
        if qname.labels[0] == b"www" or qname.to_text() in self.ents or qname == name(zone):
            return negative(q, zone)
        return negative(q, zone, nxdomain=True)


def root(q: dns.message.Message) -> dns.message.Message:
    return referral(q, "example.", ["ns.example."], {"ns.example.": SHARED})


def run(handlers: dict[str, Handler], qname: str) -> tuple[Survey, FakeWire]:
    wire = FakeWire(handlers)
    limits = Limits(query_timeout=0.01, retries=0)
    client = Client(wire, limits=limits, policy=AddressPolicy.permissive())
    request = ProbeRequest(
        name=name(qname),
        root_hints=(ServerAddress(ROOT),),
        trust_anchors=anchors_from_lines(ANCHOR),
        limits=limits,
    )
    survey = asyncio.run(asyncio.wait_for(collect(client, request), timeout=20))
    return survey, wire


def zones(survey: Survey) -> list[str]:
    return [c.zone for c in survey.cuts]


def test_a_child_its_parents_server_answers_for_is_a_cut() -> None:
    survey, _ = run({ROOT: root, SHARED: Shared(("sub.example.",))}, "www.sub.example.")
    assert zones(survey) == [".", "example.", "sub.example."]
    child = survey.cuts[-1]
    assert child.parent == "example."
    # Found from the child's own apex NS, not from a referral; served where it answered.
    assert child.ns_from_apex == {SHARED: ["ns.example."]}
    assert child.ns_from_parent == {}
    assert child.server_addresses() == [ServerAddress(SHARED)]
    # The DS of the discovered child is asked of the parent's servers (RFC 4035 §5).
    assert SHARED in child.parent_side("sub.example.", "DS")


def test_an_empty_non_terminal_is_not_a_cut() -> None:
    handlers = {ROOT: root, SHARED: Shared(("b.a.example.",), ents=("a.example.",))}
    survey, wire = run(handlers, "www.b.a.example.")
    assert zones(survey) == [".", "example.", "b.a.example."]
    asked = {(qname, qtype) for _, qname, qtype in wire.asked}
    assert ("a.example.", "NS") in asked  # asked, and its NODATA from example. is no cut


def test_the_nearest_of_several_cuts_comes_first() -> None:
    # example. serves both a.example. and b.a.example.: two cuts, no referral to either.
    handlers = {ROOT: root, SHARED: Shared(("a.example.", "b.a.example."))}
    survey, _ = run(handlers, "www.b.a.example.")
    assert zones(survey) == [".", "example.", "a.example.", "b.a.example."]


def test_a_cut_only_a_soa_shows_is_served_by_the_servers_that_showed_it() -> None:
    # The apex NS question goes unanswered; the NODATA for the name carries the child's
    # SOA: the child is a zone, served where that answer came from.
    shared = Shared(("sub.example.",))

    def quiet_at_apex(q: dns.message.Message) -> dns.message.Message | None:
        if q.question[0].name == name("sub.example.") and q.question[0].rdtype == dns.rdatatype.NS:
            return None
        return shared(q)

    survey, _ = run({ROOT: root, SHARED: quiet_at_apex}, "www.sub.example.")
    assert zones(survey) == [".", "example.", "sub.example."]
    child = survey.cuts[-1]
    assert child.ns_from_apex == {} and child.ns_from_parent == {}
    assert [(ns.hostname, ns.source) for ns in child.servers] == [("ns.example.", "parent")]
    assert child.server_addresses() == [ServerAddress(SHARED)]


def test_a_name_below_no_cut_stays_in_its_zone() -> None:
    survey, _ = run({ROOT: root, SHARED: Shared(())}, "www.x.example.")
    assert zones(survey) == [".", "example."]


def test_a_child_on_a_subset_of_the_servers_is_found_from_both_sides() -> None:
    # SHARED serves example. and sub.example.; OTHER serves example. only and refers.
    def two(q: dns.message.Message) -> dns.message.Message:
        return referral(
            q,
            "example.",
            ["ns.example.", "ns2.example."],
            {"ns.example.": SHARED, "ns2.example.": OTHER},
        )

    def other(q: dns.message.Message) -> dns.message.Message:
        if q.question[0].name.is_subdomain(name("sub.example.")):
            return referral(q, "sub.example.", ["ns.example."], {"ns.example.": SHARED})
        return Shared(())(q)

    survey, _ = run(
        {ROOT: two, SHARED: Shared(("sub.example.",)), OTHER: other}, "www.sub.example."
    )
    assert zones(survey) == [".", "example.", "sub.example."]
    child = survey.cuts[-1]
    assert child.ns_from_parent == {OTHER: ["ns.example."]}
    assert child.ns_from_apex == {SHARED: ["ns.example."]}


def exchange(msg: dns.message.Message, qname: str) -> Exchange:
    return Exchange(SHARED, QuerySpec(qname, "NS"), "udp", "response", wire=msg.to_wire())


def query(qname: str) -> dns.message.Message:
    return dns.message.make_query(qname, "NS")


def test_sightings_read_each_kind_of_answer() -> None:
    zone = name("example.")
    apex = authoritative(query("sub.example."), [("sub.example.", "NS", "ns.sub.example.")])
    seen = sighting(exchange(apex, "sub.example."), zone, name("sub.example."))
    assert seen is not None and (seen.owner, seen.how, seen.ns) == (
        name("sub.example."),
        "apex",
        ("ns.sub.example.",),
    )
    by_soa = negative(query("www.sub.example."), "sub.example.")
    seen = sighting(exchange(by_soa, "www.sub.example."), zone, name("www.sub.example."))
    assert seen is not None and seen.owner == name("sub.example.")
    ent = negative(query("a.example."), "example.")
    assert sighting(exchange(ent, "a.example."), zone, name("a.example.")) is None
    cname = authoritative(query("a.example."), [("a.example.", "CNAME", "b.other.")])
    assert sighting(exchange(cname, "a.example."), zone, name("a.example.")) is None
    down = referral(query("x.sub.example."), "sub.example.", ["ns.o."], {})
    seen = sighting(exchange(down, "x.sub.example."), zone, name("x.sub.example."))
    assert seen is not None and (seen.owner, seen.how) == (name("sub.example."), "referral")
    sideways = referral(query("x.sub.example."), "other.example.", ["ns.o."], {})
    assert sighting(exchange(sideways, "x.sub.example."), zone, name("x.sub.example.")) is None
    # A SOA above the cut the walk stands on, or AA clear, shows nothing below it.
    above = negative(query("www.example."), ".")
    assert sighting(exchange(above, "www.example."), zone, name("www.example.")) is None
    not_aa = apex
    not_aa.flags &= ~dns.flags.AA
    assert sighting(exchange(not_aa, "sub.example."), zone, name("sub.example.")) is None


def test_labels_asked_and_the_nearest_cut() -> None:
    got = labels_to_ask(name("example."), name("a.b.c.example."))
    assert got == [name("c.example."), name("b.c.example."), name("a.b.c.example.")]
    assert labels_to_ask(name("example."), name("example.")) == []
    assert labels_to_ask(name("example."), name("other.")) == []
    deep = name(".".join(["x"] * 40) + ".example.")
    bounded = labels_to_ask(name("example."), deep)
    assert len(bounded) == MAX_LABELS_ASKED and bounded[-1] == deep
    assert nearest_cut([]) is None


class Aliasing(Shared):
    """Shared, plus CNAMEs: owner → target (the server follows none of them)."""

    def __init__(self, children: tuple[str, ...], cnames: dict[str, str]) -> None:
        super().__init__(children)
        self.cnames = cnames

    def __call__(self, q: dns.message.Message) -> dns.message.Message:
        qname = q.question[0].name.to_text()
        if qname in self.cnames:
            return authoritative(q, [(qname, "CNAME", self.cnames[qname])])
        return super().__call__(q)


def test_a_cname_into_a_sibling_zone_is_followed_from_the_shared_cut() -> None:
    server = Aliasing(("a.example.", "b.example."), {"www.a.example.": "www.b.example."})
    survey, wire = run({ROOT: root, SHARED: server}, "www.a.example.")
    assert zones(survey) == [".", "example.", "a.example."]
    assert survey.alias_target == "www.b.example."
    assert survey.alias is not None
    assert zones(survey.alias) == [".", "example.", "b.example."]
    # The target's walk starts from the cuts already walked (the same objects), so the
    # root is asked about www.b.example. by nobody.
    assert survey.alias.cuts[1] is survey.cuts[1]
    assert (ROOT, "www.b.example.", "NS") not in wire.asked
    assert survey.alias.alias is None


def test_a_cname_inside_the_zone_is_followed_from_that_zone() -> None:
    server = Aliasing(("a.example.",), {"www.a.example.": "host.a.example."})
    survey, _ = run({ROOT: root, SHARED: server}, "www.a.example.")
    assert survey.alias is not None and survey.alias_target == "host.a.example."
    assert survey.alias.cuts[-1] is survey.cuts[-1]  # no cut on the way: the same zone


def test_a_cname_the_server_followed_to_the_end_of_its_zone_is_not_walked_again() -> None:
    def finished(q: dns.message.Message) -> dns.message.Message:
        qname = q.question[0].name.to_text()
        if qname == "www.example.":  # CNAME, then NODATA for the target: SOA of example.
            response = negative(q, "example.")
            response.answer.append(dns.rrset.from_text(qname, 300, "IN", "CNAME", "host.example."))
            return response
        return Shared(())(q)

    survey, _ = run({ROOT: root, SHARED: finished}, "www.example.")
    assert survey.alias is None and survey.alias_target == ""


class Following(Shared):
    """Shared, plus CNAMEs the server follows inside the zone of the name asked, the way
    RFC 1034 §4.3.2 says (with no SOA at the end: the chain leaves the zone, or loops)."""

    def __init__(self, children: tuple[str, ...], cnames: dict[str, str]) -> None:
        super().__init__(children)
        self.cnames = cnames

    def __call__(self, q: dns.message.Message) -> dns.message.Message:
        owner = q.question[0].name.to_text()
        if owner not in self.cnames:
            return super().__call__(q)
        zone = name(owner).parent()
        records: list[tuple[str, str, str]] = []
        while owner in self.cnames and not any(r[0] == owner for r in records):
            records.append((owner, "CNAME", self.cnames[owner]))
            owner = self.cnames[owner]
            if not name(owner).is_subdomain(zone):
                break
        return authoritative(q, records)


def test_a_chain_the_server_follows_in_its_zone_is_walked_from_where_it_leaves() -> None:
    cnames = {"www.a.example.": "host.a.example.", "host.a.example.": "www.b.example."}
    server = Following(("a.example.", "b.example."), cnames)
    survey, wire = run({ROOT: root, SHARED: server}, "www.a.example.")
    # host.a.example. is a.example.'s own data (the server answered it): the alias walk
    # starts where the chain leaves the zone, and the in-zone chase asks nothing more.
    assert survey.alias_target == "www.b.example."
    assert survey.alias is not None and zones(survey.alias)[-1] == "b.example."
    assert not any(q == "host.a.example." for _, q, _ in wire.asked)


def test_a_loop_inside_the_zone_is_the_names_own_and_gets_no_walk() -> None:
    cnames = {"loop1.a.example.": "loop2.a.example.", "loop2.a.example.": "loop1.a.example."}
    survey, _ = run({ROOT: root, SHARED: Following(("a.example.",), cnames)}, "loop1.a.example.")
    assert survey.alias is None and survey.alias_target == ""


def test_a_cname_loop_between_zones_ends() -> None:
    loop = {"www.a.example.": "www.b.example.", "www.b.example.": "www.a.example."}
    survey, _ = run(
        {ROOT: root, SHARED: Aliasing(("a.example.", "b.example."), loop)}, "www.a.example."
    )
    assert survey.alias is not None and survey.alias.alias_target == ""  # back at the start
    assert survey.alias.alias is None


def test_a_long_cname_chain_is_followed_within_the_limit() -> None:
    hops = Limits().max_cname_depth + 3
    children = tuple(f"z{i}.example." for i in range(hops + 1))
    chain = {f"www.z{i}.example.": f"www.z{i + 1}.example." for i in range(hops)}
    survey, _ = run({ROOT: root, SHARED: Aliasing(children, chain)}, "www.z0.example.")
    followed = 0
    alias = survey.alias
    while alias is not None:
        followed += 1
        alias = alias.alias
    assert followed == Limits().max_cname_depth


def test_a_server_claiming_every_label_as_an_apex_stays_within_the_budget() -> None:
    # A hostile (or broken) server answers NS at any name with itself, AA set: every
    # label looks like a zone of its own. The walk goes down one label per step and
    # stops at the name; a deep name stops at the referral budget, never hangs.
    def everything(q: dns.message.Message) -> dns.message.Message:
        qname = q.question[0].name.to_text()
        if q.question[0].rdtype == dns.rdatatype.NS:
            return authoritative(q, [(qname, "NS", "ns.example.")])
        return negative(q, qname)

    survey, _ = run({ROOT: root, SHARED: everything}, "a.b.c.d.example.")
    assert zones(survey) == [
        ".",
        "example.",
        "d.example.",
        "c.d.example.",
        "b.c.d.example.",
        "a.b.c.d.example.",
    ]
    deep = ".".join(f"l{i}" for i in range(60)) + ".example."
    limits = Limits(query_timeout=0.01, retries=0)
    survey, _ = run({ROOT: root, SHARED: everything}, deep)
    assert len(survey.cuts) == 1 + limits.max_referrals  # the root, then the budget
    assert any(e.code == "ANALYSIS_BUDGET_EXCEEDED" for e in survey.events)
