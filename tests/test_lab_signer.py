"""The lab's signer: keys, NSEC and hand-built NSEC3 chains, RRSIGs, master-file text.

Expected chains are written out by hand here (which names, which types), not
recomputed with the code under test; dnssec-verify, when installed, is an
independent oracle for whole signed zones.
"""

from __future__ import annotations

import base64
import subprocess
import time
from pathlib import Path

import dns.name
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest
from dns.dnssectypes import Algorithm
from dns.rdatatype import RdataType as T

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.lab.keys import KeyFactory, LabKey
from dnssec_doctor.lab.nsec3chain import NSEC3Params
from dnssec_doctor.lab.signer import (
    SigningPlan,
    corrupt_signatures,
    drop_signatures,
    sign_zone,
)
from dnssec_doctor.lab.zonebuild import ZoneBuilder, ZoneContent, ZoneCuts

NOW = 1_800_000_000
WINDOW = (NOW - 3600, NOW + 30 * 86400)
ORIGIN = dns.name.from_text("example.test.")
N = lambda text: dns.name.from_text(text, origin=ORIGIN)  # noqa: E731


def _content() -> ZoneContent:
    """Apex data, a 3-label empty non-terminal, glue, a secure and two insecure cuts."""
    b = ZoneBuilder("example.test.")
    b.add("@", 3600, "SOA", "ns1 hostmaster 1 7200 3600 1209600 300")
    b.add("@", 3600, "NS", "ns1", "ns2")
    b.add("ns1", 3600, "A", "127.0.0.1")
    b.add("ns2", 3600, "A", "127.0.0.2")
    b.add("www", 3600, "A", "192.0.2.1")
    b.add("www", 3600, "AAAA", "2001:db8::1")
    b.add("host.a.b", 3600, "TXT", '"deep"')  # a.b and b are empty non-terminals
    b.add("insecure", 3600, "NS", "ns.insecure")
    b.add("ns.insecure", 3600, "A", "127.0.0.3")  # glue: no NSEC/NSEC3, unsigned
    b.add("deleg.ent", 3600, "NS", "ns1.example.test.")  # ent exists only for this cut
    b.add("secure", 3600, "NS", "ns1.example.test.")
    b.add("secure", 3600, "DS", "12345 13 2 " + "ab" * 32)
    return b.build()


@pytest.fixture(scope="module")
def keys() -> tuple[LabKey, LabKey]:
    factory = KeyFactory(seed=1)
    return factory.make("t/ksk", ksk=True), factory.make("t/zsk")


def _sign(keys: tuple[LabKey, LabKey], denial: str | NSEC3Params) -> ZoneContent:
    return sign_zone(_content(), SigningPlan.standard(*keys, *WINDOW, denial=denial))


def _nsec3_by_hash(signed: ZoneContent) -> dict[str, dns.rrset.RRset]:
    return {r.name.labels[0].decode(): r for r in signed.rrsets if r.rdtype == T.NSEC3}


def _types(rrset: dns.rrset.RRset) -> set[T]:
    return {
        T(window * 256 + byte * 8 + bit)
        for window, bitmap in rrset[0].windows
        for byte, bits in enumerate(bitmap)
        for bit in range(8)
        if bits & (0x80 >> bit)
    }


