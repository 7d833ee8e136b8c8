"""Authoritative answers from master-file zones, as a signed zone's server gives them.

Pure logic, no sockets: ``Authority.respond`` turns a query message into a
response message following RFC 1034 §4.3.2 (zone selection, referrals, CNAME,
wildcards), RFC 6672 §3.2 (DNAME), RFC 4035 §3.1 (RRSIGs, DS, NSEC proofs when
DO=1) and RFC 5155 §7.2 (NSEC3 proofs, opt-out). ``Authority.handle_wire`` adds what the wire
needs: parsing, EDNS (RFC 6891), size limits and truncation.

Zones are loaded leniently (no origin checks), because the lab serves
deliberately broken zones; whatever is in them is served as it is.
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

from dnssec_doctor.lab.zonedata import ZoneData, wildcard_of

IN = dns.rdataclass.IN
T = dns.rdatatype.RdataType
SERVER_PAYLOAD = 1232
"""EDNS UDP payload size we advertise and the largest UDP answer we send (DNS flag day 2020)."""
MAX_CNAME_CHAIN = 8
_DENIAL_TYPES = frozenset({T.NSEC, T.NSEC3})
_REFUSED_TYPES = frozenset({T.AXFR, T.IXFR, T.MAILA, T.MAILB, T.OPT, T.TKEY, T.TSIG})


@dataclass(frozen=True, slots=True)
class AnswerOptions:
    """Answer-level faults (``lab.plan.FAULTS``)."""

    refuse_all: bool = False
    strip_denial: bool = False


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send back for one packet: ``wire`` None means say nothing."""

    wire: bytes | None
    do: bool = False


class Authority:
    """The answers of one server for the zones it serves."""

    def __init__(self, zones: Sequence[ZoneData], options: AnswerOptions | None = None) -> None:
        self.zones = tuple(zones)
        self.options = options or AnswerOptions()

    def zone_for(self, qname: dns.name.Name, qtype: T) -> ZoneData | None:
        """The zone that answers: the most specific served ancestor of ``qname``.

        A DS query for a served apex goes to the served parent, if any (RFC 4035 §3.1.4.1).
        """
        candidates = sorted(
            (z for z in self.zones if qname.is_subdomain(z.origin)),
            key=lambda z: len(z.origin.labels),
            reverse=True,
        )
        if not candidates:
            return None
        if qtype == T.DS and qname == candidates[0].origin:
            parents = [z for z in candidates if len(z.origin.labels) < len(qname.labels)]
            if parents:
                return parents[0]
        return candidates[0]

    def respond(self, query: dns.message.Message) -> dns.message.Message:
        """The response to ``query`` (already parsed, QR=0)."""
        response = dns.message.make_response(query, our_payload=SERVER_PAYLOAD)
        response.flags |= query.flags & dns.flags.CD
        do = query.edns >= 0 and bool(query.ednsflags & dns.flags.DO)
        if do:
            response.want_dnssec(True)  # RFC 3225 §3: the DO bit is copied
        rcode = self._precheck(query)
        if rcode is not None:
            response.set_rcode(rcode)
            return response
        question = query.question[0]
        zone = self.zone_for(question.name, T(question.rdtype))
        if zone is None:
            response.set_rcode(dns.rcode.REFUSED)
            return response
        _Lookup(zone, response, do).run(question.name, T(question.rdtype))
        if self.options.strip_denial:
            _strip_denial(response)
        return response

    def _precheck(self, query: dns.message.Message) -> dns.rcode.Rcode | None:
        if query.edns > 0:
            return dns.rcode.BADVERS  # RFC 6891 §6.1.3
        if query.opcode() != dns.opcode.QUERY:
            return dns.rcode.NOTIMP
        if len(query.question) != 1:
            return dns.rcode.FORMERR
        question = query.question[0]
        if self.options.refuse_all or question.rdclass != IN:
            return dns.rcode.REFUSED
        if question.rdtype in _REFUSED_TYPES:
            return dns.rcode.REFUSED
        return None

    def handle_wire(self, wire: bytes, transport: Literal["udp", "tcp"]) -> Reply:
        """Answer one packet; TC=1 and empty sections when the answer does not fit."""
        try:
            query = dns.message.from_wire(wire)
        except dns.message.ShortHeader:
            return Reply(None)
        except Exception:  # any malformed query is a FORMERR, never a crash
            return Reply(_formerr(wire))
        if query.flags & dns.flags.QR:
            return Reply(None)
        do = query.edns >= 0 and bool(query.ednsflags & dns.flags.DO)
        try:
            response = self.respond(query)
        except Exception:  # a broken zone must not kill the server: SERVFAIL
            response = dns.message.make_response(query)
            response.set_rcode(dns.rcode.SERVFAIL)
        return Reply(render(response, size_limit(query, transport)), do)


