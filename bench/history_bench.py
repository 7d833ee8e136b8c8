"""Benchmark: the cost of ``check --db`` and the speed of ``history``.

Part 1. An embedded lab (``--base``, default 127.91) serves ``good-nsec.test``. In
the same run, interleaved, ``--repeat`` times (median reported), each a fresh
process: ``check`` alone, ``check --db`` on an SQLite file (at the current schema:
the sqlite3 fast path), ``check --db`` on PostgreSQL (libpq through ctypes,
connected in a thread once the probe waits, or as it ends). Each run's wall time
and its CPU time (user + system, from the child's rusage: less disturbed by other
jobs on a shared machine). Then, apart, the import of the store and the record step alone, in
process (facts, the history queries, the one-transaction write), which is what
``--db`` adds once the modules are imported. Target: ``check --db`` under 20 ms
more than ``check``.

Part 2. A history of ``--observations`` (default 10,000) observations of one name
(every five minutes for five weeks, re-signed daily: 35 served states recorded
through the store, the observations between them inserted in bulk with their
payloads), then ``history NAME --format json`` as a fresh process and the report
built in process. Target: under 1 s.

PostgreSQL is Debian's, started in a temporary directory (``tests/pgserver.py``).
Nothing leaves 127.0.0.0/8.

    .venv/bin/python bench/history_bench.py [--write] [--repeat N] [--observations N]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gzip
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "tests"))

from readme_section import write_section  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from dnssec_doctor.history.facts import sealed  # noqa: E402
from dnssec_doctor.history.opener import open_store  # noqa: E402
from dnssec_doctor.history.recorder import record_check  # noqa: E402
from dnssec_doctor.history.report import build_report, states_needed  # noqa: E402
from dnssec_doctor.history.schema import observations, payloads  # noqa: E402
from dnssec_doctor.history.store import HistoryStore  # noqa: E402
from dnssec_doctor.lab.background import BackgroundLab  # noqa: E402
from dnssec_doctor.lab.scenarios import build_lab  # noqa: E402
from dnssec_doctor.model.anchors import anchors_from_lines  # noqa: E402
from dnssec_doctor.model.capture import Capture  # noqa: E402
from dnssec_doctor.probe.hints import parse_root_hints  # noqa: E402
from dnssec_doctor.probe.request import ProbeRequest  # noqa: E402
from dnssec_doctor.session import diagnose_capture_with_survey, new_seed, probe_live  # noqa: E402
from dnssec_doctor.transport.policy import AddressPolicy  # noqa: E402
from pgserver import fresh_database, postgres_server  # noqa: E402

SECTION = "## History store: check --db and history"
NAME = "good-nsec.test."
DAY, STEP = 86400, 300


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


THEN_SRC: Path | None = None
"""``--compare-with``: the ``src`` directory of another version, timed in the same run."""
THEN = "_then"


def _env(key: str) -> dict[str, str] | None:
    """The environment of a run: the other version's source first for the ``_then`` ones."""
    if not key.endswith(THEN) or THEN_SRC is None:
        return None
    return {**os.environ, "PYTHONPATH": str(THEN_SRC)}


