"""One real-server lab per address range: who runs it, and whether its ports are free.

A real lab uses fixed addresses in its ``<base>.0.0/16`` on port 53 (127.78 for
``lab up``), so two labs on one base cannot run at once. Worse, they would not
notice: BIND binds with SO_REUSEPORT and Unbound with SO_REUSEADDR, so a second
lab's daemons start happily and the kernel splits queries between the two. So
a start takes a machine-wide lock, reads which work directory owns the lab on
its base, and probes every address it needs with a plain UDP bind (which fails
while any other socket holds the address, whatever flags that one used). Labs
on different bases (a developer's ``lab up`` and the tests') run side by side.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import open_stream, read_input_text, write_file


def _run_dir() -> Path:
    # /run is per boot and root-only, as is the lab; fall back for tests run elsewhere.
    base = Path("/run") if os.access("/run", os.W_OK) else Path(tempfile.gettempdir())
    path = base / "dnssec-doctor"
    path.mkdir(mode=0o755, exist_ok=True)
    return path


@contextlib.contextmanager
def machine_lock() -> Iterator[None]:
    """Hold the machine-wide real-lab lock (blocks while another start/stop runs)."""
    lock = open_stream(_run_dir() / "real-lab.lock", what="lab lock", truncate=False)
    with os.fdopen(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _owner_file(base: str) -> Path:
    return _run_dir() / f"real-lab-{base}.owner"


def _recorded(path: Path) -> Path | None:
    try:
        text = read_input_text(path, what="lab owner file", max_bytes=64 * 1024).strip()
    except DoctorError:
        return None
    return Path(text) if text else None


def owner(base: str) -> Path | None:
    """The work directory of the last lab started on ``base``.0.0/16, if recorded."""
    return _recorded(_owner_file(base))


def set_owner(base: str, workdir: Path) -> None:
    """Record ``workdir`` as the work directory of the lab running on ``base``."""
    write_file(_owner_file(base), f"{workdir}\n".encode(), what="lab owner file")


def forget(workdir: Path) -> None:
    """Forget ``workdir`` as the owner of any base (it stopped)."""
    # "real-lab.owner" is where versions with one lab per machine recorded theirs.
    for path in _run_dir().glob("real-lab*.owner"):
        if _recorded(path) == workdir:
            path.unlink(missing_ok=True)


def busy_addresses(addresses: Iterable[ServerAddress]) -> list[str]:
    """The addresses some socket already holds, each with the programs that may hold it."""
    busy: list[str] = []
    for addr in addresses:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((addr.ip, addr.port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise DoctorError(f"cannot probe {addr}: {exc.strerror}") from None
            busy.append(str(addr))
        finally:
            sock.close()
    return busy


def dns_daemons() -> list[str]:
    """``pid command line`` of each running named/unbound/knotd/nsd (for error messages)."""
    found: list[str] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if comm in ("named", "unbound", "knotd", "nsd") and cmdline:
            args = cmdline.rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name} {args}")
    return sorted(found)
