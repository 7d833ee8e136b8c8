"""What each server of one zone said, boiled down for comparing servers with each other.

One ``ServerView`` per address: reachability, the SOA it serves, whether it
serves the zone signed, its DNSKEY RRset and the keys its signatures name, the
denial mechanism of its negative answers, its CDS/CDNSKEY and NS sets, and
the addresses it gives for the zone's own NS names. Only the standard queries
(EDNS0, DO=1) count for DNSSEC content; the behaviour variants count for
reachability. Built from ``ZoneCut.queries``; pure.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.NS import NS
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.NSEC3PARAM import NSEC3PARAM
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.ANY.SOA import SOA
from dns.rdtypes.IN.A import A
from dns.rdtypes.IN.AAAA import AAAA

from dnssec_doctor.catalog.entry import OTHERS_FINE, OTHERS_FINE_CASE
from dnssec_doctor.catalog.messages import fill
from dnssec_doctor.cnamechain import answer_chain
from dnssec_doctor.model.capture import NOT_IN_CAPTURE, Exchange
from dnssec_doctor.model.classify import Kind, classify
from dnssec_doctor.model.survey import QueryKey, ZoneCut
from dnssec_doctor.model.variants import EDNS_NODO, NOEDNS, NS_ADDRESS, TCP, size_variant
from dnssec_doctor.names import name_of

SOA_SOURCES: tuple[str, ...] = ("", NOEDNS, EDNS_NODO, size_variant(512), TCP)
"""Variants whose SOA answer shows what the server serves, best first."""


LAME_KINDS = frozenset(
    {Kind.REFUSED, Kind.NOT_AUTHORITATIVE, Kind.UPWARD_REFERRAL, Kind.REFERRAL, Kind.SERVFAIL}
)
"""SOA answers that show a server does not serve the zone (RFC 1034 §4.3.2: lame)."""

Nsec3Param = tuple[int, int, bytes]
"""(hash algorithm, iterations, salt) of an NSEC3 chain (RFC 5155 §3.1)."""


@dataclass(slots=True)
class ServerView:
    """One server's answers about one zone, as comparable facts."""

    server: str
    asked: bool = False
    """Some query was actually sent (not stopped by budget or policy)."""
    answered: bool = False
    """Some query got a response (over any transport), acceptable or malformed."""
    udp_answered: bool = False
    """Some UDP query got an acceptable response (a truncated one included)."""
    tcp_answered: bool = False
    """Some TCP query got an acceptable response."""
    truncated: bool = False
    """A UDP answer came with TC=1 (a TCP retry followed)."""
    outcomes: set[str] = field(default_factory=set)
    """Every outcome of the queries sent to it."""
    soa_exchange: Exchange | None = None
    soa_kind: Kind = Kind.NO_RESPONSE
    soa: SOA | None = None
    ns: frozenset[str] | None = None
    dnskey_answered: bool = False
    """The standard DNSKEY query got an authoritative answer (possibly NODATA)."""
    dnskeys: dict[bytes, DNSKEY] = field(default_factory=dict)
    """DNSKEY rdata by its canonical wire form."""
    dnskey_signers: set[tuple[int, int]] = field(default_factory=set)
    """(key tag, algorithm) of the RRSIGs over the DNSKEY RRset."""
    signers: set[tuple[int, int]] = field(default_factory=set)
    """(key tag, algorithm) of every RRSIG by the zone in the standard answers."""
    rrsig_seen: bool = False
    dnssec_answers: int = 0
    """Authoritative standard (DO=1) answers seen: signedness is judged on them."""
    denial: set[str] = field(default_factory=set)
    """NSEC / NSEC3 seen in the standard negative answers."""
    negative_answers: int = 0
    denial_records: set[str] = field(default_factory=set)
    """The NSEC/NSEC3 records of the standard negative answers, as ``owner TYPE next``:
    two copies of one zone version give the same proofs for the same questions."""
    nsec3_params: set[Nsec3Param] = field(default_factory=set)
    nsec3param: set[Nsec3Param] = field(default_factory=set)
    nsec3param_answered: bool = False
    """The standard NSEC3PARAM query got an authoritative answer (possibly NODATA)."""
    cds: frozenset[bytes] | None = None
    cdnskey: frozenset[bytes] | None = None
    cds_rdata: dict[bytes, dns.rdata.Rdata] = field(default_factory=dict)
    host_addresses: dict[str, set[str]] = field(default_factory=dict)
    """In-bailiwick NS name → the A/AAAA addresses this server gives for it."""
    host_answered: set[tuple[str, str]] = field(default_factory=set)
    """(NS name, A|AAAA) the server answered authoritatively."""
    nx_rcode: int | None = None

    @property
    def silent(self) -> bool:
        """Asked, never answered, and not only because of local socket errors."""
        return (
            self.asked
            and not self.answered
            and not self.udp_answered
            and bool(self.outcomes - {"error"})
        )

    @property
    def serial(self) -> int | None:
        """The SOA serial, when the server answered the SOA query authoritatively."""
        return None if self.soa is None else int(self.soa.serial)

    @property
    def signed(self) -> bool | None:
        """True: serves DNSKEY or RRSIGs; False: DO answers without either; None: unknown."""
        if self.dnskeys or self.rrsig_seen:
            return True
        if self.dnssec_answers and self.dnskey_answered:
            return False
        return None


