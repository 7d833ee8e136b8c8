"""The real-server lab backend against BIND ``named``, Unbound, ``dig`` and ``delv``.

These tests need root (port 53, addresses on ``lo``) and the Debian packages
bind9, bind9-dnsutils and unbound (``make debian-packages``). They fail with
a clear message when any is missing: CI installs them, so a skip would hide
a broken setup.

The zones are signed relative to the wall clock on purpose: real resolvers
validate against the system time, which the test cannot choose. The labs run on
the tests' own range (``labbases.REAL``), so a developer's ``lab up --backend
real`` on 127.78 may keep running.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import dns.dnssectypes
import dns.name
import dns.rdatatype
import dns.zone
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from dns.rdtypes.ANY.DNSKEY import DNSKEY

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab import loopback
from dnssec_doctor.lab.plan import LabPlan, LabServer, ScenarioInfo, ServedZone
from dnssec_doctor.lab.real import RealLab, resolver_addresses, start_real, stop_real
from dnssec_doctor.lab.realconf import bind_trust_anchors, quoted, root_hints
from dnssec_doctor.lab.scenarios import build_lab
from labbases import REAL

pytestmark = [
    pytest.mark.real_servers,
    pytest.mark.requires_tools("named", "unbound", "dig", "delv", "ip"),
]
_WAIT = 30.0
"""Seconds to wait for a real lab another test run has up (one lab per range)."""
RESOLVERS = resolver_addresses(REAL)
BROKEN = f"{REAL}.0.9"
"""The broken server one test adds."""


def _require_tools() -> None:
    # the tools themselves: the module's requires_tools marker
    if os.geteuid() != 0:
        pytest.fail("real-server tests need root (port 53 and addresses on lo)")


# --- a tiny signed tree: root, test., good.test., bogus.test. (expired) -----------

_A = {
    "root": f"{REAL}.0.1",
    "test": f"{REAL}.0.2",
    "good": f"{REAL}.0.3",
    "bogus": f"{REAL}.0.4",
    "good-b": f"{REAL}.0.5",
    "refused": f"{REAL}.0.6",
    "lame": f"{REAL}.0.7",
    "drop-do": f"{REAL}.0.8",
}


@dataclass(frozen=True, slots=True)
class _Key:
    private: ec.EllipticCurvePrivateKey
    dnskey: DNSKEY


def _key() -> _Key:
    private = ec.generate_private_key(ec.SECP256R1())
    dnskey = dnspython_dnssec.make_dnskey(
        private.public_key(), dns.dnssectypes.Algorithm.ECDSAP256SHA256, flags=257
    )
    return _Key(private, dnskey)


def _ds(origin: str, key: _Key) -> str:
    return dnspython_dnssec.make_ds(dns.name.from_text(origin), key.dnskey, "SHA256").to_text()


def _signed(origin: str, body: str, key: _Key, inception: int, expiration: int) -> str:
    text = f"$TTL 300\n@ SOA ns.{origin} hostmaster.{origin} 1 3600 600 86400 300\n{body}"
    if origin == ".":
        text = text.replace("ns..", "ns.rootlab.").replace("hostmaster..", "hostmaster.rootlab.")
    zone = dns.zone.from_text(text, origin=origin, relativize=False)
    dnspython_dnssec.sign_zone(
        zone, keys=[(key.private, key.dnskey)], inception=inception, expiration=expiration
    )
    return zone.to_text(relativize=False)


def _server(
    name: str, host: str, zones: list[ServedZone], faults: tuple[str, ...] = ()
) -> LabServer:
    return LabServer(host, ServerAddress(_A[name]), tuple(zones), faults)


def tiny_plan(now: int) -> LabPlan:
    """root → test. → good.test. (valid) and bogus.test. (signatures expired two days ago)."""
    keys = {z: _key() for z in (".", "test.", "good.test.", "bogus.test.")}
    ok = (now - 3600, now + 7 * 86400)
    good_body = "@ NS ns\nns A {a}\nwww A 192.0.2.1\n@ TXT {copy}\n"
    good_a = _signed(
        "good.test.", good_body.format(a=_A["good"], copy="copy-a"), keys["good.test."], *ok
    )
    good_b = _signed(
        "good.test.", good_body.format(a=_A["good"], copy="copy-b"), keys["good.test."], *ok
    )
    bogus = _signed(
        "bogus.test.",
        f"@ NS ns\nns A {_A['bogus']}\nwww A 192.0.2.2\n",
        keys["bogus.test."],
        # Unbound accepts signatures up to a day past expiry (val-sig-skew-max).
        now - 30 * 86400,
        now - 2 * 86400,
    )
    test = _signed(
        "test.",
        f"@ NS ns\nns A {_A['test']}\n"
        f"good NS ns.good\nns.good A {_A['good']}\n"
        f"good DS {_ds('good.test.', keys['good.test.'])}\n"
        f"bogus NS ns.bogus\nns.bogus A {_A['bogus']}\n"
        f"bogus DS {_ds('bogus.test.', keys['bogus.test.'])}\n",
        keys["test."],
        *ok,
    )
    root = _signed(
        ".",
        f"@ NS ns.rootlab.\nns.rootlab. A {_A['root']}\n"
        f"test. NS ns.test.\nns.test. A {_A['test']}\ntest. DS {_ds('test.', keys['test.'])}\n",
        keys["."],
        *ok,
    )
    servers = (
        _server("root", "ns.rootlab.", [ServedZone(".", root)]),
        _server("test", "ns.test.", [ServedZone("test.", test)]),
        _server("good", "ns.good.test.", [ServedZone("good.test.", good_a)]),
        _server("bogus", "ns.bogus.test.", [ServedZone("bogus.test.", bogus)]),
        _server("good-b", "ns2.good.test.", [ServedZone("good.test.", good_b)]),
        _server("refused", "ns3.good.test.", [ServedZone("good.test.", good_a)], ("refused",)),
        _server("lame", "ns4.good.test.", [ServedZone("good.test.", good_a)], ("timeout",)),
        _server("drop-do", "ns5.good.test.", [ServedZone("good.test.", good_a)], ("drop-do",)),
    )
    return LabPlan(
        servers=servers,
        root_hints=(ServerAddress(_A["root"]),),
        trust_anchor_ds=(f". 3600 IN DS {_ds('.', keys['.'])}",),
        trust_anchor_dnskey=(f". 3600 IN DNSKEY {keys['.'].dnskey.to_text()}",),
        scenarios=(),
        built_at=now,
    )


# --- oracles --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dig:
    status: str
    flags: frozenset[str]
    answer: tuple[str, ...]
    text: str


def dig(server: str, name: str, rtype: str = "A", *options: str) -> Dig:
    """Run ``dig`` and read status, header flags and the answer section."""
    argv = ["dig", f"@{server}", name, rtype, "+dnssec", "+time=2", "+tries=1", *options]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False).stdout
    status, flags, answer, section = "", frozenset[str](), [], ""
    for line in out.splitlines():
        if "status:" in line:
            status = line.split("status:")[1].split(",")[0].strip()
        elif line.startswith(";; flags:"):
            flags = frozenset(line.split(":")[1].split(";")[0].split())
        elif line.startswith(";; ") and "SECTION:" in line:
            section = line.split()[1]
        elif line and not line.startswith(";") and section == "ANSWER":
            answer.append(line)
    return Dig(status, flags, tuple(answer), out)


def delv(resolver: str, anchor_file: Path, name: str, rtype: str = "A") -> str:
    """BIND's validator on its own: +cdflag fetches through the resolver unvalidated."""
    argv = ["delv", f"@{resolver}", "-a", str(anchor_file), "+root=.", "+cdflag", "+vtrace"]
    argv += [name, rtype]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    return proc.stdout + proc.stderr


