"""`scan --db`: every name recorded in the history store as `check --db` records it.

Real parts: the embedded lab on loopback, the history store on SQLite and on a real
PostgreSQL server (``historydb``), the scan's analysis in a worker process (what it
prepares is pickled to the writer), and a Dask LocalCluster. Time is a parameter:
every scan runs ``--at``, a KSK swapped on the child's servers while the parent keeps
the old DS is the good → bad transition history must name.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import historydb
import labbases
from clirun import Run, invoke
from dnssec_doctor.history.opener import open_store
from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.scenarios import build_lab
from labthread import LAB_NOW

db_url = historydb.db_url
postgres_url = historydb.postgres_url

SCENARIOS = ["good-nsec", "good-nsec3", "ds-no-matching-key", "expired-signatures"]
NAMES = [f"{s}.test" for s in SCENARIOS]
SWAPPED = "good-nsec.test."
HOUR = 3600
SCAN_FIELDS = {"line", "exit", "worst_severity", "root_causes", "earliest_expiry", "timing"}
"""What a scan record adds to `check --format json`'s document."""


def _plan(child_seed: int = 7) -> LabPlan:
    """The lab; good-nsec.test's own servers with keys from ``child_seed`` (7: as the DS)."""
    plan = build_lab(LAB_NOW, base=labbases.EMBEDDED, seed=7, names=SCENARIOS)
    if child_seed == 7:
        return plan
    other = build_lab(LAB_NOW, base=labbases.EMBEDDED, seed=child_seed, names=SCENARIOS)

    def is_child(server: object) -> bool:
        return any(z.origin == SWAPPED for z in server.zones)  # type: ignore[attr-defined]

    servers = (
        *(s for s in plan.servers if not is_child(s)),
        *(s for s in other.servers if is_child(s)),
    )
    return dataclasses.replace(plan, servers=servers)


@contextmanager
def _lab(child_seed: int = 7) -> Iterator[BackgroundLab]:
    with BackgroundLab(_plan(child_seed)) as lab:
        yield lab


def _scan(lab: BackgroundLab, anchor: Path, listing: Path, out: Path, db: str, at: int,
          *extra: str) -> Run:  # fmt: skip
    return invoke(
        "scan", str(listing), "-o", str(out), "--db", db, "--at", f"@{at}",
        "--root-hints", lab.root_hints, "--trust-anchor", str(anchor), "--timeout", "1",
        "--workers", "1", *extra,
    )  # fmt: skip


def _listing(tmp_path: Path, names: list[str]) -> Path:
    path = tmp_path / "names.txt"
    path.write_text("".join(f"{n}\n" for n in names))
    return path


def _records(out: Path) -> dict[str, dict[str, Any]]:
    records = [json.loads(line) for line in out.read_text().splitlines()]
    return {r["name"]: r for r in records}


def _stored(db: str, name: str) -> list[dict[str, Any]]:
    """The diagnosis documents recorded for ``name``, oldest first."""
    with open_store(db) as store:
        return [store.payload(o.id)[1] for o in store.observations(name)]


def _without_scan_fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in SCAN_FIELDS}


def test_each_name_is_recorded_and_its_line_is_what_check_db_stored(
    db_url: str, tmp_path: Path
) -> None:
    """Catches: a scan that records nothing, records a different diagnosis than it writes,
    or drops a name; the PreparedCheck not surviving the trip from the worker process."""
    out = tmp_path / "out.jsonl"
    with _lab() as lab:
        anchor = lab.anchor_file(tmp_path)
        run = _scan(lab, anchor, _listing(tmp_path, NAMES), out, db_url, LAB_NOW + HOUR)
    assert run.exit_code == 2, run.stderr
    (stored_line,) = [ln for ln in run.stderr.splitlines() if ln.startswith("recorded ")]
    assert stored_line.startswith(f"recorded {len(NAMES)} names in the history store ")
    assert stored_line.endswith(db_url.rsplit("/", 1)[1])  # the store's URL, as errors show it
    records = _records(out)
    assert sorted(records) == sorted(f"{n}." for n in NAMES)
    for name, record in records.items():
        assert "_history" not in record
        (stored,) = _stored(db_url, name)
        assert _without_scan_fields(record) == stored
        shown = invoke("history", name, "--db", db_url, "--format", "json")
        assert json.loads(shown.stdout)["observations"] == 1, shown.stderr
    assert records["ds-no-matching-key.test."]["status"] == "bogus"