NO_OPT_OUT_NAMES = {
    "@": {T.NS, T.SOA, T.RRSIG, T.DNSKEY, T.NSEC3PARAM},
    "ns1": {T.A, T.RRSIG},
    "ns2": {T.A, T.RRSIG},
    "www": {T.A, T.AAAA, T.RRSIG},
    "host.a.b": {T.TXT, T.RRSIG},
    "a.b": set(),
    "b": set(),
    "insecure": {T.NS},
    "deleg.ent": {T.NS},
    "ent": set(),
    "secure": {T.NS, T.DS, T.RRSIG},
}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (NSEC3Params(), NO_OPT_OUT_NAMES),
        (NSEC3Params(iterations=7, salt=b"\x01\x02\xff"), NO_OPT_OUT_NAMES),
        (
            NSEC3Params(opt_out=True),
            {
                k: v
                for k, v in NO_OPT_OUT_NAMES.items()
                if k not in ("insecure", "deleg.ent", "ent")
            },
        ),
    ],
    ids=["plain", "salted", "opt-out"],
)
def test_nsec3_chain_names_hashes_order_bitmaps(
    keys: tuple[LabKey, LabKey], params: NSEC3Params, expected: dict[str, set[T]]
) -> None:
    signed = _sign(keys, params)
    chain = _nsec3_by_hash(signed)
    by_hash = {
        dnspython_dnssec.nsec3_hash(
            N(rel) if rel != "@" else ORIGIN, params.salt, params.iterations, 1
        ).lower(): rel
        for rel in expected
    }
    assert set(chain) == set(by_hash), "one NSEC3 per expected name, owner = its hash"
    for label, rel in by_hash.items():
        assert _types(chain[label]) == expected[rel], rel
        rdata = chain[label][0]
        assert (rdata.algorithm, rdata.iterations, rdata.salt) == (
            1,
            params.iterations,
            params.salt,
        )
        assert rdata.flags == (1 if params.opt_out else 0)
        assert chain[label].ttl == 300  # min(SOA TTL, MINIMUM), RFC 9077
    ordered = sorted(chain)
    for index, label in enumerate(ordered):
        following = ordered[(index + 1) % len(ordered)]
        assert base64.b32hexencode(chain[label][0].next).decode().lower() == following
    param = signed.get(ORIGIN, T.NSEC3PARAM)
    assert param is not None
    assert (param[0].flags, param[0].iterations, param[0].salt) == (
        0,
        params.iterations,
        params.salt,
    )


def test_opt_out_leaves_insecure_delegation_uncovered_by_a_match(
    keys: tuple[LabKey, LabKey],
) -> None:
    params = NSEC3Params(opt_out=True)
    chain = _nsec3_by_hash(_sign(keys, params))
    insecure = dnspython_dnssec.nsec3_hash(N("insecure"), b"", 0, 1).lower()
    secure = dnspython_dnssec.nsec3_hash(N("secure"), b"", 0, 1).lower()
    assert insecure not in chain
    assert secure in chain
    covering = [
        label
        for label, rrset in chain.items()
        if _covers(label, base64.b32hexencode(rrset[0].next).decode().lower(), insecure)
    ]
    assert len(covering) == 1
    assert chain[covering[0]][0].flags & 1


def _covers(owner: str, following: str, target: str) -> bool:
    if owner < following:
        return owner < target < following
    return target > owner or target < following  # the wrap-around record


def test_nsec_chain(keys: tuple[LabKey, LabKey]) -> None:
    signed = _sign(keys, "nsec")
    nsecs = {r.name: r for r in signed.rrsets if r.rdtype == T.NSEC}
    expected = {
        ORIGIN: {T.NS, T.SOA, T.RRSIG, T.NSEC, T.DNSKEY},
        N("ns1"): {T.A, T.RRSIG, T.NSEC},
        N("ns2"): {T.A, T.RRSIG, T.NSEC},
        N("www"): {T.A, T.AAAA, T.RRSIG, T.NSEC},
        N("host.a.b"): {T.TXT, T.RRSIG, T.NSEC},
        N("insecure"): {T.NS, T.RRSIG, T.NSEC},
        N("deleg.ent"): {T.NS, T.RRSIG, T.NSEC},
        N("secure"): {T.NS, T.DS, T.RRSIG, T.NSEC},
    }
    assert set(nsecs) == set(expected)
    for name, types in expected.items():
        assert _types(nsecs[name]) == types, name
    ordered = sorted(expected)
    for index, name in enumerate(ordered):
        assert nsecs[name][0].next == ordered[(index + 1) % len(ordered)]
    assert not any(r.rdtype in (T.NSEC3, T.NSEC3PARAM) for r in signed.rrsets)


