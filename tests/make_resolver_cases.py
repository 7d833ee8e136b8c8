"""Record the resolver cases: python tests/make_resolver_cases.py (as root, bind9 + unbound).

Starts the real-server lab signed relative to the current time (real resolvers
validate against the machine clock), runs ``check`` for a few scenarios with the
four lab resolvers and one address where nothing listens, and stores each
capture under tests/data/resolver/ with the build time in ``cases.json``. The
offline test (test_resolver_recorded.py) replays them at that time, so real
Unbound and BIND answers are tested without starting anything.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path

import dns.name

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.lab.real import start_real
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.capture import save_capture
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import probe_live
from dnssec_doctor.transport.policy import AddressPolicy
from labbases import RECORDED_REAL

CASES = Path(__file__).parent / "data" / "resolver"
SCENARIOS = (
    "good-nsec",
    "unsigned",
    "expired-signatures",
    "not-yet-valid",
    "ds-no-matching-key",
    "ds-key-not-signing",
    "corrupted-signature",
)
SEED = 66
DEAD_RESOLVER = f"{RECORDED_REAL}.255.9"


async def record() -> None:
    now = int(time.time())
    # The recorded cases' own addresses (test_resolver_recorded rebuilds the plan on them).
    plan = build_lab(now, base=RECORDED_REAL, seed=SEED, names=SCENARIOS)
    with tempfile.TemporaryDirectory() as workdir:
        lab = start_real(plan, Path(workdir), wait_seconds=120)
        try:
            resolvers = (*(r.address for r in lab.resolvers), ServerAddress(DEAD_RESOLVER))
            for info in plan.scenarios:
                request = ProbeRequest(
                    name=dns.name.from_text(info.query_name or info.zone),
                    root_hints=plan.root_hints,
                    trust_anchors=anchors_from_lines(plan.trust_anchor_ds),
                    resolvers=resolvers,
                    seed=info.name,
                    limits=Limits(query_timeout=2.0, retries=1, deadline=30),
                )
                capture = await probe_live(request, AddressPolicy.permissive())
                save_capture(capture, CASES / f"{info.name}.capture.json.gz")
                print(f"{info.name}: {len(capture.exchanges)} exchanges")
            meta = {
                "at": now,
                "seed": SEED,
                "resolvers": {r.role: str(r.address) for r in lab.resolvers},
                "dead_resolver": DEAD_RESOLVER,
                "scenarios": list(SCENARIOS),
            }
            (CASES / "cases.json").write_text(json.dumps(meta, indent=1) + "\n")
        finally:
            lab.stop()


if __name__ == "__main__":
    asyncio.run(record())
