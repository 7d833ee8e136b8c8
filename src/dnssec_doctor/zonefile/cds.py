"""CDS/CDNSKEY consistency (RFC 7344 §4, RFC 8078 §4, catalog section H).

Both RRsets describe the DS set the child wants; they must agree with each other
and point at keys the zone publishes and signs its DNSKEY RRset with. A delete
request is exactly ``CDS 0 0 0 00`` and ``CDNSKEY 0 3 0 AA==``, alone.
"""

from __future__ import annotations

import dns.name
import dns.rdatatype

from dnssec_doctor.dnssec.keys import (
    AnyKey,
    DsMatchStatus,
    DsRecord,
    dnskey_rdata_wire,
    key_tag,
    match_ds,
)
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.zonefile.apex import Apex
from dnssec_doctor.zonefile.emit import Emitter

T = dns.rdatatype


def _is_delete_cds(cds: DsRecord) -> bool:
    return cds.algorithm == 0


def _is_delete_cdnskey(key: AnyKey) -> bool:
    return key.algorithm == 0


def check_cds(apex: Apex, origin: dns.name.Name, out: Emitter) -> None:
    """Report every way the apex CDS/CDNSKEY RRsets disagree with each other or the keys."""
    if not apex.cds and not apex.cdnskeys:
        return
    zone = origin.to_text()
    cds_line, cdnskey_line = apex.lines.get(T.CDS), apex.lines.get(T.CDNSKEY)
    line = cds_line or cdnskey_line
    delete_cds = [c for c in apex.cds if _is_delete_cds(c)]
    delete_keys = [k for k in apex.cdnskeys if _is_delete_cdnskey(k)]
    if delete_cds or delete_keys:
        _check_delete(apex, zone, delete_cds, delete_keys, line, out)
        return
    if not apex.cdnskeys:
        out.add(
            "CDS_CDNSKEY_MISMATCH",
            f"{zone} publishes CDS but no CDNSKEY; parents that read CDNSKEY see no request",
            subject="no-cdnskey",
            line=line,
        )
    if not apex.cds:
        out.add(
            "CDS_CDNSKEY_MISMATCH",
            f"{zone} publishes CDNSKEY but no CDS; parents that read CDS see no request",
            subject="no-cds",
            line=line,
        )
    if apex.cds and apex.cdnskeys:
        for cds in apex.cds:
            if match_ds(origin, cds, apex.cdnskeys).status is not DsMatchStatus.MATCH:
                out.add(
                    "CDS_CDNSKEY_MISMATCH",
                    f"CDS {cds.to_text()} matches no CDNSKEY of {zone}",
                    subject=f"cds {cds.key_tag}/{cds.digest_type}",
                    line=cds_line,
                )
        for key in apex.cdnskeys:
            if not any(
                match_ds(origin, cds, [key]).status is DsMatchStatus.MATCH for cds in apex.cds
            ):
                out.add(
                    "CDS_CDNSKEY_MISMATCH",
                    f"CDNSKEY {key_tag(key)} has no matching CDS at {zone}",
                    subject=f"cdnskey {key_tag(key)}",
                    line=cdnskey_line,
                )
    _check_against_keys(apex, origin, zone, out)


def _check_delete(
    apex: Apex,
    zone: str,
    delete_cds: list[DsRecord],
    delete_keys: list[AnyKey],
    line: int | None,
    out: Emitter,
) -> None:
    if len(apex.cds) != len(delete_cds) or len(apex.cdnskeys) != len(delete_keys):
        out.add(
            "CDS_DELETE_MALFORMED",
            f"{zone} mixes a delete request (algorithm 0) with "
            "ordinary CDS/CDNSKEY records (RFC 8078 §4)",
            subject="delete-mixed",
            line=line,
        )
    for cds in delete_cds:
        if (cds.key_tag, cds.digest_type, cds.digest) != (0, 0, b"\x00"):
            out.add(
                "CDS_DELETE_MALFORMED",
                f"delete CDS at {zone} is {cds.to_text()}, not '0 0 0 00'",
                subject="delete-cds-values",
                line=line,
            )
    for key in delete_keys:
        if (key.flags, key.protocol, key.key) != (0, 3, b"\x00"):
            out.add(
                "CDS_DELETE_MALFORMED",
                f"delete CDNSKEY at {zone} is {key.to_text()}, not '0 3 0 AA=='",
                subject="delete-cdnskey-values",
                line=line,
            )
    if not delete_cds or not delete_keys:
        missing = "CDNSKEY" if delete_cds else "CDS"
        out.add(
            "CDS_DELETE_MALFORMED",
            f"{zone} signals DNSSEC delete with only one of CDS/"
            f"CDNSKEY; the delete {missing} is missing",
            subject="delete-half",
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
    idle: list[tuple[str, str, int | None]] = []
    working = False
    for key in apex.cdnskeys:
        wire = dnskey_rdata_wire(key)
        state = "signs" if wire in signing else ("idle" if wire in published else "absent")
        working |= state == "signs"
        if state != "signs":
            what = "is not in the DNSKEY RRset" if state == "absent" else "does not sign it"
            idle.append(
                (
                    f"CDNSKEY {key_tag(key)} {what}",
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
        what = "names a key that does not sign it" if target else "matches no DNSKEY"
        idle.append((f"CDS {cds.key_tag} {what}", f"cds {cds.key_tag}", apex.lines.get(T.CDS)))
    for text, subject, line in idle:
        out.add(
            "CDS_POINTS_TO_MISSING_KEY",
            f"{text} (DNSKEY RRset of {zone})"
            + (
                "; fine while pre-publishing a KSK, since another entry points at a signing key"
                if working
                else "; acting on the CDS/CDNSKEY would make the zone bogus"
            ),
            subject=subject,
            line=line,
            severity=Severity.NOTICE if working else None,
        )