def _run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one process."""
    cpu, start = _children_cpu(), time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr}")
    return elapsed, _children_cpu() - cpu


def _timed(argv: list[str]) -> float:
    return _run(argv)[0]


def bench_check(
    repeat: int, base: str, pg_url: str, workdir: Path, *, delay: bool = False
) -> dict[str, float]:
    """Median wall time of the three check variants and of the record step alone.

    ``delay``: every server answers 50 ms late (the lab's ``delay-50ms`` fault), as on a
    real network, where the import warm-up overlaps the probe's waiting.
    """
    plan = build_lab(int(time.time()), base=base, names=["good-nsec"])
    if delay:
        slow = tuple(dataclasses.replace(s, faults=("delay-50ms",)) for s in plan.servers)
        plan = dataclasses.replace(plan, servers=slow)
    sqlite_url = f"sqlite:///{workdir / ('delayed' if delay else 'check')}.sqlite3"
    variants = {"check": [], "sqlite": ["--db", sqlite_url], "postgresql": ["--db", pg_url]}
    if THEN_SRC is not None:  # the other version, on databases of its own
        then_pg = pg_url.rsplit("/", 1)[0] + "/postgres"
        then_pg = fresh_database(then_pg, pg_url.rsplit("/", 1)[1] + THEN)
        variants |= {f"check{THEN}": [], f"sqlite{THEN}": ["--db", sqlite_url + THEN],
                     f"postgresql{THEN}": ["--db", then_pg]}  # fmt: skip
    samples: dict[str, list[float]] = {}
    with BackgroundLab(plan) as lab:
        anchor = lab.anchor_file(workdir)
        base_argv = [sys.executable, "-m", "dnssec_doctor", "check", "good-nsec.test",
                     "--root-hints", lab.root_hints, "--trust-anchor", str(anchor),
                     "--format", "json"]  # fmt: skip
        for key, extra in variants.items():  # warm the page cache; create the databases
            _run([*base_argv, *extra], _env(key))
        for _ in range(repeat):
            for key, extra in variants.items():
                wall, cpu = _run([*base_argv, *extra], _env(key))
                samples.setdefault(key, []).append(wall)
                samples.setdefault(f"{key}_cpu", []).append(cpu)
        capture = _probe(lab, plan.trust_anchor_ds)
    out = {k: _median_ms(v) for k, v in samples.items()}
    for key, url in (("import_sqlite", sqlite_url), ("import_postgresql", pg_url)):
        out[key] = _median_ms([_import_time(url) for _ in range(repeat)])
    for key, url in (("record_sqlite", sqlite_url), ("record_postgresql", pg_url)):
        out[key] = _median_ms(_record_times(url, capture, repeat))
    return out


def _import_time(url: str) -> float:
    """Seconds a fresh interpreter that imported what ``check`` imports anyway takes to
    import the history store and open ``url`` (as ``check --db`` does)."""
    # what check imports anyway first (the analysis, the JSON renderer), then the store
    code = (
        "import dnssec_doctor.analysis.engine, dnssec_doctor.model.diagnosis_json; "
        "import time; t = time.perf_counter(); "
        "import dnssec_doctor.history.recorder; "
        "from dnssec_doctor.history.opener import open_store; "
        f"open_store({url!r}, quick=True).close(); "
        "print(time.perf_counter() - t)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(proc.stdout)


def _probe(lab: BackgroundLab, anchor_ds: tuple[str, ...]) -> Capture:
    import asyncio

    import dns.name

    request = ProbeRequest(
        name=dns.name.from_text(NAME),
        root_hints=tuple(parse_root_hints(lab.root_hints)),
        trust_anchors=anchors_from_lines(list(anchor_ds), "bench"),
        seed=new_seed(),
    )
    return asyncio.run(probe_live(request, AddressPolicy.permissive()))


def _record_times(url: str, capture: Capture, repeat: int) -> list[float]:
    times = []
    with open_store(url, quick=True) as store:  # as check --db opens it
        for i in range(repeat):
            diagnosis, survey = diagnose_capture_with_survey(capture, int(time.time()) + i)
            start = time.perf_counter()
            record_check(store, capture, diagnosis, survey)
            times.append(time.perf_counter() - start)
    return times


def fill_history(url: str, count: int, capture: Capture, now: int) -> None:
    """``count`` observations every five minutes, a new served state each day."""
    diagnosis, survey = diagnose_capture_with_survey(capture, now)
    with HistoryStore.open(url) as store:
        recorded = record_check(store, capture, diagnosis, survey)
        _, diagnosis_doc = store.payload(recorded.observation_id)
        start = now - count * STEP
        days = count * STEP // DAY + 1
        state_ids = []
        for day in range(days):
            shift = day * DAY
            facts = recorded.facts
            moved = [
                s._replace(inception=s.inception - (days - day) * DAY + shift,
                                    expiration=s.expiration - (days - day) * DAY + shift)
                for s in facts.signatures
            ]  # fmt: skip
            daily = sealed(
                facts.zones, list(facts.servers), list(facts.keys), list(facts.ds), moved
            )
            with store.engine.begin() as conn:
                state_ids.append(store._state_id(conn, daily))
        blob = gzip.compress(b"{}")
        rows, blobs = [], []
        with store.engine.begin() as conn:
            for i in range(count - 1):
                at = start + i * STEP
                rows.append({
                    "name": NAME, "observed_at": at, "recorded_at": at, "status": "secure",
                    "worst": "info", "exit_code": 0, "finding_count": 0,
                    "earliest_expiration": at + 20 * DAY,
                    "state_id": state_ids[min((at - start) // DAY, days - 1)],
                    "tool_version": "bench",
                })  # fmt: skip
            ids = conn.execute(insert(observations).returning(observations.c.id), rows).all()
            blobs = [
                {"observation_id": r[0], "capture_gz": blob, "diagnosis_gz": blob} for r in ids
            ]
            conn.execute(insert(payloads), blobs)
    del diagnosis_doc


def bench_history(url: str, repeat: int) -> dict[str, float]:
    """Median wall and CPU time of ``history`` as a process; in process, the read (store
    open, observations, facts), the report and the JSON rendering apart."""
    from dnssec_doctor.render.history import render_history_json

    argv = [sys.executable, "-m", "dnssec_doctor", "history", NAME, "--db", url, "--format", "json"]
    _timed(argv)
    runs, then = [], []
    for _ in range(repeat):
        runs.append(_run(argv))
        if THEN_SRC is not None:
            then.append(_run(argv, _env(THEN)))
    parts: dict[str, list[float]] = {"read": [], "report": [], "render": []}
    for _ in range(repeat):
        start = time.perf_counter()
        with open_store(url) as store:
            everything = store.observations(NAME)
            facts = store.facts(states_needed(everything, None))
        read = time.perf_counter()
        report = build_report(NAME, everything, facts)
        built = time.perf_counter()
        render_history_json(report)
        parts["read"].append(read - start)
        parts["report"].append(built - read)
        parts["render"].append(time.perf_counter() - built)
    return {
        "process": _median_ms([w for w, _ in runs]),
        "process_cpu": _median_ms([c for _, c in runs]),
        **(
            {
                f"process{THEN}": _median_ms([w for w, _ in then]),
                f"process_cpu{THEN}": _median_ms([c for _, c in then]),
            }
            if then
            else {}
        ),
        **{k: _median_ms(v) for k, v in parts.items()},
        "observations": float(len(everything)),
    }


def _verdict(wall: float, cpu: float) -> str:
    if max(wall, cpu) < 20:
        return "met"
    return "met in CPU time, not in wall time" if cpu < 20 else "not met"


def markdown(
    check: dict[str, float],
    delayed: dict[str, float],
    history: dict[str, dict[str, float]],
    argv: str,
) -> str:
    """The README section."""
    today = datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%d")
    added = {
        key: (check[key] - check["check"], delayed[key] - delayed["check"],
              check[f"{key}_cpu"] - check["check_cpu"])
        for key in ("sqlite", "postgresql")
    }  # fmt: skip
    return "\n".join([
        SECTION, "",
        f"Measured {today} with `{argv}` (2-core machine shared with other jobs; medians; "
        f"load average {LOAD_BEFORE} at the start, {LOAD_AFTER} at the end; bytecode "
        "compiled first).",
        "", "`check good-nsec.test --format json` on an embedded lab, fresh process each time, "
        "the three variants interleaved, with answers at once (loopback) and 50 ms late (like "
        "a real network); CPU is the process's user + system time (what other jobs on the "
        "machine disturb least):",
        "", "| run | loopback | loopback, CPU | 50 ms per answer |", "|---|---:|---:|---:|",
        *(f"| {label}{tag} | {check[k + t]:.0f} ms | {check[f'{k}{t}_cpu']:.0f} ms | "
          f"{delayed[k + t]:.0f} ms |"
          for t, tag in (("", ""), *(((THEN, f" ({THEN_LABEL})"),) if THEN_SRC else ()))
          for k, label in (("check", "check"), ("sqlite", "check --db sqlite:///…"),
                           ("postgresql", "check --db postgresql://… (loopback)"))),
        "",
        f"`--db` adds {added['sqlite'][0]:.0f} ms wall / {added['sqlite'][2]:.0f} ms CPU "
        f"(SQLite) and {added['postgresql'][0]:.0f} ms / {added['postgresql'][2]:.0f} ms "
        f"(PostgreSQL) on loopback; {added['sqlite'][1]:.0f} ms and "
        f"{added['postgresql'][1]:.0f} ms wall with 50 ms per answer."
        + (
            f" {THEN_LABEL.capitalize()}, in the same run: "
            f"{check['sqlite' + THEN] - check['check' + THEN]:.0f} ms wall / "
            f"{check['sqlite' + THEN + '_cpu'] - check['check' + THEN + '_cpu']:.0f} ms CPU "
            f"(SQLite) and {check['postgresql' + THEN] - check['check' + THEN]:.0f} ms / "
            f"{check['postgresql' + THEN + '_cpu'] - check['check' + THEN + '_cpu']:.0f} ms "
            "(PostgreSQL)."
            if THEN_SRC is not None
            else ""
        )
        + " Measured apart (medians): importing the history modules after what `check` "
        "imports anyway and opening the store as `check` opens it (connecting included, which "
        "`check` does in a thread once its probe waits, or as it ends), "
        f"{check['import_sqlite']:.0f} ms (SQLite) and {check['import_postgresql']:.0f} ms "
        "(PostgreSQL); the record step itself (facts, history queries, "
        f"the one-transaction write) {check['record_sqlite']:.1f} ms and "
        f"{check['record_postgresql']:.1f} ms. A database at the current schema is read and "
        "written straight on its driver (`history/directstore.py`: sqlite3; for `check` on "
        "PostgreSQL libpq itself through ctypes, `history/libpq.py`, as importing psycopg cost "
        "about 40 ms; psycopg for the other commands), without "
        "importing SQLAlchemy, which cost about 0.2 s (it is imported only to create, migrate "
        "or refuse a database, and for URLs with options). Target: under 20 ms more than "
        "`check`: "
        + "; ".join(f"{b}: {_verdict(wall, cpu)}" for b, (wall, _, cpu) in added.items())
        + ". On this shared machine the wall time of `check` alone was "
        f"{check['check'] / check['check_cpu']:.1f}× its CPU time, and the `--db` "
        "differences grow with it.",
        "", "`history NAME --format json` of a name with "
        f"{history['sqlite']['observations']:.0f} observations (every 5 minutes, re-signed "
        "daily); in process, apart: reading (open, observations, facts), the report, the "
        "JSON:",
        "", "| backend | process | process, CPU | read | report | JSON |",
        "|---|---:|---:|---:|---:|---:|",
        *(f"| {b} | {h['process']:.0f} ms | {h['process_cpu']:.0f} ms | {h['read']:.0f} ms | "
          f"{h['report']:.0f} ms | {h['render']:.0f} ms |" for b, h in history.items()),
        *(f"| {b} ({THEN_LABEL}) | {h['process' + THEN]:.0f} ms | "
          f"{h['process_cpu' + THEN]:.0f} ms | | | |"
          for b, h in history.items() if THEN_SRC is not None),
        "", "Target: under 1 s: "
        + ("met" if all(h["process"] < 1000 for h in history.values()) else "not met")
        + " (the rest of the process is starting Python and importing; the report reads "
        "one row per observation and the facts of each distinct served state once).", "",
    ])  # fmt: skip


LOAD_BEFORE = ""
LOAD_AFTER = ""
THEN_LABEL = "before"


def main() -> None:
    global LOAD_BEFORE, LOAD_AFTER, THEN_SRC, THEN_LABEL  # noqa: PLW0603 (printed in the report)
    LOAD_BEFORE = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    # as `make venv` leaves it: a stale .pyc (PYTHONDONTWRITEBYTECODE) would be timed too
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "src")], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--observations", type=int, default=10_000)
    parser.add_argument("--base", default="127.91", help="embedded lab prefix (127.x)")
    parser.add_argument("--write", action="store_true", help="update bench/README.md")
    parser.add_argument(
        "--compare-with",
        type=Path,
        metavar="SRC",
        help="also time this src directory of another version, same run",
    )
    parser.add_argument("--compare-label", default="before", help="its name in the tables")
    args = parser.parse_args()
    THEN_SRC, THEN_LABEL = args.compare_with, args.compare_label
    # Every tree timed starts from compiled byte-code, as an installed copy does (a shell
    # with PYTHONDONTWRITEBYTECODE would otherwise compile new modules on every run).
    for src in (Path(__file__).resolve().parent.parent / "src", THEN_SRC):
        if src is not None:
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, postgres_server() as server:
        workdir = Path(tmp)
        check = bench_check(args.repeat, args.base, fresh_database(server, "check_bench"), workdir)
        print(check, file=sys.stderr)
        delayed = bench_check(
            args.repeat, args.base, fresh_database(server, "delayed_bench"), workdir, delay=True
        )
        print(delayed, file=sys.stderr)
        plan = build_lab(int(time.time()), base=args.base, names=["good-nsec"])
        with BackgroundLab(plan) as lab:
            capture = _probe(lab, plan.trust_anchor_ds)
        history = {}
        for backend, url in (
            ("sqlite", f"sqlite:///{workdir / 'history.sqlite3'}"),
            ("postgresql", fresh_database(server, "history_bench")),
        ):
            fill_history(url, args.observations, capture, int(time.time()))
            history[backend] = bench_history(url, max(3, args.repeat // 3))
            print(backend, history[backend], file=sys.stderr)
    LOAD_AFTER = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    argv = "python bench/history_bench.py " + " ".join(sys.argv[1:])
    text = markdown(check, delayed, history, argv.strip())
    print(text)
    if args.write:
        write_section(SECTION, text, BENCH / "README.md")


if __name__ == "__main__":
    main()
