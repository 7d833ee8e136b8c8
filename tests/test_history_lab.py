"""History against the embedded lab: real observations, recorded on SQLite and PostgreSQL.

Time is a parameter: the lab is rebuilt with its signatures made at a later time
(a signer re-signing daily), or left as it is (a signer that stopped), and every
check runs with ``--at``, so a week of monitoring takes seconds. A KSK swapped on
the child's servers while the parent keeps the old DS is a real good → bad
transition.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import historydb
import labbases
from clirun import invoke
from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.scenarios import build_lab
from labthread import LAB_NOW

ZONE = "good-nsec.test."
HOUR, DAY = 3600, 86400
db_url = historydb.db_url
postgres_url = historydb.postgres_url


def _plan(built_at: int, child_seed: int = 7) -> LabPlan:
    """The lab signed at ``built_at``; the child's keys from ``child_seed`` (7: the usual)."""
    plan = build_lab(built_at, base=labbases.EMBEDDED, seed=7, names=["good-nsec"])
    if child_seed == 7:
        return plan
    other = build_lab(built_at, base=labbases.EMBEDDED, seed=child_seed, names=["good-nsec"])

    def is_child(server: object) -> bool:
        return any(z.origin == ZONE for z in server.zones)  # type: ignore[attr-defined]

    servers = (
        *(s for s in plan.servers if not is_child(s)),
        *(s for s in other.servers if is_child(s)),
    )
    return dataclasses.replace(plan, servers=servers)


@contextmanager
def _lab(plan: LabPlan) -> Iterator[BackgroundLab]:
    with BackgroundLab(plan) as lab:
        yield lab


def _common(lab: BackgroundLab, anchor: Path, db: str) -> list[str]:
    return ["--root-hints", lab.root_hints, "--trust-anchor", str(anchor), "--timeout", "1",
            "--db", db]  # fmt: skip


def test_a_week_of_monitoring_learns_the_cadence_and_sees_the_signer_stop(
    db_url: str, tmp_path: Path
) -> None:
    statuses, lines = [], []
    anchor = None
    for day in range(7):
        built = LAB_NOW + min(day, 3) * DAY  # re-signed daily until day 3, then never again
        with _lab(_plan(built)) as lab:
            anchor = anchor or lab.anchor_file(tmp_path)
            run = invoke("watch", "good-nsec.test", *_common(lab, anchor, db_url), "--once",
                         "--at", f"@{LAB_NOW + day * DAY + 2 * HOUR}")  # fmt: skip
        assert run.stderr == "", run.stderr
        statuses.append(run.exit_code)
        lines.append(run.stdout)
    # due: last refresh (day 3, inception an hour before) + 1.5 days of cadence
    assert statuses == [0, 0, 0, 0, 0, 1, 1], lines
    assert "re-signed" in lines[1] and "re-signed" not in lines[4]
    assert "SIGNATURES_NOT_REFRESHED" in lines[5]
    assert re.match(r"^2027-01-20T10:00:00Z good-nsec\.test\. secure warning ", lines[5])
    run = invoke("history", "good-nsec.test", "--db", db_url, "--format", "json")
    assert run.exit_code == 1, run.stderr
    doc = json.loads(run.stdout)
    assert doc["format"] == "dnssec-doctor/history" and doc["observations"] == 7
    (fc,) = [f for f in doc["forecast"] if f["zone"] == ZONE]
    assert doc["earliest_expiration"] == min(f["earliest_expiration"] for f in doc["forecast"])
    assert fc["cadence_seconds"] == DAY and fc["refreshed"] is False
    assert fc["refresh_due"] == "2027-01-19T19:00:00Z"
    codes = [f["code"] for f in doc["findings"]]
    assert "SIGNATURES_NOT_REFRESHED" in codes and "CHANGE_SINCE_LAST_GOOD" not in codes
    resigned = [c for r in doc["runs"] for c in r["changes"] if c["kind"] == "resigned"]
    assert {c["zone"] for c in resigned} == {".", "test.", ZONE}
    text = invoke(
        "history", "good-nsec.test", "--db", db_url, "--since", "@" + str(LAB_NOW + 4 * DAY)
    )
    assert "3 observations" in text.stdout and "NOT REFRESHED" in text.stdout