def test_a_second_scan_over_a_changed_lab_names_the_change_as_check_db_does(
    db_url: str, tmp_path: Path
) -> None:
    """Catches: the writer not reading history (no CHANGE_SINCE_LAST_GOOD), the scan's
    line keeping the worker's diagnosis instead of history's, or a different finding
    from what `check --db` says against the same database state."""
    listing = _listing(tmp_path, NAMES)
    with _lab() as lab:
        anchor = lab.anchor_file(tmp_path)
        first = _scan(lab, anchor, listing, tmp_path / "first.jsonl", db_url, LAB_NOW + HOUR)
    assert first.exit_code == 2, first.stderr
    copy = None
    if db_url.startswith("sqlite:///"):  # the database as the second scan finds it
        source = Path(db_url.removeprefix("sqlite:///"))
        shutil.copyfile(source, tmp_path / "copy.sqlite3")
        copy = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    out = tmp_path / "second.jsonl"
    with _lab(child_seed=8) as lab:
        second = _scan(lab, anchor, listing, out, db_url, LAB_NOW + 2 * HOUR)
        alone = None
        if copy is not None:
            alone = invoke("check", SWAPPED, "--db", copy, "--at", f"@{LAB_NOW + 2 * HOUR}",
                           "--root-hints", lab.root_hints, "--trust-anchor", str(anchor),
                           "--timeout", "1", "--format", "json")  # fmt: skip
    assert second.exit_code == 2, second.stderr
    record = _records(out)[SWAPPED]
    assert record["status"] == "bogus" and record["exit"] == 2
    assert record["root_causes"] == ["CHANGE_SINCE_LAST_GOOD"]
    (change,) = [f for f in record["findings"] if f["code"] == "CHANGE_SINCE_LAST_GOOD"]
    assert "left the DNSKEY RRset of good-nsec.test." in change["detail"]
    stored = _stored(db_url, SWAPPED)
    assert len(stored) == 2 and _without_scan_fields(record) == stored[1]
    if alone is not None:
        assert alone.exit_code == 2, alone.stderr
        assert json.loads(alone.stdout) == _without_scan_fields(record)


def test_dask_local_records_every_name_from_the_client(tmp_path: Path) -> None:
    """Catches: the Dask path dropping what to record (its workers' records are built
    elsewhere), or a worker opening the store itself."""
    db = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    out = tmp_path / "out.jsonl"
    with _lab() as lab:
        anchor = lab.anchor_file(tmp_path)
        run = _scan(lab, anchor, _listing(tmp_path, NAMES), out, db, LAB_NOW + HOUR,
                    "--dask", "local:2", "--batch-size", "2")  # fmt: skip
    assert run.exit_code == 2, run.stderr
    records = _records(out)
    assert len(records) == len(NAMES)
    for name, record in records.items():
        assert "_history" not in record
        (stored,) = _stored(db, name)
        assert _without_scan_fields(record) == stored


def test_resume_records_only_the_names_it_scans(tmp_path: Path) -> None:
    """Catches: --resume recording again the names the output already holds."""
    db = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    out = tmp_path / "out.jsonl"
    with _lab() as lab:
        anchor = lab.anchor_file(tmp_path)
        first = _scan(lab, anchor, _listing(tmp_path, NAMES[:2]), out, db, LAB_NOW + HOUR)
        assert first.exit_code == 0, first.stderr
        again = _scan(lab, anchor, _listing(tmp_path, NAMES), out, db, LAB_NOW + HOUR,
                      "--resume")  # fmt: skip
    assert again.exit_code == 2, again.stderr
    assert len(out.read_text().splitlines()) == len(NAMES)
    for name in NAMES:
        assert len(_stored(db, f"{name}.")) == 1, name


