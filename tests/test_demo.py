"""`dnssec-doctor demo` end to end: the lab up, every chosen scenario diagnosed, the lab down."""

from __future__ import annotations

import socket

from labbases import DEMO
from labthread import doctor


def test_demo_diagnoses_the_chosen_scenarios_as_their_authors_expect() -> None:
    result = doctor(
        "demo", "--base", DEMO, "--scenario", "good-nsec", "--scenario", "expired-signatures"
    )
    assert result.returncode == 0, result.stderr
    assert "2 of 2 scenarios diagnosed as expected" in result.stdout
    assert "RRSIG_EXPIRED" in result.stdout  # the broken one's root cause is in the table
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
