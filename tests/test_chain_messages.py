"""The chain checks' findings read as the catalog's templates say, in the rarer cases too.

The checks pass a case and values (``catalog.finding(says=, params=)``); a case whose
parameters do not fit its template raises at once. The golden captures reach the common
cases; these reach the ones they do not (a SHA-1-only DS with no key to compute the
SHA-256 from, a digest of the wrong length, CDS and CDNSKEY that both lack a partner,
CDS naming keys both missing and idle), and pin their wording.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import dns.name
import dns.rdata
from dns.rdtypes.ANY.DNSKEY import DNSKEY

from dnssec_doctor.analysis.chain.cds import cds_findings
from dnssec_doctor.analysis.chain.keypolicy import ds_findings
from dnssec_doctor.analysis.servers.view import ServerView
from dnssec_doctor.dnssec.keys import ds_digest, key_tag
from dnssec_doctor.model.survey import ZoneCut

ZONE = "example."
OWNER = dns.name.from_text(ZONE)


@dataclass(frozen=True)
class _Ds:
    """A DS as the parent may serve it, including values dnspython refuses to build."""

    key_tag: int
    algorithm: int
    digest_type: int
    digest: bytes


def _key(flags: int, seed: int) -> DNSKEY:
    raw = bytes((seed * 7 + i) % 256 for i in range(64))
    key = dns.rdata.from_text("IN", "DNSKEY", f"{flags} 3 13 {base64.b64encode(raw).decode()}")
    assert isinstance(key, DNSKEY)
    return key


KSK, OTHER, IDLE = _key(257, 1), _key(257, 2), _key(257, 3)


def test_a_sha1_only_ds_without_a_matching_key_says_to_compute_the_sha256_ds() -> None:
    found = ds_findings(ZONE, [_Ds(4242, 13, 1, bytes(20))], [KSK])
    [sha1] = [f for f in found if f.code == "DS_DIGEST_SHA1_ONLY"]
    assert sha1.detail == "The parent publishes only SHA-1 (digest type 1) DS records for example.."
    assert sha1.fix == (
        "Add a SHA-256 DS at the parent: compute it from the KSK, then remove the SHA-1 one."
    )


def test_a_sha1_only_ds_of_a_served_key_gets_its_sha256_ds_in_the_fix() -> None:
    tag = key_tag(KSK)
    found = ds_findings(ZONE, [_Ds(tag, 13, 1, ds_digest(OWNER, KSK, 1))], [KSK])
    [sha1] = [f for f in found if f.code == "DS_DIGEST_SHA1_ONLY"]
    digest = ds_digest(OWNER, KSK, 2).hex().upper()
    assert sha1.fix == (
        f"Add a SHA-256 DS at the parent: example. IN DS {tag} 13 2 {digest}, then remove the "
        "SHA-1 one."
    )


def test_a_digest_of_the_wrong_length_names_its_length() -> None:
    found = ds_findings(ZONE, [_Ds(7, 13, 2, bytes(20))], [KSK])
    [bad] = [f for f in found if f.code == "DS_DIGEST_INVALID_TYPE"]
    assert bad.detail.startswith("DS 7 uses digest type 2 (SHA-256) with a 20-octet digest")
    assert bad.detail.endswith(".")


def _view(records: list[dns.rdata.Rdata]) -> ServerView:
    view = ServerView("192.0.2.1")
    view.dnskeys = {k.to_digestable(): k for k in (KSK, IDLE)}
    view.dnskey_signers = {(key_tag(KSK), 13)}
    view.cds_rdata = {r.to_digestable(): r for r in records}
    view.cds = frozenset(r.to_digestable() for r in records if r.rdtype == 59)
    view.cdnskey = frozenset(r.to_digestable() for r in records if r.rdtype == 60)
    return view


def _cds(key: DNSKEY) -> dns.rdata.Rdata:
    digest = ds_digest(OWNER, key, 2).hex()
    return dns.rdata.from_text("IN", "CDS", f"{key_tag(key)} 13 2 {digest}")


def _cdnskey(key: DNSKEY) -> dns.rdata.Rdata:
    return dns.rdata.from_text("IN", "CDNSKEY", key.to_text())


def test_cds_and_cdnskey_that_both_lack_a_partner_are_named_in_one_sentence() -> None:
    views = {"192.0.2.1": _view([_cds(KSK), _cdnskey(IDLE)])}
    found = {f.code: f for f in cds_findings(ZoneCut(ZONE, "."), views)}
    assert found["CDS_CDNSKEY_MISMATCH"].detail == (
        f"The CDS and CDNSKEY records of example. describe different keys: CDS for key tag(s) "
        f"{key_tag(KSK)} match no CDNSKEY; CDNSKEY key tag(s) {key_tag(IDLE)} have no CDS. "
        "RFC 7344 §4.1 requires them to match; parents reject the pair."
    )


def test_cds_naming_a_missing_and_an_idle_key_says_both() -> None:
    views = {"192.0.2.1": _view([_cds(OTHER), _cds(IDLE)])}
    found = {f.code: f for f in cds_findings(ZoneCut(ZONE, "."), views)}
    assert found["CDS_POINTS_TO_MISSING_KEY"].detail == (
        f"The CDS/CDNSKEY records of example. ask the parent for a DS set in which key tag(s) "
        f"{key_tag(OTHER)} are not in the DNSKEY RRset; key tag(s) {key_tag(IDLE)} do not sign "
        "the DNSKEY RRset; a parent acting on them would make the zone bogus."
    )
