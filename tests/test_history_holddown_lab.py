"""Golden timelines of RFC 5011: a trust-anchor zone's KSK rolled over weeks, served stage
after stage by the embedded lab and checked once a day with ``check --db --at``,
anchored at the root and at the zone itself (two ``--trust-anchor`` files).

RFC 5011 §2.4.1: resolvers that keep the zone's key as a managed trust anchor accept a
new KSK 30 days after they first saw it. The rollover that waits gives no
RFC5011_HOLDDOWN_RISK; the one that removes the old key four days after the new one
appeared gives it from that check on until the safe time (the new key's first day plus
30 days), and ``history`` shows it afterwards. Each stage is built again every day, as
a signer re-signs: thirty served states in one hold-down, more than the forecast reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import labbases
from clirun import invoke
from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.rollovers import (
    ANCHORED_ROLLOVERS,
    ZONE,
    rollover_plan,
    stage_at,
    zone_anchor,
)
from dnssec_doctor.timefmt import iso
from labthread import LAB_NOW

NAME = "good-nsec.test"
DAY = 86400
RESIGNED = DAY
"""How often the signer re-signs each stage (a new lab build, a new served state)."""
SEED = 7
CODE = "RFC5011_HOLDDOWN_RISK"


def _observe(name: str, days: int, tmp_path: Path) -> tuple[str, list[dict[str, Any]]]:
    """Check the rollover once a day for ``days`` days; the database and each check's JSON
    document."""
    db = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    rollover = ANCHORED_ROLLOVERS[name]
    zone_file = tmp_path / "zone-anchor.dnskey"
    zone_file.write_text("\n".join(zone_anchor(SEED)) + "\n", encoding="utf-8")
    builds: dict[int, list[int]] = {}
    for t in range(0, days * DAY + 1, DAY):
        stage = stage_at(rollover, t)
        signed = stage.offset + (t - stage.offset) // RESIGNED * RESIGNED
        builds.setdefault(signed, []).append(t)
    docs: list[dict[str, Any]] = []
    root_file = None
    for signed, during in builds.items():
        plan = rollover_plan(
            name, signed, built_at=LAB_NOW + signed, base=labbases.EMBEDDED, seed=SEED
        )
        with BackgroundLab(plan) as lab:
            root_file = root_file or lab.anchor_file(tmp_path)
            for t in during:
                run = invoke("check", NAME, "--root-hints", lab.root_hints,
                             "--trust-anchor", str(root_file), "--trust-anchor", str(zone_file),
                             "--timeout", "1", "--db", db, "--format", "json",
                             "--at", f"@{LAB_NOW + t}")  # fmt: skip
                assert run.stderr == "", run.stderr
                doc = json.loads(run.stdout)
                doc["exit_code"] = run.exit_code
                docs.append(doc)
    return db, docs


def _found(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["code"] == CODE]


def test_the_rfc5011_rollover_that_waits_the_hold_down_gives_no_risk(tmp_path: Path) -> None:
    # Catches: a risk claimed for a revoked or removed key whose successor is trusted, or
    # for a key that is merely young while the old one still signs.
    db, docs = _observe("ksk-rfc5011-done-right", 36, tmp_path)
    assert [_found(d) for d in docs] == [[]] * len(docs)
    assert [d["exit_code"] for d in docs] == [0] * len(docs)  # nothing else either
    report = invoke("history", NAME, "--db", db, "--format", "json")
    assert report.exit_code in (0, 1), report.stderr
    assert CODE not in report.stdout


def test_the_old_key_removed_four_days_after_the_new_one_is_a_risk_until_the_safe_time(
    tmp_path: Path,
) -> None:
    # Catches: the zone the check was anchored at not judged (only the root), a hold-down
    # counted from the wrong moment, a risk that never ends, and one forgotten once the
    # new key's first state is older than the states the forecast reads (24 re-signings).
    ((code, offset),) = ANCHORED_ROLLOVERS["ksk-rfc5011-removed-too-early"].expected
    assert code == CODE
    published = DAY  # the stage that added ksk-next
    safe_at = LAB_NOW + published + 30 * DAY
    db, docs = _observe("ksk-rfc5011-removed-too-early", 33, tmp_path)
    for day, doc in enumerate(docs):
        risky = offset <= day * DAY < safe_at - LAB_NOW
        assert bool(_found(doc)) == risky, (day, _found(doc))
        assert doc["exit_code"] == (1 if risky else 0), (day, doc["findings"])
    (finding,) = _found(docs[offset // DAY])
    assert finding["zone"] == ZONE and finding["evidence"]["safe_at"] == iso(safe_at)
    assert finding["evidence"]["new_first_seen"] == iso(LAB_NOW + published)
    assert f"KSK {finding['evidence']['old_ksk']} of {ZONE} is gone" in finding["detail"]
    assert "4 days" in finding["detail"] and iso(safe_at) in finding["fix"]
    # afterwards history still shows it, as history: when, and until when
    report = invoke("history", NAME, "--db", db, "--format", "json")
    assert report.exit_code == 0, report.stderr
    document = json.loads(report.stdout)
    assert {tuple(run["anchor_zones"]) for run in document["runs"]} == {(".", ZONE)}
    found = [f for f in document["findings"] if f["code"] == CODE]
    assert [(f["zone"], f["evidence"]["at"], f["evidence"]["safe_at"], f["severity"])
            for f in found] == [(ZONE, iso(LAB_NOW + offset), iso(safe_at), "warning")]  # fmt: skip
    assert "this is history" in found[0]["detail"] and "4 days" in found[0]["detail"]
    text = invoke("history", NAME, "--db", db).stdout
    assert CODE in text and iso(safe_at) in text
    # a timeline shown from after the removal (--since) still has the window before it
    since = invoke("history", NAME, "--db", db, "--since", iso(LAB_NOW + offset), "--format",
                   "json")  # fmt: skip
    assert [f for f in json.loads(since.stdout)["findings"] if f["code"] == CODE] == found
