"""Differential: our verdict agrees with dnssec-verify, ldns-verify-zone and kzonecheck.

Zones are signed here by BIND's dnssec-signzone (KSK + ZSK, ECDSA P-256, NSEC and
NSEC3) and then broken in known ways. The peers read the wall clock (BIND 9.18's
dnssec-verify has no "as of" option), so the signatures run 2020-01-01 ..
2037-12-31 (before ldns 1.8.3's Y2038 bug) and we verify at a fixed time inside
that window; the expired case is signed for 2019 only.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dns.name
import pytest

from dnssec_doctor.model.severity import Severity, exit_code_for
from dnssec_doctor.zonefile.verify import ZoneOptions, verify_zone

TOOLS = ("dnssec-keygen", "dnssec-signzone", "dnssec-verify", "ldns-verify-zone",
         "ldns-read-zone", "kzonecheck")  # fmt: skip
pytestmark = [
    pytest.mark.real_servers,
    pytest.mark.requires_tools(*TOOLS),
]

ORIGIN = "example.test."
NOW = 1_795_000_000
UNSIGNED = """$ORIGIN example.test.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.10
www AAAA 2001:db8::10
txt TXT "hello"
mail MX 10 www
a.b.ent TXT "below an empty non-terminal"
sub NS ns.sub
ns.sub A 192.0.2.30
"""


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def _sign(directory: Path, *, nsec3: bool, start: str, end: str) -> list[str]:
    directory.mkdir()
    (directory / "zone.db").write_text(UNSIGNED)
    for extra in (("-f", "KSK"), ()):
        made = _run("dnssec-keygen", "-q", "-K", ".", "-a", "ECDSAP256SHA256", *extra,
                    "example.test", cwd=directory)  # fmt: skip
        assert made.returncode == 0, made.stderr
    flags = ["-3", "-", "-H", "0"] if nsec3 else []
    signed = _run("dnssec-signzone", "-q", "-P", "-K", ".", "-S", "-o", ORIGIN, "-s", start,
                  "-e", end, *flags, "-f", "signed.db", "zone.db", cwd=directory)  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    flat = _run("ldns-read-zone", "signed.db", cwd=directory)
    assert flat.returncode == 0, flat.stderr
    return [line for line in flat.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def zones(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    base = tmp_path_factory.mktemp("signed")
    return {
        "nsec": _sign(base / "nsec", nsec3=False, start="20200101000000", end="20371231000000"),
        "nsec3": _sign(base / "nsec3", nsec3=True, start="20200101000000", end="20371231000000"),
        "expired": _sign(base / "old", nsec3=False, start="20190101000000", end="20191231000000"),
    }


def _fields(line: str) -> list[str]:
    return line.split()


def drop(pred: Callable[[list[str]], bool]) -> Callable[[list[str]], list[str]]:
    def apply(lines: list[str]) -> list[str]:
        kept = [line for line in lines if not pred(_fields(line))]
        assert len(kept) == len(lines) - 1, "the break must remove exactly one record"
        return kept

    return apply


def edit(pred: Callable[[list[str]], bool], old: str, new: str) -> Callable[[list[str]], list[str]]:
    def apply(lines: list[str]) -> list[str]:
        hits = [i for i, line in enumerate(lines) if pred(_fields(line))]
        assert len(hits) == 1
        out = list(lines)
        out[hits[0]] = out[hits[0]].replace(old, new)
        assert out != lines
        return out

    return apply


def add(record: str) -> Callable[[list[str]], list[str]]:
    return lambda lines: [*lines, record]


def _is(owner: str, rdtype: str, first: str | None = None) -> Callable[[list[str]], bool]:
    def pred(f: list[str]) -> bool:
        return f[0] == owner and f[3] == rdtype and (first is None or f[4] == first)

    return pred


@dataclass(frozen=True)
class Case:
    name: str
    zone: str
    expect_code: str | None
    mutate: Callable[[list[str]], list[str]] | None = None


CASES = [
    Case("clean-nsec", "nsec", None),
    Case("clean-nsec3", "nsec3", None),
    Case("altered-a", "nsec", "RRSIG_CRYPTO_INVALID",
         edit(_is("www.example.test.", "A"), "192.0.2.10", "192.0.2.99")),
    Case("removed-rrsig", "nsec", "RRSIG_MISSING",
         drop(_is("txt.example.test.", "RRSIG", "TXT"))),
    Case("removed-nsec", "nsec", "NSEC_CHAIN_BROKEN", drop(_is("www.example.test.", "NSEC"))),
    Case("removed-zsk", "nsec", "RRSIG_KEY_NOT_FOUND",
         drop(_is("example.test.", "DNSKEY", "256"))),
    Case("added-unsigned", "nsec", "RRSIG_MISSING",
         add("new.example.test.\t300\tIN\tA\t192.0.2.77")),
    Case("wrong-bitmap", "nsec", "NODATA_BITMAP_CONTRADICTION",
         edit(_is("txt.example.test.", "NSEC"), "TXT RRSIG", "A TXT RRSIG")),
    Case("expired", "expired", "RRSIG_EXPIRED"),
    Case("nsec3-added-unsigned", "nsec3", "NSEC_CHAIN_BROKEN",
         add("new.example.test.\t300\tIN\tA\t192.0.2.77")),
    Case("nsec3-altered-txt", "nsec3", "RRSIG_CRYPTO_INVALID",
         edit(_is("txt.example.test.", "TXT"), '"hello"', '"hullo"')),
]  # fmt: skip


def _peers(path: Path) -> dict[str, bool]:
    cwd = path.parent
    results = {
        "dnssec-verify": _run("dnssec-verify", "-q", "-o", ORIGIN, path.name, cwd=cwd),
        "ldns-verify-zone": _run("ldns-verify-zone", path.name, cwd=cwd),
        "kzonecheck": _run("kzonecheck", "-o", ORIGIN, "-d", "on", path.name, cwd=cwd),
    }
    return {tool: r.returncode == 0 for tool, r in results.items()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_agrees_with_peers(case: Case, zones: dict[str, list[str]], tmp_path: Path) -> None:
    lines = zones[case.zone]
    if case.mutate is not None:
        lines = case.mutate(lines)
    path = tmp_path / "zone.signed"
    path.write_text("\n".join(lines) + "\n")
    diagnosis = verify_zone(path, origin=dns.name.from_text(ORIGIN), now=NOW, options=ZoneOptions())
    ours = exit_code_for(f.severity for f in diagnosis.findings) < 2
    serious = {f.code for f in diagnosis.findings if f.severity >= Severity.ERROR}
    peers = _peers(path)
    assert peers == dict.fromkeys(peers, ours), f"ours={ours} {sorted(serious)} peers={peers}"
    if case.expect_code is None:
        assert ours and diagnosis.status == "secure"
    else:
        assert case.expect_code in serious
        assert diagnosis.status == "bogus"