def size_limit(query: dns.message.Message, transport: Literal["udp", "tcp"]) -> int:
    """Largest response for this query: 512 without EDNS (RFC 1035 §4.2.1), else the
    client's payload capped at ours (RFC 6891 §6.2.5); 65535 over TCP."""
    if transport == "tcp":
        return 65535
    if query.edns < 0:
        return 512
    return max(512, min(query.payload, SERVER_PAYLOAD))


def render(response: dns.message.Message, limit: int) -> bytes:
    """Wire form of ``response``; if it exceeds ``limit``, TC=1 with the
    answer, authority and additional sections dropped (RFC 2181 §9)."""
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        response.answer, response.authority, response.additional = [], [], []
        response.flags |= dns.flags.TC
        return response.to_wire(max_size=limit)


def _formerr(wire: bytes) -> bytes | None:
    if len(wire) < 12:
        return None
    (flags,) = struct.unpack("!H", wire[2:4])
    if flags & dns.flags.QR:
        return None
    answer_flags = dns.flags.QR | (flags & 0x7800) | dns.rcode.FORMERR
    return wire[:2] + struct.pack("!HHHHH", answer_flags, 0, 0, 0, 0)


def _strip_denial(response: dns.message.Message) -> None:
    """Remove NSEC/NSEC3 and their RRSIGs from the authority section."""
    response.authority = [
        rrset
        for rrset in response.authority
        if rrset.rdtype not in _DENIAL_TYPES
        and not (rrset.rdtype == T.RRSIG and rrset.covers in _DENIAL_TYPES)
    ]


