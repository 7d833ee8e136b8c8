"""DS_INPUT_UNPARSEABLE findings: what could not be read, what was repaired, and the fix.

Every finding quotes the input as given (renderers escape it) and, where the
record could be read or repaired, the canonical form to paste instead (RFC 4034
§5.3 for DS, §2.2 for DNSKEY). A DNSKEY given where a DS was expected is
accepted: its DS is computed for the zone apex and shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.ds.input import InputRecord, ParsedInput
from dnssec_doctor.ds.live import LiveKey, LiveZone
from dnssec_doctor.ds.registry_policy import RegistryPolicy
from dnssec_doctor.ds.upload import Upload, dnskey_line
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity

CODE = Code.DS_INPUT_UNPARSEABLE


def upload_fix(live: LiveZone, upload: Sequence[Upload], policy: RegistryPolicy) -> str:
    """The records to submit instead, one per line, ready to paste."""
    if not upload:
        return (
            "No key signs the DNSKEY RRset on every server yet, so there is no correct DS to "
            "submit: sign the DNSKEY RRset with the KSK on every server first."
        )
    if policy.accepts_ds:
        lines = [u.ds_line(live.zone) for u in upload]
        return "Submit this DS (from the live keys):\n" + "".join(f"    {x}\n" for x in lines)
    lines = [u.dnskey_line(live.zone) for u in upload]
    return "Submit this DNSKEY (from the live keys):\n" + "".join(f"    {x}\n" for x in lines)


def input_findings(
    parsed: ParsedInput,
    live: LiveZone,
    keys: Sequence[LiveKey],
    upload: Sequence[Upload],
    policy: RegistryPolicy,
) -> list[Finding]:
    """Findings for unreadable input, repaired records and DNSKEYs given as DS."""
    zone = live.zone.to_text()
    instead = upload_fix(live, upload, policy)
    found: list[Finding] = []
    for problem in parsed.problems:
        found.append(
            catalog.finding(
                CODE,
                zone=zone,
                subject=f"line {problem.line}",
                line=problem.line or None,
                says="unreadable",
                params={
                    "line": problem.line,
                    "reason": problem.reason,
                    "given": problem.given,
                    "zone": zone,
                    "instead": instead,
                },
                evidence={"given": problem.given, "reason": problem.reason},
            )
        )
    if parsed.notes:
        found.append(
            catalog.finding(
                CODE,
                zone=zone,
                severity=Severity.WARNING,
                subject="characters",
                says="cleaned",
                params={"notes": "; ".join(parsed.notes), "instead": instead},
            )
        )
    for record in parsed.records:
        found.extend(_record_findings(record, live, keys, upload, policy, instead))
    return found


def _record_findings(
    record: InputRecord,
    live: LiveZone,
    keys: Sequence[LiveKey],
    upload: Sequence[Upload],
    policy: RegistryPolicy,
    instead: str,
) -> list[Finding]:
    zone = live.zone.to_text()
    subject = f"line {record.line}: {record.label}"
    read_as = record.canonical(live.zone)
    found: list[Finding] = []
    if record.defects:
        assert record.ds is not None
        named = [
            k for k in keys if k.tag == record.ds.key_tag and k.key.algorithm == record.ds.algorithm
        ]
        params: dict[str, object] = {
            "line": record.line,
            "problems": "; ".join((*record.defects, *record.repairs)),
            "given": record.given,
        }
        fix: str | None = instead
        if named:
            mine = [u for u in upload if u.key.key == named[0].key]
            params["key"] = named[0].describe()
            params["instead"] = upload_fix(live, mine, policy) if mine else instead
            fix = None
        found.append(
            catalog.finding(
                CODE,
                zone=zone,
                subject=subject,
                line=record.line,
                says="defective_named" if named else "defective",
                params=params,
                fix=fix,
                evidence={"given": record.given, "read_as": read_as},
            )
        )
        return found
    if record.repairs:
        found.append(
            catalog.finding(
                CODE,
                zone=zone,
                severity=Severity.WARNING,
                subject=subject,
                line=record.line,
                title="DS or DNSKEY text read only after repair",
                says="repaired",
                params={
                    "line": record.line,
                    "repairs": "; ".join(record.repairs),
                    "given": record.given,
                    "read_as": read_as,
                },
                evidence={"given": record.given, "read_as": read_as},
            )
        )
    if record.kind == "DNSKEY" and policy.accepts_ds:
        assert record.dnskey is not None
        ds_line = f"{zone} IN DS {record.ds_at(live.zone, policy.preferred_digest).to_text()}"
        found.append(
            catalog.finding(
                CODE,
                zone=zone,
                severity=Severity.NOTICE,
                subject=f"{subject} as DS",
                line=record.line,
                title="DNSKEY given where a DS was expected",
                says="dnskey_given",
                params={
                    "line": record.line,
                    "zone": zone,
                    "ds_line": ds_line,
                    "dnskey": dnskey_line(live.zone, record.dnskey),
                },
                evidence={"given": record.given, "ds": ds_line},
            )
        )
    return found
