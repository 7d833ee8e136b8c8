"""SERVER_QUIRK: a server whose answers carry records that do not answer the question.

Validators scrub such records (RFC 2181 §5.4.1; only the CNAME chain from QNAME and
the question's type count), and so does the analysis (``cnamechain``); this finding
says which server adds them, since it is either broken or trying to plant data.
"""

from __future__ import annotations

import dns.rdatatype

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain.zonedata import ZoneData
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.survey import ZoneCut

SHOWN = 4
"""Examples named in the detail."""


def unrelated_answer_findings(cut: ZoneCut, data: ZoneData) -> list[Finding]:
    """One SERVER_QUIRK naming the servers that added unrelated answer records."""
    examples: dict[str, dict[str, None]] = {}
    for key, chain in data.chains.items():
        exchange = cut.queries.get(key)
        msg = None if exchange is None else exchange.message()
        if msg is None:
            continue
        kept = {(r.name, r.rdtype, r.covers) for r in chain.rrsets}
        for rrset in msg.answer:
            covered = rrset.covers if rrset.rdtype == dns.rdatatype.RRSIG else None
            if (rrset.name, rrset.rdtype, rrset.covers) in kept:
                continue
            if covered is not None and any(
                (rrset.name, covered) == (name, rdtype) for name, rdtype, _ in kept
            ):
                continue  # the signature of a record that is kept
            seen = examples.setdefault(key.server, {})
            what = f"{rrset.name.to_text()} {dns.rdatatype.to_text(rrset.rdtype)}"
            seen.setdefault(f"{what} (asked {key.qname} {key.qtype})", None)
    if not examples:
        return []
    servers = sorted(examples)
    shown = [e for s in servers for e in examples[s]][:SHOWN]
    return [
        catalog.finding(
            Code.SERVER_QUIRK,
            zone=cut.zone,
            subject="unrelated-answers",
            servers=tuple(servers),
            says="unrelated-answers",
            params={"servers": ", ".join(servers), "examples": "; ".join(shown)},
            evidence={s: list(examples[s]) for s in servers},
        )
    ]
