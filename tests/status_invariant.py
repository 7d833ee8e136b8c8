"""The status/exit-code contract every diagnosis keeps (analysis.verdict enforces it).

A status other than secure or insecure comes with at least one finding at error or
above that explains it, so the exit code is at least 2, a monitoring plugin never
prints "DNSSEC OK … bogus" and the report never says "No problems found".
"""

from __future__ import annotations

from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.model.severity import Severity, exit_code_for
from dnssec_doctor.render.nagios import render_nagios
from dnssec_doctor.render.text import render_text


def assert_explained(diagnosis: Diagnosis) -> None:
    """Fail unless ``diagnosis`` keeps the contract."""
    code = exit_code_for(f.severity for f in diagnosis.findings)
    nagios = render_nagios(diagnosis)
    if diagnosis.status in ("secure", "insecure"):
        return
    loud = [f.code for f in diagnosis.findings if f.severity >= Severity.ERROR]
    context = (diagnosis.name, diagnosis.status, diagnosis.stats.get("status_reason"))
    assert loud, ("no error-level finding explains the status", context)
    assert code >= 2, (code, context)
    assert not nagios.startswith("DNSSEC OK"), nagios
    assert "No problems found" not in render_text(diagnosis)
