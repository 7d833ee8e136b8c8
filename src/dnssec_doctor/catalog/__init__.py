"""The problem catalog: every code's title, explanation, default severity, fix.

Code names are a contract (docs/contract.md). Entries live in one module per
catalog section (``section_a.py`` …); this module indexes them and builds findings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.catalog.entry import SYMPTOMS, CatalogEntry
from dnssec_doctor.catalog.messages import fill
from dnssec_doctor.catalog.registry import ALL_ENTRIES
from dnssec_doctor.model.findings import Finding, JsonValue
from dnssec_doctor.model.severity import Severity

__all__ = ["ALL_ENTRIES", "SYMPTOMS", "CatalogEntry", "Code", "entry", "finding"]

_BY_CODE: dict[str, CatalogEntry] = {e.code: e for e in ALL_ENTRIES}


def entry(code: str) -> CatalogEntry:
    """The catalog entry for ``code``; KeyError for an unknown code."""
    return _BY_CODE[code]


def finding(
    code: Code,
    *,
    zone: str,
    says: str = "",
    params: Mapping[str, object] | None = None,
    detail: str | None = None,
    servers: tuple[str, ...] = (),
    servers_ok: tuple[str, ...] = (),
    fix: str | None = None,
    severity: Severity | None = None,
    evidence: Mapping[str, JsonValue] | None = None,
    subject: str = "",
    line: int | None = None,
    title: str | None = None,
) -> Finding:
    """A finding for ``code`` with the catalog's defaults filled in.

    The detail is the entry's template for the case ``says``, filled from ``params``
    (and so is the fix when the entry has one for that case). A ``detail`` written by
    the caller is only for text assembled from other finished text: the rollover's
    stage sentences, a denial problem prefixed with its query, the verdict's fallback
    reason, the zone verifier's "N more instances" summary.
    ``fix`` should be the concrete fix for this case (the DS to upload, the
    server to repair); the catalog's generic fix is used when it is omitted.
    """
    item = entry(code)
    if says:
        detail, fix = _say(item, says, params or {}, fix)
    elif detail is None or params is not None:
        raise TypeError(f"{code}: give says= and params=, or a written detail")
    return Finding(
        code=code,
        severity=item.severity if severity is None else severity,
        zone=zone,
        title=item.title if title is None else title,
        detail=detail,
        fix=_concrete(item.fix if fix is None else fix, zone, servers),
        symptoms=item.symptoms,
        servers=tuple(sorted(set(servers))),
        servers_ok=tuple(sorted(set(servers_ok))),
        evidence=dict(evidence or {}),
        subject=subject,
        line=line,
    )


def _say(
    item: CatalogEntry, says: str, params: Mapping[str, object], fix: str | None
) -> tuple[str, str | None]:
    """The detail (and the fix, when the case has its own) of case ``says`` of ``item``."""
    templates = {"detail": item.details[says]}
    if says in item.fixes:
        if fix is not None:
            raise TypeError(f"{item.code}/{says}: the catalog writes this fix")
        templates["fix"] = item.fixes[says]
    filled = fill(templates, params, f"{item.code}/{says}")
    return filled["detail"], filled.get("fix", fix)


_ZONE_PLACEHOLDER = re.compile(r"\bZONE\b")
_SERVER_PLACEHOLDER = re.compile(r"\bSERVER\b")


def _concrete(fix: str, zone: str, servers: tuple[str, ...] = ()) -> str:
    """The fix with its ZONE placeholder replaced by the zone's name, and SERVER by the
    server's address when the finding names exactly one."""
    if zone and zone != ".":
        fix = _ZONE_PLACEHOLDER.sub(lambda _m: zone.rstrip("."), fix)
    if len(servers) == 1:
        address = (
            servers[0].split("]:")[0].lstrip("[") if servers[0].startswith("[") else servers[0]
        )
        if address.count(":") == 1:  # ADDR:PORT of IPv4: dig wants @ADDR -p PORT
            address = address.split(":")[0]
        fix = _SERVER_PLACEHOLDER.sub(lambda _m: address, fix)
    return fix
