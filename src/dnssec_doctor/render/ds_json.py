"""The ``ds`` command's JSON document: the diagnosis contract plus its ``preflight`` member."""

from __future__ import annotations

import json
from typing import Any

from dnssec_doctor.ds.analyse import DsAnalysis
from dnssec_doctor.model.diagnosis_json import diagnosis_json


def ds_json(analysis: DsAnalysis) -> dict[str, Any]:
    """The diagnosis document (docs/contract.md) with the preflight's verdict as ``preflight``."""
    data = diagnosis_json(analysis.diagnosis)
    data["preflight"] = analysis.preflight.to_json()
    return data


def render_ds_json(analysis: DsAnalysis) -> str:
    """``ds_json`` as ASCII-only JSON text (DNS data and the user's input escaped)."""
    return json.dumps(ds_json(analysis), indent=2, ensure_ascii=True, default=str) + "\n"
