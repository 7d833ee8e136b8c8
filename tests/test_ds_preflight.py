"""The DS preflight: candidates against the DNSKEY RRset of every server, and what to upload.

Two kinds of evidence: surveys of the embedded lab (real servers on loopback,
probed like ``ds`` does), and per-server DNSKEY RRsets signed here with fixed keys
and fixed times, for situations the lab does not stage (a KSK pre-published on one
server, a silent server, a CSK without the SEP flag, revoked keys, expiry, IDN).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from dns.dnssectypes import Algorithm
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_doctor.analysis.observed import SignedRRset
from dnssec_doctor.cli.common import build_request
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.keys import DsRecord, make_ds
from dnssec_doctor.ds.input import parse_ds_input
from dnssec_doctor.ds.live import LiveZone, live_zone
from dnssec_doctor.ds.preflight import Preflight, preflight
from dnssec_doctor.ds.registry_policy import POLICIES, registry_policy
from dnssec_doctor.lab.keys import KeyFactory, LabKey
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.session import probe_live, survey_from_capture
from dnssec_doctor.transport.policy import AddressPolicy
from labthread import LAB_NOW, LabThread, start_lab

NOW = 1_800_000_000
LIMITS = Limits()
S1, S2, S3 = "127.0.0.11", "127.0.0.12", "127.0.0.13"
FACTORY = KeyFactory(seed=11)
ZONE = dns.name.from_text("example.test.")
PARENT = dns.name.from_text("test.")


def key(label: str, **kw: object) -> LabKey:
    return FACTORY.make(label, **kw)  # type: ignore[arg-type]


OLD, NEW, ZSK = key("old", ksk=True), key("new", ksk=True), key("zsk")


def keyset(
    server: str,
    published: Sequence[LabKey],
    signers: Sequence[LabKey],
    zone: dns.name.Name = ZONE,
    window: tuple[int, int] = (NOW - 86400, NOW + 30 * 86400),
) -> SignedRRset:
    """A DNSKEY RRset as ``server`` would serve it, signed by ``signers`` at fixed times."""
    rrset = dns.rrset.RRset(zone, dns.rdataclass.IN, dns.rdatatype.DNSKEY)
    rrset.update_ttl(3600)
    for k in published:
        rrset.add(k.dnskey)
    sigs = tuple(
        dnspython_dnssec.sign(rrset, s.private, zone, s.dnskey, inception=window[0],
                        expiration=window[1])
        for s in signers
    )  # fmt: skip
    return SignedRRset(rrset, sigs, 3600, server)  # type: ignore[arg-type]


def live(
    sets: dict[str, SignedRRset | None],
    zone: dns.name.Name = ZONE,
    parent_ds: Sequence[DsRecord] = (),
    silent: Sequence[str] = (),
) -> LiveZone:
    return LiveZone(
        zone=zone,
        parent=PARENT,
        asked=zone,
        servers=tuple(sets),
        dnskeys={s: r for s, r in sets.items() if r is not None},
        answered=frozenset(s for s in sets if s not in silent),
        parent_ds=tuple(parent_ds),
    )


def ds_text(k: LabKey, owner: dns.name.Name = ZONE, digest: int = 2) -> str:
    """The DS line as the tool prints it (digest in upper case)."""
    d = make_ds(owner, k.dnskey, digest)
    return f"{owner.to_text()} IN DS {DsRecord(d.key_tag, d.algorithm, digest, d.digest).to_text()}"


def run(
    zone: LiveZone, text: str | None = None, policy: str = "default", now: int = NOW
) -> Preflight:
    parsed = parse_ds_input(text) if text is not None else None
    return preflight(zone, parsed, registry_policy(policy), now, LIMITS)


def codes(result: Preflight) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in result.findings:
        out.setdefault(f.code, []).append(f)
    return out


def only(result: Preflight, code: str) -> Finding:
    found = codes(result).get(code, [])
    assert len(found) == 1, [f"{f.code}: {f.detail}" for f in result.findings]
    return found[0]


def uploads(result: Preflight) -> list[int]:
    return [u.key.tag for u in result.upload]


# --- synthetic key sets -------------------------------------------------------------


ROLLING = {
    S1: keyset(S1, [OLD, NEW, ZSK], [OLD, NEW]),  # the new KSK is pre-published here …
    S2: keyset(S2, [OLD, ZSK], [OLD]),  # … but this secondary has not transferred it yet
}


def test_new_ksk_on_one_server_only_is_not_in_live_zone_naming_that_server() -> None:
    result = run(live(ROLLING), ds_text(NEW))
    f = only(result, "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert f.severity is Severity.ERROR
    assert f.servers == (S2,) and f.servers_ok == (S1,)
    assert f"{S2} serves a DNSKEY RRset without it" in f.detail
    assert str(OLD.key_tag) in f.detail  # what S2 does serve
    assert ds_text(OLD) in f.fix  # the DS that would work today
    assert [v.status for v in result.verdicts] == ["rejected"]


def test_without_candidate_only_the_key_signing_everywhere_is_offered() -> None:
    result = run(live(ROLLING))
    assert uploads(result) == [OLD.key_tag]
    notice = only(result, "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert notice.severity is Severity.NOTICE and notice.servers == (S2,)
    assert str(NEW.key_tag) in notice.detail
    assert result.upload[0].ds_line(ZONE) == ds_text(OLD)
    # the digest agrees with dnspython's own DS computation
    assert result.upload[0].ds.digest == dnspython_dnssec.make_ds(ZONE, OLD.dnskey, "SHA256").digest


def test_key_present_but_not_signing_on_one_server() -> None:
    sets = {S1: keyset(S1, [NEW, ZSK], [NEW]), S2: keyset(S2, [NEW, ZSK], [ZSK])}
    f = only(run(live(sets), ds_text(NEW)), "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert f.servers == (S2,)
    assert "does not sign the DNSKEY RRset there" in f.detail


def test_silent_server_counts_as_lacking_the_key() -> None:
    sets = {S1: keyset(S1, [NEW, ZSK], [NEW]), S2: keyset(S2, [NEW, ZSK], [NEW]), S3: None}
    result = run(live(sets, silent=[S3]), ds_text(NEW))
    f = only(result, "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert f.servers == (S3,) and f"{S3} did not answer the DNSKEY query" in f.detail
    assert run(live(sets, silent=[S3])).upload == ()


def test_key_that_signs_everywhere_is_accepted() -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2, S3)}
    result = run(live(sets), ds_text(NEW))
    assert result.findings == ()
    assert [v.status for v in result.verdicts] == ["ok"]
    assert result.verdicts[0].key_tag == NEW.key_tag


def test_ds_of_a_zsk_is_wrong_key() -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2)}
    f = only(run(live(sets), ds_text(ZSK)), "DS_INPUT_WRONG_OWNER_OR_KEY")
    assert f"ZSK {ZSK.key_tag}" in f.detail and "does not sign the DNSKEY RRset" in f.detail
    assert ds_text(NEW) in f.fix


def test_revoked_key_is_wrong_key() -> None:
    revoked = key("revoked", flags=0x0181)
    sets = {s: keyset(s, [revoked, NEW, ZSK], [revoked, NEW]) for s in (S1, S2)}
    f = only(run(live(sets), ds_text(revoked)), "DS_INPUT_WRONG_OWNER_OR_KEY")
    assert "revoked" in f.detail
    assert uploads(run(live(sets))) == [NEW.key_tag]


def test_expired_signature_means_no_key_to_upload() -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW], window=(NOW - 40 * 86400, NOW - 86400))
            for s in (S1, S2)}  # fmt: skip
    result = run(live(sets))
    assert result.upload == ()
    f = only(result, "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert f.severity is Severity.ERROR and f.title == "No key to make a DS from"
    wrong = only(run(live(sets), ds_text(NEW)), "DS_INPUT_WRONG_OWNER_OR_KEY")
    assert "expired" in wrong.detail


def test_unsigned_zone_has_nothing_to_upload() -> None:
    result = run(live({S1: None, S2: None}))
    f = only(result, "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert "serves a DNSKEY RRset" in f.detail and "pdnsutil secure-zone" in f.fix
    assert set(f.servers) == {S1, S2}


def test_only_unusable_keys_means_no_key_to_upload_and_none_listed() -> None:
    revoked = key("revoked", flags=0x0181)
    sets = {s: keyset(s, [revoked], [revoked]) for s in (S1, S2)}
    result = run(live(sets))
    assert result.upload == ()
    f = only(result, "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert f.detail.startswith(f"No key of {ZONE} signs the DNSKEY RRset on every server (2)")
    assert "Keys:" not in f.detail and "re-sign with the KSK" in f.fix


def test_ds_of_a_key_without_the_zone_key_flag_is_wrong_key() -> None:
    other = key("not-a-zone-key", flags=0)
    sets = {s: keyset(s, [other, NEW, ZSK], [NEW]) for s in (S1, S2)}
    f = only(run(live(sets), ds_text(other)), "DS_INPUT_WRONG_OWNER_OR_KEY")
    assert "it lacks the Zone Key flag (RFC 4034 §2.1.1)." in f.detail
    assert ds_text(NEW) in f.fix


def test_mistyped_digest_the_parent_publishes_is_called_stale() -> None:
    real = make_ds(ZONE, NEW.dnskey, 2)
    typo = DsRecord(real.key_tag, real.algorithm, 2, bytes(32))
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2)}
    text = f"{ZONE.to_text()} IN DS {typo.to_text()}"
    f = only(run(live(sets, parent_ds=[typo]), text), "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert "fit a served key, but the digest is not that key's SHA-256 digest" in f.detail
    assert f.detail.endswith(" The parent still publishes this DS (stale).")
    assert ds_text(NEW) in f.fix


def test_csk_without_sep_flag_is_offered_with_a_notice_and_refused_by_strict() -> None:
    csk = key("csk")  # flags 256, signs everything
    sets = {s: keyset(s, [csk], [csk]) for s in (S1, S2)}
    assert uploads(run(live(sets))) == [csk.key_tag]
    result = run(live(sets), ds_text(csk))
    assert only(result, "DS_KEY_NOT_SEP").severity is Severity.NOTICE
    assert [v.status for v in result.verdicts] == ["ok"]
    strict = run(live(sets), ds_text(csk), policy="strict-sha256")
    assert "only SEP keys" in only(strict, "DS_INPUT_REGISTRY_POLICY").detail
    assert [v.status for v in strict.verdicts] == ["policy"]


OWNER_MISTAKES = {
    "the parent zone": PARENT,
    "the name with the parent's origin appended again": dns.name.from_text("example.test.test."),
    "the name with its own origin appended again": dns.name.from_text("example.test.example.test."),
    "the subdomain www": dns.name.from_text("www.example.test."),
    "the first label alone": dns.name.from_text("example."),
    "the root": dns.name.root,
}


@pytest.mark.parametrize("why,owner", list(OWNER_MISTAKES.items()), ids=list(OWNER_MISTAKES))
def test_digest_for_another_owner_name_is_recognised(why: str, owner: dns.name.Name) -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2)}
    digest = make_ds(owner, NEW.dnskey, 2).to_text()
    f = only(run(live(sets), f"example.test. IN DS {digest}"), "DS_INPUT_WRONG_OWNER_OR_KEY")
    assert f"computed for {owner.to_text()}: {why}" in f.detail
    assert ds_text(NEW) in f.fix


def test_owner_written_in_the_input_is_tried() -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2)}
    mail = dns.name.from_text("mail.example.test.")
    f = only(run(live(sets), ds_text(NEW, mail)), "DS_INPUT_WRONG_OWNER_OR_KEY")
    assert "mail.example.test.: the owner name written in the input" in f.detail


def test_digest_of_the_key_before_its_sep_bit_was_set() -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2)}
    as_zsk = NEW.dnskey.replace(flags=256)
    digest = make_ds(ZONE, as_zsk, 2).to_text()  # type: ignore[arg-type]
    f = only(run(live(sets), digest), "DS_INPUT_WRONG_OWNER_OR_KEY")
    assert "flags 256" in f.detail and f"{NEW.key_tag}" in f.detail


def test_idn_unicode_owner_is_recognised() -> None:
    zone = dns.name.from_text("xn--bcher-kva.test.")
    k = key("idn", ksk=True)
    sets = {s: keyset(s, [k], [k], zone=zone) for s in (S1, S2)}
    unicode_owner = dns.name.Name(("bücher".encode(), b"test", b""))
    digest = make_ds(unicode_owner, k.dnskey, 2).to_text()
    f = only(run(live(sets, zone=zone), digest), "DS_INPUT_WRONG_OWNER_OR_KEY")
    assert "Unicode form" in f.detail


def test_mistyped_digest_with_a_known_tag() -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2)}
    good = make_ds(ZONE, NEW.dnskey, 2)
    bad = DsRecord(good.key_tag, good.algorithm, 2, bytes(32)).to_text()
    f = only(run(live(sets), bad), "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert "mistyped digest" in f.detail and set(f.servers) == {S1, S2}


def test_stale_ds_still_at_the_parent_is_named_stale() -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2)}
    old_ds = make_ds(ZONE, OLD.dnskey, 2)
    record = DsRecord(old_ds.key_tag, old_ds.algorithm, 2, old_ds.digest)
    result = run(live(sets, parent_ds=[record]), ds_text(OLD))
    f = only(result, "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert "no server serves a key with tag" in f.detail and "stale" in f.detail
    states = result.to_json()["parent_ds"]
    assert states[0]["state"].endswith("(stale)")
    assert result.upload[0].at_parent is False


def test_registry_policies() -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2)}
    sha1 = ds_text(NEW, digest=1)
    default = run(live(sets), sha1)
    assert "digest type 1 (SHA-1) is refused" in only(default, "DS_INPUT_REGISTRY_POLICY").detail
    assert [v.status for v in default.verdicts] == ["policy"]
    assert run(live(sets), sha1, policy="legacy").findings == ()
    dnskey_only = run(live(sets), ds_text(NEW), policy="dnskey-only")
    f = only(dnskey_only, "DS_INPUT_REGISTRY_POLICY")
    assert "DNSKEY data only" in f.detail and "IN DNSKEY 257 3 13" in f.fix
    assert set(POLICIES) >= {"default", "strict-sha256", "dnskey-only"}


def test_gost_digest_is_a_policy_matter_not_a_missing_key() -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2)}
    result = run(live(sets), f"{NEW.key_tag} 13 3 {'AB' * 32}")
    assert set(codes(result)) == {"DS_INPUT_REGISTRY_POLICY"}
    assert "digest type 3" in only(result, "DS_INPUT_REGISTRY_POLICY").detail
    absent = run(live(sets), f"{OLD.key_tag} 13 3 {'AB' * 32}")
    assert "cannot be computed here" in only(absent, "DS_INPUT_NOT_IN_LIVE_ZONE").detail


def test_refused_algorithm_of_the_only_key() -> None:
    rsa1 = key("rsa1", ksk=True, algorithm=Algorithm.RSASHA1, bits=1024)
    sets = {s: keyset(s, [rsa1], [rsa1]) for s in (S1, S2)}
    result = run(live(sets))
    assert uploads(result) == [rsa1.key_tag]
    assert "algorithm 5 is refused" in only(result, "DS_INPUT_REGISTRY_POLICY").detail
    assert run(live(sets), policy="legacy").findings == ()


def test_dnskey_given_instead_of_ds_is_checked_as_its_ds() -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2)}
    text = f"example.test. IN DNSKEY {NEW.dnskey.to_text()}"
    result = run(live(sets), text)
    f = only(result, "DS_INPUT_UNPARSEABLE")
    assert f.severity is Severity.NOTICE and f.title == "DNSKEY given where a DS was expected"
    assert ds_text(NEW) in f.fix
    assert [v.status for v in result.verdicts] == ["ok"]
    assert run(live(sets), text, policy="dnskey-only").findings == ()


def test_unreadable_and_repaired_input_show_the_corrected_form() -> None:
    sets = {s: keyset(s, [NEW, ZSK], [NEW]) for s in (S1, S2)}
    good = make_ds(ZONE, NEW.dnskey, 2)
    hexd = good.digest.hex()
    swapped = f"13 {good.key_tag} 2 {hexd}"
    result = run(live(sets), f"{swapped}\n{good.key_tag} 13 2 {hexd[:-2]}\n12 13 2 XY")
    found = codes(result)["DS_INPUT_UNPARSEABLE"]
    repaired = next(f for f in found if f.severity is Severity.WARNING)
    assert ds_text(NEW) in repaired.fix and "out of order" in repaired.detail
    truncated = next(f for f in found if f.line == 2)
    assert truncated.severity is Severity.ERROR and "31 octets" in truncated.detail
    assert f"KSK {NEW.key_tag}" in truncated.fix and ds_text(NEW) in truncated.fix
    garbage = next(f for f in found if f.line == 3)
    assert "not hexadecimal" in garbage.detail
    assert [v.status for v in result.verdicts] == ["ok", "unreadable"]


FRAGMENTS = [
    ds_text(NEW), ds_text(ZSK, digest=1), ds_text(OLD, PARENT), f"DNSKEY {NEW.dnskey.to_text()}",
    str(NEW.key_tag), "13", "2", "257", "3", "IN", "DS", "example.test.", "(", ")", ";", "\n",
    "Key Tag:", "Digest:", "<secDNS:dsData>", "</secDNS:dsData>", "<alg>8</alg>", "0x", "ZZ",
    "\x1b[31m", "\u202e", "xn--bcher-kva.", "SHA-256",
]  # fmt: skip


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=20),
       st.sampled_from(sorted(POLICIES)))  # fmt: skip
def test_any_input_gives_findings_never_an_exception(parts: list[str], policy: str) -> None:
    result = run(live(ROLLING), " ".join(parts), policy=policy)
    for v in result.verdicts:  # a candidate that fails says so in a finding on its line
        if v.status != "ok":
            assert any(f.line == v.record.line for f in result.findings), v
    for f in result.findings:
        assert f.code.startswith("DS_") and f.zone == "example.test."
        if f.severity >= Severity.WARNING:
            assert f.fix
    result.to_json()


# --- the embedded lab ---------------------------------------------------------------


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    names = ["good-nsec", "ds-no-matching-key", "secondary-stale", "ds-key-not-signing"]
    with start_lab(names=names) as running:
        yield running


@pytest.fixture(scope="module")
def surveyed(lab: LabThread, tmp_path_factory: pytest.TempPathFactory) -> dict[str, LiveZone]:
    anchor = lab.anchor_file(tmp_path_factory.mktemp("anchor"))
    found: dict[str, LiveZone] = {}
    for zone in ("good-nsec.test", "ds-no-matching-key.test", "secondary-stale.test",
                 "ds-key-not-signing.test"):  # fmt: skip
        request = build_request(zone, lab.root_hints, (Path(anchor),), (), (), (), 2.0, 2000, 60)
        capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
        survey, _ = survey_from_capture(capture)
        item = live_zone(survey)
        assert item is not None
        found[zone] = item
    return found


def lab_run(zone: LiveZone, text: str | None = None) -> Preflight:
    return preflight(
        zone, parse_ds_input(text) if text else None, registry_policy("default"), LAB_NOW, LIMITS
    )


def served(zone: LiveZone, server: str) -> dict[int, object]:
    return {dnspython_dnssec.key_id(k): k for k in zone.dnskeys[server].rrset}


def test_lab_good_zone_upload_is_what_the_parent_publishes(surveyed: dict[str, LiveZone]) -> None:
    zone = surveyed["good-nsec.test"]
    result = lab_run(zone)
    assert result.findings == ()
    assert len(result.upload) == 1 and result.upload[0].at_parent
    assert result.upload[0].ds == zone.parent_ds[0]
    again = lab_run(zone, result.upload[0].ds_line(zone.zone))
    assert [v.status for v in again.verdicts] == ["ok"] and again.findings == ()


def test_lab_stale_parent_ds_is_not_in_live_zone(surveyed: dict[str, LiveZone]) -> None:
    zone = surveyed["ds-no-matching-key.test"]
    stale = zone.parent_ds[0]
    result = lab_run(zone, f"{zone.zone.to_text()} IN DS {stale.to_text()}")
    f = only(result, "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert f"no server serves a key with tag {stale.key_tag}" in f.detail
    assert "The parent still publishes this DS (stale)" in f.detail
    assert set(f.servers) == set(zone.servers) and len(zone.servers) == 2
    assert len(result.upload) == 1 and not result.upload[0].at_parent
    assert result.upload[0].ds_line(zone.zone) in f.fix


def test_lab_secondary_stale_new_zsk_missing_on_server_2(surveyed: dict[str, LiveZone]) -> None:
    zone = surveyed["secondary-stale.test"]
    first, second = zone.servers
    only_first = set(served(zone, first)) - set(served(zone, second))
    assert len(only_first) == 1  # the ZSK after the roll that server 2 never transferred
    new_zsk = served(zone, first)[only_first.pop()]
    result = lab_run(zone, f"{make_ds(zone.zone, new_zsk, 2).to_text()}")  # type: ignore[arg-type]
    missing = only(result, "DS_INPUT_NOT_IN_LIVE_ZONE")
    assert missing.servers == (second,)
    assert "ZSK" in only(result, "DS_INPUT_WRONG_OWNER_OR_KEY").detail
    # the KSK is on both: it is what to upload
    assert [u.ds for u in lab_run(zone).upload] == list(zone.parent_ds)


def test_lab_ds_of_the_non_signing_ksk(surveyed: dict[str, LiveZone]) -> None:
    zone = surveyed["ds-key-not-signing.test"]
    named = zone.parent_ds[0]
    result = lab_run(zone, named.to_text())
    f = only(result, "DS_INPUT_WRONG_OWNER_OR_KEY")
    assert f"non-signing KSK {named.key_tag}" in f.detail
    upload = lab_run(zone).upload
    assert len(upload) == 1 and upload[0].key.tag != named.key_tag
    assert upload[0].ds_line(zone.zone) in f.fix
