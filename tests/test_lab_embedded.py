"""The embedded lab over real loopback sockets: answers, faults, and the lab lifecycle.

Servers listen on 127.0.0.1 ports the kernel picks; ``dig``, ``delv`` and
``named-checkconf`` (BIND's tools) serve as independent oracles where installed.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import struct
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
import pytest_asyncio

import labbases
from clirun import invoke
from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab import manager
from dnssec_doctor.lab.embedded import EmbeddedLab
from dnssec_doctor.lab.plan import LabPlan, LabServer, ServedZone
from dnssec_doctor.lab.state import ANCHOR_FILES, LOG_FILE, STATE_FILE
from lab_testzones import WIDE_WINDOW, SignedZones, anchor_lines, build_test_zones

T = dns.rdatatype.RdataType
LOOPBACK = "127.0.0.1"
FAULTS = ("timeout", "refused", "drop-udp-over-512", "drop-do", "strip-denial", "no-tcp")
QUICK = 0.5
"""Seconds to wait for an answer a fault withholds (loopback answers take milliseconds)."""
DIG = shutil.which("dig")
DELV = shutil.which("delv")
CHECKCONF = shutil.which("named-checkconf")


@pytest.fixture(scope="module")
def zones() -> SignedZones:
    return build_test_zones()


def make_plan(
    zones: SignedZones, ports: tuple[int, int] = (0, 0), *, faults: bool = True
) -> LabPlan:
    """test. on one server; example.test. and n3.test. on another; test. and
    example.test. together on a third; then one example.test. copy per fault."""
    parent = LabServer(
        "ns1.test.", ServerAddress(LOOPBACK, ports[0]), (ServedZone("test.", zones.parent),)
    )
    servers = [
        parent,
        LabServer(
            "ns1.example.test.",
            ServerAddress(LOOPBACK, ports[1]),
            (ServedZone("example.test.", zones.child), ServedZone("n3.test.", zones.nsec3)),
        ),
    ]
    if faults:
        servers.append(
            LabServer(
                "both.test.",
                ServerAddress(LOOPBACK, 0),
                (ServedZone("test.", zones.parent), ServedZone("example.test.", zones.child)),
            )
        )
        servers += [
            LabServer(
                f"{fault}.example.test.",
                ServerAddress(LOOPBACK, 0),
                (ServedZone("example.test.", zones.child),),
                (fault,),
            )
            for fault in (*FAULTS, "delay-50ms")
        ]
    ds, dnskey = anchor_lines(zones)
    return LabPlan(
        servers=tuple(servers),
        root_hints=(parent.address,),
        trust_anchor_ds=ds,
        trust_anchor_dnskey=dnskey,
        scenarios=(),
        built_at=1_800_000_000,
    )


@pytest_asyncio.fixture
async def lab(zones: SignedZones) -> AsyncIterator[dict[str, ServerAddress]]:
    """The plan's servers running in this test's event loop: hostname → address."""
    async with EmbeddedLab(make_plan(zones)) as running:
        yield running.bound()


def query(name: str, rdtype: str, *, do: bool = True, edns: int | bool = 0) -> dns.message.Message:
    q = dns.message.make_query(name, rdtype, use_edns=edns, want_dnssec=do, payload=1232)
    q.flags &= ~dns.flags.RD
    return q


async def udp(
    server: ServerAddress, q: dns.message.Message, timeout: float = 2.0
) -> dns.message.Message:
    return await dns.asyncquery.udp(q, server.ip, port=server.port, timeout=timeout)


async def tcp(
    server: ServerAddress, q: dns.message.Message, timeout: float = 2.0
) -> dns.message.Message:
    return await dns.asyncquery.tcp(q, server.ip, port=server.port, timeout=timeout)


@pytest.mark.asyncio
async def test_answers_over_udp_and_tcp(lab: dict[str, ServerAddress]) -> None:
    server = lab["ns1.example.test."]
    for send in (udp, tcp):
        response = await send(server, query("www.example.test.", "A"))
        assert response.flags & dns.flags.AA
        assert {r.rdtype for r in response.answer} == {T.A, T.RRSIG}
    referral = await udp(lab["ns1.test."], query("www.example.test.", "A"))
    assert not referral.flags & dns.flags.AA
    assert {r.rdtype for r in referral.authority} == {T.NS, T.DS, T.RRSIG}


@pytest.mark.asyncio
async def test_truncated_over_udp_then_full_over_tcp(lab: dict[str, ServerAddress]) -> None:
    server = lab["ns1.example.test."]
    truncated = await udp(server, query("big.example.test.", "TXT"))
    assert truncated.flags & dns.flags.TC and not truncated.answer
    full = await tcp(server, query("big.example.test.", "TXT"))
    assert not full.flags & dns.flags.TC
    assert sum(len(r) for r in full.answer if r.rdtype == T.TXT) == 12


@pytest.mark.asyncio
async def test_several_queries_on_one_tcp_connection(lab: dict[str, ServerAddress]) -> None:
    server = lab["ns1.example.test."]
    reader, writer = await asyncio.open_connection(server.ip, server.port)
    try:
        for query_id, name in ((1, "www.example.test."), (2, "nope.example.test.")):
            q = query(name, "A")
            q.id = query_id
            wire = q.to_wire()
            writer.write(struct.pack("!H", len(wire)) + wire)
        await writer.drain()
        rcodes = {}
        for _ in range(2):
            (length,) = struct.unpack("!H", await reader.readexactly(2))
            response = dns.message.from_wire(await reader.readexactly(length))
            rcodes[response.id] = response.rcode()
        assert rcodes == {1: dns.rcode.NOERROR, 2: dns.rcode.NXDOMAIN}
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.mark.asyncio
async def test_fault_timeout(lab: dict[str, ServerAddress]) -> None:
    server = lab["timeout.example.test."]
    for send in (udp, tcp):
        with pytest.raises(dns.exception.Timeout):
            await send(server, query("www.example.test.", "A"), QUICK)


@pytest.mark.asyncio
async def test_fault_refused(lab: dict[str, ServerAddress]) -> None:
    response = await udp(lab["refused.example.test."], query("www.example.test.", "A"))
    assert response.rcode() == dns.rcode.REFUSED and not response.answer


@pytest.mark.asyncio
async def test_fault_drop_udp_over_512(lab: dict[str, ServerAddress]) -> None:
    server = lab["drop-udp-over-512.example.test."]
    small = await udp(server, query("www.example.test.", "A", do=False))
    assert small.answer
    with pytest.raises(dns.exception.Timeout):
        await udp(server, query("medium.example.test.", "TXT"), QUICK)
    with pytest.raises(dns.exception.Timeout):
        await tcp(server, query("medium.example.test.", "TXT"), QUICK)
    clean = await udp(lab["ns1.example.test."], query("medium.example.test.", "TXT"))
    assert clean.answer  # the same question is answered without the fault


@pytest.mark.asyncio
async def test_fault_drop_do(lab: dict[str, ServerAddress]) -> None:
    server = lab["drop-do.example.test."]
    assert (await udp(server, query("www.example.test.", "A", do=False))).answer
    with pytest.raises(dns.exception.Timeout):
        await udp(server, query("www.example.test.", "A", do=True), QUICK)


@pytest.mark.asyncio
async def test_fault_strip_denial(lab: dict[str, ServerAddress]) -> None:
    stripped = await udp(lab["strip-denial.example.test."], query("nope.example.test.", "A"))
    clean = await udp(lab["ns1.example.test."], query("nope.example.test.", "A"))
    assert stripped.rcode() == clean.rcode() == dns.rcode.NXDOMAIN
    assert {r.rdtype for r in stripped.authority} == {T.SOA, T.RRSIG}
    assert T.NSEC in {r.rdtype for r in clean.authority}


@pytest.mark.asyncio
async def test_fault_no_tcp(lab: dict[str, ServerAddress]) -> None:
    server = lab["no-tcp.example.test."]
    assert (await udp(server, query("www.example.test.", "A"))).answer
    with pytest.raises(ConnectionRefusedError):
        await tcp(server, query("www.example.test.", "A"))


@pytest.mark.asyncio
async def test_fault_delay_50ms(lab: dict[str, ServerAddress]) -> None:
    async def elapsed(server: ServerAddress) -> float:
        start = time.monotonic()
        assert (await udp(server, query("www.example.test.", "A"))).answer
        return time.monotonic() - start

    assert await elapsed(lab["delay-50ms.example.test."]) >= 0.05
    assert await elapsed(lab["ns1.example.test."]) < 0.05


@pytest.mark.asyncio
async def test_bind_failure_names_the_address(zones: SignedZones) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as held:
        held.bind((LOOPBACK, 0))
        port = held.getsockname()[1]
        plan = make_plan(zones, (port, port), faults=False)
        # The address and what to do: another lab is the usual holder of a lab address.
        busy = f"cannot listen on {LOOPBACK}:{port} .*already in use.*lab down.*--base"
        with pytest.raises(DoctorError, match=busy):
            await EmbeddedLab(plan).start()


# --- independent oracles: BIND's dig and delv -------------------------------------------


async def run(*argv: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(process.communicate(), 20)
    return out.decode()


def dig_args(server: ServerAddress, *args: str) -> list[str]:
    assert DIG is not None
    return [DIG, f"@{server.ip}", "-p", str(server.port), "+norec", "+tries=1", "+time=2", *args]


@pytest.mark.asyncio
@pytest.mark.requires_tools("dig")
async def test_dig_sees_flags_records_and_sizes(lab: dict[str, ServerAddress]) -> None:
    child, parent = lab["ns1.example.test."], lab["ns1.test."]
    out = await run(*dig_args(child, "+dnssec", "www.example.test.", "A"))
    assert "status: NOERROR" in out and "flags: qr aa;" in out
    assert "www.example.test.\t3600\tIN\tRRSIG\tA 13 3 3600" in out
    out = await run(*dig_args(parent, "+dnssec", "www.example.test.", "A"))
    assert "flags: qr;" in out and "ANSWER: 0, AUTHORITY: 3" in out
    assert "example.test.\t\t3600\tIN\tDS\t" in out
    out = await run(
        *dig_args(child, "+dnssec", "+bufsize=1232", "+ignore", "big.example.test.", "TXT")
    )
    assert "flags: qr aa tc;" in out
    out = await run(*dig_args(child, "+dnssec", "+tcp", "big.example.test.", "TXT"))
    assert "ANSWER: 13," in out  # 12 TXT + 1 RRSIG
    out = await run(*dig_args(child, "+noedns", "+ignore", "medium.example.test.", "TXT"))
    assert "flags: qr aa tc;" in out and "OPT PSEUDOSECTION" not in out
    out = await run(*dig_args(child, "+edns=1", "+noednsneg", "www.example.test.", "A"))
    assert "status: BADVERS" in out
    out = await run(*dig_args(child, "www.example.org.", "A"))
    assert "status: REFUSED" in out


@pytest.mark.asyncio
@pytest.mark.requires_tools("delv")
async def test_delv_validates_answers_and_denials(tmp_path: Path) -> None:
    """delv validates from the test. anchor: DS, DNSKEY, RRSIGs, NSEC and NSEC3 proofs.

    delv validates at the wall clock, so these zones are signed for 2020-2080.
    """
    zones = build_test_zones(WIDE_WINDOW)
    anchors = tmp_path / "anchors.conf"
    key = anchor_lines(zones)[1][0].split(maxsplit=4)[4].split(maxsplit=3)
    anchors.write_text(
        f'trust-anchors {{ "test." static-key {key[0]} {key[1]} {key[2]} "{key[3]}"; }};\n'
    )
    served = (
        ServedZone("test.", zones.parent),
        ServedZone("example.test.", zones.child),
        ServedZone("n3.test.", zones.nsec3),
    )
    plan = replace(
        make_plan(zones, faults=False),
        servers=(LabServer("all.test.", ServerAddress(LOOPBACK, 0), served),),
    )
    async with EmbeddedLab(plan) as running:
        await _delv_checks(running.bound()["all.test."], anchors)


async def _delv_checks(both: ServerAddress, anchors: Path) -> None:
    async def delv(server: ServerAddress, name: str, rdtype: str) -> str:
        assert DELV is not None
        return await run(
            DELV,
            f"@{server.ip}",
            "-p",
            str(server.port),
            "-a",
            str(anchors),
            "+root=test.",
            name,
            rdtype,
        )

    out = await delv(both, "www.example.test.", "A")
    assert "; fully validated" in out and "192.0.2.1" in out
    out = await delv(both, "nope.example.test.", "A")
    assert "; negative response, fully validated" in out
    out = await delv(both, "x.wild.example.test.", "TXT")
    assert "; fully validated" in out and '"wildcard"' in out
    out = await delv(both, "www.example.test.", "AAAA")
    assert "; negative response, fully validated" in out
    out = await delv(both, "www.n3.test.", "A")
    assert "; fully validated" in out and "192.0.2.3" in out
    out = await delv(both, "x.y.n3.test.", "A")  # NSEC3 closest encloser proof
    assert "; negative response, fully validated" in out
    out = await delv(both, "www.n3.test.", "AAAA")  # NSEC3 NODATA
    assert "; negative response, fully validated" in out


# --- lifecycle: lab up / status / down in a temporary directory ------------------------


def free_port() -> int:
    """A port free for UDP and TCP on 127.0.0.1 (the daemon binds it right after)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind((LOOPBACK, 0))
            port = int(u.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind((LOOPBACK, port))
                except OSError:
                    continue
        return port


def lab_processes(directory: Path) -> list[int]:
    """Pids of lab daemons (not zombies) serving ``directory``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            status = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if manager.DAEMON_MODULE.encode() in argv and str(directory.resolve()).encode() in argv:
            found.append(int(entry.name))
            assert status != "Z", "a zombie lab process stays behind"
    return found


@pytest.fixture
def lab_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "lab"
    yield directory
    manager.down(directory)  # whatever a failed test left running
    assert lab_processes(directory) == []


def test_up_status_down_lifecycle(zones: SignedZones, lab_dir: Path) -> None:
    ports = (free_port(), free_port())
    plan = make_plan(zones, ports, faults=False)
    first = manager.up(lab_dir, plan=plan, timeout=30)
    assert not first.already_running
    assert lab_processes(lab_dir) == [first.state.pid]
    assert first.state.root_hints == (f"{LOOPBACK}:{ports[0]}",)
    response = dns.query.udp(query("www.example.test.", "A"), LOOPBACK, port=ports[1], timeout=2)
    assert response.flags & dns.flags.AA and response.answer

    again = manager.up(lab_dir, plan=plan, timeout=30)
    assert again.already_running and again.state.pid == first.state.pid
    assert lab_processes(lab_dir) == [first.state.pid]
    status = manager.status(lab_dir)
    assert status is not None and status.pid == first.state.pid

    assert set(first.state.files) == set(ANCHOR_FILES) - {"stale_ds"}
    for kind, path in first.state.files.items():
        assert Path(path).parent == lab_dir.resolve() and Path(path).exists(), kind
    assert (lab_dir / ANCHOR_FILES["ds"]).read_text().startswith("test. 3600 IN DS ")
    assert "static-ds" in (lab_dir / ANCHOR_FILES["bind"]).read_text()

    stopped = manager.down(lab_dir)
    assert stopped is not None and stopped.pid == first.state.pid
    assert lab_processes(lab_dir) == []
    assert not (lab_dir / STATE_FILE).exists() and not (lab_dir / ANCHOR_FILES["ds"]).exists()
    assert manager.status(lab_dir) is None
    assert manager.down(lab_dir) is None  # down twice is harmless
    assert manager.down(lab_dir / "never-used") is None
    assert not (lab_dir / "never-used").exists()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((LOOPBACK, ports[1]))  # the port is free again


def test_up_that_fails_half_way_cleans_up_and_says_why(zones: SignedZones, lab_dir: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as held:
        held.bind((LOOPBACK, 0))
        busy = int(held.getsockname()[1])
        plan = make_plan(zones, (free_port(), busy), faults=False)
        with pytest.raises(DoctorError, match=f"cannot listen on {LOOPBACK}:{busy}"):
            manager.up(lab_dir, plan=plan, timeout=30)
    assert lab_processes(lab_dir) == []
    assert not (lab_dir / STATE_FILE).exists() and not (lab_dir / "plan.json").exists()
    assert "cannot listen" in (lab_dir / LOG_FILE).read_text()


def test_unloadable_zone_is_reported(lab_dir: Path) -> None:
    plan = LabPlan(
        servers=(
            LabServer(
                "ns.bad.test.",
                ServerAddress(LOOPBACK, free_port()),
                (ServedZone("bad.test.", "bad.test. 300 IN A not-an-address\n"),),
            ),
        ),
        root_hints=(),
        trust_anchor_ds=(),
        trust_anchor_dnskey=(),
        scenarios=(),
        built_at=0,
    )
    with pytest.raises(DoctorError, match=r"cannot load lab zone 'bad\.test\.'"):
        manager.up(lab_dir, plan=plan, timeout=30)
    assert lab_processes(lab_dir) == []


def test_stale_state_of_a_dead_lab_is_not_running(zones: SignedZones, lab_dir: Path) -> None:
    plan = make_plan(zones, (free_port(), free_port()), faults=False)
    state = manager.up(lab_dir, plan=plan, timeout=30).state
    os.kill(state.pid, 9)
    deadline = time.monotonic() + 5
    while lab_processes(lab_dir) and time.monotonic() < deadline:
        manager.status(lab_dir)  # reaps our child
        time.sleep(0.02)
    assert manager.status(lab_dir) is None
    assert (lab_dir / STATE_FILE).exists()  # left by the killed process…
    restarted = manager.up(lab_dir, plan=plan, timeout=30)  # …and replaced by a new lab
    assert not restarted.already_running and restarted.state.pid != state.pid


def test_cli_status_and_down(
    zones: SignedZones, lab_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke("lab", "status", "--dir", str(lab_dir))
    assert result.exit_code == 1 and "no lab running" in result.stdout
    manager.up(lab_dir, plan=make_plan(zones, (free_port(), free_port()), faults=False), timeout=30)
    result = invoke("lab", "status", "--dir", str(lab_dir))
    assert result.exit_code == 0 and "ns1.example.test." in result.stdout
    with monkeypatch.context() as env:
        env.setenv(manager.DIR_ENV, str(lab_dir))
        result = invoke("lab", "status", "--json")
    assert result.exit_code == 0 and '"running": true' in result.stdout
    result = invoke("lab", "down", "--dir", str(lab_dir))
    assert result.exit_code == 0 and "stopped" in result.stdout
    assert lab_processes(lab_dir) == []
    result = invoke("lab", "up", "--dir", str(lab_dir), "--backend", "nope")
    assert result.exit_code == 3  # a usage error, one line (docs/contract.md)
    assert result.stderr == (
        "dnssec-doctor lab up: argument --backend: invalid choice: 'nope' (choose from "
        "'embedded', 'real') (see 'dnssec-doctor lab up --help')\n"
    )


@pytest.mark.requires_tools("named-checkconf")
def test_bind_trust_anchor_file_is_accepted_by_named_checkconf(
    zones: SignedZones, lab_dir: Path
) -> None:
    assert CHECKCONF is not None
    plan = make_plan(zones, (free_port(), free_port()), faults=False)
    manager.up(lab_dir, plan=plan, timeout=30)
    conf = lab_dir / "named.conf"
    conf.write_text(f'include "{lab_dir / ANCHOR_FILES["bind"]}";\n')
    checked = subprocess.run([CHECKCONF, str(conf)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- the whole lab of lab.scenarios, served by the daemon -------------------------------

LAB_NOW = 1_800_000_000
TEST_BASE = labbases.OWN_EMBEDDED
"""Not the lab's own 127.77/16, so a developer's running lab does not collide with tests."""


def test_build_plan_uses_each_backends_addresses() -> None:
    embedded = manager.build_plan(LAB_NOW, ["good-nsec"])
    assert [s.name for s in embedded.scenarios] == ["good-nsec"]
    assert all(s.address.ip.startswith("127.77.") for s in embedded.servers)
    real = manager.build_plan(LAB_NOW, ["good-nsec"], backend="real")
    assert all(s.address.ip.startswith("127.78.") for s in real.servers)
    moved = manager.build_plan(LAB_NOW, ["good-nsec"], backend="real", base=TEST_BASE)
    assert all(s.address.ip.startswith(f"{TEST_BASE}.") for s in moved.servers)
    with pytest.raises(DoctorError, match="unknown lab scenario"):
        manager.build_plan(LAB_NOW, ["no-such-scenario"])


def test_full_lab_serves_every_scenario(lab_dir: Path) -> None:
    from dnssec_doctor.lab.scenarios import build_lab

    plan = build_lab(LAB_NOW, base=TEST_BASE)
    state = manager.up(lab_dir, plan=plan, timeout=60).state
    assert state.scenarios == plan.scenarios  # every ScenarioInfo field survives the state file
    assert (lab_dir / ANCHOR_FILES["ds"]).read_text().startswith(". ")
    assert state.root_hints == tuple(str(a) for a in plan.root_hints)
    for server in plan.servers:
        apex = server.zones[0].origin
        q = query(apex, "SOA", do=False)
        if "timeout" in server.faults:
            with pytest.raises(dns.exception.Timeout):
                dns.query.udp(q, server.address.ip, timeout=QUICK)
            continue
        response = dns.query.udp(q, server.address.ip, timeout=2)
        if "refused" in server.faults:
            assert response.rcode() == dns.rcode.REFUSED, server.hostname
        else:
            assert response.flags & dns.flags.AA and response.answer, server.hostname
    # the chain of referrals from a root hint down to a scenario zone, with DS at each cut
    good = next(s for s in plan.scenarios if s.name == "good-nsec")
    root = dns.query.udp(query(good.zone, "A"), plan.root_hints[0].ip, timeout=2)
    assert {(r.name.to_text(), r.rdtype) for r in root.authority} >= {("test.", T.DS)}
    tld = next(s for s in plan.servers if s.zones[0].origin == "test.")
    referral = dns.query.udp(query(good.zone, "A"), tld.address.ip, timeout=2)
    assert {(r.name.to_text(), r.rdtype) for r in referral.authority} >= {(good.zone, T.DS)}
    if DIG is not None:
        _dig_sees_the_injected_faults(plan)
    manager.down(lab_dir)
    assert lab_processes(lab_dir) == []


def _dig_sees_the_injected_faults(plan: LabPlan) -> None:
    """dig, asking the faulty copy and a clean copy of each embedded-only scenario zone."""

    def dig(server: LabServer, *args: str) -> str:
        argv = dig_args(server.address, "+time=1", *args)
        return subprocess.run(argv, capture_output=True, text=True, check=False).stdout

    for faulty in (s for s in plan.servers if s.faults):
        zone = faulty.zones[0].origin
        clean = next(s for s in plan.servers if s.zones[0].origin == zone and not s.faults)
        fault = faulty.faults[0]
        if fault == "drop-udp-over-512":
            args = ("+dnssec", "+bufsize=1232", "+ignore", zone, "DNSKEY")
            assert "timed out" in dig(faulty, *args) and "status: NOERROR" in dig(clean, *args)
            assert "timed out" in dig(faulty, "+tcp", zone, "SOA")
        elif fault == "drop-do":
            assert "timed out" in dig(faulty, "+dnssec", zone, "SOA")
            assert "status: NOERROR" in dig(faulty, "+nodnssec", zone, "SOA")
        elif fault == "strip-denial":
            args = ("+dnssec", f"no-such-name.{zone}", "A")
            stripped, proved = dig(faulty, *args), dig(clean, *args)
            assert "status: NXDOMAIN" in stripped and "status: NXDOMAIN" in proved
            denial = re.compile(r"\sIN\s+NSEC3?\s")
            assert not denial.search(stripped) and denial.search(proved)


def test_cli_up_on_a_chosen_base_and_on_a_busy_one(lab_dir: Path, tmp_path: Path) -> None:
    up = ["lab", "up", "good-nsec", "--base", TEST_BASE, "--timeout", "30"]
    result = invoke(*up, "--dir", str(lab_dir))
    assert result.exit_code == 0, result.stderr
    assert f"root hints: {TEST_BASE}.0.1,{TEST_BASE}.0.2" in result.stdout
    # A second lab on the same addresses says which one is taken and what to do.
    other = tmp_path / "other"
    result = invoke(*up, "--dir", str(other))
    assert result.exit_code == 3, result.stdout
    assert f"cannot listen on {TEST_BASE}.0.1 " in result.stderr
    assert "`dnssec-doctor lab down`" in result.stderr and "--base" in result.stderr
    assert lab_processes(other) == []
    result = invoke("lab", "up", "--dir", str(other), "--base", "10.1")
    assert result.exit_code == 3 and "127.0.0.0/8" in result.stderr
