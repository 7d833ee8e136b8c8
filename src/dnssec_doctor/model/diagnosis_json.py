"""The diagnosis as its versioned JSON document (docs/contract.md).

What `--format json` prints, the history store keeps and `scan` writes one per line:
a serialised form of the model, so every layer that needs it reads it from here.
"""

from __future__ import annotations

import json
from typing import Any

from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.timefmt import iso

FORMAT = "dnssec-doctor/diagnosis"
VERSION = "1.0"


def finding_json(f: Finding) -> dict[str, Any]:
    """One finding in the contract's shape, plus our extra fields."""
    data: dict[str, Any] = {
        "code": f.code,
        "severity": f.severity.label,
        "zone": f.zone,
        "servers": list(f.servers),
        "title": f.title,
        "detail": f.detail,
        "fix": f.fix,
        "symptoms": list(f.symptoms),
        "caused_by": list(f.caused_by),
        "id": f.key,
        "root_cause": f.is_root_cause,
        "servers_ok": list(f.servers_ok),
        "evidence": dict(f.evidence),
    }
    if f.line is not None:
        data["line"] = f.line
    return data


def diagnosis_json(d: Diagnosis) -> dict[str, Any]:
    """The whole diagnosis document."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": d.name,
        "at": iso(d.at),
        "status": d.status,
        "findings": [finding_json(f) for f in d.findings],
        "zones": [
            {
                "name": z.name,
                "status": z.status,
                "servers": list(z.servers),
                "reason": z.reason,
                "valid_until": None if z.valid_until is None else iso(z.valid_until),
            }
            for z in d.zones
        ],
        "servers": list(d.servers),
        "stats": dict(d.stats),
    }


def render_json(d: Diagnosis) -> str:
    """JSON text; non-ASCII escaped so any byte in DNS data is safe in any sink."""
    return json.dumps(diagnosis_json(d), indent=2, ensure_ascii=True, default=str) + "\n"