@pytest.mark.parametrize("denial", ["nsec", NSEC3Params(), NSEC3Params(opt_out=True)])
def test_every_authoritative_rrset_validates_and_glue_is_unsigned(
    keys: tuple[LabKey, LabKey], denial: str | NSEC3Params
) -> None:
    ksk, zsk = keys
    signed = _sign(keys, denial)
    dnskey = signed.get(ORIGIN, T.DNSKEY)
    assert dnskey is not None
    key_map = {ORIGIN: dns.rdataset.from_rdata_list(dnskey.ttl, list(dnskey))}
    unsigned_ok = {(N("ns.insecure"), T.A)} | {
        (N(cut), T.NS) for cut in ("insecure", "deleg.ent", "secure")
    }
    for rrset in signed.rrsets:
        if rrset.rdtype == T.RRSIG:
            continue
        sigs = signed.get(rrset.name, T.RRSIG, T(rrset.rdtype))
        if (rrset.name, rrset.rdtype) in unsigned_ok:
            assert sigs is None, f"{rrset.name} {rrset.rdtype} must stay unsigned"
            continue
        assert sigs is not None, f"{rrset.name} {T(rrset.rdtype).name} unsigned"
        dnspython_dnssec.validate(rrset, sigs, key_map, now=NOW)
        tags = {s.key_tag for s in sigs}
        assert tags == ({ksk.key_tag} if rrset.rdtype == T.DNSKEY else {zsk.key_tag})
        assert all(s.original_ttl == rrset.ttl == sigs.ttl for s in sigs)
        assert {(s.inception, s.expiration) for s in sigs} == {WINDOW}


def test_text_round_trips_through_a_zone_parser(keys: tuple[LabKey, LabKey]) -> None:
    signed = _sign(keys, NSEC3Params(iterations=3, salt=b"\xaa"))
    text = signed.to_text("a comment\nover two lines")
    parsed = dns.zone.from_text(text, origin=ORIGIN, relativize=False)
    assert text.startswith("; a comment\n; over two lines\n")
    count = sum(len(r) for r in signed.rrsets)
    assert sum(len(rds) for _, rds in parsed.iterate_rdatasets()) == count
    for rrset in signed.rrsets:
        found = parsed.find_rdataset(rrset.name, rrset.rdtype, rrset.covers)
        assert set(found) == set(rrset) and found.ttl == rrset.ttl
    assert signed.to_text("a comment\nover two lines") == text


def test_broken_plans_and_edits(keys: tuple[LabKey, LabKey]) -> None:
    ksk, zsk = keys
    other = KeyFactory(seed=2).make("t/other")
    www = N("www")
    plan = SigningPlan((ksk, other), (ksk,), (zsk,), *WINDOW, unsigned=frozenset({(www, T.AAAA)}))
    signed = sign_zone(_content(), plan)
    dnskey = signed.get(ORIGIN, T.DNSKEY)
    assert dnskey is not None
    assert {dnspython_dnssec.key_id(k) for k in dnskey} == {ksk.key_tag, other.key_tag}
    assert signed.get(www, T.RRSIG, T.AAAA) is None
    soa_sigs = signed.get(ORIGIN, T.RRSIG, T.SOA)
    assert soa_sigs is not None and {s.key_tag for s in soa_sigs} == {zsk.key_tag}

    good = _sign(keys, "nsec")
    key_map = {ORIGIN: good.get(ORIGIN, T.DNSKEY)}
    broken = corrupt_signatures(good, www, T.A)
    rrset, sigs = broken.get(www, T.A), broken.get(www, T.RRSIG, T.A)
    assert rrset is not None and sigs is not None
    with pytest.raises(dnspython_dnssec.ValidationFailure):
        dnspython_dnssec.validate(rrset, sigs, key_map, now=NOW)  # type: ignore[arg-type]
    assert drop_signatures(good, www, T.A).get(www, T.RRSIG, T.A) is None
    assert good.get(www, T.RRSIG, T.A) is not None  # edits return copies


def test_zone_cuts() -> None:
    cuts = ZoneCuts.of(ORIGIN, _content().types_by_name())
    assert cuts.delegations == {N("insecure"), N("deleg.ent"), N("secure")}
    assert N("ns.insecure") not in cuts.authoritative
    assert cuts.is_insecure_delegation(N("insecure"))
    assert not cuts.is_insecure_delegation(N("secure"))
    assert not cuts.is_insecure_delegation(N("www"))


