"""Run the peer tools the benchmark compares dnssec-doctor with.

Offline zone-file verifiers (each given the time to judge at, where it can take one):

- ``ldns-verify-zone`` (ldnsutils)            ``-t YYYYMMDDhhmmss``
- ``dnssec-verify`` (bind9-dnsutils)          no time option: judges at the wall clock
- ``validns`` (validns)                       ``-t EPOCH``; cannot verify ECDSA here
- ``kzonecheck`` (knot-dnssecutils)           ``-t EPOCH``

Online analysers, pointed at a private tree (the lab) through its root servers:

- DNSViz 0.11.2 from PyPI in ``bench/.venv-dnsviz`` (``bench/setup_peers.sh``):
  ``probe -A -x .:ROOTS`` then ``grok -P -t TRUSTED_KEYS``; judges at the wall clock.
- ``zonemaster-cli`` (zonemaster-cli) with ``--hints``; judges at the wall clock. The
  Connectivity module is never run: it looks AS numbers up on the internet.

Every helper returns a ``PeerRun`` and never raises for a tool's failure: a
missing tool, a timeout or a crash is recorded in ``PeerRun.error``. Nothing
here talks to the network itself; the online tools are only ever given
loopback servers. (DNSViz ``connect()``s a UDP socket to a public root
address to learn its source address; that sends no packet.)

``python bench/peers.py`` prints which tools are present, with versions.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
DNSVIZ = BENCH_DIR / ".venv-dnsviz" / "bin" / "dnsviz"
_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"

TOOLS: dict[str, tuple[str, str]] = {
    "ldns-verify-zone": ("ldns-verify-zone", "Debian package ldnsutils"),
    "dnssec-verify": ("dnssec-verify", "Debian package bind9-dnsutils"),
    "validns": ("validns", "Debian package validns"),
    "kzonecheck": ("kzonecheck", "Debian package knot-dnssecutils"),
    "zonemaster-cli": ("zonemaster-cli", "Debian package zonemaster-cli"),
    "dnsviz": (str(DNSVIZ), "bench/setup_peers.sh (PyPI dnsviz 0.11.2)"),
}
"""Tool name → (executable, where it comes from)."""

ZONEMASTER_TESTS = (
    "Basic",
    "Address",
    "Consistency",
    "Delegation",
    "DNSSEC",
    "Nameserver",
    "Syntax",
    "Zone",
)
"""Zonemaster modules that only query the zone's own servers (not Connectivity)."""


@dataclass(frozen=True, slots=True)
class PeerRun:
    """One run of one peer tool."""

    tool: str
    argv: tuple[str, ...]
    returncode: int | None
    """None when the tool is missing or timed out."""
    stdout: str
    stderr: str
    seconds: float
    error: str = ""
    """Why the tool gave no verdict (missing, timed out); empty when it ran."""
    note: str = ""
    """A caveat about the verdict (for example: judged at the wall clock)."""

    @property
    def ran(self) -> bool:
        """True when the tool ran to completion (whatever it concluded)."""
        return self.returncode is not None and not self.error


def executable(tool: str) -> str | None:
    """The path of a peer tool, or None when it is not installed."""
    exe, _source = TOOLS[tool]
    if "/" in exe:
        return exe if Path(exe).is_file() else None
    return shutil.which(exe, path=_PATH)


def _run(tool: str, args: Sequence[str], timeout: float, note: str = "") -> PeerRun:
    exe = executable(tool)
    argv = (exe or TOOLS[tool][0], *args)
    if exe is None:
        return PeerRun(tool, argv, None, "", "", 0.0, f"not installed: {TOOLS[tool][1]}", note)
    start = time.monotonic()
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, errors="replace", timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        return PeerRun(
            tool,
            argv,
            None,
            _text(exc.stdout),
            _text(exc.stderr),
            time.monotonic() - start,
            f"timed out after {timeout:.0f} s",
            note,
        )
    return PeerRun(
        tool, argv, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start, "", note
    )


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode(errors="replace")


def _stamp(now: int) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y%m%d%H%M%S")


# --- offline zone-file verifiers ------------------------------------------------