def test_a_key_swapped_without_the_ds_is_the_root_cause_of_the_newest_check(
    db_url: str, tmp_path: Path
) -> None:
    with _lab(_plan(LAB_NOW)) as lab:
        anchor = lab.anchor_file(tmp_path)
        first = invoke(
            "check", "good-nsec.test", *_common(lab, anchor, db_url), "--at", f"@{LAB_NOW + HOUR}"
        )
        assert first.exit_code == 0, first.stderr + first.stdout
    with _lab(_plan(LAB_NOW, child_seed=8)) as lab:
        run = invoke("check", "good-nsec.test", *_common(lab, anchor, db_url),
                     "--at", f"@{LAB_NOW + 2 * HOUR}", "--format", "json")  # fmt: skip
    assert run.exit_code == 2, run.stderr
    doc = json.loads(run.stdout)
    assert doc["status"] == "bogus"
    roots = [
        f for f in doc["findings"] if f["root_cause"] and f["severity"] in ("error", "critical")
    ]
    assert [f["code"] for f in roots] == ["CHANGE_SINCE_LAST_GOOD"]
    detail = roots[0]["detail"]
    assert re.search(
        r"key \d+ \(KSK, algorithm 13\) left the DNSKEY RRset of good-nsec\.test\. at "
        r"2027-01-15T10:00:00Z; the DS at the parent still names it",
        detail,
    ), detail
    assert "joined the DNSKEY RRset" in detail and "it worked at 2027-01-15T09:00:00Z" in detail
    assert detail.index("left the DNSKEY") < detail.index("joined the DNSKEY")  # likely cause first
    assert re.match(
        r"Publish key \d+ in the DNSKEY RRset of good-nsec\.test\. again", roots[0]["fix"]
    )
    explained = [f for f in doc["findings"] if roots[0]["id"] in f["caused_by"]]
    assert any(f["code"] == "DS_NO_MATCHING_DNSKEY" for f in explained)
    # history says the same, and the text report shows the changes of the run
    report = invoke("history", "good-nsec.test", "--db", db_url)
    assert report.exit_code == 2
    assert "left the DNSKEY RRset of good-nsec.test." in report.stdout
    assert "CHANGE_SINCE_LAST_GOOD (critical)" in report.stdout  # as check --db recorded it
    page = invoke("history", "good-nsec.test", "--db", db_url, "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "script-src 'none'" in page and "left the DNSKEY RRset" in page


def test_watch_once_exits_with_the_worst_status_and_an_unreachable_tree_is_3(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    with _lab(_plan(LAB_NOW)) as lab:
        anchor = lab.anchor_file(tmp_path)
        late = f"@{LAB_NOW + 25 * DAY}"  # signatures expire within the week: warnings
        run = invoke(
            "watch", "good-nsec.test", "test", *_common(lab, anchor, db), "--once", "--at", late
        )
    assert run.exit_code == 1, run.stdout + run.stderr
    out = run.stdout.splitlines()
    assert out[0].startswith("2027-02-09T08:00:00Z good-nsec.test. secure warning")
    assert out[1].startswith("2027-02-09T08:00:00Z test. secure warning")
    nobody = f"{labbases.EMBEDDED}.250.250"
    silent = invoke("watch", "good-nsec.test", "--root-hints", nobody, "--trust-anchor",
                    str(anchor), "--timeout", "0.2", "--db", db, "--once")  # fmt: skip
    assert silent.exit_code == 3
    assert "good-nsec.test. cannot diagnose: no server answered" in silent.stdout
    assert invoke("watch", "--db", db, "--once").exit_code == 3  # no NAME: usage error
    assert invoke("watch", "x.test", "--interval", "0s", "--db", db).exit_code == 3


def test_watch_ends_cleanly_on_interrupt_and_terminate(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    with _lab(_plan(LAB_NOW)) as lab:
        anchor = lab.anchor_file(tmp_path)
        for sig in (signal.SIGINT, signal.SIGTERM):
            proc = subprocess.Popen(
                [sys.executable, "-m", "dnssec_doctor", "watch", "good-nsec.test",
                 *_common(lab, anchor, db), "--interval", "1h", "--at", f"@{LAB_NOW + HOUR}"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )  # fmt: skip
            assert proc.stdout is not None
            first = proc.stdout.readline()  # the first round is recorded and printed
            assert "good-nsec.test. secure" in first
            time.sleep(0.2)
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=30)
            assert proc.returncode == 0, err
            assert err == "dnssec-doctor: watch stopped\n"
    observations = invoke("history", "good-nsec.test", "--db", db, "--format", "json")
    assert json.loads(observations.stdout)["observations"] == 2


def test_watch_goes_on_when_one_record_fails(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "h.sqlite3"
    db = f"sqlite:///{path}"
    with _lab(_plan(LAB_NOW)) as lab:
        anchor = lab.anchor_file(tmp_path)
        at = f"@{LAB_NOW + HOUR}"
        first = invoke("watch", "good-nsec.test", *_common(lab, anchor, db), "--once", "--at", at)
        assert first.exit_code == 0, first.stdout + first.stderr
        holder = sqlite3.connect(path)
        holder.execute("BEGIN EXCLUSIVE")  # another writer that does not let go
        try:
            run = invoke("watch", "good-nsec.test", *_common(lab, anchor, db), "--once", "--at", at)
        finally:
            holder.rollback()
            holder.close()
    assert run.exit_code == 3 and run.stderr == ""
    assert "good-nsec.test. not recorded: history database" in run.stdout
    assert "locked" in run.stdout
    history = invoke("history", "good-nsec.test", "--db", db, "--format", "json")
    assert json.loads(history.stdout)["observations"] == 1  # the first, intact


def test_watch_stopped_before_its_first_round_ended_is_3_not_0(tmp_path: Path) -> None:
    import socket

    db = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    sink = f"{labbases.EMBEDDED}.250.251"  # a root server that reads queries, never answers
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind((sink, 53))
        proc = subprocess.Popen(
            [sys.executable, "-m", "dnssec_doctor", "watch", "good-nsec.test", "--once",
             "--root-hints", sink, "--timeout", "30", "--db", db],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        silent.settimeout(60)
        silent.recvfrom(512)  # the round's first query: the check is under way
        proc.send_signal(signal.SIGTERM)  # a systemd unit stopped, a cron job killed
        out, err = proc.communicate(timeout=30)
    assert (proc.returncode, out, err) == (3, "", "dnssec-doctor: watch stopped\n")
    assert invoke("history", "good-nsec.test", "--db", db).exit_code == 3  # nothing recorded
