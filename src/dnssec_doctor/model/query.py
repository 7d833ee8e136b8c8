"""What one query asks: name, type, header flags and EDNS parameters."""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from typing import Any

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype

EDNS_OPTION_EDE = 15
_RD = 0x0100  # header flags (RFC 1035 §4.1.1; CD: RFC 4035 §3.2.2)
_CD = 0x0010
_DO = 0x8000  # in the OPT TTL (RFC 3225 §3)
_OPT = 41
_HEADER = struct.Struct("!HHHHHH")
_QUESTION_TAIL = struct.Struct("!HH")
_OPT_FIXED = struct.Struct("!BHHIH")  # root owner, TYPE, CLASS=payload, TTL, RDLENGTH
_OPTION_HEAD = struct.Struct("!HH")
_PLAIN_SIZE = 512
"""Queries up to this size are encoded here: dnspython renders into at least 512
octets, so none of them can meet its size limit (TooBig)."""


@dataclass(frozen=True, slots=True)
class QuerySpec:
    """The parameters of one DNS query, independent of server and transport.

    ``edns`` is the EDNS version, or None for a query without OPT record.
    ``options`` are raw EDNS options (code, data) to send.
    """

    qname: str
    qtype: str
    qclass: str = "IN"
    rd: bool = False
    cd: bool = False
    do: bool = True
    edns: int | None = 0
    payload: int = 1232
    options: tuple[tuple[int, bytes], ...] = ()
    tcp: bool = False
    """Start over TCP instead of UDP."""

    def with_(self, **changes: Any) -> QuerySpec:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_message(self, query_id: int) -> dns.message.QueryMessage:
        """The query message with ``query_id``."""
        msg = dns.message.make_query(
            dns.name.from_text(self.qname),
            dns.rdatatype.from_text(self.qtype),
            dns.rdataclass.from_text(self.qclass),
            use_edns=False,
            id=query_id,
            flags=0,
        )
        if self.rd:
            msg.flags |= dns.flags.RD
        if self.cd:
            msg.flags |= dns.flags.CD
        if self.edns is not None:
            options: list[dns.edns.Option] = [
                dns.edns.GenericOption(dns.edns.OptionType.make(code), data)
                for code, data in self.options
            ]
            msg.use_edns(
                self.edns,
                dns.flags.DO if self.do else 0,
                self.payload,
                options=options,
            )
        return msg

    def to_wire(self, query_id: int) -> QueryWire:
        """The query with ``query_id`` in wire format, byte for byte what
        ``to_message(query_id).to_wire()`` renders, and its question.

        Encoded here (RFC 1035 §4.1: header, one question; RFC 6891 §6.1.2: the OPT
        record, version and DO in its TTL, the payload size in its CLASS) at a tenth of
        the CPU of building and rendering a message: a scan builds about 25 queries per
        name. The names and types are read by dnspython, so a query that cannot be built
        fails with the same error; anything unusual (an EDNS version or payload outside
        its field, an option code beyond 16 bits, a query over 512 octets) is rendered by
        dnspython itself.
        """
        name = dns.name.from_text(self.qname)
        rdtype = dns.rdatatype.from_text(self.qtype)
        rdclass = dns.rdataclass.from_text(self.qclass)
        question = (name, int(rdtype), int(rdclass))
        wire = self._plain_wire(query_id, name, rdtype, rdclass)
        if wire is None:
            wire = self.to_message(query_id).to_wire()
        return QueryWire(wire, question)

    def _plain_wire(
        self, query_id: int, name: dns.name.Name, rdtype: int, rdclass: int
    ) -> bytes | None:
        """The wire form of an ordinary query, or None for one dnspython must render."""
        edns = self.edns
        if edns is not None and not (
            0 <= edns <= 0xFF
            and 0 <= self.payload <= 0xFFFF
            and all(0 <= code <= 0xFFFF for code, _ in self.options)
        ):
            return None
        flags = (_RD if self.rd else 0) | (_CD if self.cd else 0)
        parts = [_HEADER.pack(query_id, flags, 1, 0, 0, 0 if edns is None else 1)]
        # Uncompressed: a lone question has nothing to point back to.
        parts.extend(len(label).to_bytes(1, "big") + label for label in name.labels)
        parts.append(_QUESTION_TAIL.pack(rdtype, rdclass))
        if edns is not None:
            rdata = b"".join(
                _OPTION_HEAD.pack(code, len(data)) + data for code, data in self.options
            )
            ttl = (edns << 16) | (_DO if self.do else 0)
            parts.append(_OPT_FIXED.pack(0, _OPT, self.payload, ttl, len(rdata)))
            parts.append(rdata)
        wire = b"".join(parts)
        return wire if len(wire) <= _PLAIN_SIZE else None

    def as_json(self) -> dict[str, Any]:
        """The JSON form stored in captures."""
        return {
            "qname": self.qname,
            "qtype": self.qtype,
            "qclass": self.qclass,
            "rd": self.rd,
            "cd": self.cd,
            "do": self.do,
            "edns": self.edns,
            "payload": self.payload,
            "options": [[code, data.hex()] for code, data in self.options],
            "tcp": self.tcp,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuerySpec:
        """Read the JSON form stored in captures."""
        return cls(
            qname=str(data["qname"]),
            qtype=str(data["qtype"]),
            qclass=str(data.get("qclass", "IN")),
            rd=bool(data.get("rd", False)),
            cd=bool(data.get("cd", False)),
            do=bool(data.get("do", True)),
            edns=None if data.get("edns") is None else int(data["edns"]),
            payload=int(data.get("payload", 1232)),
            options=tuple((int(c), bytes.fromhex(str(h))) for c, h in data.get("options", [])),
            tcp=bool(data.get("tcp", False)),
        )


@dataclass(frozen=True, slots=True)
class QueryWire:
    """A query in wire format and its question (what an answer must echo)."""

    wire: bytes
    question: tuple[dns.name.Name, int, int]
    """Name, type and class (RFC 1035 §4.1.2)."""

    def with_id(self, query_id: int) -> bytes:
        """The same query with ``query_id`` (the ID is the first two octets)."""
        return query_id.to_bytes(2, "big") + self.wire[2:]
