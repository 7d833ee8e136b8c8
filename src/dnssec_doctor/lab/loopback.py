"""Lab addresses on the loopback interface, added and removed with ``ip addr``.

BIND ``named`` only listens on addresses configured on an interface, although
Linux routes all of 127.0.0.0/8 to ``lo``; so the real-server lab adds each of
its addresses as a /32 on ``lo`` before starting and removes them afterwards.
Only addresses in 127.0.0.0/8 outside 127.0.0.0/16 are ever touched: the lab's
ranges (127.78/16 for ``lab up``, another ``--base``, the tests' own) live there,
and the machine's own loopback services (127.0.0.1, systemd-resolved's
127.0.0.53, Debian's 127.0.1.1) do not, so a mistake here cannot take them away.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from collections.abc import Iterable

from dnssec_doctor.errors import DoctorError

LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")
SYSTEM = ipaddress.IPv4Network("127.0.0.0/16")
"""Inside LOOPBACK, but never lab space: where the machine's own services listen."""

DEVICE = "lo"


def _lab_address(text: str) -> ipaddress.IPv4Address:
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        raise DoctorError(f"not an IP address: {text!r}") from None
    if not isinstance(addr, ipaddress.IPv4Address) or not is_lab_space(addr):
        raise DoctorError(
            f"refusing to touch {addr} on {DEVICE}: only {LOOPBACK} outside {SYSTEM} is lab space"
        )
    return addr


def is_lab_space(addr: ipaddress.IPv4Address) -> bool:
    """Whether a lab may use ``addr``: loopback, outside the machine's own services."""
    return addr in LOOPBACK and addr not in SYSTEM


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("ip")
    if exe is None:
        raise DoctorError("the `ip` command (iproute2) is missing; install the iproute2 package")
    return subprocess.run([exe, *args], capture_output=True, text=True, check=False, timeout=10)


def present_addresses() -> set[ipaddress.IPv4Address]:
    """The lab-space addresses (127.0.0.0/8 outside 127.0.0.0/16) configured on ``lo``."""
    proc = _ip("-4", "-o", "addr", "show", "dev", DEVICE)
    if proc.returncode != 0:
        raise DoctorError(f"`ip addr show dev {DEVICE}` failed: {proc.stderr.strip()}")
    found: set[ipaddress.IPv4Address] = set()
    for line in proc.stdout.splitlines():
        words = line.split()
        if "inet" not in words:
            continue
        cidr = words[words.index("inet") + 1]
        iface = ipaddress.ip_interface(cidr)
        if isinstance(iface, ipaddress.IPv4Interface) and is_lab_space(iface.ip):
            found.add(iface.ip)
    return found


def add_addresses(addresses: Iterable[str]) -> list[str]:
    """Add each address as a /32 on ``lo``; already-present ones are left alone.

    Returns the addresses that were actually added. DoctorError when one is
    outside lab space or ``ip`` fails (usually: not running as root).
    """
    wanted = sorted({_lab_address(a) for a in addresses})
    have = present_addresses()
    added: list[str] = []
    for addr in wanted:
        if addr in have:
            continue
        proc = _ip("addr", "add", f"{addr}/32", "dev", DEVICE)
        # "File exists": someone added it since we looked; that is what we wanted.
        if proc.returncode != 0 and "File exists" not in proc.stderr:
            hint = " (adding addresses needs root)" if "not permitted" in proc.stderr else ""
            raise DoctorError(f"cannot add {addr}/32 to {DEVICE}: {proc.stderr.strip()}{hint}")
        added.append(str(addr))
    return added


def remove_addresses(addresses: Iterable[str]) -> list[str]:
    """Remove each /32 from ``lo`` when present; absent ones are fine.

    Returns the addresses that were actually removed.
    """
    wanted = sorted({_lab_address(a) for a in addresses})
    have = present_addresses()
    removed: list[str] = []
    for addr in wanted:
        if addr not in have:
            continue
        proc = _ip("addr", "del", f"{addr}/32", "dev", DEVICE)
        if proc.returncode != 0 and "Cannot assign" not in proc.stderr:
            raise DoctorError(f"cannot remove {addr}/32 from {DEVICE}: {proc.stderr.strip()}")
        removed.append(str(addr))
    return removed
