"""Regenerate the golden `check` cases: python tests/make_check_cases.py [SCENARIO ...].

Starts the embedded lab (fixed build time and keys), probes every scenario (or
the ones named) and stores its capture with the scenario's expected diagnosis —
written by the scenario's author in lab/scenarios_*.py, not taken from our
analyser — under tests/cases/check-<scenario>/. Run again when the probe plan
changes. ``--expectations-only`` rewrites only the expected.json files (after
a scenario's expectation changed), keeping the recorded captures.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import dns.name

sys.path.insert(0, str(Path(__file__).parent))

from dnssec_doctor.lab.plan import ScenarioInfo
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.capture import save_capture
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import probe_live
from dnssec_doctor.transport.policy import AddressPolicy
from labbases import RECORDED_EMBEDDED
from labthread import LAB_NOW, LAB_SEED, start_lab

CASES = Path(__file__).parent / "cases"


def expected(info: ScenarioInfo) -> dict[str, object]:
    """The golden expectation of one scenario, as its author wrote it."""
    return {
        "name": info.query_name or info.zone,
        "at": LAB_NOW,
        "status": info.expected_status,
        "root_causes": sorted(info.expected_codes),
        "consequences": _consequences(info),
        "forbidden": sorted(info.forbidden_codes),
        "servers": list(info.faulty_servers),
        "description": info.description,
    }


def _consequences(info: ScenarioInfo) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for code, cause in info.consequences:
        out.setdefault(code, set()).add(cause)
    return {code: sorted(causes) for code, causes in sorted(out.items())}


def write_expected(info: ScenarioInfo) -> None:
    folder = CASES / f"check-{info.name}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "expected.json").write_text(json.dumps(expected(info), indent=1) + "\n")


async def probe_all(names: list[str] | None) -> None:
    # The recorded cases' own addresses, so a re-recording differs only where the probe did.
    with start_lab(names, base=RECORDED_EMBEDDED) as lab:
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
            write_expected(info)
            print(f"{folder.name}: {len(capture.exchanges)} exchanges")


def main(argv: list[str]) -> None:
    names = [a for a in argv if not a.startswith("--")]
    if "--expectations-only" in argv:
        plan = build_lab(LAB_NOW, base=RECORDED_EMBEDDED, seed=LAB_SEED, names=names or None)
        for info in plan.scenarios:
            write_expected(info)
        return
    asyncio.run(probe_all(names or None))


if __name__ == "__main__":
    main(sys.argv[1:])
