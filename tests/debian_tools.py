"""Every outside program a test runs, and the Debian package that provides it.

A test names the programs it needs with ``@pytest.mark.requires_tools(...)``; the
marker fails (never skips) when one is missing, and it refuses a program that is not
listed here. ``test_debian_tools`` checks this table against the machine (``dpkg -S``)
and against the packages ``make test`` installs, so a tool that only a developer's
machine happens to have (installed once for the benchmarks, say) fails the suite
instead of hiding a missing install step.
"""

from __future__ import annotations

import os
import shutil

TOOL_PACKAGES: dict[str, str] = {
    "named": "bind9",
    "named-checkconf": "bind9-utils",
    "dnssec-keygen": "bind9-utils",
    "dnssec-signzone": "bind9-utils",
    "dnssec-verify": "bind9-utils",
    "dig": "bind9-dnsutils",
    "delv": "bind9-dnsutils",
    "unbound": "unbound",
    "ldns-verify-zone": "ldnsutils",
    "ldns-read-zone": "ldnsutils",
    "kzonecheck": "knot-dnssecutils",
    "dot": "graphviz",
    "ip": "iproute2",
    "time": "time",
    "chromium": "chromium",
}
"""Program name → the Debian package that provides it."""

SEARCH_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
"""Daemons live in sbin, which a non-login shell's PATH may lack."""


def which(tool: str) -> str | None:
    """Where ``tool`` is installed, or None."""
    return shutil.which(tool, path=SEARCH_PATH)