def _silent_hints() -> tuple[socket.socket, str]:
    """A UDP socket standing in for the root: any probe would land in it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    return sock, f"127.0.0.1:{sock.getsockname()[1]}"


def _refused_before_probing(tmp_path: Path, db: str) -> Run:
    """Scan with ``db`` against a root that records queries; the output file must be kept."""
    out = tmp_path / "out.jsonl"
    out.write_text('{"kept": true}\n')
    sock, hints = _silent_hints()
    with sock:
        run = invoke("scan", str(_listing(tmp_path, NAMES)), "-o", str(out), "--db", db,
                     "--root-hints", hints, "--workers", "0")  # fmt: skip
        try:
            sock.recv(4096)
        except BlockingIOError:
            pass
        else:
            raise AssertionError("a name was probed before the database was found unusable")
    assert run.exit_code == 3 and run.stdout == ""
    assert run.stderr.count("\n") == 1, run.stderr
    assert out.read_text() == '{"kept": true}\n'
    return run


def test_an_unusable_database_is_one_line_before_any_probe(tmp_path: Path) -> None:
    """Catches: a bad --db found only when the first name is recorded (after probing and
    after the output was truncated), or a traceback."""
    run = _refused_before_probing(tmp_path, "mysql://doctor@localhost/x")
    assert "unsupported --db URL scheme" in run.stderr
    path = tmp_path / "h.sqlite3"
    assert open_store(f"sqlite:///{path}") is not None  # created at the current schema
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    assert "newer" in _refused_before_probing(tmp_path, f"sqlite:///{path}").stderr


def test_a_locked_sqlite_file_is_one_line_before_any_probe(tmp_path: Path) -> None:
    """Catches: a lock found only at the first record (a probed, unrecorded scan)."""
    path = tmp_path / "h.sqlite3"
    url = f"sqlite:///{path}"
    open_store(url).close()
    holder = sqlite3.connect(path, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        run = _refused_before_probing(tmp_path, url)
    finally:
        holder.rollback()
        holder.close()
    assert "locked" in run.stderr and url in run.stderr


@pytest.mark.parametrize("where", [(), ("--dask", "local:2", "--batch-size", "1")],
                         ids=["pool", "dask"])  # fmt: skip
def test_a_record_that_fails_mid_scan_stops_with_a_valid_partial_output(
    tmp_path: Path, where: tuple[str, ...]
) -> None:
    """Catches: a line written for a name whose record failed, a half-written record
    (the transaction not rolled back), a scan that goes on without recording, or a
    traceback instead of one line (also when the Dask client is the writer)."""
    path = tmp_path / "h.sqlite3"
    db = f"sqlite:///{path}"
    open_store(db).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON observation_payloads "
        "WHEN (SELECT name FROM observations WHERE id = NEW.observation_id) "
        "= 'ds-no-matching-key.test.' BEGIN SELECT RAISE(ABORT, 'disk full (a test trigger)'); END"
    )
    conn.commit()
    conn.close()
    out = tmp_path / "out.jsonl"
    with _lab() as lab:
        anchor = lab.anchor_file(tmp_path)
        run = _scan(lab, anchor, _listing(tmp_path, NAMES), out, db, LAB_NOW + HOUR, *where)
    assert run.exit_code == 3
    errors = [line for line in run.stderr.splitlines() if line.startswith("dnssec-doctor")]
    assert len(errors) == 1 and "cannot record" in errors[0] and "disk full" in errors[0]
    assert "Traceback" not in run.stderr
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["name"] for r in written] == ["good-nsec.test.", "good-nsec3.test."]
    with open_store(db) as store:
        assert sorted(store.names()) == ["good-nsec.test.", "good-nsec3.test."]
    conn = sqlite3.connect(path)
    (payloads,) = conn.execute("SELECT COUNT(*) FROM observation_payloads").fetchone()
    (observations,) = conn.execute("SELECT COUNT(*) FROM observations").fetchone()
    conn.close()
    assert payloads == observations == 2