def _types(d: Dig) -> set[str]:
    return {line.split()[3] for line in d.answer if len(line.split()) > 3}


def _our_processes(workdir: Path) -> list[int]:
    """Live (non-zombie) processes whose command line names the lab's work dir."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(workdir).encode() in cmdline and state != "Z":
            pids.append(int(entry.name))
    return pids


def _plan_addresses(plan: LabPlan) -> set[ipaddress.IPv4Address]:
    ips = {s.address.ip for s in plan.servers} | {a.ip for a in RESOLVERS.values()}
    ips.add(BROKEN)
    return {ipaddress.IPv4Address(ip) for ip in ips}


# --- a running lab, shared by the tests of one class ----------------------------


@pytest.fixture(scope="class")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealLab]:
    """One lab per class: torn down before the lifecycle tests below start their own."""
    _require_tools()
    plan = tiny_plan(int(time.time()))
    running = start_real(plan, tmp_path_factory.mktemp("real-lab"), wait_seconds=_WAIT)
    try:
        yield running
    finally:
        running.stop()


class TestRunningLab:
    def test_named_serves_signed_zones_authoritatively(self, lab: RealLab) -> None:
        assert lab.load_errors == ()
        for addr, zone in [(_A["root"], "."), (_A["test"], "test."), (_A["good"], "good.test.")]:
            d = dig(addr, zone, "SOA", "+norec")
            assert d.status == "NOERROR", d.text
            assert "aa" in d.flags, d.text
            assert {"SOA", "RRSIG"} <= _types(d), d.text

    def test_root_refers_to_tld_with_ds(self, lab: RealLab) -> None:
        d = dig(_A["root"], "www.good.test.", "A", "+norec")
        assert d.status == "NOERROR" and "aa" not in d.flags, d.text
        assert "test.\t\t\t300\tIN\tDS" in d.text or "\tIN\tDS\t" in d.text, d.text

    def test_each_address_serves_its_own_copy(self, lab: RealLab) -> None:
        a = dig(_A["good"], "good.test.", "TXT", "+norec")
        b = dig(_A["good-b"], "good.test.", "TXT", "+norec")
        assert any('"copy-a"' in line for line in a.answer), a.text
        assert any('"copy-b"' in line for line in b.answer), b.text

    def test_refused_and_skipped_servers(self, lab: RealLab) -> None:
        assert dig(_A["refused"], "good.test.", "SOA", "+norec").status == "REFUSED"
        assert ServerAddress(_A["refused"]) in lab.refused
        skipped = {s.address.ip: s.reason for s in lab.skipped}
        assert set(skipped) == {_A["drop-do"]}
        assert "drop-do" in skipped[_A["drop-do"]]
        # The lame server takes a UDP query and never answers (no ICMP refusal);
        # over TCP it closes the connection without an answer.
        assert lab.silent == (ServerAddress(_A["lame"]),)
        lame = dig(_A["lame"], "good.test.", "SOA", "+norec", "+time=1")
        assert lame.status == "" and "timed out" in lame.text, lame.text
        lame = dig(_A["lame"], "good.test.", "SOA", "+norec", "+time=1", "+tcp")
        assert lame.status == "" and "refused" not in lame.text, lame.text

    def test_validating_unbound(self, lab: RealLab) -> None:
        ip = lab.resolver("validating").address.ip
        good = dig(ip, "www.good.test.")
        assert good.status == "NOERROR" and "ad" in good.flags, good.text
        assert "192.0.2.1" in good.text
        bogus = dig(ip, "www.bogus.test.")
        assert bogus.status == "SERVFAIL", bogus.text
        assert "EDE: 7" in bogus.text, bogus.text  # RFC 8914 Signature Expired
        cd = dig(ip, "www.bogus.test.", "A", "+cd")
        assert cd.status == "NOERROR" and "ad" not in cd.flags, cd.text
        assert "192.0.2.2" in cd.text

    def test_stale_anchor_unbound_fails_everything(self, lab: RealLab) -> None:
        ip = lab.resolver("stale-anchor").address.ip
        for name, rtype in [(".", "SOA"), ("www.good.test.", "A"), ("test.", "SOA")]:
            d = dig(ip, name, rtype)
            assert d.status == "SERVFAIL", d.text
        assert dig(ip, "www.good.test.", "A", "+cd").status == "NOERROR"

    def test_non_validating_unbound(self, lab: RealLab) -> None:
        ip = lab.resolver("non-validating").address.ip
        for name, addr in [("www.good.test.", "192.0.2.1"), ("www.bogus.test.", "192.0.2.2")]:
            d = dig(ip, name)
            assert d.status == "NOERROR" and "ad" not in d.flags, d.text
            assert addr in d.text

    def test_bind_validating_resolver(self, lab: RealLab) -> None:
        ip = lab.resolver("bind-validating").address.ip
        good = dig(ip, "www.good.test.")
        assert good.status == "NOERROR" and "ad" in good.flags, good.text
        assert dig(ip, "www.bogus.test.").status == "SERVFAIL"
        assert dig(ip, "www.bogus.test.", "A", "+cd").status == "NOERROR"

    def test_delv_agrees(self, lab: RealLab) -> None:
        ip = lab.resolver("validating").address.ip
        good = delv(ip, lab.bind_anchor_file, "www.good.test.")
        assert "; fully validated" in good and "192.0.2.1" in good, good
        bogus = delv(ip, lab.bind_anchor_file, "www.bogus.test.")
        assert "resolution failed" in bogus and "RRSIG has expired" in bogus, bogus
        # Through the stale-anchor resolver the zone still validates with the
        # right anchor: the resolver's anchor is at fault, not the zone.
        stale = lab.resolver("stale-anchor").address.ip
        assert "; fully validated" in delv(stale, lab.bind_anchor_file, "www.good.test.")
        stale_bind = lab.workdir / "stale-anchor-for-delv.bind"
        stale_bind.write_text(bind_trust_anchors(lab.stale_anchor_file.read_text().splitlines()))
        wrong = delv(ip, stale_bind, "www.good.test.")
        assert "resolution failed" in wrong and "fully validated" not in wrong, wrong


# --- the lab's own scenarios (lab.scenarios.build_lab) on the real servers ---------

_RESOLVED = ("NOERROR", "NXDOMAIN")
"""Signed to start one day ahead; Unbound tolerates up to a day of clock skew
(val-sig-skew-max 86400) and validates it, BIND does not. The scenario needs
an inception at least two days ahead."""


@pytest.fixture(scope="class")
def scenario_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabPlan, RealLab]]:
    _require_tools()
    plan = build_lab(int(time.time()), base=REAL)
    running = start_real(plan, tmp_path_factory.mktemp("scenario-lab"), wait_seconds=_WAIT)
    try:
        yield plan, running
    finally:
        running.stop()


def _query(info: ScenarioInfo) -> tuple[str, str]:
    return (info.query_name, "A") if info.query_name else (info.zone, "SOA")


def _delv_verdict(trace: str) -> str:
    """secure / insecure / bogus as ``delv +vtrace`` reports it."""
    if "resolution failed: broken trust chain" in trace:
        return "bogus"  # a CNAME into a bogus zone: its own RRset is still "fully validated"
    if "; fully validated" in trace:
        return "secure"
    if "; unsigned answer" in trace:
        return "insecure"
    if "resolution failed: ncache nxdomain" in trace and "nonexistence proof(s) found" in trace:
        return "secure"  # a validated NXDOMAIN
    return "bogus" if "resolution failed" in trace else "unknown"


def _oracle_disagreements(lab: RealLab, info: ScenarioInfo) -> list[str]:
    """What the resolvers, dig +cd and delv say that contradicts the expected status."""
    name, rtype = _query(info)
    got = {r.role: dig(r.address.ip, name, rtype) for r in lab.resolvers}
    cd = dig(lab.resolver("validating").address.ip, name, rtype, "+cd")
    trace = delv(lab.resolver("validating").address.ip, lab.bind_anchor_file, name, rtype)
    want = info.expected_status
    bad: list[str] = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            bad.append(f"{info.name} ({want}): {what}")

    for role in ("validating", "bind-validating"):
        d = got[role]
        if want == "bogus":
            check(d.status == "SERVFAIL", f"{role} says {d.status}, not SERVFAIL")
        else:
            check(d.status in _RESOLVED, f"{role} says {d.status}")
            check(("ad" in d.flags) == (want == "secure"), f"{role} AD={'ad' in d.flags}")
    check(got["stale-anchor"].status == "SERVFAIL", f"stale anchor: {got['stale-anchor'].status}")
    nv = got["non-validating"]
    check(
        nv.status in _RESOLVED and "ad" not in nv.flags, f"non-validating: {nv.status} {nv.flags}"
    )
    check(cd.status in _RESOLVED, f"+cd at the validating resolver: {cd.status}")
    check(_delv_verdict(trace) == want, f"delv: {trace[-300:]!r}")
    return bad


class TestScenarioLab:
    def test_every_zone_copy_loads(self, scenario_lab: tuple[LabPlan, RealLab]) -> None:
        plan, lab = scenario_lab
        assert lab.load_errors == ()
        for server in plan.servers:
            if not server.faults:
                assert server.address in lab.served
                zone = server.zones[0].origin
                d = dig(server.address.ip, zone, "SOA", "+norec")
                assert d.status == "NOERROR" and "aa" in d.flags, d.text

    def test_faults_the_real_servers_cannot_inject_are_left_out(
        self, scenario_lab: tuple[LabPlan, RealLab]
    ) -> None:
        plan, lab = scenario_lab
        skipped = {s.address for s in lab.skipped}
        for server in plan.servers:
            if server.faults == ("refused",):
                assert server.address in lab.refused
                d = dig(server.address.ip, server.zones[0].origin, "SOA", "+norec")
                assert d.status == "REFUSED", d.text
            elif "timeout" in server.faults:
                assert server.address in lab.silent
            elif server.faults:
                assert server.address in skipped

    def test_resolvers_and_delv_see_each_scenario_as_expected(
        self, scenario_lab: tuple[LabPlan, RealLab]
    ) -> None:
        plan, lab = scenario_lab
        # Scenarios whose fault needs the embedded backend have a server that
        # never answers here, which costs resolvers seconds of timeouts.
        infos = [s for s in plan.scenarios if not s.embedded_only]
        assert {s.expected_status for s in infos} == {"secure", "insecure", "bogus"}
        with ThreadPoolExecutor(max_workers=8) as pool:
            verdicts = list(pool.map(lambda i: _oracle_disagreements(lab, i), infos))
        assert [bad for bad in verdicts if bad] == []


# --- lifecycle: no lab of the class above is running here ----------------------


def test_start_twice_then_stop_leaves_nothing(tmp_path: Path) -> None:
    _require_tools()
    plan = tiny_plan(int(time.time()))
    first = start_real(plan, tmp_path, bind_resolver=False, wait_seconds=_WAIT)
    first_pids = _our_processes(tmp_path)
    assert len(first_pids) == 5  # named, three Unbound resolvers, the silent Unbound
    # The second lab adds a zone named refuses to load (no NS at the apex):
    # the lab still starts and says which zone copy is missing.
    broken = LabServer(
        "ns.broken.test.",
        ServerAddress(BROKEN),
        (ServedZone("broken.test.", "$TTL 300\n@ SOA ns hm 1 3600 600 86400 300\n"),),
    )
    second = start_real(
        dataclasses.replace(plan, servers=(*plan.servers, broken)), tmp_path, bind_resolver=False
    )
    assert not set(first_pids) & set(_our_processes(tmp_path))
    assert dig(_A["good"], "good.test.", "SOA", "+norec").status == "NOERROR"
    assert first.load_errors == ()
    assert any("broken.test" in line for line in second.load_errors), second.load_errors
    assert dig(BROKEN, "broken.test.", "SOA", "+norec").status == "SERVFAIL"
    second.stop()
    first.stop()  # a second stop is harmless
    assert _our_processes(tmp_path) == []
    assert not _plan_addresses(plan) & loopback.present_addresses()


def test_failed_start_cleans_up_and_says_why(tmp_path: Path) -> None:
    _require_tools()
    good = tiny_plan(int(time.time()))
    # A garbled root anchor: named (authoritative) starts, then the validating
    # Unbound cannot read its anchor file, so the start fails half-way.
    plan = dataclasses.replace(good, trust_anchor_ds=(". 3600 IN DS 1 13 2 NOT-HEX",))
    with pytest.raises(DoctorError, match=r"lab validating server \(unbound\) exited"):
        start_real(plan, tmp_path, wait_seconds=_WAIT)
    assert _our_processes(tmp_path) == []
    assert not _plan_addresses(plan) & loopback.present_addresses()
    stop_real(tmp_path)  # nothing left to stop: harmless


def _bind_when_free(sock: socket.socket, where: tuple[str, int]) -> None:
    """Bind, waiting while another test run's lab holds the address."""
    deadline = time.monotonic() + _WAIT
    while True:
        try:
            sock.bind(where)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_refuses_to_share_addresses(tmp_path: Path) -> None:
    _require_tools()
    plan = tiny_plan(int(time.time()))
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # Another program holds a resolver's port; daemons binding with
        # SO_REUSEADDR would start anyway and share the traffic, so we refuse.
        held = RESOLVERS["non-validating"].ip
        _bind_when_free(blocker, (held, 53))
        with pytest.raises(DoctorError, match=f"already in use: {re.escape(held)} .*lab down"):
            start_real(plan, tmp_path, wait_seconds=_WAIT)
    finally:
        blocker.close()
    assert _our_processes(tmp_path) == []


