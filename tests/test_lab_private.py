"""lab.private: a lab served by a process of its own, gone on every way out of its block.

The servers listen on free ports of the demo test's range (not port 53), so these
tests never collide with a lab on port 53, the demo's test's included.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.lab import manager
from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.private import DIRECTORY_PREFIX, private_lab
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.lab.state import LabState
from labbases import DEMO

LAB_NOW = 1_800_000_000
GONE_WITHIN = 30.0
"""Generous bound for a lab process to notice its owner died (it looks twice a second)."""


def free_port(ip: str) -> int:
    """A port free for UDP and TCP on ``ip`` (the lab binds it right after)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind((ip, 0))
            port = int(u.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind((ip, port))
                except OSError:
                    continue
        return port


def free_port_plan() -> LabPlan:
    """The good-nsec lab with every server on a free port of the demo test's range."""
    plan = build_lab(LAB_NOW, base=DEMO, seed=7, names=["good-nsec"])
    moved = {s.address: ServerAddress(s.address.ip, free_port(s.address.ip)) for s in plan.servers}
    servers = tuple(replace(s, address=moved[s.address]) for s in plan.servers)
    return replace(plan, servers=servers, root_hints=tuple(moved[a] for a in plan.root_hints))


def gone(pid: int) -> bool:
    """True when ``pid`` has exited (a zombie nobody reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + GONE_WITHIN
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return gone(pid)


def answers(lab: LabState) -> bool:
    """The lab's first root server answers the SOA of the root authoritatively."""
    address = ServerAddress.parse(lab.root_hints[0])
    response = dns.query.udp(
        dns.message.make_query(".", "SOA"), address.ip, port=address.port, timeout=5
    )
    return bool(response.flags & dns.flags.AA)


def test_serves_from_another_process_in_a_directory_of_its_own() -> None:
    with private_lab(free_port_plan()) as lab:
        assert lab.pid != os.getpid()
        argv = Path(f"/proc/{lab.pid}/cmdline").read_bytes().split(b"\0")
        assert manager.DAEMON_MODULE.encode() in argv
        assert [b"--parent", str(os.getpid()).encode()] == argv[-3:-1]
        directory = Path(lab.directory)
        assert directory.name.startswith(DIRECTORY_PREFIX)
        assert directory != manager.default_directory().resolve()  # never lab up's
        assert Path(lab.files["ds"]).read_text().startswith(". 3600 IN DS ")
        assert answers(lab)
    assert gone(lab.pid)
    assert not directory.exists()


def test_an_error_in_the_block_still_stops_the_lab() -> None:
    with pytest.raises(RuntimeError, match="boom"), private_lab(free_port_plan()) as lab:
        raise RuntimeError("boom")
    assert gone(lab.pid)
    assert not Path(lab.directory).exists()


OWNER = """
import sys, time
sys.path.insert(0, {tests!r})
from test_lab_private import free_port_plan
from dnssec_doctor.lab.private import private_lab
with private_lab(free_port_plan()) as lab:
    print(lab.pid, lab.directory, flush=True)
    while True:
        time.sleep(60)
"""


def start_owner() -> tuple[subprocess.Popen[str], int, Path]:
    """A process that starts a private lab and waits in its block; it, the lab's pid and
    the lab's directory."""
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER.format(tests=str(Path(__file__).parent))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout is not None
    line = owner.stdout.readline()
    if not line:
        owner.kill()
        raise AssertionError(owner.communicate()[1])
    pid, directory = line.split()
    return owner, int(pid), Path(directory)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_interrupted_owner_stops_its_lab_before_it_exits(signum: int) -> None:
    owner, pid, directory = start_owner()
    try:
        owner.send_signal(signum)
        _, err = owner.communicate(timeout=60)
        assert "KeyboardInterrupt" in err  # the block was left through the clean-up path
        assert gone(pid)  # already when the owner has exited: it waited for the lab
        assert not directory.exists()
    finally:
        owner.kill()
        if not gone(pid):
            os.kill(pid, signal.SIGKILL)


def test_lab_stops_by_itself_when_its_owner_is_killed() -> None:
    owner, pid, directory = start_owner()
    try:
        owner.kill()  # SIGKILL: no clean-up in the owner at all
        owner.communicate(timeout=60)
        assert wait_gone(pid)
        assert not directory.exists()  # the lab removed its own directory
    finally:
        if not gone(pid):
            os.kill(pid, signal.SIGKILL)
