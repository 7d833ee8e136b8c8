"""Peak memory of `dnssec-doctor check` against the worst hostile-tree cases, under 300 MB.

Each case runs the real CLI in a fresh interpreter under ``/usr/bin/time -v`` (GNU
time) while the tree serves from a background thread; the assertion is on the
"Maximum resident set size" it reports and on the exit code, never on time.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnssec_doctor.lab.plan import LabPlan
from hostile_tree import (
    LAB_NOW,
    BackgroundTree,
    Fault,
    absurd_rrsigs,
    big_ns_referral,
    build_tree,
    garbage,
    tld_servers,
    zone_servers,
)

pytestmark = pytest.mark.timeout(300)

MEMORY_LIMIT_KB = 300 * 1024
AT = "2027-01-15T08:00:00Z"
"""LAB_NOW as the CLI's --at (the tree is signed relative to it)."""
assert LAB_NOW == 1_800_000_000


@pytest.fixture(scope="module")
def plan() -> Iterator[LabPlan]:
    yield build_tree()


def peak_rss(plan: LabPlan, name: str, faults: dict[str, Fault], tmp: Path) -> tuple[int, int, str]:
    """(exit code, peak RSS in kB, status) of `check NAME --format json` under GNU time."""
    with BackgroundTree(plan, faults) as tree:
        anchor = tree.anchor_file(tmp)
        result = subprocess.run(
            [
                "/usr/bin/time", "-v", sys.executable, "-m", "dnssec_doctor", "check", name,
                "--root-hints", tree.root_hints, "--trust-anchor", str(anchor),
                "--timeout", "2", "--at", AT, "--format", "json",
            ],
            capture_output=True, text=True, timeout=240, check=False,
        )  # fmt: skip
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    assert found, result.stderr[-2000:]
    status = json.loads(result.stdout)["status"] if result.stdout.strip() else ""
    return result.returncode, int(found.group(1)), status


CASES = {
    "500 NS names": ("www.big-ns.test.", "tld", "big-ns", 2, "secure"),
    "key-tag collisions": ("keytrap.test.", "", "", 1, "secure"),
    "NSEC3 iteration bomb": ("nx.nsec3-bomb.test.", "", "", 2, "insecure"),
    "50-link CNAME chain": ("c1.cname-trap.test.", "", "", 2, "secure"),
    "absurd RRSIGs everywhere": ("victim.test.", "victim", "absurd", 2, "bogus"),
    "garbage everywhere": ("victim.test.", "victim", "garbage", 2, "indeterminate"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_worst_cases_stay_under_300_mb(plan: LabPlan, case: str, tmp_path: Path) -> None:
    name, where, what, exit_code, status = CASES[case]
    faults: dict[str, Fault] = {}
    if where == "tld":
        faults = dict.fromkeys(tld_servers(plan), big_ns_referral("big-ns.test."))
    elif where == "victim":
        faults = dict.fromkeys(
            zone_servers(plan, "victim.test."), absurd_rrsigs if what == "absurd" else garbage
        )
    code, rss_kb, seen = peak_rss(plan, name, faults, tmp_path)
    print(f"{case}: peak RSS {rss_kb / 1024:.1f} MB, exit {code}, status {seen}")
    assert (code, seen) == (exit_code, status)
    assert rss_kb < MEMORY_LIMIT_KB
