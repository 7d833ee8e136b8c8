"""The loopback ranges (first two octets) the tests serve their labs on.

`dnssec-doctor lab up` serves on 127.77/16 (embedded) and `lab up --backend real`
on 127.78/16, and a developer may leave either running while `make test` runs. So
the tests that listen on port 53 use ranges of their own; a test on a lab's range
would fail with "address already in use" (or wait for the real lab, then give up).

- 127.79: the embedded labs of the tests (``labthread.start_lab``, test_differential);
- 127.80: the real-server (BIND/Unbound) labs of the tests;
- 127.81 and 127.85: modules with a lab of their own (test_lab_embedded,
  test_servers_lab); 127.82: `lab rollover` served by its CLI test (test_lab_rollover);
  127.84: the demo's test (``DEMO``; `dnssec-doctor demo` itself defaults to 127.76);
  127.86: servers_wire's addresses (nothing is bound);
  127.87 and 127.89: the benchmarks; 127.88: the hostile tree (``hostile_tree``).

Never 127.53/16. Recorded captures keep the addresses they were recorded on (the
golden check cases 127.77, the resolver cases 127.78): replaying binds nothing, and
the scripts that record them use those ranges again, so a re-recording changes only
what the probe changed (stop a running `lab up` first).
"""

from __future__ import annotations

import os

SHIFT = int(os.environ.get("DNSSEC_DOCTOR_TEST_RANGE_SHIFT", "0"))
"""Moves every range the tests bind by this many /16s (a second checkout running its
suite at the same time sets it, e.g. 20, so the two never share an address)."""


def moved_range(second_octet: int) -> str:
    """The tests' range ``127.<second_octet>`` moved by :data:`SHIFT`."""
    moved = second_octet + SHIFT
    if moved > 255:  # wrap into 127.97 and up (below are other tools' and our own ranges)
        moved = moved - 256 + 97
    if not 0 < moved < 256 or moved in (53, 95):
        raise ValueError(
            f"DNSSEC_DOCTOR_TEST_RANGE_SHIFT={SHIFT} moves 127.{second_octet} off limits"
        )
    return f"127.{moved}"


EMBEDDED = moved_range(79)
"""Where the tests' embedded labs listen."""
REAL = moved_range(80)
"""Where the tests' BIND/Unbound labs listen (their resolvers on ``127.80.255.x``)."""
DEMO = moved_range(84)
"""Where the test of ``dnssec-doctor demo`` runs its lab."""
OWN_EMBEDDED = moved_range(81)
"""test_lab_embedded's own lab."""
SERVERS_LAB = moved_range(85)
"""test_servers_lab's own lab."""
HOSTILE = moved_range(88)
ROLLOVER_CLI = moved_range(82)
"""test_lab_rollover's `lab rollover` (a background lab, as a user starts it)."""
"""The hostile authoritative tree (tests/hostile_tree.py)."""

RECORDED_EMBEDDED = "127.77"
"""The range the golden check cases (tests/cases/check-*) were recorded on."""
RECORDED_REAL = "127.78"
"""The range the resolver cases (tests/data/resolver) were recorded on."""