def test_one_lab_per_range(tmp_path: Path) -> None:
    _require_tools()
    plan = tiny_plan(int(time.time()))
    first = start_real(plan, tmp_path / "one", bind_resolver=False, wait_seconds=_WAIT)
    try:
        busy = f"another real-server lab on {re.escape(REAL)}.0.0/16 is running from .*--base"
        with pytest.raises(DoctorError, match=busy):
            start_real(plan, tmp_path / "two", bind_resolver=False)
    finally:
        first.stop()
    assert _our_processes(tmp_path) == []


def test_loopback_refuses_addresses_outside_the_lab_range() -> None:
    for addr in ("127.0.0.1", "127.0.0.53", "127.0.1.1", "10.0.0.1", "::1", "nonsense"):
        with pytest.raises(DoctorError):
            loopback.add_addresses([addr])


def test_config_text_refuses_unsafe_names_and_reads_ds_records() -> None:
    for bad in ('evil"; };', "back\\slash", "new\nline"):
        with pytest.raises(ValueError):
            quoted(bad)
    assert quoted("with space") == '"with space"'
    text = bind_trust_anchors([". 3600 IN DS 20326 8 2 E06D44B8 0A13B2"])
    assert text == 'trust-anchors {\n    "." static-ds 20326 8 2 "E06D44B80A13B2";\n};\n'
    for bad in [". 3600 IN DNSKEY 257 3 13 AAAA", ". IN DS x 8 2 AB", ". IN DS 1 8"]:
        with pytest.raises(ValueError):
            bind_trust_anchors([bad])
    hints = root_hints([("a.root.", ServerAddress("127.78.0.1"))])
    assert hints == ".\t3600000\tIN\tNS\ta.root.\na.root.\t3600000\tIN\tA\t127.78.0.1\n"
