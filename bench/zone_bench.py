"""Benchmark: ``dnssec-doctor zone`` next to the C zone verifiers, same files, same run.

Issue 7 (Performance). Zones from ``bench/zone_gen.py`` (N names, ECDSA P-256,
NSEC, signed by ``dnssec-signzone``, cached in ``bench/out/``). On each zone,
interleaved, ``--repeat`` times for zones below 1M names and once at 1M
(medians reported):

- ``dnssec-doctor zone FILE --origin ORIGIN --at @NOW --format json`` (all cores);
- ``dnssec-verify -o ORIGIN FILE`` (BIND; single-threaded; judges at the wall clock);
- ``ldns-verify-zone -t NOW FILE`` (ldns; single-threaded);
- ``kzonecheck -o ORIGIN -d on -t NOW FILE`` (Knot; uses every core by itself).

``validns`` is not run: Debian's build cannot load EC keys under OpenSSL 3 and
reports every ECDSA signature as unverifiable (see ``peers.py``).

Each run is a fresh process, measured from outside: wall time, CPU time and the
peak RSS of the largest process from ``wait4``, plus the peak of the summed PSS
of the whole process tree (sampled every 0.5 s: dnssec-doctor verifies in
worker processes, whose memory counts too). The 1-minute load average before
each run is recorded. Python's own signature-verification rate on one core is
measured too, for the floor: signatures / (rate × cores).

    .venv/bin/python bench/zone_bench.py [--write] [--sizes 100000,1000000] [--repeat 3]

``--write`` replaces the "Zone verification" section of ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import peers  # noqa: E402
import zone_gen  # noqa: E402
from readme_section import write_section  # noqa: E402
from zone_bench_report import (  # noqa: E402
    SECTION,
    Machine,
    Measured,
    ToolResult,
    ZoneResult,
    markdown,
)

OURS = "dnssec-doctor zone"
PEERS = ("dnssec-verify", "kzonecheck", "ldns-verify-zone")
TIMEOUT = 3600.0


@dataclass
class _Sampler:
    """Peak summed PSS (KB) of a process and all its descendants, sampled."""

    root: int
    peak_kb: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        # every 0.5 s: a sample costs a few ms of CPU (the kernel walks the page
        # tables), which must not slow down the tool being measured
        while not self.stop.wait(0.5):
            total = sum(_pss_kb(pid) for pid in _tree(self.root))
            self.peak_kb = max(self.peak_kb, total)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measure(tool: str, argv: Sequence[str]) -> Measured:
    """Run ``argv`` once; wall, CPU, peak RSS (largest process), peak tree PSS, exit status."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        sampler = _Sampler(proc.pid)
        thread = threading.Thread(target=sampler.run, daemon=True)
        thread.start()
        deadline = start + TIMEOUT
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
            time.sleep(0.02)
        wall = time.monotonic() - start
        sampler.stop.set()
        thread.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    return Measured(
        tool=tool,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_pss_mb=max(sampler.peak_kb, 0) / 1024,
        returncode=proc.returncode,
        load=load,
        stdout=stdout[-20000:],
        stderr=stderr[-4000:],
    )


def _ours_argv(zone: zone_gen.BenchZone, now: int) -> list[str]:
    exe = Path(sys.executable).parent / "dnssec-doctor"
    return [str(exe), "zone", str(zone.path), "--origin", zone.origin, "--at", f"@{now}",
            "--format", "json"]  # fmt: skip


def _peer_argv(tool: str, zone: zone_gen.BenchZone, now: int) -> list[str] | None:
    exe = peers.executable(tool)
    if exe is None:
        return None
    path, origin = str(zone.path), zone.origin
    if tool == "dnssec-verify":
        return [exe, "-o", origin, path]
    if tool == "ldns-verify-zone":
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now))
        return [exe, "-t", stamp, path]
    return [exe, "-o", origin, "-d", "on", "-t", str(now), path]


