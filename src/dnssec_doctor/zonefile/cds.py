"""CDS/CDNSKEY consistency (RFC 7344 §4, RFC 8078 §4, catalog section H).

Both RRsets describe the DS set the child wants; when both are published they must
agree with each other, and they must point at keys the zone publishes and signs its
DNSKEY RRset with. One form alone is legal and only noted. A delete request is
exactly ``CDS 0 0 0 00`` and/or ``CDNSKEY 0 3 0 AA==``, alone in its RRset. The
rules are the live check's (dnssec/cdsdelete.py).
"""

from __future__ import annotations

import dns.name
import dns.rdatatype

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.catalog.section_h import ONE_FORM_SEVERITY
from dnssec_doctor.dnssec.cdsdelete import DeleteRequest, delete_request, lone_request
from dnssec_doctor.dnssec.keys import (
    DsMatchStatus,
    dnskey_rdata_wire,
    key_tag,
    match_ds,
)
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.zonefile.apex import Apex
from dnssec_doctor.zonefile.emit import Emitter

T = dns.rdatatype


def check_cds(apex: Apex, origin: dns.name.Name, out: Emitter) -> None:
    """Report every way the apex CDS/CDNSKEY RRsets disagree with each other or the keys."""
    if not apex.cds and not apex.cdnskeys:
        return
    zone = origin.to_text()
    cds_line, cdnskey_line = apex.lines.get(T.CDS), apex.lines.get(T.CDNSKEY)
    line = cds_line or cdnskey_line
    request = delete_request(apex.cds, apex.cdnskeys)
    if request is not None:
        _check_delete(zone, request, line, out)
    lone = lone_request(apex.cds, apex.cdnskeys)
    if lone is not None:
        out.add(
            Code.CDS_CDNSKEY_MISMATCH,
            f"{'delete_' if lone.delete else ''}no_{lone.missing.lower()}",
            {"zone": zone},
            subject=f"no-{lone.missing.lower()}",
            line=line,
            severity=ONE_FORM_SEVERITY,
        )
    if request is not None:
        return
    if apex.cds and apex.cdnskeys:
        for cds in apex.cds:
            if match_ds(origin, cds, apex.cdnskeys).status is not DsMatchStatus.MATCH:
                out.add(
                    Code.CDS_CDNSKEY_MISMATCH,
                    "zone_cds_unmatched",
                    {"cds": cds.to_text(), "zone": zone},
                    subject=f"cds {cds.key_tag}/{cds.digest_type}",
                    line=cds_line,
                )
        for key in apex.cdnskeys:
            if not any(
                match_ds(origin, cds, [key]).status is DsMatchStatus.MATCH for cds in apex.cds
            ):
                out.add(
                    Code.CDS_CDNSKEY_MISMATCH,
                    "zone_cdnskey_unmatched",
                    {"tag": key_tag(key), "zone": zone},
                    subject=f"cdnskey {key_tag(key)}",
                    line=cdnskey_line,
                )
    _check_against_keys(apex, origin, zone, out)


def _check_delete(zone: str, request: DeleteRequest, line: int | None, out: Emitter) -> None:
    if request.mixed:
        out.add(
            Code.CDS_DELETE_MALFORMED,
            "mixed",
            {"zone": zone},
            subject="delete-mixed",
            line=line,
        )
    for cds in request.bad_cds:
        out.add(
            Code.CDS_DELETE_MALFORMED,
            "cds_values",
            {"zone": zone, "cds": cds.to_text()},
            subject="delete-cds-values",
            line=line,
        )
    for key in request.bad_cdnskey:
        out.add(
            Code.CDS_DELETE_MALFORMED,
            "cdnskey_values",
            {"zone": zone, "cdnskey": key.to_text()},
            subject="delete-cdnskey-values",
            line=line,
        )


def _check_against_keys(apex: Apex, origin: dns.name.Name, zone: str, out: Emitter) -> None:
    """Acting on CDS/CDNSKEY must leave a DS that reaches a key signing the DNSKEY RRset.

    RFC 7344 §4.1, RFC 8078 §3: a parent checks this before it replaces the DS set.
    Entries for keys that are not signing (yet) are normal during a double-DS KSK
    roll (RFC 7583 §3.3.2), so they are only noted when another entry works.
    """
    published = {dnskey_rdata_wire(k) for k in apex.dnskeys}
    signing = {
        dnskey_rdata_wire(check.key)
        for check, _ in apex.dnskey_checks
        if check.valid and check.key is not None
    }
    idle: list[tuple[str, int, str, int | None]] = []
    working = False
    for key in apex.cdnskeys:
        wire = dnskey_rdata_wire(key)
        state = "signs" if wire in signing else ("idle" if wire in published else "absent")
        working |= state == "signs"
        if state != "signs":
            idle.append(
                (
                    f"cdnskey_{state}",
                    key_tag(key),
                    f"cdnskey {key_tag(key)}",
                    apex.lines.get(T.CDNSKEY),
                )
            )
    for cds in apex.cds:
        result = match_ds(origin, cds, apex.dnskeys)
        if result.status is DsMatchStatus.UNSUPPORTED_DIGEST:
            continue
        target = result.key if result.status is DsMatchStatus.MATCH else None
        if target is not None and dnskey_rdata_wire(target) in signing:
            working = True
            continue
        case = "cds_idle" if target else "cds_unmatched"
        idle.append((case, cds.key_tag, f"cds {cds.key_tag}", apex.lines.get(T.CDS)))
    for case, tag, subject, line in idle:
        out.add(
            Code.CDS_POINTS_TO_MISSING_KEY,
            f"{case}_{'prepublish' if working else 'bogus'}",
            {"tag": tag, "zone": zone},
            subject=subject,
            line=line,
            severity=Severity.NOTICE if working else None,
        )