def server_views(cut: ZoneCut, nxname: str = "") -> dict[str, ServerView]:
    """A view of every server address of ``cut``, in the cut's server order."""
    zone = name_of(cut.zone)
    views = {str(a): ServerView(str(a)) for a in cut.server_addresses()}
    for key, exchange in sorted(cut.queries.items()):
        if key.side != "child" or key.server not in views or exchange.error == NOT_IN_CAPTURE:
            continue  # (an older capture replayed lacks this probe: it says nothing)
        view = views[key.server]
        _reachability(view, exchange)
        if key.variant == NS_ADDRESS:
            _host_address(view, key, exchange, zone)
        elif key.variant == "":
            _standard(view, key, exchange, zone, nxname)
    for view in views.values():
        _pick_soa(view, cut, zone)
    return views


def _reachability(view: ServerView, exchange: Exchange) -> None:
    if exchange.outcome in ("policy", "budget"):
        return
    view.asked = True
    view.outcomes.add(exchange.outcome)
    if exchange.transport == "tcp" and not exchange.query.tcp:
        # A TCP exchange for a UDP query: a truncated UDP answer arrived first.
        view.udp_answered = view.truncated = True
    if exchange.outcome in ("response", "malformed"):
        view.answered = True
    if exchange.outcome == "response":
        # Garbage is no answer: a server that sends only garbage is MALFORMED_RESPONSE,
        # not a server "answering over UDP" (nor "only over TCP").
        if exchange.transport == "udp":
            view.udp_answered = True
        else:
            view.tcp_answered = True


def _pick_soa(view: ServerView, cut: ZoneCut, zone: dns.name.Name) -> None:
    for variant in SOA_SOURCES:
        exchange = cut.queries.get(QueryKey("child", view.server, cut.zone, "SOA", variant))
        if exchange is None or exchange.error == NOT_IN_CAPTURE:
            continue
        kind = classify(exchange, zone)
        if view.soa_exchange is None or (
            view.soa_kind in (Kind.NO_RESPONSE, Kind.MALFORMED) and kind != Kind.NO_RESPONSE
        ):
            view.soa_exchange, view.soa_kind = exchange, kind
        if kind == Kind.ANSWER:
            view.soa_exchange, view.soa_kind = exchange, kind
            msg = exchange.message()
            soa = _first(msg.answer if msg else [], zone, dns.rdatatype.SOA)
            view.soa = soa if isinstance(soa, SOA) else None
            return


def _standard(
    view: ServerView, key: QueryKey, exchange: Exchange, zone: dns.name.Name, nxname: str
) -> None:
    msg = exchange.message()
    if msg is None or not msg.flags & dns.flags.AA:
        return
    if msg.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return
    view.dnssec_answers += 1
    qtype = dns.rdatatype.from_text(key.qtype)
    qname = name_of(key.qname)
    # Only the question's CNAME chain answers it (RFC 2181 §5.4.1, ``cnamechain``): a
    # server that adds unrelated RRsets still denies (or answers) with the zone's data.
    chain = answer_chain(msg, qname, qtype, len(msg.answer) + 1)
    for rrset in (*chain.rrsets, *msg.authority):
        if rrset.rdtype == dns.rdatatype.RRSIG:
            for sig in rrset:
                if isinstance(sig, RRSIG) and sig.signer == zone:
                    view.rrsig_seen = True
                    view.signers.add((sig.key_tag, sig.algorithm))
                    if sig.type_covered == dns.rdatatype.DNSKEY and rrset.name == zone:
                        view.dnskey_signers.add((sig.key_tag, sig.algorithm))
    negative = msg.rcode() == dns.rcode.NXDOMAIN or not any(
        r.rdtype != dns.rdatatype.RRSIG for r in chain.rrsets
    )
    if key.qname == nxname and nxname:
        view.nx_rcode = msg.rcode()
    if negative:
        view.negative_answers += 1
        for rrset in msg.authority:
            if rrset.rdtype == dns.rdatatype.NSEC:
                view.denial.add("NSEC")
                view.denial_records.update(_chain_link(rrset.name, r) for r in rrset)
            elif rrset.rdtype == dns.rdatatype.NSEC3:
                view.denial.add("NSEC3")
                view.denial_records.update(_chain_link(rrset.name, r) for r in rrset)
                view.nsec3_params.update(
                    (r.algorithm, r.iterations, bytes(r.salt))
                    for r in rrset
                    if isinstance(r, NSEC3)
                )
    if qname != zone:
        return
    if qtype == dns.rdatatype.DNSKEY:
        view.dnskey_answered = True
        for r in _rrset(msg.answer, zone, qtype):
            if isinstance(r, DNSKEY):
                view.dnskeys[r.to_digestable()] = r
    elif qtype == dns.rdatatype.NS:
        view.ns = frozenset(
            r.target.to_text().lower() for r in _rrset(msg.answer, zone, qtype) if isinstance(r, NS)
        )
    elif qtype == dns.rdatatype.NSEC3PARAM:
        view.nsec3param_answered = True
        view.nsec3param.update(
            (r.algorithm, r.iterations, bytes(r.salt))
            for r in _rrset(msg.answer, zone, qtype)
            if isinstance(r, NSEC3PARAM)
        )
    elif qtype in (dns.rdatatype.CDS, dns.rdatatype.CDNSKEY):
        records = list(_rrset(msg.answer, zone, qtype))
        for r in records:
            view.cds_rdata[r.to_digestable()] = r
        found = frozenset(r.to_digestable() for r in records)
        if qtype == dns.rdatatype.CDS:
            view.cds = found
        else:
            view.cdnskey = found