def ldns_verify_zone(zone_file: Path, *, now: int, timeout: float = 60) -> PeerRun:
    """``ldns-verify-zone -t NOW FILE``: signatures, NSEC/NSEC3 chains, ZONEMD.

    Exit status 0 means verified. It errors on opted-out delegations by design.
    """
    return _run("ldns-verify-zone", ["-t", _stamp(now), str(zone_file)], timeout)


def dnssec_verify(zone_file: Path, *, origin: str, timeout: float = 60) -> PeerRun:
    """``dnssec-verify -o ORIGIN FILE`` (BIND): judged at the wall clock (no time option)."""
    return _run(
        "dnssec-verify",
        ["-o", origin, str(zone_file)],
        timeout,
        note="judged at the wall clock: dnssec-verify has no time option",
    )


def validns(
    zone_file: Path, *, origin: str, now: int, policies: Sequence[str] = (), timeout: float = 60
) -> PeerRun:
    """``validns -z ORIGIN -t NOW FILE``: signatures and NSEC/NSEC3 chains.

    Known limits of Debian's validns 0.8 (2016): it cannot verify ECDSA
    signatures here ("cannot verify signature, reason unknown" for every
    algorithm 13 RRSIG; RSA works), and its ``ksk-exists`` policy reports
    "No KSK found" even for zones with a SEP key. ``policies`` adds ``-p NAME``.
    """
    args = ["-z", origin, "-t", str(now)]
    for policy in policies:
        args += ["-p", policy]
    return _run("validns", [*args, str(zone_file)], timeout)


def kzonecheck(zone_file: Path, *, origin: str, now: int, timeout: float = 60) -> PeerRun:
    """``kzonecheck -o ORIGIN -d on -t NOW FILE`` (Knot): semantic and DNSSEC checks."""
    return _run("kzonecheck", ["-o", origin, "-d", "on", "-t", str(now), str(zone_file)], timeout)


def verify_zone_file(zone_file: Path, *, origin: str, now: int) -> dict[str, PeerRun]:
    """Every offline verifier on one zone file, by tool name."""
    return {
        "ldns-verify-zone": ldns_verify_zone(zone_file, now=now),
        "dnssec-verify": dnssec_verify(zone_file, origin=origin),
        "validns": validns(zone_file, origin=origin, now=now),
        "kzonecheck": kzonecheck(zone_file, origin=origin, now=now),
    }


# --- online analysers against a private tree --------------------------------------


def root_servers_from_hints(hints_file: Path) -> list[tuple[str, str]]:
    """(hostname, IPv4 address) pairs from a named.root-style hints file."""
    ns: list[str] = []
    addrs: dict[str, str] = {}
    for line in hints_file.read_text().splitlines():
        words = line.split()
        if len(words) >= 4 and words[-2] == "NS" and words[0] == ".":
            ns.append(words[-1].lower())
        elif len(words) >= 4 and words[-2] == "A":
            addrs[words[0].lower()] = words[-1]
    return [(name, addrs[name]) for name in ns if name in addrs]


def dnsviz(
    names: Sequence[str],
    *,
    root_servers: Sequence[tuple[str, str]],
    trusted_keys_file: Path,
    timeout: float = 180,
) -> tuple[PeerRun, dict[str, Any] | None]:
    """DNSViz ``probe`` from the given root servers, then ``grok`` with the trusted keys.

    ``trusted_keys_file`` holds the root DNSKEY records (zone-file format). ``-P``
    lets grok accept the lab's loopback server addresses. Returns the grok run
    and its parsed JSON (None when a step failed; the run says why).
    """
    roots = ",".join(f"{host}={ip}" for host, ip in root_servers)
    with tempfile.TemporaryDirectory(prefix="dnsviz-") as tmp:
        probe_file = Path(tmp) / "probe.json"
        probe = _run(
            "dnsviz",
            ["probe", "-4", "-A", "-x", f".:{roots}", "-a", ".", "-o", str(probe_file), *names],
            timeout,
        )
        if not probe.ran or probe.returncode != 0:
            return probe, None
        grok = _run(
            "dnsviz",
            ["grok", "-P", "-t", str(trusted_keys_file), "-r", str(probe_file)],
            timeout,
            note="judged at the wall clock",
        )
    if not grok.ran or grok.returncode != 0:
        return grok, None
    try:
        parsed = json.loads(grok.stdout)
    except ValueError as exc:
        return _failed(grok, f"grok printed no JSON: {exc}"), None
    return grok, parsed if isinstance(parsed, dict) else None


