"""The lab plan: the tree (root, ``test.``, delegations), and each scenario's fault
really present in its zone copies, judged with dnspython's validator, not our analyser."""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
import time
from pathlib import Path

import dns.message
import dns.name
import dns.rdataset
import dns.rdatatype
import dns.zone
import pytest
from dns.rdatatype import RdataType as T

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab.anchors import (
    bind_trust_anchors,
    stale_root_anchor,
    unbound_trust_anchor_file,
)
from dnssec_doctor.lab.plan import FAULTS, LabPlan, LabServer
from dnssec_doctor.lab.scenarios import build_lab, scenario_names

NOW = 1_800_000_000
DAY = 86400
CATALOG = Path(__file__).parent / "data" / "catalog_contract.tsv"


@pytest.fixture(scope="module")
def plan() -> LabPlan:
    return build_lab(NOW, seed=11)


# --- helpers -----------------------------------------------------------------------------


def _servers(plan: LabPlan, origin: str) -> list[LabServer]:
    return [s for s in plan.servers if any(z.origin == origin for z in s.zones)]


def _zone(plan: LabPlan, origin: str, server: int = 1) -> dns.zone.Zone:
    """The copy of ``origin`` served by its n-th server (in plan order)."""
    chosen = _servers(plan, origin)[server - 1]
    text = next(z.text for z in chosen.zones if z.origin == origin)
    return dns.zone.from_text(text, origin=origin, relativize=False, check_origin=True)


def _scenario_zone(plan: LabPlan, name: str, server: int = 1) -> dns.zone.Zone:
    return _zone(plan, f"{name}.test.", server)


def _rdataset(
    zone: dns.zone.Zone, name: str, rdtype: T, covers: T = T.NONE
) -> dns.rdataset.Rdataset | None:
    return zone.get_rdataset(dns.name.from_text(name), rdtype, covers)


def _signing_problems(zone: dns.zone.Zone, at: int) -> list[str]:
    """Every authoritative RRset must have RRSIGs that validate at ``at`` with the
    zone's own DNSKEY RRset (RFC 4035 §2.2, §5.3)."""
    origin = zone.origin
    assert origin is not None
    keys = zone.get_rdataset(origin, T.DNSKEY)
    if keys is None:
        return ["no DNSKEY"]
    cuts = {
        name
        for name, node in zone.nodes.items()
        if name != origin and node.get_rdataset(zone.rdclass, T.NS) is not None
    }
    problems = []
    for name, rdataset in zone.iterate_rdatasets():
        if rdataset.rdtype == T.RRSIG:
            continue
        if any(name != cut and name.is_subdomain(cut) for cut in cuts):
            continue  # glue
        if name in cuts and rdataset.rdtype not in (T.DS, T.NSEC):
            continue
        sigs = zone.get_rdataset(name, T.RRSIG, rdataset.rdtype)
        label = f"{name} {T(rdataset.rdtype).name}"
        if sigs is None:
            problems.append(f"{label}: no RRSIG")
            continue
        reasons = []
        for rrsig in sigs:  # one by one, to keep each failure's reason
            try:
                dnspython_dnssec.validate_rrsig((name, rdataset), rrsig, {origin: keys}, now=at)
                break
            except dnspython_dnssec.ValidationFailure as error:
                reasons.append(str(error))
        else:
            problems.append(f"{label}: {'; '.join(reasons)}")
    return problems


def _ds_state(plan: LabPlan, child: str, parent: str = "test.", at: int = NOW) -> str:
    """none | no-match | match-not-signing | match-signing (for the DS set at the parent)."""
    ds_set = _rdataset(_zone(plan, parent), child, T.DS)
    if ds_set is None:
        return "none"
    zone = _zone(plan, child)
    keys = _rdataset(zone, child, T.DNSKEY)
    sigs = _rdataset(zone, child, T.RRSIG, T.DNSKEY)
    if keys is None or sigs is None:
        return "no-match"
    owner = dns.name.from_text(child)
    matched = [
        key
        for key in keys
        for ds in ds_set
        if dnspython_dnssec.make_ds(
            owner, key, ds.digest_type, policy=dnspython_dnssec.allow_all_policy
        )
        == ds
    ]
    if not matched:
        return "no-match"
    for key in matched:
        try:
            only = dns.rdataset.from_rdata(keys.ttl, key)
            dnspython_dnssec.validate((owner, keys), (owner, sigs), {owner: only}, now=at)
            return "match-signing"
        except dnspython_dnssec.ValidationFailure:
            continue
    return "match-not-signing"


