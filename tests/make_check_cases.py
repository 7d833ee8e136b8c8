"""Regenerate the golden `check` cases: python tests/make_check_cases.py (as root).

Starts the embedded lab (fixed build time and keys), probes every scenario and
stores its capture with the scenario's expected diagnosis — written by the
scenario's author in lab/scenarios_*.py, not taken from our analyser — under
tests/cases/check-<scenario>/. Run again when the probe plan changes.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import dns.name

sys.path.insert(0, str(Path(__file__).parent))

from dnssec_doctor.capture import save_capture
from dnssec_doctor.limits import Limits
from dnssec_doctor.probe.anchors import anchors_from_lines
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import probe_live
from dnssec_doctor.transport.policy import AddressPolicy
from labbases import RECORDED_EMBEDDED
from labthread import LAB_NOW, start_lab

CASES = Path(__file__).parent / "cases"


async def probe_all() -> None:
    # The recorded cases' own addresses, so a re-recording differs only where the probe did.
    with start_lab(base=RECORDED_EMBEDDED) as lab:
        anchors = anchors_from_lines(lab.plan.trust_anchor_ds)
        for info in lab.plan.scenarios:
            name = info.query_name or info.zone
            request = ProbeRequest(
                name=dns.name.from_text(name),
                root_hints=lab.plan.root_hints,
                trust_anchors=anchors,
                seed=info.name,
                limits=Limits(query_timeout=0.5, retries=0, deadline=20),
            )
            capture = await probe_live(request, AddressPolicy.permissive())
            capture.created = "2027-01-15T08:00:00Z"  # the lab's build time, not today's
            folder = CASES / f"check-{info.name}"
            folder.mkdir(parents=True, exist_ok=True)
            save_capture(capture, folder / "capture.json.gz")
            expected = {
                "name": name,
                "at": LAB_NOW,
                "status": info.expected_status,
                "root_causes": list(info.expected_codes),
                "servers": list(info.faulty_servers),
                "description": info.description,
            }
            (folder / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
            print(f"{folder.name}: {len(capture.exchanges)} exchanges")


if __name__ == "__main__":
    asyncio.run(probe_all())
