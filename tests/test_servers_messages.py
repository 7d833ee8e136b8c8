"""The server findings' shared sentence: "the other servers answer correctly" is a twin case
of the catalog (``catalog.entry.with_others_fine``), chosen by ``servers.view.others_fine``."""

from __future__ import annotations

import pytest

from dnssec_doctor import catalog
from dnssec_doctor.analysis.servers.view import depends_on_server, others_fine
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.catalog.entry import OTHERS_FINE_CASE, with_ending, with_others_fine

S1, S2, S3 = "192.0.2.1", "192.0.2.2", "192.0.2.3"


def test_no_fine_server_keeps_the_plain_case_and_adds_no_parameter() -> None:
    # A twin with an empty list would say " answer correctly" about nobody.
    assert others_fine("refused", [S1], []) == ("refused", {})
    assert depends_on_server([S1], []) == ""


def test_fine_servers_pick_the_twin_with_its_verb_agreeing() -> None:
    says, params = others_fine("refused", [S2, S1], [S3])
    assert says == OTHERS_FINE_CASE.format("refused") == "refused_others_fine"
    assert params == {"servers": f"{S1} and {S2}", "servers_ok": S3, "answer_ok": "answers"}
    assert others_fine("refused", [S1], [S3, S2])[1]["answer_ok"] == "answer"


def test_the_twin_template_ends_with_the_sentence_depends_on_server_writes() -> None:
    details = with_others_fine({"case": "{servers} fail."})
    assert set(details) == {"case", "case_others_fine"}
    _says, params = others_fine("case", [S1], [S2])
    filled = details["case_others_fine"].format_map(params)
    assert filled == f"{S1} fail." + depends_on_server([S1], [S2])
    assert depends_on_server([S1], [S2]) == (
        f" {S2} answers correctly, so whether a lookup fails depends on which server a "
        f"resolver picks: resolvers that try {S1} get slow or failed answers, then retry "
        "elsewhere."
    )


def test_with_ending_adds_a_twin_per_case_and_keeps_the_cases() -> None:
    assert with_ending({"a": "A.", "b": "B."}, "more", " More.") == {
        "a": "A.",
        "b": "B.",
        "a_more": "A. More.",
        "b_more": "B. More.",
    }


@pytest.mark.parametrize("kind", ["refused", "servfail"])
def test_a_lame_finding_names_its_zone_servers_and_fix(kind: str) -> None:
    says, fine = others_fine(kind, [S1], [S2])
    f = catalog.finding(
        Code.LAME_OR_NOT_AUTHORITATIVE,
        zone="example.test.",
        says=says,
        params={
            "servers": S1,
            "are": "is",
            "zone": "example.test.",
            "referral": "",
            "parent": "test.",
            **fine,
        },
        servers=(S1,),
    )
    assert f.detail.startswith(f"{S1} is in the NS set of example.test. but answers ")
    assert f.detail.endswith("then retry elsewhere.")
    assert f.fix.startswith(f"Load example.test. on {S1} ")
    assert "delegation in test." in f.fix
    assert f"dig +norec @{S1} example.test SOA" in f.fix  # SERVER and ZONE filled in
