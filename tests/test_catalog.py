"""The problem catalog against its contract (tests/data/catalog-contract.md) and its docs."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from dnssec_doctor import catalog
from dnssec_doctor.catalog import ALL_ENTRIES, SYMPTOMS, CatalogEntry
from dnssec_doctor.catalog.markdown import main, render_markdown
from dnssec_doctor.catalog.registry import SECTION_TITLES
from dnssec_doctor.model.severity import Severity

REPO = Path(__file__).resolve().parents[1]
CONTRACT = REPO / "tests" / "data" / "catalog_contract.tsv"
DOCS = REPO / "docs" / "codes.md"
CONTRACT_COPY = Path(__file__).parent / "data" / "catalog-contract.md"
"""The problem-code contract other tooling relies on (code names, sections, default
severities, symptoms); catalog_contract.tsv is its table of codes."""

NIST_KEYS = {
    "N1": "dnssec-queries-fail",
    "N2": "negative-answers-fail",
    "N3": "rrsigs-sometimes",
    "N4": "servfail",
    "N5": "zsk-rollover",
    "N6": "ksk-rollover",
    "N7": "nsec3-migration",
    "N8": "no-ad-bit",
    "N9": "worked-yesterday",
    "N10": "ds-upload-rejected",
}


def _contract() -> list[tuple[str, str, Severity]]:
    rows = []
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, section, severity = line.split("\t")
        rows.append((code, section, Severity.parse(severity)))
    return rows


def _by_code() -> dict[str, CatalogEntry]:
    return {e.code: e for e in ALL_ENTRIES}


def test_contract_file_lists_104_distinct_codes() -> None:
    rows = _contract()
    assert len(rows) == 107
    assert len({code for code, _, _ in rows}) == 107
    assert {section for _, section, _ in rows} == set("ABCDEFGHIJKL")


def test_every_contract_code_appears_exactly_once_with_its_section_and_severity() -> None:
    codes = [e.code for e in ALL_ENTRIES]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    assert duplicates == []
    by_code = _by_code()
    for code, section, severity in _contract():
        assert code in by_code, f"{code} missing from the catalog"
        assert by_code[code].section == section, code
        assert by_code[code].severity is severity, code


def test_catalog_order_follows_the_contract() -> None:
    # docs/codes.md and `explain` listings rely on catalog order.
    contract_codes = [code for code, _, _ in _contract()]
    ours = [e.code for e in ALL_ENTRIES if e.code in set(contract_codes)]
    assert ours == contract_codes


def test_codes_look_like_contract_names() -> None:
    for e in ALL_ENTRIES:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*[A-Z0-9]", e.code), e.code


def test_sections_have_titles_and_entries_carry_known_sections() -> None:
    assert list(SECTION_TITLES) == list("ABCDEFGHIJKL")
    assert all(title.strip() for title in SECTION_TITLES.values())
    for e in ALL_ENTRIES:
        assert e.section in SECTION_TITLES, e.code


def test_symptom_keys_are_known_and_not_repeated() -> None:
    for e in ALL_ENTRIES:
        unknown = set(e.symptoms) - set(SYMPTOMS)
        assert not unknown, (e.code, unknown)
        assert len(set(e.symptoms)) == len(e.symptoms), e.code


def test_every_entry_has_complete_texts() -> None:
    for e in ALL_ENTRIES:
        for name in ("title", "explanation", "evidence", "fix", "peers"):
            text = getattr(e, name)
            assert text.strip(), (e.code, name)
            assert text == text.strip(), (e.code, name)
            assert "  " not in text, (e.code, name)
            assert not any(ord(c) < 32 for c in text), (e.code, name)
        assert len(e.title) <= 60, e.code
        assert not e.title.endswith("."), e.code
        for name in ("explanation", "evidence", "fix"):
            assert getattr(e, name).endswith("."), (e.code, name)


def test_explanations_are_short_and_cite_an_rfc() -> None:
    for e in ALL_ENTRIES:
        sentences = len(re.findall(r"[.!?](?:\s|$)", e.explanation))
        assert 2 <= sentences <= 5, (e.code, sentences)
        assert re.search(r"RFC \d{4}", e.explanation), e.code


@pytest.mark.parametrize(
    "command",
    [
        "dnssec-signzone",
        "rndc sign",
        "rndc dnssec -checkds",
        "dnssec-dsfromkey",
        "knotc zone-sign",
        "keymgr",
        "pdnsutil rectify-zone",
        "pdnsutil show-zone",
        "pdnsutil set-nsec3",
        "ldns-signzone",
        "ldns-key2ds",
    ],
)
def test_fixes_name_the_common_signers_commands(command: str) -> None:
    assert any(command in e.fix for e in ALL_ENTRIES), command


def test_signing_fixes_cover_all_four_signers() -> None:
    # Every fix that tells the user to re-sign names a command for each signer.
    for e in ALL_ENTRIES:
        if "rndc sign ZONE" in e.fix and "knotc zone-sign ZONE" in e.fix:
            assert "pdnsutil" in e.fix, e.code
            assert "ldns-signzone" in e.fix, e.code


def test_entries_are_frozen() -> None:
    entry = ALL_ENTRIES[0]
    with pytest.raises(FrozenInstanceError):
        entry.title = "changed"  # type: ignore[misc]


def test_entry_lookup() -> None:
    assert catalog.entry("DS_NO_MATCHING_DNSKEY").severity is Severity.CRITICAL
    with pytest.raises(KeyError):
        catalog.entry("NO_SUCH_CODE")


def test_finding_fills_catalog_defaults() -> None:
    item = catalog.entry("RRSIG_EXPIRED")
    found = catalog.finding(
        "RRSIG_EXPIRED",
        zone="example.",
        detail="www.example. A expired at 2024-01-01T00:00:00Z",
        servers=("192.0.2.2", "192.0.2.1", "192.0.2.2"),
        subject="www.example./A",
    )
    assert found.code == "RRSIG_EXPIRED"
    assert found.severity is Severity.CRITICAL
    assert found.title == item.title
    # The generic fix, made concrete: its ZONE placeholder names the zone.
    assert "ZONE" in item.fix
    assert found.fix == re.sub(r"\bZONE\b", "example", item.fix)
    assert found.symptoms == ("servfail", "worked-yesterday")
    assert found.servers == ("192.0.2.1", "192.0.2.2")
    assert found.key == "RRSIG_EXPIRED@example.#www.example./A"


def test_finding_overrides_win_over_defaults() -> None:
    found = catalog.finding(
        "RRSIG_KEY_NOT_FOUND",
        zone="example.",
        detail="another RRSIG validates",
        severity=Severity.WARNING,
        fix="Publish key 12345 again.",
        title="Custom title",
        evidence={"key_tag": 12345},
    )
    assert found.severity is Severity.WARNING
    assert found.fix == "Publish key 12345 again."
    assert found.title == "Custom title"
    assert found.evidence == {"key_tag": 12345}


def test_finding_for_unknown_code_fails() -> None:
    with pytest.raises(KeyError):
        catalog.finding("NOT_A_CODE", zone="example.", detail="x")


def test_docs_codes_md_is_generated_from_the_catalog() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/codes.md is stale: run "
        "`.venv/bin/python -m dnssec_doctor.catalog.markdown > docs/codes.md`"
    )


def test_markdown_lists_every_code_and_escapes_markup() -> None:
    text = render_markdown()
    for e in ALL_ENTRIES:
        assert f"\n### {e.code}\n" in text, e.code
    for letter, title in SECTION_TITLES.items():
        assert f"\n## {letter}. {title} (" in text
    # Peer names are literal text, not emphasis.
    assert "DS10\\_\\*\\_MISSING\\_\\*" in text
    assert "DS10_*_MISSING_*" not in text


def test_markdown_main_writes_the_document(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    main()
    assert capsysbinary.readouterr().out == render_markdown().encode("utf-8")


def test_contract_document_and_symptoms_match_the_catalog() -> None:
    text = CONTRACT_COPY.read_text(encoding="utf-8")
    shared: dict[str, tuple[str, Severity, tuple[str, ...]]] = {}
    section = ""
    for line in text.splitlines():
        heading = re.match(r"## ([A-L])\. ", line)
        if heading:
            section = heading.group(1)
            continue
        if not section or not line.startswith("| ") or line.startswith(("| Code", "|---")):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        nist = () if cells[2] == "—" else tuple(NIST_KEYS[n] for n in cells[2].split())
        shared[cells[0]] = (section, Severity.parse(cells[1].split()[0]), nist)
    assert {code: (s, v) for code, (s, v, _) in shared.items()} == {
        code: (s, v) for code, s, v in _contract()
    }
    by_code = _by_code()
    for code, (_, _, nist) in shared.items():
        assert by_code[code].symptoms == nist, code
