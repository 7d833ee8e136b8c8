"""RRsets as servers sent them, with their signatures, pulled out of responses."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.RRSIG import RRSIG

from dnssec_doctor.model.capture import Exchange


@dataclass(frozen=True, slots=True)
class SignedRRset:
    """One RRset from one server's response and the RRSIGs that came with it."""

    rrset: dns.rrset.RRset
    rrsigs: tuple[RRSIG, ...]
    rrsig_ttl: int
    server: str

    @property
    def owner(self) -> dns.name.Name:
        """The RRset's owner name."""
        name: dns.name.Name = self.rrset.name
        return name

    @property
    def type_text(self) -> str:
        """The RRset's type mnemonic."""
        return _type_text(self.rrset.rdtype)

    @property
    def label(self) -> str:
        """``owner/TYPE`` for reports."""
        return f"{self.owner.to_text()}/{self.type_text}"


@functools.lru_cache(maxsize=256)
def _type_text(rdtype: dns.rdatatype.RdataType) -> str:
    # asked for every RRset of every server by the grouping and the reports
    return dns.rdatatype.to_text(rdtype)


def signed_rrsets(
    msg: dns.message.Message, server: str, sections: Iterable[str] = ("answer",)
) -> list[SignedRRset]:
    """Every non-RRSIG RRset in ``sections`` with the RRSIGs covering it."""
    found: list[SignedRRset] = []
    for section_name in sections:
        section: list[dns.rrset.RRset] = getattr(msg, section_name)
        sigs: dict[tuple[dns.name.Name, int], tuple[list[RRSIG], int]] = {}
        for rrset in section:
            if rrset.rdtype == dns.rdatatype.RRSIG:
                for rdata in rrset:
                    assert isinstance(rdata, RRSIG)
                    entry = sigs.setdefault((rrset.name, rdata.type_covered), ([], rrset.ttl))
                    entry[0].append(rdata)
        for rrset in section:
            if rrset.rdtype == dns.rdatatype.RRSIG:
                continue
            covering, ttl = sigs.get((rrset.name, rrset.rdtype), ([], 0))
            found.append(SignedRRset(rrset, tuple(covering), ttl, server))
    return found


def answer_rrset(exchange: Exchange, name: dns.name.Name, rdtype: int) -> SignedRRset | None:
    """The RRset of ``name``/``rdtype`` in the answer section, if the server sent one."""
    msg = exchange.message()
    if msg is None:
        return None
    for item in signed_rrsets(msg, exchange.server):
        if item.owner == name and item.rrset.rdtype == rdtype:
            return item
    return None


def rrsets_by_server(
    exchanges: Mapping[str, Exchange], name: dns.name.Name, rdtype: int
) -> dict[str, SignedRRset]:
    """Server → its RRset for ``name``/``rdtype`` (servers without one are left out)."""
    found: dict[str, SignedRRset] = {}
    for server, exchange in exchanges.items():
        item = answer_rrset(exchange, name, rdtype)
        if item is not None:
            found[server] = item
    return found
