"""The zone-cut scenarios (lab.scenarios_cuts) are built as they claim.

Each puts a child zone on its parent's own servers; these tests read the plan
(no servers start): which server serves which zone, whether the child is signed
and validates, and what the parent's DS says about it.
"""

from __future__ import annotations

import dns.name
import dns.rdatatype
import pytest

from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.lab.scenarios_cuts import SCENARIOS
from test_lab_scenarios import _ds_state, _signing_problems, _zone

NOW = 1_800_000_000
T = dns.rdatatype.RdataType

CHILDREN = {
    "good-child-same-servers": [("sub", "match-signing", (1, 2))],
    "good-optout-child-same-servers": [("insecure", "none", (1, 2))],
    "child-wrong-ds-same-servers": [("sub", "no-match", (1, 2))],
    "good-ent-above-child": [("sub.ent", "match-signing", (1, 2))],
    "good-cname-into-sibling": [
        ("alias", "match-signing", (1, 2)),
        ("target", "match-signing", (1, 2)),
    ],
    "good-child-subset-servers": [("sub", "match-signing", (1,))],
    "good-dname-into-sibling": [("target", "match-signing", (1, 2))],
    "cname-into-expired-sibling": [
        ("alias", "match-signing", (1, 2)),
        ("target", "match-not-signing", (1, 2)),  # its signature has expired by NOW
    ],
}
"""Scenario → (child label, DS state at the parent, which of the parent's servers serve it)."""


@pytest.fixture(scope="module")
def plan() -> LabPlan:
    return build_lab(NOW, seed=3, names=list(SCENARIOS), base="127.78")


def test_every_zone_cut_scenario_is_described_here() -> None:
    assert set(CHILDREN) == set(SCENARIOS)


@pytest.mark.parametrize("scenario", sorted(CHILDREN))
def test_children_sit_on_the_parents_servers(plan: LabPlan, scenario: str) -> None:
    parent = f"{scenario}.test."
    hosts = {s.address: {z.origin for z in s.zones} for s in plan.servers}
    parent_servers = sorted(a for a, zones in hosts.items() if parent in zones)
    assert len(parent_servers) == 2
    for label, ds_state, serving in CHILDREN[scenario]:
        child = f"{label}.{parent}"
        assert [a for a in parent_servers if child in hosts[a]] == [
            parent_servers[n - 1] for n in serving
        ]
        assert _ds_state(plan, child, parent) == ds_state
        zone = _zone(plan, child)
        signed = zone.get_rdataset(dns.name.from_text(child), T.DNSKEY) is not None
        assert signed == (ds_state != "none")
        if (scenario, label) == ("cname-into-expired-sibling", "target"):
            assert _ds_state(plan, child, parent, at=NOW - 4 * 86400) == "match-signing"
            continue
        if signed:
            assert _signing_problems(zone, NOW) == []
        # The parent delegates (NS at the child's name), so the cut is real.
        delegation = _zone(plan, parent).get_rdataset(dns.name.from_text(child), T.NS)
        assert delegation is not None


def test_the_empty_non_terminal_holds_nothing(plan: LabPlan) -> None:
    parent = _zone(plan, "good-ent-above-child.test.")
    node = parent.get_node(dns.name.from_text("ent.good-ent-above-child.test."))
    assert node is None or all(r.rdtype in (T.NSEC, T.RRSIG) for r in node.rdatasets)


def test_the_alias_points_into_the_sibling(plan: LabPlan) -> None:
    alias = _zone(plan, "alias.good-cname-into-sibling.test.")
    cname = alias.get_rdataset(
        dns.name.from_text("www.alias.good-cname-into-sibling.test."), T.CNAME
    )
    assert cname is not None
    target = cname[0].target
    sibling = _zone(plan, "target.good-cname-into-sibling.test.")
    assert sibling.get_rdataset(target, T.A) is not None


def test_the_expired_sibling_is_expired_and_its_alias_is_not(plan: LabPlan) -> None:
    scenario = "cname-into-expired-sibling"
    target = _zone(plan, f"target.{scenario}.test.")
    problems = _signing_problems(target, NOW)
    assert problems and all("expired" in p for p in problems)
    assert _signing_problems(target, NOW - 4 * 86400) == []
    assert _signing_problems(_zone(plan, f"alias.{scenario}.test."), NOW) == []


def test_the_dname_maps_onto_the_sibling(plan: LabPlan) -> None:
    scenario = "good-dname-into-sibling"
    parent = _zone(plan, f"{scenario}.test.")
    dname = parent.get_rdataset(dns.name.from_text(f"moved.{scenario}.test."), T.DNAME)
    assert dname is not None and dname[0].target.to_text() == f"target.{scenario}.test."
    assert _signing_problems(parent, NOW) == []  # the DNAME is signed by the parent