def _records(zone: dns.zone.Zone, rdtype: T) -> list[dns.rdata.Rdata]:
    """All records of a type (RRSIGs of every covered type included)."""
    return [rd for _, rds in zone.iterate_rdatasets() if rds.rdtype == rdtype for rd in rds]


def _rrsig_times(zone: dns.zone.Zone) -> set[tuple[int, int]]:
    return {(rd.inception, rd.expiration) for rd in _records(zone, T.RRSIG)}


def _has(zone: dns.zone.Zone, rdtype: T) -> bool:
    return bool(_records(zone, rdtype))


# --- the tree --------------------------------------------------------------------------


def test_every_scenario_is_built_with_its_own_addresses(plan: LabPlan) -> None:
    assert [s.name for s in plan.scenarios] == list(scenario_names())
    assert len(scenario_names()) >= 29
    addresses = [s.address for s in plan.servers]
    assert len(set(addresses)) == len(addresses)
    for server in plan.servers:
        ip = ipaddress.ip_address(server.address.ip)
        assert ip in ipaddress.ip_network("127.77.0.0/16") and server.address.port == 53
        assert server.hostname.endswith(".") and set(server.faults) <= set(FAULTS)
    assert [str(a) for a in plan.root_hints] == ["127.77.0.1", "127.77.0.2"]
    assert plan.built_at == NOW


def test_every_zone_copy_parses(plan: LabPlan) -> None:
    for server in plan.servers:
        for served in server.zones:
            zone = dns.zone.from_text(served.text, origin=served.origin, relativize=False)
            assert zone.get_rdataset(zone.origin, T.SOA) is not None, served.origin  # type: ignore[arg-type]


def test_root_and_tld_are_signed_and_chained_to_the_anchor(plan: LabPlan) -> None:
    root, tld = _zone(plan, "."), _zone(plan, "test.")
    assert _signing_problems(root, NOW) == [] and _signing_problems(tld, NOW) == []
    anchor = dns.rdata.from_text("IN", "DS", plan.trust_anchor_ds[0].split(" IN DS ")[1])
    anchor_key = dns.rdata.from_text(
        "IN", "DNSKEY", plan.trust_anchor_dnskey[0].split(" IN DNSKEY ")[1]
    )
    root_keys = _rdataset(root, ".", T.DNSKEY)
    assert root_keys is not None and anchor_key in root_keys
    assert dnspython_dnssec.make_ds(".", anchor_key, "SHA256") == anchor
    assert _ds_state(plan, "test.", parent=".") == "match-signing"
    assert [s.address.ip for s in _servers(plan, "test.")] == ["127.77.1.1", "127.77.1.2"]
    glue = _rdataset(root, "ns1.test.", T.A)
    assert glue is not None and [r.address for r in glue] == ["127.77.1.1"]


def test_tld_delegates_each_scenario_with_glue(plan: LabPlan) -> None:
    tld = _zone(plan, "test.")
    for info in plan.scenarios:
        ns = _rdataset(tld, info.zone, T.NS)
        assert ns is not None, info.name
        served = {s.hostname: s.address.ip for s in _servers(plan, info.zone)}
        for target in ns:
            glue = _rdataset(tld, target.target.to_text(), T.A)
            assert glue is not None
            assert [g.address for g in glue] == [served[target.target.to_text()]]