def test_seeded_keys_are_reproducible_and_fresh_keys_are_not() -> None:
    first, again = KeyFactory(seed=9), KeyFactory(seed=9)
    for algorithm in (Algorithm.ECDSAP256SHA256, Algorithm.ED25519, Algorithm.RSASHA1):
        a = first.make("x", algorithm=algorithm, ksk=True)
        b = again.make("x", algorithm=algorithm, ksk=True)
        assert a.dnskey == b.dnskey and a.is_sep and a.dnskey.flags == 257
        assert a.algorithm == algorithm
    assert first.make("x").dnskey != first.make("y").dnskey
    assert KeyFactory().make("x").dnskey != KeyFactory().make("x").dnskey
    assert not KeyFactory().make("z").is_sep


@pytest.mark.parametrize("algorithm", [Algorithm.RSASHA1, Algorithm.RSASHA256])
def test_seeded_rsa_keys_are_2048_bit_and_sign(algorithm: Algorithm) -> None:
    key = KeyFactory(seed=3).make("rsa", algorithm=algorithm, ksk=True)
    assert key.private.key_size == 2048  # type: ignore[union-attr]
    rrset = dns.rrset.from_text("www.example.test.", 300, "IN", "A", "192.0.2.1")
    rrsig = dnspython_dnssec.sign(
        rrset, key.private, ORIGIN, key.dnskey, *WINDOW, policy=dnspython_dnssec.allow_all_policy
    )
    keyset = dns.rdataset.from_rdata(300, key.dnskey)
    dnspython_dnssec.validate_rrsig(rrset, rrsig, {ORIGIN: keyset}, now=NOW)


# --- dnssec-verify (BIND) as an independent oracle ------------------------------------

needs_dnssec_verify = pytest.mark.requires_tools("dnssec-verify")


def _dnssec_verify(tmp_path: Path, content: ZoneContent) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "zone.db"
    path.write_text(content.to_text())
    return subprocess.run(
        ["dnssec-verify", "-x", "-o", content.origin.to_text(), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _wall_clock_window() -> tuple[int, int]:
    # dnssec-verify checks signature times against the host clock and has no option
    # to move it, so these signatures are made for the clock it will read. The
    # outcome does not depend on which time it is.
    now = int(time.time())
    return now - 3600, now + 86400


@needs_dnssec_verify
@pytest.mark.parametrize(
    "denial",
    ["nsec", NSEC3Params(), NSEC3Params(opt_out=True), NSEC3Params(iterations=10, salt=b"\xab")],
    ids=["nsec", "nsec3", "nsec3-opt-out", "nsec3-salted"],
)
def test_dnssec_verify_accepts_signed_zones(
    tmp_path: Path, keys: tuple[LabKey, LabKey], denial: str | NSEC3Params
) -> None:
    signed = sign_zone(
        _content(), SigningPlan.standard(*keys, *_wall_clock_window(), denial=denial)
    )
    result = _dnssec_verify(tmp_path, signed)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Zone fully signed" in result.stdout


@needs_dnssec_verify
def test_dnssec_verify_rejects_a_chain_with_a_gap(
    tmp_path: Path, keys: tuple[LabKey, LabKey]
) -> None:
    """The oracle is not blind: dropping one NSEC3 (here: the ENT's) is caught."""
    signed = sign_zone(
        _content(), SigningPlan.standard(*keys, *_wall_clock_window(), denial=NSEC3Params())
    )
    ent = dnspython_dnssec.nsec3_hash(N("a.b"), b"", 0, 1).lower()
    owner = dns.name.Name((ent.encode(), *ORIGIN.labels))
    damaged = signed.without((owner, T.NSEC3, T.NONE), (owner, T.RRSIG, T.NSEC3))
    assert len(damaged.rrsets) == len(signed.rrsets) - 2
    result = _dnssec_verify(tmp_path, damaged)
    assert result.returncode != 0
