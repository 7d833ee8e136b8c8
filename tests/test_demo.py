"""`dnssec-doctor demo`: its own lab in a process of its own, each scenario checked as
`check` would, and a row is ✓ only for exactly the expected diagnosis."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from dnssec_doctor.cli.demo import DemoRow, mismatches, run_demo, scenario_request
from dnssec_doctor.cli.main import parse
from dnssec_doctor.lab import manager
from dnssec_doctor.lab.plan import ScenarioInfo
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.lab.state import LabState
from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.severity import Severity
from labbases import DEMO
from labthread import doctor

LAB_NOW = 1_800_000_000


def test_demo_diagnoses_the_chosen_scenarios_as_their_authors_expect() -> None:
    result = doctor(
        "demo", "--base", DEMO, "--scenario", "good-nsec", "--scenario", "expired-signatures"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 of 2 scenarios diagnosed as expected in " in result.stdout  # …and the time
    assert "RRSIG_EXPIRED" in result.stdout  # the broken one's root cause is in the table
    assert result.stderr == ""  # no warning of any library either
    # The lab is gone afterwards: its root server's address is free again.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((f"{DEMO}.0.1", 53))


def test_demo_refuses_unknown_scenarios_and_bad_bases_in_one_line() -> None:
    unknown = doctor("demo", "--scenario", "no-such-scenario")
    assert unknown.returncode == 3
    assert unknown.stderr.strip() == "dnssec-doctor: unknown scenario(s): no-such-scenario"
    bad = doctor("demo", "--base", "10.1", "--scenario", "good-nsec")
    assert bad.returncode == 3
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "127.0.0.0/8" in bad.stderr
    # 127.0/16 is the machine's own (127.0.0.1, systemd-resolved's 127.0.0.53): never a lab.
    system = doctor("demo", "--base", "127.0", "--scenario", "good-nsec")
    assert system.returncode == 3
    assert "not 127.0" in system.stderr


def test_demo_on_a_taken_base_says_so_and_leaves_the_running_lab_alone(tmp_path: Path) -> None:
    directory = tmp_path / "lab"
    running = manager.up(directory, scenarios=["good-nsec"], base=DEMO).state
    try:
        result = doctor("demo", "--base", DEMO, "--scenario", "good-nsec")
        assert result.returncode == 3
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Address already in use" in result.stderr
        after = manager.status(directory)
        assert after is not None and after.pid == running.pid  # still serving, untouched
    finally:
        manager.down(directory)


# --- the servers answer from another process than the one that checks -----------------


def udp_socket_inode(ip: str, port: int) -> str:
    """The inode of the UDP socket bound to ``ip``:``port`` (from /proc/net/udp)."""
    local = f"{int.from_bytes(socket.inet_aton(ip), sys.byteorder):08X}:{port:04X}"
    for line in Path("/proc/net/udp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local:
            return fields[9]
    raise AssertionError(f"nothing listens on {ip}:{port}/udp")


def socket_inodes(pid: int | str) -> set[str]:
    """Inodes of the sockets process ``pid`` holds open."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            found.add(target[len("socket:[") : -1])
    return found


def test_the_lab_answers_from_its_own_process_while_the_checks_run() -> None:
    plan = build_lab(LAB_NOW, base=DEMO, seed=7, names=["good-nsec", "lame-server"])
    labs: list[LabState] = []
    owners: list[tuple[bool, bool]] = []

    def looked(row: DemoRow) -> None:
        # Called in the checking process while the lab still serves: who holds the
        # root server's socket?
        inode = udp_socket_inode(f"{DEMO}.0.1", 53)
        owners.append((inode in socket_inodes("self"), inode in socket_inodes(labs[0].pid)))

    rows = run_demo(plan, LAB_NOW, concurrency=2, on_started=labs.append, on_done=looked)
    assert labs and labs[0].pid != os.getpid()
    assert owners == [(False, True), (False, True)]
    by_name = {r.info.name: r for r in rows}
    assert by_name["good-nsec"].problems == []
    assert by_name["lame-server"].problems == []
    transport = [f.code for f in by_name["good-nsec"].diagnosis.findings if "UNREACHABLE" in f.code]
    assert transport == []


def test_each_scenario_is_checked_with_checks_own_defaults(tmp_path: Path) -> None:
    defaults = parse(["check", "NAME"])[1]  # what `check NAME` runs with
    plan = build_lab(LAB_NOW, base=DEMO, seed=7, names=["mistyped-owner"])
    anchor = tmp_path / "root-anchor.ds"
    anchor.write_text("\n".join(plan.trust_anchor_ds) + "\n")
    lab = LabState(
        directory="/nonexistent",
        pid=1,
        backend="embedded",
        started_at=LAB_NOW,
        built_at=LAB_NOW,
        servers=(),
        root_hints=tuple(str(a) for a in plan.root_hints),
        trust_anchor_ds=plan.trust_anchor_ds,
        trust_anchor_dnskey=plan.trust_anchor_dnskey,
        scenarios=plan.scenarios,
        files={"ds": str(anchor)},
    )
    request = scenario_request(lab, plan.scenarios[0])
    assert request.limits.query_timeout == defaults["timeout"]
    assert request.limits.max_queries == defaults["max_queries"]
    assert request.limits.deadline == defaults["deadline"]
    assert request.limits.retries >= 1  # a lost datagram is asked again, as check does
    assert request.name.to_text() == "www.mistyped-owner.test."
    assert request.extra_types == ("A",)


# --- the strict "as expected" rule ---------------------------------------------------


def finding(code: str, severity: Severity, *caused_by: str, zone: str = "z.test.") -> Finding:
    return Finding(code, severity, zone, code, "", "", caused_by=caused_by)


def diagnosis(status: str, *findings: Finding) -> Diagnosis:
    return Diagnosis("z.test.", LAB_NOW, status, findings)  # type: ignore[arg-type]


HEALTHY = ScenarioInfo("good", "z.test.", "healthy", "secure")
BROKEN = ScenarioInfo("broken", "z.test.", "stale copy", "secure", ("SOA_SERIAL_DIVERGENT",))


def test_a_healthy_scenario_with_any_warning_is_not_as_expected() -> None:
    assert mismatches(HEALTHY, diagnosis("secure")) == []
    assert (
        mismatches(HEALTHY, diagnosis("secure", finding("ROLLOVER_IN_PROGRESS", Severity.INFO)))
        == []
    )
    warned = diagnosis("secure", finding("AUTH_TCP_UNREACHABLE", Severity.WARNING))
    assert mismatches(HEALTHY, warned) == ["unexpected warning AUTH_TCP_UNREACHABLE"]
    assert not DemoRow(HEALTHY, warned, 0.0).as_expected
    # A consequence counts too: what explains it must itself be expected.
    chained = diagnosis(
        "secure",
        finding("ROLLOVER_IN_PROGRESS", Severity.INFO),
        finding("DNSKEY_MISSING_ON_SOME_SERVERS", Severity.ERROR, "ROLLOVER_IN_PROGRESS@z.test."),
    )
    assert mismatches(HEALTHY, chained) == ["unexpected error DNSKEY_MISSING_ON_SOME_SERVERS"]
    noticed = diagnosis("secure", finding("SIGNED_ZONE_WITHOUT_DS", Severity.NOTICE))
    assert mismatches(HEALTHY, noticed) == ["unexpected notice SIGNED_ZONE_WITHOUT_DS"]


def test_a_broken_scenario_needs_exactly_its_root_causes() -> None:
    root = finding("SOA_SERIAL_DIVERGENT", Severity.WARNING)
    consequence = finding(
        "DNSKEY_MISSING_ON_SOME_SERVERS", Severity.ERROR, "SOA_SERIAL_DIVERGENT@z.test."
    )
    assert mismatches(BROKEN, diagnosis("secure", root, consequence)) == []
    assert mismatches(BROKEN, diagnosis("bogus", root)) == ["status bogus, expected secure"]
    assert mismatches(BROKEN, diagnosis("secure", consequence)) == [
        "no root cause SOA_SERIAL_DIVERGENT",
        "unexpected error DNSKEY_MISSING_ON_SOME_SERVERS",  # its cause is not there
    ]
    extra = finding("RRSIG_EXPIRES_SOON", Severity.WARNING)
    assert mismatches(BROKEN, diagnosis("secure", root, extra)) == [
        "unexpected warning RRSIG_EXPIRES_SOON"
    ]
    assert not DemoRow(BROKEN, diagnosis("secure", root, extra), 0.0).as_expected
