"""Lab zones of the web tests only: hostile labels and delegations to private addresses.

They join the lab through ``extra_scenarios`` (added after the built-in scenarios,
so those keep their addresses and golden data), only while a test's lab is built.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import labbases
from dnssec_doctor.lab import scenarios
from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.scenarios_env import DAY, TTL, Delegation, ScenarioBuild, ScenarioEnv
from dnssec_doctor.lab.signer import SigningPlan

HOSTILE_TXT = (
    '"<script>alert(1)</script>"',
    '"\\"><img src=x onerror=alert(1)>"',
    '"\\027[31mred\\027[0m \\226\\128\\174reversed"',
)
"""TXT strings at the hostile zone's apex: a script tag, an attribute break-out, a
terminal escape (ESC, octal 27) and a right-to-left override (U+202E in UTF-8)."""
HOSTILE_NS = (
    "<script>.ns.invalid.",
    '\\"><img\\032onerror=alert\\(1\\)>.ns.invalid.',
    "\\027[31mred\\226\\128\\174.ns.invalid.",
)
"""NS names at the apex the parent does not list (a finding names them)."""


def hostile_labels(env: ScenarioEnv) -> ScenarioBuild:
    """Signed, but every signature expired: the findings quote its RRsets and names."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    b = env.builder()
    b.add("@", TTL, "TXT", *HOSTILE_TXT)
    b.add("@", TTL, "NS", *HOSTILE_NS)
    b.add("<script>", TTL, "TXT", *HOSTILE_TXT)
    plan = SigningPlan.standard(ksk, zsk, *env.window(-33 * DAY, -3 * DAY))
    text = env.signed(b.build(), plan)
    info = env.info("Hostile labels and TXT strings, signatures expired.", "bogus")
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def _delegation_only(env: ScenarioEnv, ns: tuple[tuple[str, str], ...]) -> ScenarioBuild:
    """A child the parent delegates to ``ns`` (host, glue), with no lab server of its own."""
    info = env.info("A delegation to a private address.", "indeterminate")
    return ScenarioBuild(info, (), Delegation(env.zone, ns))


def to_loopback(env: ScenarioEnv) -> ScenarioBuild:
    return _delegation_only(env, ((f"ns1.{env.zone}", "127.0.0.1"),))


def to_ten(env: ScenarioEnv) -> ScenarioBuild:
    return _delegation_only(env, ((f"ns1.{env.zone}", "10.1.2.3"),))


def private_host(env: ScenarioEnv) -> ScenarioBuild:
    """A good zone whose ``ns`` resolves to a private address (10.9.9.9: ``to-name``
    delegates to that name), and which delegates ``mapped`` to 127.0.0.1 in its
    IPv4-mapped IPv6 form (``::ffff:127.0.0.1``, AAAA glue)."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    b = env.builder().add("ns", TTL, "A", "10.9.9.9")
    b.add("mapped", TTL, "NS", "ns.mapped").add("ns.mapped", TTL, "AAAA", "::ffff:127.0.0.1")
    content = b.build()
    text = env.signed(content, SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info("Names resolving to private addresses.", "secure")
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def to_name(env: ScenarioEnv) -> ScenarioBuild:
    """Delegated, without glue, to ``ns.private-host.test.`` (private addresses)."""
    info = env.info("A delegation to a name with private addresses.", "indeterminate")
    # The A record the parent adds lies below the cut of private-host.test (occluded, so
    # not glue for this delegation): the walk must look the name up in that zone.
    return ScenarioBuild(info, (), Delegation(env.zone, (("ns.private-host.test.", "10.9.9.9"),)))


EXTRA = {
    "hostile-labels": hostile_labels,
    "to-loopback": to_loopback,
    "to-ten": to_ten,
    "private-host": private_host,
    "to-name": to_name,
}


@contextmanager
def web_lab(names: list[str]) -> Iterator[BackgroundLab]:
    """A lab signed as of now (``serve`` reads the clock) with ``names``, built-in or not."""
    with pytest.MonkeyPatch.context() as patch:
        for name, builder in EXTRA.items():
            patch.setitem(scenarios.SCENARIOS, name, builder)
        plan = scenarios.build_lab(int(time.time()), base=labbases.EMBEDDED, seed=7, names=names)
    with BackgroundLab(plan) as lab:
        yield lab
