"""Where the denial golden cases come from, and a live re-check against BIND.

Two sources, so that the analysis is not only judged on responses its author built:

- **BIND**: a small zone signed by ``dnssec-signzone`` with NSEC, NSEC3, NSEC3 with
  Opt-Out and NSEC3 with salt and iterations, served by ``named`` on 127.0.0.1 (an
  ephemeral port); every case is one real answer. Expectations are written by hand
  in :data:`BIND_CASES` from the RFCs, not taken from the code under test.
- **Hostile**: responses assembled with ``test_denial_builders`` (a lying NSEC,
  NSEC3 with 2,500 iterations, 1,000 NSEC records, compact denial, ...).

``python tests/test_denial_golden_make.py`` rewrites ``tests/cases/denial-*``. The
``real_servers`` test below asks a fresh ``named`` again and checks the live answers
meet the same expectations.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_doctor.analysis.denial.proof import check_denial
from dnssec_doctor.limits import Limits

CASES_DIR = Path(__file__).parent / "cases"

ZONE_BODY = """\
$TTL 3600
@                SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
@                NS    ns1
ns1              A     127.0.0.1
www              A     192.0.2.2
www              TXT   "hello"
alias            CNAME www
*.wild           TXT   "from the wildcard"
host.ent.deep    A     192.0.2.3
insecure         NS    ns.insecure
ns.insecure      A     192.0.2.4
secure           NS    ns.secure
secure           DS    12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns.secure        A     192.0.2.5
"""

EXISTING_RELATIVE = (
    "@",
    "ns1",
    "www",
    "alias",
    "*.wild",
    "wild",
    "host.ent.deep",
    "ent.deep",
    "deep",
    "insecure",
    "secure",
)

ZONES: dict[str, list[str]] = {
    # origin → dnssec-signzone denial options
    "nsec.test.": [],
    "nsec3.test.": ["-3", "-", "-H", "0"],
    "optout.test.": ["-3", "-", "-H", "0", "-A"],
    "salted.test.": ["-3", "AABBCCDD", "-H", "10"],
}


@dataclass(frozen=True, slots=True)
class Expect:
    """What a correct analysis says about one answer."""

    kind: str
    proven: bool = True
    codes: tuple[str, ...] = ()
    opt_out: bool = False


@dataclass(frozen=True, slots=True)
class Probe:
    """One query and the verdict expected in each zone (default: ``expect``)."""

    relative: str
    qtype: str
    expect: Expect
    per_zone: dict[str, Expect] = field(default_factory=dict)


_OPT_OUT_NOTE = ("NSEC3_OPT_OUT_PROBLEM",)
_SALTED = ("NSEC3_PARAMS_NOT_RFC9276",)

BIND_CASES: dict[str, Probe] = {
    "nxdomain": Probe(
        "nope",
        "A",
        Expect("nxdomain"),
        {
            "optout.test.": Expect("nxdomain", codes=_OPT_OUT_NOTE, opt_out=True),
            "salted.test.": Expect("nxdomain", codes=_SALTED),
        },
    ),
    "nxdomain-deep": Probe(
        "x.y.www",
        "A",
        Expect("nxdomain"),
        {
            "optout.test.": Expect("nxdomain", codes=_OPT_OUT_NOTE, opt_out=True),
            "salted.test.": Expect("nxdomain", codes=_SALTED),
        },
    ),
    "nodata": Probe(
        "www", "MX", Expect("nodata"), {"salted.test.": Expect("nodata", codes=_SALTED)}
    ),
    "nodata-apex": Probe(
        "@", "TXT", Expect("nodata"), {"salted.test.": Expect("nodata", codes=_SALTED)}
    ),
    "nodata-ent": Probe(
        "deep", "A", Expect("nodata"), {"salted.test.": Expect("nodata", codes=_SALTED)}
    ),
    "wildcard": Probe(
        "foo.wild",
        "TXT",
        Expect("wildcard"),
        {
            "optout.test.": Expect("wildcard", opt_out=True),
            "salted.test.": Expect("wildcard", codes=_SALTED),
        },
    ),
    "wildcard-nodata": Probe(
        "foo.wild",
        "A",
        Expect("wildcard"),
        {
            "optout.test.": Expect("wildcard", opt_out=True),
            "salted.test.": Expect("wildcard", codes=_SALTED),
        },
    ),
    "ds-insecure": Probe(
        "insecure",
        "DS",
        Expect("ds-nodata"),
        {
            "optout.test.": Expect("ds-nodata", opt_out=True),
            "salted.test.": Expect("ds-nodata", codes=_SALTED),
        },
    ),
    "referral-insecure": Probe(
        "host.insecure",
        "A",
        Expect("insecure-delegation"),
        {
            "optout.test.": Expect("insecure-delegation", opt_out=True),
            "salted.test.": Expect("insecure-delegation", codes=_SALTED),
        },
    ),
    "referral-secure": Probe("host.secure", "A", Expect("none", proven=False)),
    "cname": Probe("alias", "A", Expect("none", proven=False)),
}

BIND_ZONE_CASES = {
    "nsec.test.": ["nxdomain", "nodata", "nodata-ent", "wildcard", "wildcard-nodata",
                   "ds-insecure", "referral-insecure", "referral-secure", "cname"],
    "nsec3.test.": ["nxdomain", "nxdomain-deep", "nodata", "nodata-apex", "nodata-ent",
                    "wildcard", "wildcard-nodata", "ds-insecure", "referral-insecure"],
    "optout.test.": ["nxdomain", "nodata", "wildcard", "ds-insecure", "referral-insecure"],
    "salted.test.": ["nxdomain", "nodata"],
}  # fmt: skip
"""Which probes become golden cases per zone (the live test runs every probe)."""


def _run(*args: str, cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()}")
    return done.stdout


def _sign(workdir: Path, origin: str, options: list[str]) -> Path:
    """Write, key and sign one zone with BIND's tools (fixed signature times)."""
    label = origin.split(".", maxsplit=1)[0]
    unsigned = workdir / f"{label}.zone"
    unsigned.write_text(f"$ORIGIN {origin}\n{ZONE_BODY}")
    key = _run(
        "dnssec-keygen", "-q", "-a", "13", "-f", "KSK", "-K", str(workdir), origin, cwd=workdir
    )
    keyfile = (workdir / f"{key.strip()}.key").read_text()
    unsigned.write_text(unsigned.read_text() + keyfile)
    signed = workdir / f"{label}.zone.signed"
    _run(
        "dnssec-signzone", "-q", "-K", str(workdir), "-o", origin, "-f", str(signed),
        "-s", "20240101000000", "-e", "20240201000000", "-z", "-P", *options, str(unsigned),
        cwd=workdir,
    )  # fmt: skip
    return signed


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def bind_server() -> Iterator[int]:
    """``named`` serving the four signed zones on 127.0.0.1; yields the port."""
    workdir = Path(tempfile.mkdtemp(prefix="denial-golden-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        zones = {origin: _sign(workdir, origin, options) for origin, options in ZONES.items()}
        port = _free_port()
        conf = workdir / "named.conf"
        statements = "".join(
            f'zone "{o}" {{ type primary; file "{p}"; }};\n' for o, p in zones.items()
        )
        conf.write_text(
            "options {\n"
            f'    directory "{workdir}";\n    pid-file "{workdir}/named.pid";\n'
            f'    session-keyfile "{workdir}/session.key";\n'
            f'    managed-keys-directory "{workdir}";\n'
            f"    listen-on port {port} {{ 127.0.0.1; }};\n    listen-on-v6 {{ none; }};\n"
            "    recursion no;\n    notify no;\n    dnssec-validation no;\n"
            "    minimal-responses no;\n};\ncontrols { };\n" + statements
        )
        with (workdir / "named.log").open("wb") as log:
            process = subprocess.Popen(
                ["named", "-g", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=log
            )
        _wait_ready(port, process, workdir)
        yield port
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_ready(port: int, process: subprocess.Popen[bytes], workdir: Path) -> None:
    deadline = time.monotonic() + 20
    query = dns.message.make_query("nsec.test.", "SOA")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (workdir / "named.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"named exited: {log}")
        try:
            answer = dns.query.udp(query, "127.0.0.1", port=port, timeout=0.5)
        except (TimeoutError, OSError, dns.exception.DNSException):
            time.sleep(0.1)
            continue
        if answer.answer:
            return
        time.sleep(0.1)
    raise RuntimeError("named did not answer within 20 s")


def absolute(relative: str, origin: str) -> dns.name.Name:
    """``relative`` (``@`` for the apex) under ``origin``."""
    zone = dns.name.from_text(origin)
    return zone if relative == "@" else dns.name.from_text(relative, origin=zone)


def ask(port: int, qname: dns.name.Name, qtype: str) -> dns.message.Message:
    """One DO query over TCP (no truncation surprises)."""
    query = dns.message.make_query(qname, qtype, want_dnssec=True, use_edns=0, payload=1232)
    query.flags &= ~dns.flags.RD
    return dns.query.tcp(query, "127.0.0.1", port=port, timeout=5)


def expectation(probe: Probe, origin: str) -> Expect:
    """The expected verdict for ``probe`` in zone ``origin``."""
    return probe.per_zone.get(origin, probe.expect)


def write_case(
    slug: str,
    message: dns.message.Message,
    query: dict[str, object],
    expect: Expect,
    *,
    wire: bool = False,
) -> None:
    """One case directory: the response, the question, the expected verdict."""
    directory = CASES_DIR / f"denial-{slug}"
    directory.mkdir(parents=True, exist_ok=True)
    if wire:
        (directory / "response.wire").write_bytes(message.to_wire(max_size=65535))
    else:
        (directory / "response.txt").write_text(message.to_text() + "\n")
    (directory / "query.json").write_text(json.dumps(query, indent=2) + "\n")
    expected = {
        "kind": expect.kind,
        "proven": expect.proven,
        "opt_out": expect.opt_out,
        "codes": list(expect.codes),
    }
    (directory / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


def write_bind_cases() -> None:
    """Ask a fresh ``named`` every golden probe and store the answers."""
    with bind_server() as port:
        for origin, slugs in BIND_ZONE_CASES.items():
            for slug in slugs:
                probe = BIND_CASES[slug]
                qname = absolute(probe.relative, origin)
                message = ask(port, qname, probe.qtype)
                query: dict[str, object] = {
                    "source": f"BIND 9.18 dnssec-signzone {' '.join(ZONES[origin]) or '(NSEC)'}",
                    "qname": qname.to_text(),
                    "qtype": probe.qtype,
                    "zone": origin,
                    "existing": [absolute(r, origin).to_text() for r in EXISTING_RELATIVE],
                }
                write_case(
                    f"bind-{origin.split('.')[0]}-{slug}",
                    message,
                    query,
                    expectation(probe, origin),
                )


@pytest.mark.real_servers
@pytest.mark.requires_tools("named", "dnssec-signzone")
def test_live_bind_answers_meet_the_expectations() -> None:
    """Every probe, asked of a BIND serving the four zones now, is judged as expected."""
    failures: list[str] = []
    with bind_server() as port:
        for origin in ZONES:
            zone = dns.name.from_text(origin)
            existing = [absolute(r, origin) for r in EXISTING_RELATIVE]
            for slug, probe in BIND_CASES.items():
                qname = absolute(probe.relative, origin)
                message = ask(port, qname, probe.qtype)
                result = check_denial(
                    message, qname, dns.rdatatype.from_text(probe.qtype), zone, Limits(),
                    existing=existing,
                )  # fmt: skip
                want = expectation(probe, origin)
                got = Expect(result.kind, result.proven, result.codes, result.opt_out)
                if got != want:
                    failures.append(f"{origin} {slug}: {got} != {want}")
    assert failures == []


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    write_bind_cases()
    from test_denial_golden import write_hostile_cases

    write_hostile_cases()