def verdict(run: Measured) -> str:
    """Short verdict of one run (what the tool concluded)."""
    if run.tool == OURS:
        try:
            data = json.loads(run.stdout)
        except ValueError:
            return f"exit {run.returncode}, no JSON"
        zones = data.get("zones") or [data]
        status = zones[0].get("status", "?") if isinstance(zones[0], dict) else "?"
        return f"{status} (exit {run.returncode})"
    if run.returncode == 0:
        return "verified (exit 0)"
    last = (run.stderr.strip() or run.stdout.strip()).splitlines()[-1:] or [""]
    return f"exit {run.returncode}: {last[0][:80]}"


def ours_stats(run: Measured) -> dict[str, object]:
    """The ``stats`` object of our JSON output (names, records, signatures)."""
    try:
        data = json.loads(run.stdout)
    except ValueError:
        return {}
    for candidate in (data, *(data.get("zones") or [])):
        if isinstance(candidate, dict) and isinstance(candidate.get("stats"), dict):
            return dict(candidate["stats"])
    return {}


def bench_zone(size: int, repeat: int) -> ZoneResult:
    """Every tool on the zone with ``size`` names, interleaved, ``repeat`` times."""
    zone = zone_gen.ensure_zone(size)
    now = int(time.time())
    runs: dict[str, list[Measured]] = {OURS: [], **{t: [] for t in PEERS}}
    missing: dict[str, str] = {}
    for round_ in range(repeat):
        for tool in (OURS, *PEERS):
            argv = _ours_argv(zone, now) if tool == OURS else _peer_argv(tool, zone, now)
            if argv is None:
                missing[tool] = peers.TOOLS[tool][1]
                continue
            print(f"  [{size:,} names, run {round_ + 1}/{repeat}] {tool} ...", end="", flush=True)
            run = measure(tool, argv)
            runs[tool].append(run)
            print(f" {run.wall:.1f} s, {run.tree_pss_mb:.0f} MB, {verdict(run)}", flush=True)
    results = []
    for tool, items in runs.items():
        if not items:
            continue
        results.append(
            ToolResult(
                tool=tool,
                wall=statistics.median(r.wall for r in items),
                cpu=statistics.median(r.cpu for r in items),
                max_rss_mb=statistics.median(r.max_rss_mb for r in items),
                tree_pss_mb=statistics.median(r.tree_pss_mb for r in items),
                runs=len(items),
                walls=[r.wall for r in items],
                loads=[r.load for r in items],
                verdicts=sorted({verdict(r) for r in items}),
            )
        )
    stats = ours_stats(runs[OURS][0]) if runs[OURS] else {}
    return ZoneResult(zone=zone, results=results, stats=stats, missing=missing)


def python_verify_rate(seconds: float = 3.0) -> float:
    """ECDSA P-256 verifications per second on one core, through dnspython/cryptography."""
    from dns.dnssecalgs import PrivateECDSAP256SHA256

    key = PrivateECDSAP256SHA256.generate()
    data = os.urandom(160)
    signature = key.sign(data)
    public = key.public_key()
    count, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for _ in range(200):
            public.verify(signature, data)
        count += 200
    return count / (time.process_time() - start)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 1 when a tool failed on a valid zone."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="zone sizes (names)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool below 1M names")
    parser.add_argument("--write", action="store_true", help="update bench/README.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    machine = Machine.here()
    print(f"machine: {machine.summary()}", flush=True)
    rate = python_verify_rate()
    print(f"Python ECDSA P-256 verify: {rate:,.0f}/s on one core", flush=True)
    zones = []
    for size in sizes:
        zones.append(bench_zone(size, args.repeat if size < 1_000_000 else 1))
    text = markdown(zones, machine, rate, sys.argv)
    print()
    print(text)
    if args.write:
        write_section(SECTION, text, BENCH / "README.md")
    failed = [
        r.tool
        for z in zones
        for r in z.results
        if not all(v.startswith(("verified", "secure")) for v in r.verdicts)
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
