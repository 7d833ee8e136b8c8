"""Processes of the real-server lab: spawn, wait until ready, stop, and a state file.

Daemons run in the foreground (``named -f``, ``unbound -d``) in a session of
their own, spawned with ``posix_spawn`` so no ``Popen`` object outlives the
call; the process that started them reaps them on stop. Every process is
written to the state file before we wait for it, so a start that fails
half-way, or ``lab down`` from another process, can still stop it. A pid is
only signalled while its command line still names our config file (pids are
reused).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import dns.dnssectypes
import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rdataclass
import dns.rdatatype
from cryptography.hazmat.primitives.asymmetric import ec

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import read_input_text, write_file
from dnssec_doctor.lab.realconf import DaemonPaths

_EXTRA_PATH = "/usr/sbin:/sbin:/usr/bin:/bin"
_POLL = 0.05
_STOP_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Proc:
    """One started daemon."""

    role: str
    pid: int
    conf: str
    """Its config file path: how we recognise the pid as ours."""
    out_file: str
    log_file: str


@dataclass(slots=True)
class State:
    """What a running lab started, saved as JSON after every change."""

    path: Path
    processes: list[Proc] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)

    def save(self) -> None:
        """Write atomically (a reader never sees half a file)."""
        data = {
            "version": 1,
            "processes": [
                {
                    "role": p.role,
                    "pid": p.pid,
                    "conf": p.conf,
                    "out_file": p.out_file,
                    "log_file": p.log_file,
                }
                for p in self.processes
            ],
            "addresses": self.addresses,
        }
        write_file(self.path, (json.dumps(data, indent=1) + "\n").encode(), what="lab file")

    @classmethod
    def load(cls, path: Path) -> State:
        """Read a state file; DoctorError when it is not one of ours."""
        try:
            data = json.loads(read_input_text(path, what="lab file", max_bytes=1 << 20))
            procs = [
                Proc(
                    str(p["role"]),
                    int(p["pid"]),
                    str(p["conf"]),
                    str(p["out_file"]),
                    str(p["log_file"]),
                )
                for p in data["processes"]
            ]
            addresses = [str(a) for a in data["addresses"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DoctorError(f"unreadable lab state file {path}: {exc}") from None
        return cls(path, procs, addresses)


def find_binary(name: str, package: str) -> str:
    """The path of a daemon or tool; DoctorError naming the Debian package when missing."""
    search = os.environ.get("PATH", "") + ":" + _EXTRA_PATH
    found = shutil.which(name, path=search)
    if found is None:
        raise DoctorError(
            f"`{name}` not found: install the Debian package {package} (`make debian-packages`)"
        )
    return found


def _spawn(argv: list[str], out_file: Path) -> int:
    env = {"PATH": os.environ.get("PATH", "") + ":" + _EXTRA_PATH, "LC_ALL": "C"}
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(out_file), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    return os.posix_spawn(argv[0], argv, env, file_actions=actions, setsid=True)


def alive(proc: Proc) -> bool:
    """True while the process runs and is still the one we started."""
    try:
        pid, _status = os.waitpid(proc.pid, os.WNOHANG)
    except ChildProcessError:
        pass  # not our child (started by another process): look in /proc
    else:
        # Our own child: its pid cannot be reused before we reap it, and /proc
        # would show an empty command line while it exits, so trust waitpid.
        return pid != proc.pid
    try:
        stat = Path(f"/proc/{proc.pid}/stat").read_text()
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
        return False  # a zombie nobody reaps is no longer a server
    return proc.conf.encode() in cmdline


def terminate(proc: Proc) -> None:
    """SIGTERM, then SIGKILL after a grace period; no-op when already gone."""
    for sig, grace in ((signal.SIGTERM, _STOP_SECONDS), (signal.SIGKILL, 2.0)):
        if not alive(proc):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not alive(proc):
                return
            time.sleep(_POLL)
    if alive(proc):
        raise DoctorError(f"lab process {proc.role} (pid {proc.pid}) does not stop")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def _tail(path: str, lines: int = 15) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _failure(proc: Proc, what: str) -> DoctorError:
    details = "\n".join(t for t in (_tail(proc.out_file), _tail(proc.log_file)) if t)
    return DoctorError(f"lab {proc.role} server {what}" + (f":\n{details}" if details else ""))


_RUNNING = re.compile(r"\brunning\s*$", re.MULTILINE)
_IN_USE = re.compile(r"could not listen|address in use", re.IGNORECASE)


def start_named(
    state: State, role: str, *, binary: str, conf: Path, paths: DaemonPaths, timeout: float
) -> Proc:
    """Start ``named -f`` on ``conf`` and wait until it logs that it is running."""
    out = Path(paths.directory) / "named.out"
    Path(paths.log_file).unlink(missing_ok=True)
    pid = _spawn([binary, "-f", "-4", "-n", "2", "-c", str(conf)], out)
    proc = Proc(role, pid, str(conf), str(out), paths.log_file)
    state.processes.append(proc)
    state.save()
    deadline = time.monotonic() + timeout
    while True:
        if not alive(proc):
            raise _failure(proc, "(named) exited while starting")
        log = _read(paths.log_file)
        if _IN_USE.search(log):
            # named keeps running without the socket; another lab holds the address.
            raise _failure(proc, "(named) cannot listen (is another lab running?)")
        if _RUNNING.search(log):
            return proc
        if time.monotonic() > deadline:
            raise _failure(proc, f"(named) not running after {timeout:.0f} s")
        time.sleep(_POLL)


def zone_load_errors(proc: Proc) -> list[str]:
    """Log lines of a started ``named`` that say a zone did not load."""
    try:
        log = Path(proc.log_file).read_text(errors="replace")
    except OSError:
        return []
    bad = ("not loaded due to errors", "loading from master file", ": error:")
    return [line for line in log.splitlines() if any(b in line for b in bad)]


def start_unbound(
    state: State,
    role: str,
    *,
    binary: str,
    conf: Path,
    paths: DaemonPaths,
    address: ServerAddress | None,
    timeout: float,
) -> Proc:
    """Start ``unbound -d`` on ``conf`` and wait until it answers a local query.

    With ``address`` None (a server that drops every query) wait for the log
    line saying the service started instead.
    """
    out = Path(paths.directory) / "unbound.out"
    pid = _spawn([binary, "-d", "-c", str(conf)], out)
    proc = Proc(role, pid, str(conf), str(out), paths.log_file)
    state.processes.append(proc)
    state.save()
    deadline = time.monotonic() + timeout
    # version.server CH TXT is answered by Unbound itself, without recursion.
    query = dns.message.make_query("version.server.", dns.rdatatype.TXT, dns.rdataclass.CH)
    while True:
        if not alive(proc):
            raise _failure(proc, "(unbound) exited while starting")
        if address is None:
            if "start of service" in _read(paths.log_file):
                return proc
        else:
            try:
                dns.query.udp(query, address.ip, timeout=0.2, port=address.port)
            except (dns.exception.DNSException, OSError):
                pass
            else:
                return proc
        if time.monotonic() > deadline:
            raise _failure(proc, f"(unbound) not answering after {timeout:.0f} s")
        time.sleep(_POLL)


def unrelated_root_ds(anchors: list[str] | tuple[str, ...]) -> str:
    """A root DS record for a fresh key the lab never used: a stale trust anchor.

    It looks like an anchor left over from a KSK rolled away long ago
    (RFC 5011 not followed), so a resolver holding it finds every chain bogus.
    """
    tags = {w for a in anchors for w in a.split()[-4:-3]}
    while True:
        key = ec.generate_private_key(ec.SECP256R1())
        dnskey = dnspython_dnssec.make_dnskey(
            key.public_key(), dns.dnssectypes.Algorithm.ECDSAP256SHA256, flags=257
        )
        ds = dnspython_dnssec.make_ds(dns.name.root, dnskey, "SHA256")
        if str(ds.key_tag) not in tags:
            return f". 3600 IN DS {ds.to_text()}"
