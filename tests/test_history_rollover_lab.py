"""Golden timelines: rollovers served stage after stage by the embedded lab, checked with
``check --db`` at a clock given with ``--at``, then read back with ``history``.

Each rollover of ``lab.rollovers`` is observed every twenty minutes (hours of a
rollover in seconds; the CDS one, which waits days on the parent, at the moments that
matter). The rollovers done right give no rollover-timing code; each one done wrong
gives its code at the stage that was too early, from that check on while the risk
lasts, with the time it would have been safe, and ``history`` shows it afterwards.
Every check is compared with the complete set of timing codes (``TIMING_CODES``), so
a code that appears where it must not fails as well as one that is missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import labbases
from clirun import invoke
from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.keys import KeyFactory
from dnssec_doctor.lab.rollovers import ROLLOVERS, rollover_plan, stage_at
from dnssec_doctor.timefmt import iso
from labthread import LAB_NOW

NAME = "good-nsec.test"
MINUTE, HOUR, DAY = 60, 3600, 86400
EVERY = 20 * MINUTE
SEED = 7
ROLLOVER_CODES = {
    "ZSK_USED_BEFORE_PROPAGATED",
    "ZSK_REMOVED_TOO_EARLY",
    "DS_SWAPPED_TOO_EARLY",
    "KSK_REMOVED_BEFORE_DS_UPDATED",
}
TIMING_CODES = ROLLOVER_CODES | {
    "TTL_CHANGE_DURING_ROLL",
    "ALGORITHM_ROLL_ORDER_VIOLATION",
    "CDS_NOT_PICKED_UP",
    "RFC5011_HOLDDOWN_RISK",
}
"""Every code history judges a rollover's timing with."""
TTL = HOUR


