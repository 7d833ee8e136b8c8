"""``ds.analyse.analyse_ds``: the ``ds`` verdict from a survey, without the network.

The surveys are replays of the recorded golden captures (tests/cases), so these
tests pin what the entry point joins: the chain's verdict on the parent's DS now,
the walk's events, the preflight, and the status contract of ``check``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dnssec_doctor.analysis.engine import analyse
from dnssec_doctor.analysis.walk import walk_findings
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.ds.analyse import DsAnalysis, NothingToCheckError, analyse_ds
from dnssec_doctor.ds.input import parse_ds_input
from dnssec_doctor.ds.registry_policy import registry_policy
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import TrustAnchors
from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.model.survey import Survey, WalkEvent
from dnssec_doctor.session import survey_from_capture

CASES = Path(__file__).parent / "cases"
NOW = 1_800_000_000


def survey_of(case: str) -> Survey:
    survey, _ = survey_from_capture(load_capture(CASES / f"check-{case}" / "capture.json.gz"))
    return survey


def analyse_case(case: str, pasted: str | None = None, queries: int = 7) -> DsAnalysis:
    parsed = parse_ds_input(pasted) if pasted is not None else None
    return analyse_ds(
        survey_of(case), parsed, registry_policy("default"), NOW, Limits(), queries=queries
    )


def test_good_zone_offers_the_published_ds_and_has_nothing_to_say() -> None:
    result = analyse_case("good-nsec", queries=41)
    assert result.diagnosis.status == "secure" and result.diagnosis.findings == ()
    assert result.diagnosis.name == "good-nsec.test."
    assert result.diagnosis.stats == {
        "queries": 41,
        "status_reason": result.diagnosis.stats["status_reason"],
        "registry": "default",
    }
    (upload,) = result.preflight.upload
    assert upload.at_parent
    assert [z.name for z in result.diagnosis.zones] == [".", "test.", "good-nsec.test."]


def test_the_parents_stale_ds_is_judged_by_the_chain_and_the_preflight_alike() -> None:
    stale = analyse_case("ds-no-matching-key").preflight.live.parent_ds[0]
    result = analyse_case("ds-no-matching-key", f"ds-no-matching-key.test. IN DS {stale.to_text()}")
    codes = {f.code for f in result.diagnosis.findings}
    assert {Code.DS_NO_MATCHING_DNSKEY, Code.DS_INPUT_NOT_IN_LIVE_ZONE} <= codes
    assert result.diagnosis.status == "bogus"
    (verdict,) = result.preflight.verdicts
    assert verdict.status == "rejected" and verdict.codes == (Code.DS_INPUT_NOT_IN_LIVE_ZONE,)
    mine = next(f for f in result.diagnosis.findings if f.code == Code.DS_INPUT_NOT_IN_LIVE_ZONE)
    assert "The parent still publishes this DS (stale)." in mine.detail
    assert result.preflight.upload[0].ds_line(result.preflight.live.zone) in mine.fix
    severities = [f.severity for f in result.diagnosis.findings]
    assert severities == sorted(severities, reverse=True)


def test_what_the_walk_ran_into_is_reported_as_check_reports_it() -> None:
    survey = survey_of("good-nsec")
    survey.events.append(
        WalkEvent(
            code="LAME_OR_NOT_AUTHORITATIVE",
            zone="good-nsec.test.",
            says="walk_referral_loop",
            params={"zone": "good-nsec.test.", "child": "test."},
            servers=("127.0.0.1:9",),
            evidence={"rcode": "timeout"},
        )
    )
    (walk,) = walk_findings(survey)
    result = analyse_ds(survey, None, registry_policy("default"), NOW, Limits(), queries=1)
    assert walk in result.diagnosis.findings
    checked = analyse(survey, [], NOW, Limits())
    assert walk in checked.findings
    assert walk.servers == ("127.0.0.1:9",) and walk.evidence == {"rcode": "timeout"}


def test_a_walk_that_found_no_zone_is_nothing_to_check() -> None:
    empty = Survey(name="example.test.", trust_anchors=TrustAnchors(()))
    with pytest.raises(NothingToCheckError, match=r"found no servers for example\.test\."):
        analyse_ds(empty, None, registry_policy("default"), NOW, Limits(), queries=0)