class _Lookup:
    """One query's walk through one zone (RFC 1034 §4.3.2 step 3)."""

    def __init__(self, zone: ZoneData, response: dns.message.Message, do: bool) -> None:
        self.zone = zone
        self.response = response
        self.do = do

    def run(self, qname: dns.name.Name, qtype: T) -> None:
        seen: set[dns.name.Name] = set()
        zone = self.zone
        for _ in range(MAX_CNAME_CHAIN + 1):
            seen.add(qname)
            cut = zone.cut_above(qname, qtype)
            if cut is not None:
                self._referral(cut)
                return
            self.response.flags |= dns.flags.AA
            dname = zone.dname_above(qname)
            if dname is not None:
                renamed = self._substitute(qname, dname)
                if renamed is None or not renamed.is_subdomain(zone.origin) or renamed in seen:
                    return
                if zone.cut_above(renamed, qtype) is not None:
                    return  # the new name is delegated: the answer ends there, as BIND's does
                qname = renamed
                continue
            if qname in zone.names:
                source, wildcard = qname, False
            else:
                encloser = zone.closest_encloser(qname)
                source, wildcard = wildcard_of(encloser), True
                if source not in zone.names:
                    self._nxdomain(qname, encloser)
                    return
            target = self._answer(qname, source, qtype)
            if target is False:
                self._add_soa()
            if self.do and wildcard:
                self._wildcard_proof(qname, source, qtype, nodata=target is False)
            elif self.do and target is False:
                self._no_data_proof(qname, qtype)
            if target is False:
                return
            if target is True:
                return
            if not target.is_subdomain(zone.origin) or target in seen:
                return
            qname = target

    def _answer(
        self, qname: dns.name.Name, source: dns.name.Name, qtype: T
    ) -> bool | dns.name.Name:
        """Add the answer at ``source`` renamed to ``qname``: True when answered,
        False for no data, or the CNAME target to follow."""
        node = self.zone.zone.get_node(source)
        if node is None:
            return False
        if qtype == T.ANY:
            for rds in node.rdatasets:
                if rds.rdtype != T.RRSIG or self.do:
                    self._add(self.response.answer, qname, rds)
            return bool(node.rdatasets)
        if qtype == T.RRSIG:
            sigs = [rds for rds in node.rdatasets if rds.rdtype == T.RRSIG]
            for rds in sigs:
                self._add(self.response.answer, qname, rds)
            return bool(sigs)
        found = node.get_rdataset(IN, qtype)
        if found is not None:
            self._add_signed(self.response.answer, qname, source, found)
            return True
        cname = node.get_rdataset(IN, T.CNAME)
        if cname is not None:
            self._add_signed(self.response.answer, qname, source, cname)
            target: dns.name.Name = cname[0].target
            return target
        return False

    def _substitute(self, qname: dns.name.Name, owner: dns.name.Name) -> dns.name.Name | None:
        """The DNAME RRset and the CNAME synthesised from it (unsigned: RFC 6672 §3.2,
        §5.3.1); the new name, or None when it would be too long (YXDOMAIN, §2.2)."""
        dname = self.zone.rdataset(owner, T.DNAME)
        assert dname is not None
        self._add_signed(self.response.answer, owner, owner, dname)
        try:
            target = qname.relativize(owner).derelativize(dname[0].target)
        except dns.name.NameTooLong:
            self.response.set_rcode(dns.rcode.YXDOMAIN)
            return None
        cname = dns.rdataset.from_text(IN, T.CNAME, dname.ttl, target.to_text())
        self._add(self.response.answer, qname, cname)
        return target

    def _referral(self, cut: dns.name.Name) -> None:
        """NS (not authoritative), DS or the proof of no DS, and glue (RFC 4035 §3.1.4)."""
        zone = self.zone
        ns = zone.rdataset(cut, T.NS)
        assert ns is not None
        self._add(self.response.authority, cut, ns)
        if self.do:
            ds = zone.rdataset(cut, T.DS)
            if ds is not None:
                self._add_signed(self.response.authority, cut, cut, ds)
            else:
                self._no_data_proof(cut, T.DS)
        for rdata in ns:
            target = rdata.target
            if not target.is_subdomain(zone.origin):
                continue
            for rdtype in (T.A, T.AAAA):
                glue = zone.rdataset(target, rdtype)
                if glue is not None:
                    self._add(self.response.additional, target, glue)

    def _no_data_proof(self, name: dns.name.Name, qtype: T) -> None:
        """The name exists without ``qtype`` (RFC 4035 §3.1.3.1, RFC 5155 §7.2.3-4)."""
        chain = self.zone.nsec3
        if chain is None:
            if self.zone.rdataset(name, T.NSEC) is not None:
                self._add_denial(name)
            else:  # empty non-terminal: the NSEC that covers it
                self._add_nsec_covering(name)
            return
        owner = chain.matching(name)
        if owner is not None:
            self._add_denial(owner)
        else:
            # no matching NSEC3 (opt-out): closest provable encloser (RFC 5155 §7.2.4, §7.2.7)
            self._closest_encloser_proof(name)

    def _nxdomain(self, qname: dns.name.Name, encloser: dns.name.Name) -> None:
        """NXDOMAIN: SOA, and that neither the name nor the wildcard exists
        (RFC 4035 §3.1.3.2, RFC 5155 §7.2.2)."""
        # after a CNAME chain too: the rcode describes the last name (RFC 6604 §3)
        self.response.set_rcode(dns.rcode.NXDOMAIN)
        self._add_soa()
        if not self.do:
            return
        wildcard = wildcard_of(encloser)
        if self.zone.nsec3 is None:
            self._add_nsec_covering(qname)
            self._add_nsec_covering(wildcard)
            return
        self._closest_encloser_proof(qname)
        owner = self.zone.nsec3.covering(wildcard)
        if owner is not None:
            self._add_denial(owner)

    def _wildcard_proof(
        self, qname: dns.name.Name, source: dns.name.Name, qtype: T, *, nodata: bool
    ) -> None:
        """The exact name does not exist (RFC 4035 §3.1.3.3-4, RFC 5155 §7.2.5-6)."""
        chain = self.zone.nsec3
        if chain is None:
            self._add_nsec_covering(qname)
            if nodata and self.zone.rdataset(source, T.NSEC) is not None:
                self._add_denial(source)
            return
        if nodata:
            self._closest_encloser_proof(qname)
            owner = chain.matching(source)
            if owner is not None:
                self._add_denial(owner)
            return
        encloser = source.parent()
        next_closer = dns.name.Name(qname.labels[-(len(encloser.labels) + 1) :])
        owner = chain.covering(next_closer)
        if owner is not None:
            self._add_denial(owner)

    def _closest_encloser_proof(self, name: dns.name.Name) -> None:
        """NSEC3 matching the closest provable encloser, and covering the next closer
        name (RFC 5155 §7.2.1)."""
        chain = self.zone.nsec3
        assert chain is not None
        next_closer = name
        candidate = name
        while True:
            owner = chain.matching(candidate)
            if owner is not None and candidate != name:
                self._add_denial(owner)
                break
            if candidate == self.zone.origin or len(candidate.labels) <= 1:
                break
            next_closer, candidate = candidate, candidate.parent()
        cover = chain.covering(next_closer)
        if cover is not None:
            self._add_denial(cover)

    def _add_nsec_covering(self, name: dns.name.Name) -> None:
        owners = self.zone.nsec_owners
        if not owners:
            return
        index = bisect.bisect_right(owners, name) - 1
        self._add_denial(owners[index])  # index -1 wraps to the last NSEC

    def _add_denial(self, owner: dns.name.Name) -> None:
        for rdtype in (T.NSEC, T.NSEC3):
            rds = self.zone.rdataset(owner, rdtype)
            if rds is not None:
                self._add_signed(self.response.authority, owner, owner, rds)

    def _add_soa(self) -> None:
        """The SOA with the negative-caching TTL min(TTL, MINIMUM) (RFC 2308 §3)."""
        origin = self.zone.origin
        soa = self.zone.rdataset(origin, T.SOA)
        if soa is None:
            return
        ttl = min(soa.ttl, soa[0].minimum)
        self._add(self.response.authority, origin, soa, ttl)
        if self.do:
            sig = self.zone.rdataset(origin, T.RRSIG, T.SOA)
            if sig is not None:
                self._add(self.response.authority, origin, sig, ttl)

    def _add_signed(
        self,
        section: list[dns.rrset.RRset],
        name: dns.name.Name,
        source: dns.name.Name,
        rds: dns.rdataset.Rdataset,
    ) -> None:
        self._add(section, name, rds)
        if self.do:
            sig = self.zone.rdataset(source, T.RRSIG, T(rds.rdtype))
            if sig is not None:
                self._add(section, name, sig)

    @staticmethod
    def _add(
        section: list[dns.rrset.RRset],
        name: dns.name.Name,
        rds: dns.rdataset.Rdataset,
        ttl: int | None = None,
    ) -> None:
        if _present(section, name, rds):
            return
        rrset = dns.rrset.from_rdata_list(name, rds.ttl if ttl is None else ttl, list(rds))
        section.append(rrset)


def _present(
    section: Iterable[dns.rrset.RRset], name: dns.name.Name, rds: dns.rdataset.Rdataset
) -> bool:
    return any(
        r.name == name and r.rdtype == rds.rdtype and r.covers == rds.covers for r in section
    )
