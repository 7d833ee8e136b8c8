"""The first lines of every report say the outcome in the user's terms (text, HTML, Nagios).

Replays the golden captures (tests/cases/check-*): a server that does not answer, a
name that does not exist, expired signatures, a bad signature under a secure chain.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from dnssec_doctor.model.capture import load_capture
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.render import headline
from dnssec_doctor.render.html import render_html
from dnssec_doctor.render.nagios import render_nagios
from dnssec_doctor.render.text import render_text
from dnssec_doctor.session import diagnose_capture

CASES = Path(__file__).parent / "cases"


def case(name: str) -> Diagnosis:
    folder = CASES / f"check-{name}"
    at = json.loads((folder / "expected.json").read_text())["at"]
    return diagnose_capture(load_capture(folder / "capture.json.gz"), at)


def test_secure_with_a_dead_server_says_on_how_many_servers_in_every_sink() -> None:
    d = case("lame-server")
    words = "SECURE on 1 of 2 servers — 127.77.36.2 does not answer"
    assert render_text(d, width=200).startswith(f"lame-server.test. is {words}  (as of ")
    page = render_html(d)
    assert '<span class="badge st-secure">secure on 1 of 2 servers</span>' in page
    assert "127.77.36.2 does not answer" in page
    assert render_nagios(d).startswith(f"DNSSEC CRITICAL - lame-server.test. is {words}: ")


def test_a_consequence_does_not_count_a_working_server_as_broken() -> None:
    """The old copy's DNSKEY difference names both servers; the root cause names one."""
    d = case("secondary-old-copy-same-serial")
    assert headline.badge(d) == "secure on 1 of 2 servers"
    assert "127.77.39.2 serves another copy under the same serial" in headline.outcome(d)


def test_a_healthy_name_is_plainly_secure() -> None:
    d = case("good-nsec")
    assert headline.outcome(d) == "is SECURE" and headline.badge(d) == "secure"
    assert render_nagios(d).startswith("DNSSEC OK - good-nsec.test. is SECURE; ")


def test_a_name_that_does_not_exist_says_so_and_whether_it_is_proven() -> None:
    d = case("mistyped-owner")  # www.mistyped-owner.test. does not exist (the owner is typo'd)
    assert d.stats["nxdomain"] is True
    proven = "does not exist (NXDOMAIN), and that is proven (SECURE)"
    assert render_text(d, width=200).startswith(f"www.mistyped-owner.test. {proven}")
    assert "nxdomain (proven)" in render_html(d)
    assert proven in render_nagios(d)
    bogus = replace(d, status="bogus")
    assert headline.outcome(bogus) == "does not exist (NXDOMAIN), but that is not proven (BOGUS)"
    assert headline.badge(bogus) == "nxdomain (not proven)"
    assert "not proven" in headline.outcome(replace(d, status="insecure"))


def test_the_reason_is_the_first_root_cause_not_the_mechanics() -> None:
    d = case("expired-signatures")
    lines = render_text(d).splitlines()
    assert lines[1] == "  signatures in expired-signatures.test. expired 3 days ago"
    assert "does not validate" not in lines[1]
    assert "signatures in expired-signatures.test. expired 3 days ago" in render_html(d)


def test_the_reason_never_contradicts_a_chain_that_is_all_secure() -> None:
    d = case("corrupted-signature")
    assert all(z.status == "secure" for z in d.zones) and d.status == "bogus"
    text = render_text(d)
    assert "no server gave a validating answer" not in text
    assert text.splitlines()[1] == "  signature does not verify in corrupted-signature.test."
    # Without root causes to speak for it, the reason still does not contradict the chain.
    bare = replace(d, findings=())
    assert headline.reason(bare) == (
        "the chain of trust validates, but the answers for www.corrupted-signature.test. do not"
    )


def test_a_long_headline_keeps_the_time_whole() -> None:
    lines = render_text(case("secondary-stale"), width=80).splitlines()
    assert lines[0].startswith("secondary-stale.test. is SECURE on 1 of 2 servers")
    assert "(as of 2027-01-15T08:00:00Z)" in lines[:4]
    assert not any(line.rstrip().endswith("(as of") for line in lines)


def test_chain_rows_too_long_for_the_line_continue_under_the_servers_column() -> None:
    text = render_text(case("secondary-unsigned-keys-same-serial"), width=90)
    chain = text.split("Chain of trust\n", 1)[1].split("\n\n", 1)[0].splitlines()
    zone_rows = [line for line in chain if not line.startswith("   ")]
    continued = [line for line in chain if line.startswith("   ")]
    assert len(zone_rows) == 3 and continued, chain
    column = zone_rows[0].index("127.77.0.1")
    assert all(len(line) <= 90 for line in chain), chain
    assert all(len(line) - len(line.lstrip()) == column for line in continued), chain
    assert any("signatures valid until" in line for line in continued)
