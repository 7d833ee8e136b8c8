"""An alias is only as secure as its target (analysis.alias; RFC 4035 §5.3.3)."""

from __future__ import annotations

import pytest

from dnssec_doctor import catalog
from dnssec_doctor.analysis.name.alias import with_alias
from dnssec_doctor.model.findings import Diagnosis, Status, ZoneReport

NAME, TARGET = "www.a.example.", "www.b.example."


def diagnosis(
    name: str, status: Status, zones: tuple[str, ...], codes: tuple[str, ...] = ()
) -> Diagnosis:
    return Diagnosis(
        name=name,
        at=0,
        status=status,
        findings=tuple(catalog.finding(c, zone=zones[-1], detail="d") for c in codes),
        zones=tuple(ZoneReport(z, status) for z in zones),
        servers=("127.0.0.2",),
        stats={"status_reason": f"{name} reason"},
    )


@pytest.mark.parametrize(
    ("own", "target", "combined"),
    [
        ("secure", "secure", "secure"),
        ("secure", "insecure", "insecure"),
        ("insecure", "secure", "insecure"),
        ("secure", "bogus", "bogus"),
        ("bogus", "secure", "bogus"),
        ("insecure", "indeterminate", "indeterminate"),
        ("indeterminate", "bogus", "bogus"),
    ],
)
def test_the_weakest_link_decides(own: Status, target: Status, combined: Status) -> None:
    merged = with_alias(
        diagnosis(NAME, own, (".", "example.", "a.example.")),
        TARGET,
        diagnosis(TARGET, target, (".", "example.", "b.example.")),
    )
    assert merged.status == combined
    reason = str(merged.stats["status_reason"])
    if combined != own:
        assert reason.startswith(f"{NAME} is an alias of {TARGET}, which is {target}")
        assert reason.endswith(f"{TARGET} reason")
    else:
        assert reason == f"{NAME} reason"


def test_zones_and_findings_of_both_chains_each_once() -> None:
    own = diagnosis(NAME, "secure", (".", "example.", "a.example."), ("RRSIG_EXPIRES_SOON",))
    target = diagnosis(TARGET, "bogus", (".", "example.", "b.example."), ("RRSIG_EXPIRED",))
    merged = with_alias(own, TARGET, target)
    assert [z.name for z in merged.zones] == [".", "example.", "a.example.", "b.example."]
    assert sorted(f.code for f in merged.findings) == ["RRSIG_EXPIRED", "RRSIG_EXPIRES_SOON"]
    again = with_alias(own, TARGET, own)  # the same findings from shared exchanges
    assert [f.code for f in again.findings] == ["RRSIG_EXPIRES_SOON"]
