"""What the resolver diagnosis must say about each lab resolver.

Shared by the live real-lab test (test_resolver_real.py) and the offline test
over captures recorded from the same lab (test_resolver_recorded.py).
"""

from __future__ import annotations

from dnssec_doctor import catalog
from dnssec_doctor.lab.plan import ScenarioInfo
from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.severity import Severity

VALIDATING = ("validating", "bind-validating")
ROLES = ("validating", "stale-anchor", "non-validating", "bind-validating")


def at(d: Diagnosis, address: str) -> list[Finding]:
    """The findings that name ``address`` among their servers."""
    return [f for f in d.findings if address in f.servers]


def show(found: list[Finding]) -> list[tuple[str, str, str]]:
    """Findings as (code, zone, detail), for assertion messages."""
    return [(f.code, f.zone, f.detail) for f in found]


def cause_codes(f: Finding) -> set[str]:
    """The codes ``f`` is caused by."""
    return {key.split("@", 1)[0] for key in f.caused_by}


def expect_validating(found: list[Finding], info: ScenarioInfo) -> None:
    """A validating resolver: bogus names fail with the zone-side cause; others say nothing.

    The lab's expired and not-yet-valid signatures are three days off, beyond
    Unbound's one-day skew allowance (val-sig-skew-max), so both resolvers fail
    them; an allowance that accepts them is a CLOCK_SKEW notice instead
    (test_resolver_analysis.py).
    """
    if info.expected_status != "bogus":
        assert found == [], show(found)
        return
    servfail = [f for f in found if f.code == "RESOLVER_SERVFAIL_DNSSEC"]
    assert servfail, show(found)
    causes = set().union(*(cause_codes(f) for f in servfail))
    # The problems among the root causes (not facts such as a rollover's stage).
    problems = [c for c in info.expected_codes if catalog.entry(c).severity >= Severity.WARNING]
    assert set(problems) <= causes, (causes, show(found))
    assert any(problems[0] in f.detail for f in servfail)
    assert not any(f.code == "TRUST_ANCHOR_STALE_OR_MISMATCHED" for f in found), show(found)


def expect_stale_anchor(found: list[Finding]) -> None:
    """The stale-anchor resolver: one trust-anchor finding at the root explains every failure."""
    anchor = [f for f in found if f.code == "TRUST_ANCHOR_STALE_OR_MISMATCHED"]
    assert len(anchor) == 1, show(found)
    assert anchor[0].zone == "."
    assert anchor[0].is_root_cause
    assert anchor[0].evidence["root_ksk_tags"]
    servfail = [f for f in found if f.code == "RESOLVER_SERVFAIL_DNSSEC"]
    assert servfail, show(found)
    for f in servfail:
        assert anchor[0].key in f.caused_by, show([f])


def expect_non_validating(found: list[Finding], info: ScenarioInfo) -> None:
    """The non-validating resolver: NOT_VALIDATING when a bogus name shows it, else AD_NOT_SET."""
    codes = {f.code for f in found}
    if info.expected_status == "bogus":
        assert "RESOLVER_NOT_VALIDATING" in codes, show(found)
    else:
        # Without a bogus name to answer, "never sets AD" is all that can be seen.
        assert codes == {"RESOLVER_AD_NOT_SET"}, show(found)
        assert "most likely does not validate" in found[0].detail
    assert "RESOLVER_SERVFAIL_DNSSEC" not in codes


def expect_role(d: Diagnosis, info: ScenarioInfo, role: str, address: str) -> None:
    """Everything the diagnosis must say about the lab resolver ``role`` at ``address``."""
    found = at(d, address)
    if role in VALIDATING:
        expect_validating(found, info)
    elif role == "stale-anchor":
        expect_stale_anchor(found)
    else:
        expect_non_validating(found, info)
