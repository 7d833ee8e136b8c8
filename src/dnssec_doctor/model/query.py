"""What one query asks: name, type, header flags and EDNS parameters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype

EDNS_OPTION_EDE = 15


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