def _failed(run: PeerRun, error: str) -> PeerRun:
    return PeerRun(run.tool, run.argv, run.returncode, run.stdout, run.stderr, run.seconds, error)


@dataclass(frozen=True, slots=True)
class DnsvizIssue:
    """One error or warning from DNSViz grok output."""

    name: str
    """The queried name whose analysis holds it."""
    kind: str
    """``error`` or ``warning``."""
    code: str
    description: str


def dnsviz_issues(grok: dict[str, Any]) -> list[DnsvizIssue]:
    """Every error and warning anywhere in grok's JSON, with the name it belongs to."""
    found: list[DnsvizIssue] = []
    for name, tree in grok.items():
        for kind, item in _walk_issues(tree):
            found.append(
                DnsvizIssue(
                    name,
                    kind,
                    str(item.get("code", "")),
                    str(item.get("description", "")),
                )
            )
    return found


def _walk_issues(node: object) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("errors", "warnings") and isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        yield key.rstrip("s"), item
            else:
                yield from _walk_issues(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_issues(value)


def dnsviz_delegation_status(grok: dict[str, Any], zone: str) -> str:
    """DNSViz's verdict on a zone's delegation: SECURE, INSECURE, BOGUS, … or ''."""
    key = zone if zone.endswith(".") else zone + "."
    node = grok.get(key)
    if isinstance(node, dict):
        delegation = node.get("delegation")
        if isinstance(delegation, dict):
            return str(delegation.get("status", ""))
    return ""


def zonemaster(
    zone: str,
    *,
    hints_file: Path,
    tests: Sequence[str] = ZONEMASTER_TESTS,
    level: str = "NOTICE",
    timeout: float = 300,
) -> tuple[PeerRun, list[dict[str, Any]]]:
    """``zonemaster-cli --hints FILE --json`` limited to ``tests``; returns the run and messages.

    Each message is a dict with ``level``, ``module``, ``testcase``, ``tag``, ``args``.
    """
    args = ["--hints", str(hints_file), "--no-ipv6", "--json", "--raw", "--no-progress"]
    args += ["--level", level]
    for test in tests:
        if test.lower() == "connectivity":
            raise ValueError("the Connectivity module looks AS numbers up on the internet")
        args += ["--test", test]
    run = _run("zonemaster-cli", [*args, zone], timeout, note="judged at the wall clock")
    if not run.ran:
        return run, []
    try:
        parsed = json.loads(run.stdout)
    except ValueError as exc:
        return _failed(run, f"zonemaster-cli printed no JSON: {exc}"), []
    messages = [m for m in parsed if isinstance(m, dict)] if isinstance(parsed, list) else []
    return run, messages


# --- what is installed ------------------------------------------------------------


def versions() -> dict[str, str]:
    """Tool name → its package and version, or why it is unavailable."""
    out: dict[str, str] = {}
    for tool, (_exe, source) in TOOLS.items():
        if executable(tool) is None:
            out[tool] = _missing(tool)
        elif tool == "dnsviz":
            py = str(DNSVIZ.parent / "python")
            code = "import importlib.metadata as m; print(m.version('dnsviz'))"
            out[tool] = "PyPI dnsviz " + (_output([py, "-c", code]) or "?")
        else:
            package = source.split()[-1]
            version = _output(["dpkg-query", "-W", "-f=${Version}", package])
            out[tool] = f"Debian {package} {version or '?'}"
    return out


def _missing(tool: str) -> str:
    return f"MISSING: {TOOLS[tool][1]}"


def _output(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def main() -> int:
    """Print each peer tool with its version; exit 1 when one is missing."""
    found = versions()
    width = max(len(t) for t in found)
    for tool, version in found.items():
        print(f"{tool:<{width}}  {version}")
    return 1 if any(v.startswith("MISSING") for v in found.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
