"""`lab rollover`: a key rollover served stage by stage, watched with `check --at --db`.

What an operator does to see the timing codes for themselves: list the rollovers,
serve each stage in turn (a background lab, as `lab up`), check it as of the moment
the command prints, then read the history. The golden timelines of every rollover
are in test_history_rollover_lab (and, for those of a zone anchored with its own trust
anchor, test_history_holddown_lab); these tests follow the command's own instructions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import labbases
from clirun import invoke
from dnssec_doctor.lab import manager
from dnssec_doctor.lab.rollovers import ANCHORED_ROLLOVERS, ROLLOVERS

START = "2027-01-15T08:00:00Z"


@pytest.fixture
def lab_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "lab"
    yield directory
    manager.down(directory)


def test_the_listing_names_every_rollover_its_stages_and_what_history_reports() -> None:
    run = invoke("lab", "rollover")
    assert run.exit_code == 0, run.stderr
    for rollover in ROLLOVERS.values():
        assert rollover.name in run.stdout
        for code, _ in rollover.expected:
            assert code in run.stdout
    assert "+2:20  DNSKEYs ksk zsk-next; DNSKEY RRset signed by ksk; data by zsk-next" in run.stdout
    assert "+1:00  DNSKEYs ksk zsk zsk-next (TTL 20 minutes); DNSKEY RRset" in run.stdout
    assert "DS at the parent for ksk; CDS and CDNSKEY for ksk-next" in run.stdout
    assert "CDS_NOT_PICKED_UP at +3d1:00" in run.stdout


def test_the_monitoring_guide_lists_every_rollover() -> None:
    guide = (Path(__file__).parent.parent / "docs" / "monitoring.md").read_text(encoding="utf-8")
    for name in [*ROLLOVERS, *ANCHORED_ROLLOVERS]:
        assert f"`{name}`" in guide, name


def test_the_last_stage_of_a_wait_of_days_says_when_history_reports_it(lab_dir: Path) -> None:
    run = invoke("lab", "rollover", "cds-not-picked-up", "--dir", str(lab_dir),
                 "--base", labbases.ROLLOVER_CLI, "--start", START, "--after", "1h")  # fmt: skip
    assert run.exit_code == 0, run.stderr
    assert "CDS and CDNSKEY for ksk-next" in run.stdout
    assert (
        "history reports CDS_NOT_PICKED_UP from 2027-01-18T09:00:00Z: keep checking until then"
        in run.stdout
    )


def test_an_unknown_rollover_or_duration_is_one_line_and_exit_3(lab_dir: Path) -> None:
    run = invoke("lab", "rollover", "no-such-roll", "--dir", str(lab_dir))
    assert run.exit_code == 3 and run.stderr.count("\n") == 1
    assert "zsk-removed-too-early" in run.stderr
    run = invoke("lab", "rollover", "zsk-removed-too-early", "--after", "soon",
                 "--dir", str(lab_dir), "--base", labbases.ROLLOVER_CLI)  # fmt: skip
    assert run.exit_code == 3 and "invalid duration" in run.stderr
    assert manager.status(lab_dir) is None


def test_following_the_printed_steps_shows_the_old_zsk_removed_too_early(
    lab_dir: Path, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'rollover.sqlite3'}"
    after = "0s"
    moments = []
    codes_at: dict[str, set[str]] = {}
    while True:
        where = ("--dir", str(lab_dir), "--base", labbases.ROLLOVER_CLI)
        run = invoke("lab", "rollover", "zsk-removed-too-early", *where,
                     "--start", START, "--after", after)  # fmt: skip
        assert run.exit_code == 0, run.stderr
        check = re.search(r"check it as of then: dnssec-doctor (check .*)", run.stdout)
        assert check is not None, run.stdout
        args = check.group(1).split()
        args[args.index("--db") + 1] = db
        every = re.search(r"every 20 minutes until the next stage: (.*)", run.stdout)
        assert every is not None, run.stdout
        at = args.index("--at") + 1
        assert every.group(1).split()[0] == args[at]
        moments.append(args[at])
        for moment in every.group(1).split():
            args[at] = moment
            checked = invoke(*args, "--timeout", "1", "--format", "json")
            assert checked.stderr == "", checked.stderr
            codes_at[moment] = {f["code"] for f in json.loads(checked.stdout)["findings"]}
        manager.down(lab_dir)
        following = re.search(r"--after (\d+m)", run.stdout)
        if following is None:
            break
        after = following.group(1)
    assert moments == ["2027-01-15T08:00:00Z", "2027-01-15T09:00:00Z", "2027-01-15T10:20:00Z"]
    early = [m for m, codes in codes_at.items() if "ZSK_REMOVED_TOO_EARLY" in codes]
    # Reported from the check that saw the old ZSK gone while its signatures could still
    # be cached (the data TTL is an hour), and not before.
    assert early and early[0] == "2027-01-15T10:20:00Z", codes_at
    report = invoke("history", "good-nsec.test", "--db", db, "--format", "json")
    assert report.exit_code in (0, 1, 2), report.stderr
    assert "ZSK_REMOVED_TOO_EARLY" in report.stdout


def test_following_an_anchored_rollover_day_by_day_shows_the_hold_down_risk(
    lab_dir: Path, tmp_path: Path
) -> None:
    # Catches: the zone's anchor not printed (or not the zone's keys), a stage served with
    # signatures of the rollover's first day (expired weeks later), and the code missed.
    db = f"sqlite:///{tmp_path / 'anchored.sqlite3'}"
    after, saved = "0d", False
    codes_at: dict[str, set[str]] = {}
    while True:
        where = ("--dir", str(lab_dir), "--base", labbases.ROLLOVER_CLI, "--start", START)
        run = invoke("lab", "rollover", "ksk-rfc5011-removed-too-early", *where, "--after", after)
        assert run.exit_code == 0, run.stderr
        anchor = re.findall(r"^  (good-nsec\.test\. IN DNSKEY 257 .*)$", run.stdout, re.M)
        assert len(anchor) == 2, run.stdout
        if not saved:
            (tmp_path / "zone-anchor.dnskey").write_text("\n".join(anchor) + "\n")
            saved = True
        check = re.search(r"check it as of then: dnssec-doctor (check .*)", run.stdout)
        assert check is not None and "--trust-anchor zone-anchor.dnskey" in check.group(1)
        args = check.group(1).split()
        args[args.index("--db") + 1] = db
        args[args.index("zone-anchor.dnskey")] = str(tmp_path / "zone-anchor.dnskey")
        checked = invoke(*args, "--timeout", "1", "--format", "json")
        assert checked.stderr == "", checked.stderr
        doc = json.loads(checked.stdout)
        codes_at[after] = {f["code"] for f in doc["findings"]}
        assert doc["status"] == "secure", (after, doc["findings"])  # re-signed that day
        manager.down(lab_dir)
        following = re.search(r"next day: .* --after (\d+d)$", run.stdout, re.M)
        if following is None:
            break
        after = following.group(1)
    assert list(codes_at) == [f"{d}d" for d in range(8)]
    assert [d for d, codes in codes_at.items() if "RFC5011_HOLDDOWN_RISK" in codes] == [
        "5d", "6d", "7d"
    ]  # fmt: skip
