"""Benchmark: `dnssec-doctor serve` under 50 concurrent API checks of lab zones.

An embedded lab (every scenario, signed now: the server reads the clock) on
``--base`` and one ``serve`` process with its default limits (8 checks at once, 100
queued, 20 queries/s per destination) except the per-client rate (all requests
come from this one client) and ``--allow-private-targets`` (the lab is on loopback).

1. 50 distinct checks (``ZONE`` and ``www.ZONE`` of the scenarios) are POSTed at
   once from 50 threads, then polled until each is done or failed: every POST must
   be a 202 and every job must end ``done`` (no error, none dropped).
2. A reused result: the same request as a finished check, POSTed ``--repeat`` times
   one after the other; the time of each answer (the client's view, HTTP included).
3. The page of a finished check: ``GET /checks/{id}`` of each finished check.

Nothing leaves 127.0.0.0/8. The lab runs in this process (a thread), like the tests'.

    .venv/bin/python bench/web_bench.py [--base 127.88] [--port 9580] [--repeat 50]
        [--serve-option=--destination-rate=1000 ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.scenarios import build_lab, scenario_names

CHECKS = 50


def call(url: str, body: object = None) -> tuple[int, bytes, float]:
    """Status, body and seconds of one request."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=300) as response:
            raw = response.read()
            return response.status, raw, time.perf_counter() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.perf_counter() - started


def wait_listening(base: str) -> None:
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/openapi.json", timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("serve did not start")


def names() -> list[str]:
    zones = [f"{s}.test" for s in scenario_names()]
    found = [*zones, *(f"www.{z}" for z in zones)]
    return found[:CHECKS]


def poll(base: str, url: str) -> dict[str, Any]:
    while True:
        status, raw, _ = call(base + url)
        state: dict[str, Any] = json.loads(raw)
        if status != 200 or state["state"] in ("done", "failed"):
            return state
        time.sleep(0.25)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="127.88", help="the lab's prefix (127.x)")
    parser.add_argument("--port", type=int, default=9580)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument(
        "--serve-option",
        action="append",
        default=[],
        metavar="OPTION",
        help="passed to serve (e.g. --serve-option=--destination-rate=1000)",
    )
    args = parser.parse_args()
    plan = build_lab(int(time.time()), base=args.base)
    host = f"{args.base}.253.1"
    base = f"http://{host}:{args.port}"
    with BackgroundLab(plan) as lab, tempfile.TemporaryDirectory() as tmp:
        anchor = lab.anchor_file(Path(tmp))
        server = subprocess.Popen(
            [
                sys.executable, "-m", "dnssec_doctor", "serve", "--host", host,
                "--port", str(args.port), "--root-hints", lab.root_hints,
                "--trust-anchor", str(anchor), "--allow-private-targets",
                "--client-rate", "100000", *args.serve_option,
            ]
        )  # fmt: skip
        try:
            wait_listening(base)
            report(base, args.repeat)
        finally:
            server.terminate()
            server.wait(timeout=30)


def report(base: str, repeat: int) -> None:
    targets = names()
    started = time.perf_counter()
    with ThreadPoolExecutor(CHECKS) as pool:
        posted = list(pool.map(lambda n: call(f"{base}/api/v1/checks", {"name": n}), targets))
        accepted = [json.loads(raw) for status, raw, _ in posted if status == 202]
        ends = list(pool.map(lambda c: poll(base, c["url"]), accepted))
    wall = time.perf_counter() - started
    done = [e for e in ends if e.get("state") == "done"]
    failed = [e for e in ends if e.get("state") != "done"]
    queries = [e["progress"]["queries"] for e in done]
    print(f"1. {len(targets)} concurrent checks: {len(accepted)} accepted (202), "
          f"{len(done)} done, {len(failed)} failed or lost; all over after {wall:.1f} s; "
          f"queries per check {min(queries)}–{max(queries)} (total {sum(queries)})")  # fmt: skip
    for e in failed:
        print(f"   not done: {e.get('name')}: {e.get('state')} {e.get('error')}")

    first = done[0]
    reused = [call(f"{base}/api/v1/checks", {"name": first["name"]}) for _ in range(repeat)]
    assert all(json.loads(raw)["reused"] for _, raw, _ in reused)
    times = [t * 1000 for _, _, t in reused]
    print(f"2. reused result, {repeat} POSTs: median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms")  # fmt: skip

    pages = [call(f"{base}/checks/{e['id']}") for e in done]
    sizes = [len(raw) for _, raw, _ in pages]
    page_ms = [t * 1000 for status, _, t in pages if status == 200]
    print(f"3. page of a finished check, {len(page_ms)} pages ({min(sizes) // 1024}–"
          f"{max(sizes) // 1024} KiB): median {statistics.median(page_ms):.1f} ms, "
          f"max {max(page_ms):.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