def _host_address(view: ServerView, key: QueryKey, exchange: Exchange, zone: dns.name.Name) -> None:
    msg = exchange.message()
    if msg is None or not msg.flags & dns.flags.AA:
        return
    if msg.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return
    view.host_answered.add((key.qname, key.qtype))
    host = name_of(key.qname)
    addresses = view.host_addresses.setdefault(key.qname, set())
    for r in _rrset(msg.answer, host, dns.rdatatype.from_text(key.qtype)):
        if isinstance(r, A | AAAA):
            addresses.add(str(r.address))


def _chain_link(owner: dns.name.Name, record: dns.rdata.Rdata) -> str:
    """``owner NSEC next`` (or NSEC3 with the next hashed owner): one link of the chain.

    The next name as the record's presentation form writes it (RFC 4034 §4.2, RFC 5155
    §3.3: unpadded lower-case Base32hex), without formatting the type bitmap."""
    if isinstance(record, NSEC3):
        hashed = base64.b32hexencode(record.next).decode().lower().rstrip("=")
        return f"{owner.to_text()} NSEC3 {hashed}"
    if isinstance(record, NSEC):
        return f"{owner.to_text()} NSEC {record.next.to_text()}"
    return f"{owner.to_text()} NSEC {record.to_text().split()[0]}"


def _rrset(
    section: Iterable[dns.rrset.RRset], name: dns.name.Name, rdtype: int
) -> list[dns.rdata.Rdata]:
    return [r for rrset in section if rrset.name == name and rrset.rdtype == rdtype for r in rrset]


def _first(
    section: Iterable[dns.rrset.RRset], name: dns.name.Name, rdtype: int
) -> dns.rdata.Rdata | None:
    found = _rrset(section, name, rdtype)
    return found[0] if found else None


def server_list(servers: Iterable[str]) -> str:
    """``a, b and c`` for reports."""
    items = sorted(servers)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def depends_on_server(bad: Iterable[str], ok: Iterable[str]) -> str:
    """The sentence saying that a fault of some servers hits only resolvers that pick them
    (catalog ``OTHERS_FINE``; empty when no server answers correctly)."""
    params = others_fine_params(bad, ok)
    return fill({"detail": OTHERS_FINE}, params, "OTHERS_FINE")["detail"] if params else ""


def others_fine(says: str, bad: Iterable[str], ok: Iterable[str]) -> tuple[str, dict[str, str]]:
    """Case ``says`` of a fault of the ``bad`` servers, or its twin that says the ``ok``
    servers answer correctly (``catalog.entry.with_others_fine``), with the twin's
    parameters."""
    params = others_fine_params(bad, ok)
    return (OTHERS_FINE_CASE.format(says), params) if params else (says, params)


def others_fine_params(bad: Iterable[str], ok: Iterable[str]) -> dict[str, str]:
    """The parameters of catalog ``OTHERS_FINE``; none when no server answers correctly."""
    good = sorted(ok)
    if not good:
        return {}
    return {
        "servers": server_list(bad),
        "servers_ok": server_list(good),
        "answer_ok": "answers" if len(good) == 1 else "answer",
    }