def _observe(
    name: str, until: int, tmp_path: Path, times: list[int] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Check the rollover every EVERY seconds up to ``until`` (or at ``times``); the
    database and each check's JSON document (one lab per stage, several checks in each)."""
    db = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    rollover = ROLLOVERS[name]
    docs: list[dict[str, Any]] = []
    times = times if times is not None else list(range(0, until + 1, EVERY))
    anchor = None
    for stage in rollover.stages:
        during = [t for t in times if stage_at(rollover, t) == stage]
        if not during:
            continue
        plan = rollover_plan(
            name, stage.offset, built_at=LAB_NOW, base=labbases.EMBEDDED, seed=SEED
        )
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
    return {f["code"] for f in doc["findings"]} & TIMING_CODES


def _history(db: str) -> list[dict[str, Any]]:
    """The timing findings ``history`` lists afterwards."""
    report = invoke("history", NAME, "--db", db, "--format", "json")
    assert report.exit_code in (0, 1), report.stderr
    return [f for f in json.loads(report.stdout)["findings"] if f["code"] in TIMING_CODES]


def _tag(role: str) -> int:
    """The key tag of the lab zone's key ``role`` (the lab's keys are seeded)."""
    return KeyFactory(SEED).make(f"good-nsec/{role}", ksk=role.startswith("ksk")).key_tag


NOTICED = {
    # The live analysis's own view of two correct stages: a DS for a key not published yet
    # beside the working one (RFC 7583 §3.3.3), and signatures of an algorithm whose keys
    # are not (or no longer) published next to valid ones (RFC 6781 §4.1.4). Notices, not
    # warnings: the check exits 0 throughout.
    "ksk-double-ds-done-right": ("DS_STALE_EXTRA", ((HOUR, 4 * HOUR),)),
    "algorithm-roll-done-right": (
        "RRSIG_KEY_NOT_FOUND",
        ((HOUR, 2 * HOUR + 20 * MINUTE), (5 * HOUR, 6 * HOUR + 20 * MINUTE)),
    ),
}


@pytest.mark.parametrize(
    ("name", "until"),
    [
        ("zsk-prepublish-done-right", 5 * HOUR),
        ("ksk-double-ds-done-right", 5 * HOUR),
        ("algorithm-roll-done-right", 7 * HOUR),
    ],
)
def test_a_rollover_done_right_gives_no_timing_code(name: str, until: int, tmp_path: Path) -> None:
    # Catches false alarms: a DS added before its key (double-DS) or signatures of an
    # algorithm before its key (RFC 6781 §4.1.4) taken for a step too early, and a rule
    # judging the old set's TTL from the wrong observation.
    db, docs = _observe(name, until, tmp_path)
    assert [_codes(d) for d in docs] == [set()] * len(docs)
    code, windows = NOTICED.get(name, ("", ()))
    for i, doc in enumerate(docs):
        assert doc["exit_code"] == 0, (i * EVERY, doc["findings"])
        noticed = any(start <= i * EVERY < end for start, end in windows)
        notices = {f["code"] for f in doc["findings"] if f["severity"] == "notice"}
        assert (code in notices) == noticed, (i * EVERY, doc["findings"])
    assert _history(db) == []


def test_a_rollover_in_progress_gets_the_safe_time_of_its_next_step(tmp_path: Path) -> None:
    _, docs = _observe("zsk-prepublish-done-right", HOUR + 20 * MINUTE, tmp_path)
    # mid-roll, the live ROLLOVER_IN_PROGRESS gets the safe time of the next step from
    # history: the key set without the new ZSK was gone at 1:00, cached for an hour
    (progress,) = [f for f in docs[4]["findings"] if f["code"] == "ROLLOVER_IN_PROGRESS"]
    (step,) = progress["evidence"]["next_steps"]
    assert step["step"].startswith("sign the data with the new ZSK")
    assert step["safe_at"] == iso(LAB_NOW + 2 * HOUR)
    assert f"from {iso(LAB_NOW + 2 * HOUR)}" in progress["detail"]


@pytest.mark.parametrize(
    ("name", "safe_after_stage"),
    [
        ("zsk-removed-too-early", TTL),
        ("ksk-ds-swapped-too-early", TTL - 20 * MINUTE),
        # the DNSKEY RRset without the new ZSK was last served at 0:40, gone at 1:00
        ("zsk-used-before-propagated", TTL),
        # the DS set naming only the old KSK was served until the step itself
        ("ksk-removed-before-ds-updated", TTL),
    ],
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
    found = _history(db)
    assert [(f["code"], f["evidence"]["at"], f["severity"]) for f in found] == [
        (code, iso(LAB_NOW + offset), "warning")
    ]
    text = invoke("history", NAME, "--db", db).stdout
    assert code in text and iso(safe_at) in text


@pytest.mark.parametrize(
    ("name", "signed_at"),
    [
        # the RRsets signed with algorithm 13 only were last served at 0:40 and gone at
        # 1:00, when the Ed25519 keys appeared with their signatures: cached to 2:00
        ("algorithm-keys-published-first", HOUR),
        # the Ed25519 keys alone at 1:00, their signatures from 2:20: no safe time until
        # every server signs with the new algorithm, then that plus the data TTL
        ("algorithm-keys-before-signatures", 2 * HOUR + 20 * MINUTE),
    ],
)
def test_keys_of_a_new_algorithm_published_before_its_signatures_were_everywhere(
    name: str, signed_at: int, tmp_path: Path
) -> None:
    # RFC 6781 §4.1.4: signatures of the new algorithm first, its DNSKEY a TTL later.
    ((code, offset),) = ROLLOVERS[name].expected
    safe_at = LAB_NOW + signed_at + TTL
    db, docs = _observe(name, offset + 3 * HOUR, tmp_path)
    for i, doc in enumerate(docs):
        risky = offset <= i * EVERY < safe_at - LAB_NOW
        assert _codes(doc) == ({code} if risky else set()), (i * EVERY, _codes(doc))
        assert doc["exit_code"] == (2 if risky else 0), (i * EVERY, doc["findings"])
    (finding,) = [f for f in docs[offset // EVERY]["findings"] if f["code"] == code]
    assert finding["evidence"]["algorithm"] == 15
    assert finding["evidence"]["at"] == iso(LAB_NOW + offset)
    assert f"{NAME}. SOA" in finding["evidence"]["rrsets"]
    if signed_at == offset:
        assert finding["evidence"]["safe_at"] == iso(safe_at)
        assert f"safe to publish from {iso(safe_at)}" in finding["detail"]
    else:
        assert finding["evidence"]["safe_at"] is None
        assert "a TTL after every server signed with algorithm 15" in finding["detail"]
    (last,) = [f for f in docs[signed_at // EVERY]["findings"] if f["code"] == code]
    assert last["evidence"]["safe_at"] == iso(safe_at)
    # afterwards, history (a warning, as every timing code whose risk has passed)
    found = _history(db)
    assert [(f["code"], f["evidence"]["at"], f["evidence"]["safe_at"], f["severity"])
            for f in found] == [(code, iso(LAB_NOW + offset), iso(safe_at), "warning")]  # fmt: skip


def test_the_old_algorithm_s_signatures_removed_with_its_keys(tmp_path: Path) -> None:
    # RFC 6781 §4.1.4: the DNSKEY RRset with the ECDSA keys was last served at 4:40 and
    # gone at 5:00, when their signatures went too: cached for the DNSKEY TTL, to 6:00.
    ((code, offset),) = ROLLOVERS["algorithm-old-signatures-removed-too-early"].expected
    safe_at = LAB_NOW + offset + TTL
    db, docs = _observe("algorithm-old-signatures-removed-too-early", offset + 2 * HOUR, tmp_path)
    for i, doc in enumerate(docs):
        risky = offset <= i * EVERY < safe_at - LAB_NOW
        assert _codes(doc) == ({code} if risky else set()), (i * EVERY, _codes(doc))
    step = docs[offset // EVERY]
    (finding,) = [f for f in step["findings"] if f["code"] == code]
    assert (finding["evidence"]["algorithm"], finding["evidence"]["step"]) == (13, "removed")
    assert finding["evidence"]["rrsets"] == [f"{NAME}. DNSKEY"]
    assert finding["evidence"]["safe_at"] == iso(safe_at) and step["exit_code"] == 2
    assert f"safe to remove from {iso(safe_at)}" in finding["detail"]
    assert [(f["code"], f["evidence"]["at"], f["severity"]) for f in _history(db)] == [
        (code, iso(LAB_NOW + offset), "warning")
    ]


def test_a_dnskey_ttl_lowered_with_the_new_zsk_and_the_next_step_timed_with_it(
    tmp_path: Path,
) -> None:
    # The key set without the new ZSK was served with two hours until 1:00: both the
    # lowered TTL and the new ZSK used at 1:40 (timed with twenty minutes) are reported,
    # until the same time, 3:00 (the old TTL after the first check that showed the new).
    (ttl_code, lowered), (used_code, used) = ROLLOVERS["ttl-lowered-during-roll"].expected
    safe_at = LAB_NOW + lowered + 2 * HOUR
    db, docs = _observe("ttl-lowered-during-roll", 4 * HOUR, tmp_path)
    for i, doc in enumerate(docs):
        when = LAB_NOW + i * EVERY
        expected = {ttl_code} if LAB_NOW + lowered <= when < safe_at else set()
        expected |= {used_code} if LAB_NOW + used <= when < safe_at else set()
        assert _codes(doc) == expected, (iso(when), _codes(doc))
    (ttl,) = [f for f in docs[lowered // EVERY]["findings"] if f["code"] == ttl_code]
    assert (ttl["evidence"]["rrtype"], ttl["evidence"]["old_ttl"], ttl["evidence"]["new_ttl"]) == (
        "DNSKEY",
        2 * HOUR,
        20 * MINUTE,
    )
    assert ttl["evidence"]["at"] == iso(LAB_NOW + lowered)
    assert ttl["evidence"]["old_ttl_rules_until"] == iso(safe_at)
    assert ttl["severity"] == "warning" and docs[lowered // EVERY]["exit_code"] == 1
    # before the step, the next step's safe time the live ROLLOVER_IN_PROGRESS gets from
    # history is timed with the old TTL too, not 20 minutes after 1:00
    (progress,) = [
        f for f in docs[used // EVERY - 1]["findings"] if f["code"] == "ROLLOVER_IN_PROGRESS"
    ]
    (step,) = progress["evidence"]["next_steps"]
    assert step["step"].startswith("sign the data with the new ZSK")
    assert step["safe_at"] == iso(safe_at)
    step = docs[used // EVERY]
    (zsk,) = [f for f in step["findings"] if f["code"] == used_code]
    assert zsk["evidence"]["safe_at"] == iso(safe_at) and zsk["evidence"]["older_set_ttl"] == 7200
    assert step["exit_code"] == 2
    assert sorted((f["code"], f["evidence"]["at"], f["severity"]) for f in _history(db)) == [
        (ttl_code, iso(LAB_NOW + lowered), "warning"),
        (used_code, iso(LAB_NOW + used), "warning"),
    ]


def test_a_cds_the_parent_never_follows_is_reported_once_it_has_waited_three_days(
    tmp_path: Path,
) -> None:
    # Catches: a wait counted from the wrong observation (the first check, or each new
    # one), a patience other than three days, and the code given before it is over.
    ((code, due),) = ROLLOVERS["cds-not-picked-up"].expected
    asked = HOUR  # the stage that published CDS and CDNSKEY for ksk-next
    times = [0, asked, asked + DAY, asked + 2 * DAY, due - EVERY, due, due + DAY]
    db, docs = _observe("cds-not-picked-up", 0, tmp_path, times)
    for t, doc in zip(times, docs, strict=True):
        assert _codes(doc) == ({code} if t >= due else set()), (t, _codes(doc))
        assert doc["exit_code"] == (1 if t >= due else 0), (t, doc["findings"])
    (finding,) = [f for f in docs[times.index(due)]["findings"] if f["code"] == code]
    assert finding["evidence"]["since"] == iso(LAB_NOW + asked)
    assert finding["evidence"]["cds"] == f"DS {_tag('ksk-next')} (algorithm 13)"
    assert finding["evidence"]["ds"] == f"DS {_tag('ksk')} (algorithm 13)"
    assert "3 days" in finding["detail"]
    ((found, severity),) = [(f["code"], f["severity"]) for f in _history(db)]
    assert (found, severity) == (code, "warning")
