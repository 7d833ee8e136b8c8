"""DS queries answered from the wrong side of the zone cut (PARENT_DS_REFERRAL).

The DS RRset lives in the parent zone (RFC 4034 §5), so a parent server must
answer a DS query from the parent's data, even when it also hosts the child
(RFC 4035 §3.1.4.1). Two wrong answers show up in practice: a referral to the
child (no AA, NS for the child in the authority section), and an answer from
the child zone (AA NODATA whose SOA is the child's apex). A validator that
gets either sees no DS from the parent, so the child looks insecure or bogus.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from dnssec_doctor import catalog
from dnssec_doctor.analysis.servers.view import server_list
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.survey import ZoneCut
from dnssec_doctor.names import name_of


@dataclass(frozen=True, slots=True)
class DsAnswers:
    """How each parent server answered the DS query for one zone cut."""

    wrong: dict[str, str]
    """Server → what it answered instead of the parent's data (for the report)."""
    right: tuple[str, ...]
    """Servers that answered from the parent zone (the DS set, or the parent's NODATA)."""


def ds_answers(cut: ZoneCut) -> DsAnswers:
    """Sort the parent servers' answers to the DS query for ``cut.zone``."""
    zone = name_of(cut.zone)
    wrong: dict[str, str] = {}
    right: list[str] = []
    for server, exchange in sorted(cut.parent_side(cut.zone, "DS").items()):
        msg = exchange.message() if exchange.outcome == "response" else None
        if msg is None or msg.rcode() != dns.rcode.NOERROR:
            continue  # silence, SERVFAIL, NXDOMAIN …: other findings' business
        how = wrong_side(msg, zone)
        if how is not None:
            wrong[server] = how
        elif msg.flags & dns.flags.AA:
            right.append(server)
    return DsAnswers(wrong, tuple(right))


def wrong_side(msg: dns.message.Message, zone: dns.name.Name) -> str | None:
    """What is wrong with a NOERROR answer to the DS query for ``zone`` (None: nothing)."""
    if any(r.rdtype == dns.rdatatype.DS and r.name == zone for r in msg.answer):
        return None
    if not msg.flags & dns.flags.AA:
        for rrset in msg.authority:
            if rrset.rdtype == dns.rdatatype.NS and rrset.name.is_subdomain(zone):
                names = ", ".join(sorted(r.target.to_text() for r in rrset))
                return f"a referral to {rrset.name.to_text()} (NS {names})"
        return None
    if any(r.rdtype != dns.rdatatype.RRSIG for r in msg.answer):
        return None
    for rrset in msg.authority:
        if rrset.rdtype == dns.rdatatype.SOA and rrset.name == zone:
            return f"NODATA from the child zone (SOA {zone.to_text()})"
    return None


def parent_ds_referral_findings(cut: ZoneCut) -> list[Finding]:
    """PARENT_DS_REFERRAL for ``cut``, naming the parent servers that answered wrongly."""
    if cut.parent is None:
        return []
    answers = ds_answers(cut)
    if not answers.wrong:
        return []
    return [parent_ds_referral(cut, answers)]


def parent_ds_referral(cut: ZoneCut, answers: DsAnswers) -> Finding:
    """The finding for ``answers`` (which has at least one wrong answer)."""
    bad = sorted(answers.wrong)
    lines = "; ".join(f"{s} answered {how}" for s, how in sorted(answers.wrong.items()))
    params = {"zone": cut.zone, "parent": cut.parent, "answers": lines, "bad": server_list(bad)}
    if answers.right:
        says = "one_parent_server_right" if len(answers.right) == 1 else "parent_servers_right"
        params["right"] = server_list(answers.right)
    else:
        says = "no_parent_server_right"
    return catalog.finding(
        Code.PARENT_DS_REFERRAL,
        zone=cut.zone,
        says=says,
        params=params,
        servers=tuple(bad),
        servers_ok=answers.right,
        evidence={"answers": dict(answers.wrong), "ok": list(answers.right)},
    )
