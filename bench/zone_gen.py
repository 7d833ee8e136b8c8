"""Benchmark zones for ``dnssec-doctor zone``: N names, ECDSA P-256, NSEC, signed by BIND.

The mix of names follows the performance reference of issue 7, per index ``i``
(percentages of the N primary names):

- 20 % secure delegations (2 NS + DS), 5 % insecure delegations (1 NS),
  5 % delegations with in-bailiwick glue (``ns.gN``: A + AAAA),
- 35 % hosts (A, plus AAAA for even ``i``), 10 % A + MX + TXT (SPF), 10 % 2 × TXT,
- 5 % CNAME, 5 % ``_sip._tcp.sN`` SRV (two empty non-terminals each),
- 5 % three-address hosts with a ``www.`` CNAME below them.

The zone is signed with ``dnssec-signzone -S -x -P -n CPUS`` with a KSK and a ZSK
(ECDSAP256SHA256), validity from one hour ago to 30 days ahead: the C verifiers
judge at the wall clock, so a zone is regenerated when fewer than 3 days of
validity are left. Zones are cached in ``bench/out/`` (git-ignored) with a JSON
description next to them.

    .venv/bin/python bench/zone_gen.py 100000 [1000000 ...]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
OUT = BENCH_DIR / "out"
ORIGIN = "bench.example."
VALIDITY = 30 * 86400
MIN_LEFT = 3 * 86400
GENERATOR_VERSION = 1
"""Bumped when the zone content changes, so cached zones are rebuilt."""


@dataclass(frozen=True, slots=True)
class BenchZone:
    """A signed benchmark zone on disk."""

    path: Path
    origin: str
    names: int
    """Primary names asked for (the zone has ~15 % more owner names)."""
    signed_at: int
    expires: int
    size: int
    signing_seconds: float


def write_unsigned(n: int, handle: object) -> None:
    """Write the unsigned zone with ``n`` primary names to a text handle."""
    write = handle.write  # type: ignore[attr-defined]
    write(f"$ORIGIN {ORIGIN}\n$TTL 3600\n")
    write("@ SOA ns1 hostmaster 1 7200 3600 1209600 3600\n@ NS ns1\n@ NS ns2\n")
    write("ns1 A 192.0.2.1\nns2 A 192.0.2.2\n")
    for i in range(n):
        kind = i % 20
        if kind < 4:
            write(f"d{i} NS ns1.d{i}.example.net.\nd{i} NS ns2.d{i}.example.net.\n")
            write(f"d{i} DS {i % 65535} 13 2 {i * 7919:064x}\n")
        elif kind == 4:
            write(f"i{i} NS ns.example.net.\n")
        elif kind == 5:
            write(f"g{i} NS ns.g{i}\nns.g{i} A 198.51.100.{i % 250}\n")
            write(f"ns.g{i} AAAA 2001:db8::{i % 65535:x}\n")
        elif kind < 13:
            write(f"h{i} A 192.0.2.{i % 250}\n")
            if i % 2 == 0:
                write(f"h{i} AAAA 2001:db8:1::{i % 65535:x}\n")
        elif kind < 15:
            write(f'm{i} A 192.0.2.{i % 250}\nm{i} MX 10 m{i}\nm{i} TXT "v=spf1 a -all"\n')
        elif kind < 17:
            write(f't{i} TXT "text one {i}"\nt{i} TXT "text two {i}"\n')
        elif kind == 17:
            write(f"c{i} CNAME h{i - 10}\n")
        elif kind == 18:
            write(f"_sip._tcp.s{i} SRV 10 10 5060 h{i - 11}\n")
        else:
            write(f"w{i} A 192.0.2.1\nw{i} A 192.0.2.2\nw{i} A 192.0.2.3\n")
            write(f"www.w{i} CNAME w{i}\n")


def _tool(name: str) -> str:
    found = shutil.which(name, path="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
    if found is None:
        raise SystemExit(f"{name} not found: install the Debian package bind9-utils")
    return found


def _meta_path(n: int) -> Path:
    return OUT / f"zone-{n}.json"


def cached(n: int, now: int | None = None) -> BenchZone | None:
    """The cached zone for ``n`` names when it is complete and valid for 3 more days."""
    meta = _meta_path(n)
    try:
        data = json.loads(meta.read_text())
    except (OSError, ValueError):
        return None
    zone = BenchZone(
        path=OUT / data["file"],
        origin=data["origin"],
        names=data["names"],
        signed_at=data["signed_at"],
        expires=data["expires"],
        size=data["size"],
        signing_seconds=data["signing_seconds"],
    )
    now = int(time.time()) if now is None else now
    if data.get("version") != GENERATOR_VERSION or zone.expires - now < MIN_LEFT:
        return None
    try:
        if zone.path.stat().st_size != zone.size:
            return None
    except OSError:
        return None
    return zone


def ensure_zone(n: int, *, quiet: bool = False) -> BenchZone:
    """The signed zone with ``n`` primary names, generating it when missing or stale."""
    found = cached(n)
    if found is not None:
        return found
    OUT.mkdir(parents=True, exist_ok=True)
    keygen, signzone = _tool("dnssec-keygen"), _tool("dnssec-signzone")
    target = OUT / f"zone-{n}.signed"
    with tempfile.TemporaryDirectory(prefix=f"zone-{n}-", dir=OUT) as tmp:
        work = Path(tmp)
        unsigned = work / "zone.db"
        with unsigned.open("w") as handle:
            write_unsigned(n, handle)
        for extra in (["-f", "KSK"], []):
            subprocess.run(
                [keygen, "-q", "-K", str(work), "-a", "ECDSAP256SHA256", *extra, ORIGIN],
                check=True,
                capture_output=True,
            )
        if not quiet:
            print(f"signing {n:,} names with dnssec-signzone ...", file=sys.stderr, flush=True)
        start = time.monotonic()
        signed_at = int(time.time())
        partial = work / "zone.signed"
        subprocess.run(
            [
                signzone, "-q", "-S", "-x", "-P", "-n", str(os.cpu_count() or 1),
                "-K", str(work), "-o", ORIGIN, "-e", f"now+{VALIDITY}",
                "-f", str(partial), str(unsigned),
            ],
            check=True,
            capture_output=True,
            cwd=work,
        )  # fmt: skip
        seconds = time.monotonic() - start
        partial.replace(target)
    zone = BenchZone(
        path=target,
        origin=ORIGIN,
        names=n,
        signed_at=signed_at,
        expires=signed_at + VALIDITY,
        size=target.stat().st_size,
        signing_seconds=round(seconds, 1),
    )
    meta = {
        "version": GENERATOR_VERSION,
        "file": target.name,
        "origin": zone.origin,
        "names": n,
        "signed_at": zone.signed_at,
        "expires": zone.expires,
        "size": zone.size,
        "signing_seconds": zone.signing_seconds,
    }
    _meta_path(n).write_text(json.dumps(meta, indent=1) + "\n")
    if not quiet:
        print(f"  {target} ({zone.size / 1e6:.1f} MB) in {seconds:.0f} s", file=sys.stderr)
    return zone


def cli(argv: Sequence[str] | None = None) -> int:
    """Generate (or find cached) zones for each N given on the command line."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or not all(a.isdigit() and int(a) > 0 for a in args):
        print("usage: zone_gen.py N [N ...]", file=sys.stderr)
        return 2
    for text in args:
        zone = ensure_zone(int(text))
        print(zone.path)
    return 0


if __name__ == "__main__":
    sys.exit(cli())
