"""Golden timelines: rollovers served stage after stage by the embedded lab, checked with
``check --db`` at a clock given with ``--at``, then read back with ``history``.

Each rollover of ``lab.rollovers`` is observed every twenty minutes (hours of a
rollover in seconds). The rollovers done right give no rollover-timing code; each
one done wrong gives its code at the stage that was too early, from that check on
while the risk lasts, with the time it would have been safe, and ``history`` shows it
afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import labbases
from clirun import invoke
from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.rollovers import ROLLOVERS, rollover_plan, stage_at
from dnssec_doctor.timefmt import iso
from labthread import LAB_NOW

NAME = "good-nsec.test"
MINUTE, HOUR = 60, 3600
EVERY = 20 * MINUTE
ROLLOVER_CODES = {
    "ZSK_USED_BEFORE_PROPAGATED",
    "ZSK_REMOVED_TOO_EARLY",
    "DS_SWAPPED_TOO_EARLY",
    "KSK_REMOVED_BEFORE_DS_UPDATED",
}
TTL = HOUR


def _observe(name: str, until: int, tmp_path: Path) -> tuple[str, list[dict[str, Any]]]:
    """Check the rollover every EVERY seconds up to ``until``; the database and each
    check's JSON document (one lab per stage, several checks in each)."""
    db = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    rollover = ROLLOVERS[name]
    docs: list[dict[str, Any]] = []
    times = list(range(0, until + 1, EVERY))
    anchor = None
    for stage in rollover.stages:
        during = [t for t in times if stage_at(rollover, t) == stage]
        if not during:
            continue
        plan = rollover_plan(name, stage.offset, built_at=LAB_NOW, base=labbases.EMBEDDED, seed=7)
        with BackgroundLab(plan) as lab:
            anchor = anchor or lab.anchor_file(tmp_path)
            for t in during:
                run = invoke("check", NAME, "--root-hints", lab.root_hints, "--trust-anchor",
                             str(anchor), "--timeout", "1", "--db", db, "--format", "json",
                             "--at", f"@{LAB_NOW + t}")  # fmt: skip
                assert run.stderr == "", run.stderr
                doc = json.loads(run.stdout)
                doc["exit_code"] = run.exit_code
                docs.append(doc)
    return db, docs


def _codes(doc: dict[str, Any]) -> set[str]:
    return {f["code"] for f in doc["findings"]} & ROLLOVER_CODES


@pytest.mark.parametrize("name", ["zsk-prepublish-done-right"])
def test_a_rollover_done_right_gives_no_timing_code(name: str, tmp_path: Path) -> None:
    db, docs = _observe(name, 5 * HOUR, tmp_path)
    assert [_codes(d) for d in docs] == [set()] * len(docs)
    assert all(d["exit_code"] == 0 for d in docs), [d["exit_code"] for d in docs]
    # mid-roll, the live ROLLOVER_IN_PROGRESS gets the safe time of the next step from
    # history: the key set without the new ZSK was gone at 1:00, cached for an hour
    (progress,) = [f for f in docs[4]["findings"] if f["code"] == "ROLLOVER_IN_PROGRESS"]
    (step,) = progress["evidence"]["next_steps"]
    assert step["step"].startswith("sign the data with the new ZSK")
    assert step["safe_at"] == iso(LAB_NOW + 2 * HOUR)
    assert f"from {iso(LAB_NOW + 2 * HOUR)}" in progress["detail"]
    report = invoke("history", NAME, "--db", db, "--format", "json")
    assert report.exit_code == 0
    assert not {f["code"] for f in json.loads(report.stdout)["findings"]} & ROLLOVER_CODES


@pytest.mark.parametrize(
    ("name", "safe_after_stage"),
    [("zsk-removed-too-early", TTL), ("ksk-ds-swapped-too-early", TTL - 20 * MINUTE)],
)
def test_a_step_taken_too_early_is_reported_at_that_step_with_the_safe_time(
    name: str, safe_after_stage: int, tmp_path: Path
) -> None:
    ((code, offset),) = ROLLOVERS[name].expected
    safe_at = LAB_NOW + offset + safe_after_stage
    db, docs = _observe(name, offset + 2 * HOUR, tmp_path)
    at = [LAB_NOW + i * EVERY for i in range(len(docs))]
    for when, doc in zip(at, docs, strict=True):
        risky = LAB_NOW + offset <= when < safe_at
        assert _codes(doc) == ({code} if risky else set()), (iso(when), _codes(doc))
    step = docs[offset // EVERY]
    (finding,) = [f for f in step["findings"] if f["code"] == code]
    assert finding["evidence"]["safe_at"] == iso(safe_at)
    assert f"It would have been safe from {iso(safe_at)}" in finding["detail"]
    assert iso(safe_at) in finding["fix"] and step["exit_code"] == 2
    # afterwards history still shows the step, as history (a warning: the risk is past)
    report = invoke("history", NAME, "--db", db, "--format", "json")
    found = [f for f in json.loads(report.stdout)["findings"] if f["code"] in ROLLOVER_CODES]
    assert [(f["code"], f["evidence"]["at"], f["severity"]) for f in found] == [
        (code, iso(LAB_NOW + offset), "warning")
    ]
    text = invoke("history", NAME, "--db", db).stdout
    assert code in text and iso(safe_at) in text