def test_trust_anchor_forms(plan: LabPlan, tmp_path: Path) -> None:
    tag = plan.trust_anchor_ds[0].split()[4]
    conf = bind_trust_anchors(plan)
    assert conf.startswith("trust-anchors {") and f'"." static-ds {tag} 13 2 "' in conf
    assert unbound_trust_anchor_file(plan) == plan.trust_anchor_ds[0] + "\n"
    stale = stale_root_anchor(plan)
    stale_ds = dns.rdata.from_text("IN", "DS", stale.split(" IN DS ")[1])
    root_keys = _rdataset(_zone(plan, "."), ".", T.DNSKEY)
    assert root_keys is not None
    assert all(dnspython_dnssec.make_ds(".", k, "SHA256") != stale_ds for k in root_keys)
    if shutil.which("named-checkconf"):
        path = tmp_path / "named.conf"
        path.write_text(f'options {{ directory "{tmp_path}"; }};\n{conf}')
        result = subprocess.run(
            ["named-checkconf", str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr + result.stdout


def test_scenario_info_is_consistent(plan: LabPlan) -> None:
    known = (
        {line.split("\t")[0] for line in CATALOG.read_text().splitlines()}
        if CATALOG.exists()
        else None
    )
    for info in plan.scenarios:
        servers = _servers(plan, info.zone)
        assert len(servers) >= 2 and info.zone == f"{info.name}.test."
        assert info.expected_status in ("secure", "insecure", "bogus", "indeterminate")
        assert set(info.faulty_servers) <= {s.address.ip for s in servers}
        assert info.embedded_only == any(s.faults for s in servers), info.name
        assert info.query_name == "" or info.query_name.endswith("." + info.zone)
        if known is not None:
            assert set(info.expected_codes) <= known, info.name
        good = info.name.startswith("good-") or info.name == "unsigned"
        assert bool(info.expected_codes) != good or info.name == "good-zsk-prepublish"


def test_subset_keeps_addresses_and_delegates_only_what_is_built() -> None:
    small = build_lab(NOW, names=["unsigned", "good-nsec"], base="127.78")
    assert [s.name for s in small.scenarios] == ["good-nsec", "unsigned"]
    assert {s.address.ip for s in small.servers} == {
        "127.78.0.1",
        "127.78.0.2",
        "127.78.1.1",
        "127.78.1.2",
        "127.78.10.1",
        "127.78.10.2",
        "127.78.14.1",
        "127.78.14.2",
    }
    tld = _zone(small, "test.")
    cuts = {n.to_text() for n, _ in tld.iterate_rdatasets(T.NS) if n.to_text() != "test."}
    assert cuts == {"good-nsec.test.", "unsigned.test."}


@pytest.mark.parametrize(
    "bad", [{"names": ["no-such-scenario"]}, {"base": "10.0"}, {"base": "127.1.2"}, {"base": "x.y"}]
)
def test_bad_arguments_are_one_clear_error(bad: dict[str, object]) -> None:
    with pytest.raises(DoctorError):
        build_lab(NOW, **bad)  # type: ignore[arg-type]


def test_same_seed_same_lab(plan: LabPlan) -> None:
    assert build_lab(NOW, seed=11) == plan


def test_without_seed_only_key_material_differs() -> None:
    names = ["good-nsec3", "secondary-stale", "cds-mismatch", "nsec3-high-iterations"]
    first, second = build_lab(NOW, names=names), build_lab(NOW, names=names)
    key_types = {"DNSKEY", "RRSIG", "DS", "CDS", "CDNSKEY"}

    def keyless(p: LabPlan) -> list[list[str]]:
        return [
            [
                line
                for line in z.text.splitlines()
                if line.split()[3:4] and line.split()[3] not in key_types
            ]
            for s in p.servers
            for z in s.zones
        ]

    assert keyless(first) == keyless(second)
    assert any(
        line.split()[3] == "NSEC3"
        for text in keyless(first)
        for line in text
        if len(line.split()) > 3
    )
    assert [(i.name, i.expected_codes, i.faulty_servers) for i in first.scenarios] == [
        (i.name, i.expected_codes, i.faulty_servers) for i in second.scenarios
    ]
    assert first.trust_anchor_ds != second.trust_anchor_ds


# --- each scenario's fault -------------------------------------------------------------

# scenario -> (time offset at which every copy listed is fully valid, copies, DS state)
VALID_COPIES = {
    "good-nsec": (0, (1, 2), "match-signing"),
    "good-nsec3": (0, (1, 2), "match-signing"),
    "good-zsk-prepublish": (0, (1, 2), "match-signing"),
    "good-nsec3-optout": (0, (1, 2), "match-signing"),
    "island-of-security": (0, (1, 2), "none"),
    "expired-signatures": (-4 * DAY, (1, 2), "match-signing"),
    "not-yet-valid": (4 * DAY, (1, 2), "match-signing"),
    "expires-within-day": (0, (1, 2), "match-signing"),
    "ttl-outlives-signature": (0, (1, 2), "match-signing"),
    "ds-no-matching-key": (0, (1, 2), "no-match"),
    "ds-key-not-signing": (0, (1, 2), "match-not-signing"),
    "mistyped-owner": (0, (1, 2), "match-signing"),
    "secondary-unsigned-same-serial": (0, (1,), "match-signing"),
    "secondary-stale": (0, (1, 2), "match-signing"),
    "secondary-old-copy-same-serial": (0, (1, 2), "match-signing"),
    "secondary-unsigned-keys-same-serial": (0, (1,), "match-signing"),
    "middlebox-large-udp": (0, (1, 2), "match-signing"),
    "middlebox-drop-do": (0, (1, 2), "match-signing"),
    "pre-nsec3-server": (0, (1, 2), "match-signing"),
    "nsec3-high-iterations": (0, (1, 2), "match-signing"),
    "nsec3-migration-half-done": (0, (1, 2), "match-signing"),
    "deprecated-algorithm": (0, (1, 2), "match-signing"),
    "algorithm-without-signatures": (0, (1, 2), "match-signing"),
    "sha1-only-ds": (0, (1, 2), "match-signing"),
    "lame-server": (0, (1, 2), "match-signing"),
    "refused-server": (0, (1, 2), "match-signing"),
    "cds-mismatch": (0, (1, 2), "match-signing"),
    "zsk-removed-early": (None, (), "match-signing"),
    "corrupted-signature": (None, (), "match-signing"),
    "unsigned-rrset": (None, (), "match-signing"),
    "unsigned": (None, (), "none"),
    "good-child-same-servers": (0, (1, 2), "match-signing"),
    "good-optout-child-same-servers": (0, (1, 2), "match-signing"),
    "child-wrong-ds-same-servers": (0, (1, 2), "match-signing"),
    "good-ent-above-child": (0, (1, 2), "match-signing"),
    "good-cname-into-sibling": (0, (1, 2), "match-signing"),
    "good-child-subset-servers": (0, (1, 2), "match-signing"),
    "cname-into-expired-sibling": (0, (1, 2), "match-signing"),
    "good-dname-into-sibling": (0, (1, 2), "match-signing"),
}
"""(The children of the zone-cut scenarios are checked in test_lab_cuts.py.)"""


def test_valid_copies_table_covers_every_scenario() -> None:
    assert set(VALID_COPIES) == set(scenario_names())


@pytest.mark.parametrize("name", sorted(VALID_COPIES))
def test_signed_copies_validate_and_ds_state(plan: LabPlan, name: str) -> None:
    offset, copies, ds_state = VALID_COPIES[name]
    for copy in copies:
        assert offset is not None
        assert _signing_problems(_scenario_zone(plan, name, copy), NOW + offset) == [], copy
    if offset is not None and offset != 0:  # the time faults: invalid at build time
        problems = _signing_problems(_scenario_zone(plan, name), NOW)
        assert problems and all("expired" in p or "not yet valid" in p for p in problems)
    assert _ds_state(plan, f"{name}.test.", at=NOW + (offset or 0)) == ds_state


def test_denial_modes(plan: LabPlan) -> None:
    nsec3 = {
        "good-nsec3",
        "good-nsec3-optout",
        "pre-nsec3-server",
        "nsec3-high-iterations",
        "good-optout-child-same-servers",
        "secondary-unsigned-keys-same-serial",
    }
    for info in plan.scenarios:
        if info.name in ("unsigned", "nsec3-migration-half-done"):
            continue
        for copy in (1, 2):
            zone = _scenario_zone(plan, info.name, copy)
            unsigned_copies = (
                "secondary-unsigned-same-serial",
                "secondary-unsigned-keys-same-serial",
            )
            if info.name in unsigned_copies and copy == 2:
                continue
            assert _has(zone, T.NSEC3) == (info.name in nsec3), info.name
            assert _has(zone, T.NSEC) == (info.name not in nsec3), info.name
    half = [_scenario_zone(plan, "nsec3-migration-half-done", n) for n in (1, 2)]
    assert _has(half[0], T.NSEC) and not _has(half[0], T.NSEC3PARAM)
    assert _has(half[1], T.NSEC3) and not _has(half[1], T.NSEC)


def test_signature_time_faults(plan: LabPlan) -> None:
    expired = _rrsig_times(_scenario_zone(plan, "expired-signatures"))
    assert expired and all(end < NOW for _, end in expired)
    future = _rrsig_times(_scenario_zone(plan, "not-yet-valid"))
    assert future and all(start > NOW for start, _ in future)
    soon = _rrsig_times(_scenario_zone(plan, "expires-within-day"))
    assert soon and all(start < NOW < end <= NOW + DAY for start, end in soon)
    zone = _scenario_zone(plan, "ttl-outlives-signature")
    remaining = min(end for _, end in _rrsig_times(zone)) - NOW
    assert remaining > DAY
    www = _rdataset(zone, "www.ttl-outlives-signature.test.", T.A)
    assert www is not None and www.ttl > remaining
    good = _rrsig_times(_scenario_zone(plan, "good-nsec"))
    assert all(end - NOW > 7 * DAY for _, end in good)


def test_zsk_removed_early_signs_with_an_unpublished_key(plan: LabPlan) -> None:
    zone = _scenario_zone(plan, "zsk-removed-early")
    apex = "zsk-removed-early.test."
    keys = _rdataset(zone, apex, T.DNSKEY)
    soa_sigs = _rdataset(zone, apex, T.RRSIG, T.SOA)
    assert keys is not None and soa_sigs is not None
    published = {dnspython_dnssec.key_id(k) for k in keys}
    assert {s.key_tag for s in soa_sigs}.isdisjoint(published)
    problems = _signing_problems(zone, NOW)
    assert problems and not any("DNSKEY" in p for p in problems)


@pytest.mark.parametrize(
    ("name", "expected"), [("corrupted-signature", "verify"), ("unsigned-rrset", "no RRSIG")]
)
def test_one_rrset_broken(plan: LabPlan, name: str, expected: str) -> None:
    problems = _signing_problems(_scenario_zone(plan, name), NOW)
    assert len(problems) == 1
    assert problems[0].startswith(f"www.{name}.test. A:") and expected in problems[0]


def test_mistyped_owner(plan: LabPlan) -> None:
    zone = _scenario_zone(plan, "mistyped-owner")
    assert _rdataset(zone, "www.mistyped-owner.test.mistyped-owner.test.", T.A) is not None
    assert zone.get_node("www.mistyped-owner.test.") is None


def test_secondaries(plan: LabPlan) -> None:
    signed, plain = (_scenario_zone(plan, "secondary-unsigned-same-serial", n) for n in (1, 2))
    assert not _has(plain, T.RRSIG) and not _has(plain, T.DNSKEY) and _has(signed, T.RRSIG)
    assert signed.get_soa().serial == plain.get_soa().serial
    current, stale = (_scenario_zone(plan, "secondary-stale", n) for n in (1, 2))
    assert stale.get_soa().serial < current.get_soa().serial
    apex = "secondary-stale.test."
    keys_now, keys_then = (_rdataset(z, apex, T.DNSKEY) for z in (current, stale))
    assert keys_now is not None and keys_then is not None and set(keys_now) != set(keys_then)
    assert set(keys_now) & set(keys_then)  # the KSK stayed


def _faults(plan: LabPlan, name: str) -> list[tuple[str, ...]]:
    return [s.faults for s in _servers(plan, f"{name}.test.")]


@pytest.mark.parametrize(
    ("name", "fault"),
    [
        ("middlebox-large-udp", "drop-udp-over-512"),
        ("middlebox-drop-do", "drop-do"),
        ("pre-nsec3-server", "strip-denial"),
        ("lame-server", "timeout"),
        ("refused-server", "refused"),
    ],
)
def test_fault_on_server_two_only(plan: LabPlan, name: str, fault: str) -> None:
    assert _faults(plan, name) == [(), (fault,)]
    info = next(i for i in plan.scenarios if i.name == name)
    assert info.faulty_servers == (_servers(plan, info.zone)[1].address.ip,)


def _dnskey_answer_size(zone: dns.zone.Zone) -> int:
    assert zone.origin is not None
    query = dns.message.make_query(zone.origin, T.DNSKEY, want_dnssec=True)
    response = dns.message.make_response(query)
    for rdtype, covers in ((T.DNSKEY, T.NONE), (T.RRSIG, T.DNSKEY)):
        rdataset = zone.get_rdataset(zone.origin, rdtype, covers)
        assert rdataset is not None
        response.answer.append(dns.rrset.from_rdata_list(zone.origin, rdataset.ttl, list(rdataset)))
    return len(response.to_wire())


def test_large_dnskey_answer_only_where_the_middlebox_drops_it(plan: LabPlan) -> None:
    assert _dnskey_answer_size(_scenario_zone(plan, "middlebox-large-udp")) > 512
    assert _dnskey_answer_size(_scenario_zone(plan, "good-nsec")) < 512


def test_nsec3_parameters(plan: LabPlan) -> None:
    zone = _scenario_zone(plan, "nsec3-high-iterations")
    param = _rdataset(zone, "nsec3-high-iterations.test.", T.NSEC3PARAM)
    assert param is not None and param[0].iterations >= 100 and param[0].salt
    records = _records(zone, T.NSEC3)
    assert records and {(r.iterations, r.salt) for r in records} == {
        (param[0].iterations, param[0].salt)
    }
    good = _rdataset(_scenario_zone(plan, "good-nsec3"), "good-nsec3.test.", T.NSEC3PARAM)
    assert good is not None and (good[0].iterations, good[0].salt, good[0].flags) == (0, b"", 0)


def test_opt_out_child(plan: LabPlan) -> None:
    parent = _scenario_zone(plan, "good-nsec3-optout")
    child = "insecure.good-nsec3-optout.test."
    flags = {rd.flags for rd in _records(parent, T.NSEC3)}
    assert flags == {1}
    hashed = dnspython_dnssec.nsec3_hash(child, None, 0, 1).lower()
    assert parent.get_node(f"{hashed}.good-nsec3-optout.test.") is None
    assert _rdataset(parent, child, T.DS) is None
    servers = _servers(plan, child)
    assert len(servers) == 1 and servers[0].address.ip.endswith(".3")
    assert not _has(_zone(plan, child), T.RRSIG)
    info = next(i for i in plan.scenarios if i.name == "good-nsec3-optout")
    assert info.query_name == f"www.{child}" and info.expected_status == "insecure"


def test_algorithm_scenarios(plan: LabPlan) -> None:
    def algorithms(name: str, rdtype: T) -> set[int]:
        zone = _scenario_zone(plan, name)
        if rdtype == T.DNSKEY:
            keys = _rdataset(zone, f"{name}.test.", T.DNSKEY)
            assert keys is not None
            return {int(k.algorithm) for k in keys}
        return {int(rd.algorithm) for rd in _records(zone, T.RRSIG)}

    assert algorithms("deprecated-algorithm", T.DNSKEY) == {5}
    assert algorithms("deprecated-algorithm", T.RRSIG) == {5}
    assert algorithms("algorithm-without-signatures", T.DNSKEY) == {13, 15}
    assert algorithms("algorithm-without-signatures", T.RRSIG) == {13}
    assert algorithms("middlebox-large-udp", T.DNSKEY) == {8}
    ds = _rdataset(_zone(plan, "test."), "sha1-only-ds.test.", T.DS)
    assert ds is not None and {d.digest_type for d in ds} == {1}


def test_cds_names_a_key_that_is_not_published(plan: LabPlan) -> None:
    zone = _scenario_zone(plan, "cds-mismatch")
    apex = "cds-mismatch.test."
    keys, cds, cdnskey = (_rdataset(zone, apex, t) for t in (T.DNSKEY, T.CDS, T.CDNSKEY))
    assert keys is not None and cds is not None and cdnskey is not None
    tags = {dnspython_dnssec.key_id(k) for k in keys}
    assert {c.key_tag for c in cds}.isdisjoint(tags)
    assert {dnspython_dnssec.key_id(c) for c in cdnskey} == {c.key_tag for c in cds}
    for c in cdnskey:  # CDS and CDNSKEY agree with each other
        assert dnspython_dnssec.make_cds(apex, c, "SHA256") in set(cds)


# --- dnssec-verify (BIND) as an independent oracle ----------------------------------------

ORACLE_ACCEPTS = (
    "good-nsec",
    "good-nsec3",
    "good-zsk-prepublish",
    "good-nsec3-optout",
    "nsec3-high-iterations",
    "deprecated-algorithm",
)
ORACLE_REJECTS = (
    "corrupted-signature",
    "unsigned-rrset",
    "zsk-removed-early",
    "expired-signatures",
)


@pytest.mark.requires_tools("dnssec-verify")
def test_dnssec_verify_judges_lab_zones(tmp_path: Path) -> None:
    # dnssec-verify reads the host clock (no option to move it), so this lab is built
    # for that clock; which time it is does not change the outcome.
    lab = build_lab(int(time.time()), names=[*ORACLE_ACCEPTS, *ORACLE_REJECTS])
    verdicts = {}
    for origin in (".", "test.", *(f"{n}.test." for n in (*ORACLE_ACCEPTS, *ORACLE_REJECTS))):
        server = _servers(lab, origin)[0]
        path = tmp_path / f"{origin}zone"
        path.write_text(next(z.text for z in server.zones if z.origin == origin))
        result = subprocess.run(
            ["dnssec-verify", "-x", "-o", origin, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        verdicts[origin] = result.returncode == 0
    assert verdicts == {
        ".": True,
        "test.": True,
        **{f"{n}.test.": True for n in ORACLE_ACCEPTS},
        **{f"{n}.test.": False for n in ORACLE_REJECTS},
    }
