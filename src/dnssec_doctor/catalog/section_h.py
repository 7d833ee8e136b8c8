"""Catalog section H: cDS/CDNSKEY, bootstrapping, multi-signer.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import NOT_YET_CHECKED, PDNS_SIGN, CatalogEntry
from dnssec_doctor.model.severity import Severity

SECTION = "H"
TITLE = "CDS/CDNSKEY, bootstrapping, multi-signer"

_SETS_DIFFER = (
    "The servers of {zone} publish different CDS/CDNSKEY sets ({sets}); a parent that checks "
    "all servers must ignore them, one that asks a single server acts on whichever it picked."
)
_DEPENDS_ON_SERVER = (
    "whether a lookup fails depends on which server a resolver picks: resolvers that try "
    "{bad} get slow or failed answers, then retry elsewhere."
)


def _different_keys(what: str) -> str:
    """A CDS_CDNSKEY_MISMATCH detail: ``what`` names the records without a counterpart."""
    return (
        "The CDS and CDNSKEY records of {zone} describe different keys: "
        + what
        + ". RFC 7344 §4.1 requires them to match; parents reject the pair."
    )


def _one_form(request: str, published: str, missing: str) -> str:
    """A CDS_CDNSKEY_MISMATCH detail for a ``request`` published as ``published`` only."""
    return (
        "{zone} publishes "
        + request
        + f" as {published} only, with no {missing}: allowed (RFC 7344 §4, RFC 8078 §4), "
        f"but a parent that reads {missing} sees no request."
    )


ONE_FORM_SEVERITY = Severity.NOTICE
"""CDS_CDNSKEY_MISMATCH for a request in one form only (``lone_request``): legal, and
only the operator knows which form the parent reads, so worth knowing, not a failure
(Zonemaster's DS15_HAS_CDS_NO_CDNSKEY is a notice too)."""


def _asks_for(what: str) -> str:
    """A CDS_POINTS_TO_MISSING_KEY detail: ``what`` says what is wrong with the keys named."""
    return (
        "The CDS/CDNSKEY records of {zone} ask the parent for a DS set in which "
        + what
        + "; a parent acting on them would make the zone bogus."
    )


def _prepublished(what: str) -> str:
    """A CDS_POINTS_TO_MISSING_KEY detail when another entry names a key that signs."""
    return (
        "The CDS/CDNSKEY records of {zone} ask the parent for a DS set in which "
        + what
        + "; fine while pre-publishing a KSK, since another entry points at a key that "
        "signs the DNSKEY RRset."
    )


ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="CDS_CDNSKEY_MISMATCH",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ksk-rollover", "ds-upload-rejected"),
        title="CDS and CDNSKEY disagree",
        explanation=(
            "The CDS records and the CDNSKEY records describe different keys, or only one of "
            "the two is published. They are two forms of the same request to the parent "
            "(RFC 7344 §3 and §4): a child may publish either or both, and a parent reads the "
            "form it prefers (some registries read only CDS, others only CDNSKEY). When both "
            "are published and describe different keys, a parent must not act (RFC 7344 §4; "
            "RFC 9975 §3.1), and one that reads only one form may act on the wrong one: an "
            "error. A request published in one form only is allowed, also for a delete "
            "request (RFC 8078 §4), but a parent that reads the other form sees no request "
            "at all: a notice, since only you know which form your parent reads."
        ),
        evidence=(
            "The CDS records, the DS records computed from the CDNSKEY records, and the "
            "difference; or the one form that is published."
        ),
        fix=(
            "Generate both from the same key set: BIND's dnssec-policy publishes both (see its "
            "cdnskey and cds-digest-types options; dnssec-dsfromkey -C prints CDS by hand); "
            "Knot: cds-cdnskey-publish: always; PowerDNS: pdnsutil set-publish-cds ZONE and "
            "pdnsutil set-publish-cdnskey ZONE. Remove hand-written CDS or CDNSKEY records that "
            "no longer match."
        ),
        peers=(
            "DV CDNSKEY_INCONSISTENT_WITH_CDS; ZM DS15_MISMATCH_CDS_CDNSKEY, "
            "DS15_HAS_CDS_NO_CDNSKEY, DS15_HAS_CDNSKEY_NO_CDS"
        ),
        details={
            "zone_cds_unmatched": "CDS {cds} matches no CDNSKEY of {zone}",
            "zone_cdnskey_unmatched": "CDNSKEY {tag} has no matching CDS at {zone}",
            "cds_unmatched": _different_keys("CDS for key tag(s) {cds_tags} match no CDNSKEY"),
            "cdnskey_unmatched": _different_keys("CDNSKEY key tag(s) {cdnskey_tags} have no CDS"),
            "cds_and_cdnskey_unmatched": _different_keys(
                "CDS for key tag(s) {cds_tags} match no CDNSKEY; CDNSKEY key tag(s) "
                "{cdnskey_tags} have no CDS"
            ),
            "no_cdnskey": _one_form("its DS set", "CDS", "CDNSKEY"),
            "no_cds": _one_form("its DS set", "CDNSKEY", "CDS"),
            "delete_no_cdnskey": _one_form("a delete request (CDS 0 0 0 00)", "CDS", "CDNSKEY"),
            "delete_no_cds": _one_form("a delete request (CDNSKEY 0 3 0 AA==)", "CDNSKEY", "CDS"),
        },
        fixes={
            "no_cdnskey": (
                "Nothing to do if your parent reads CDS. To reach parents that read CDNSKEY, "
                "publish CDNSKEY for the same keys: BIND's dnssec-policy does unless "
                "'cdnskey no;' is set; Knot: cds-cdnskey-publish: always; PowerDNS: pdnsutil "
                "set-publish-cdnskey {zone}."
            ),
            "no_cds": (
                "Nothing to do if your parent reads CDNSKEY. To reach parents that read CDS, "
                "publish CDS for the same keys: BIND's dnssec-policy does (cds-digest-types; "
                "dnssec-dsfromkey -C prints CDS by hand); Knot: cds-cdnskey-publish: always; "
                "PowerDNS: pdnsutil set-publish-cds {zone}."
            ),
            "delete_no_cdnskey": (
                "Nothing to do if your parent reads CDS. To reach parents that read CDNSKEY, "
                "also publish {zone} CDNSKEY 0 3 0 AA== (signed)."
            ),
            "delete_no_cds": (
                "Nothing to do if your parent reads CDNSKEY. To reach parents that read CDS, "
                "also publish {zone} CDS 0 0 0 00 (signed)."
            ),
        },
    ),
    CatalogEntry(
        code="CDS_POINTS_TO_MISSING_KEY",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ksk-rollover",),
        title="CDS/CDNSKEY names a key that is not in use",
        explanation=(
            "A CDS or CDNSKEY record names a key that is not in the DNSKEY RRset or does not "
            "sign it. If the parent acted on it, the new DS would point at a key that cannot "
            "validate the zone (RFC 4035 §5.2) and the zone would become bogus; RFC 7344 §4.1 "
            "requires that acting on the records must not break the delegation, so a careful "
            "parent refuses."
        ),
        evidence="The CDS/CDNSKEY records, the DNSKEY RRset, and the RRSIGs that cover it.",
        fix=(
            "Publish the key and let it sign the DNSKEY RRset before advertising it in "
            "CDS/CDNSKEY. BIND's dnssec-policy, Knot and PowerDNS follow this order when they "
            "publish CDS themselves, so look for hand-written CDS records."
        ),
        peers="ZM DS16_CDS_MATCHES_NO_DNSKEY, DS16_DNSKEY_NOT_SIGNED_BY_CDS, DS17_*",
        details={
            "keys_missing": _asks_for("key tag(s) {missing} are not in the DNSKEY RRset"),
            "keys_not_signing": _asks_for("key tag(s) {not_signing} do not sign the DNSKEY RRset"),
            "keys_missing_and_not_signing": _asks_for(
                "key tag(s) {missing} are not in the DNSKEY RRset; key tag(s) "
                "{not_signing} do not sign the DNSKEY RRset"
            ),
            "keys_missing_prepublish": _prepublished(
                "key tag(s) {missing} are not in the DNSKEY RRset"
            ),
            "keys_not_signing_prepublish": _prepublished(
                "key tag(s) {not_signing} do not sign the DNSKEY RRset"
            ),
            "keys_missing_and_not_signing_prepublish": _prepublished(
                "key tag(s) {missing} are not in the DNSKEY RRset; key tag(s) "
                "{not_signing} do not sign the DNSKEY RRset"
            ),
            "cdnskey_absent_prepublish": (
                "CDNSKEY {tag} is not in the DNSKEY RRset (DNSKEY RRset of {zone}); fine while "
                "pre-publishing a KSK, since another entry points at a signing key"
            ),
            "cdnskey_absent_bogus": (
                "CDNSKEY {tag} is not in the DNSKEY RRset (DNSKEY RRset of {zone}); acting on "
                "the CDS/CDNSKEY would make the zone bogus"
            ),
            "cdnskey_idle_prepublish": (
                "CDNSKEY {tag} does not sign it (DNSKEY RRset of {zone}); fine while "
                "pre-publishing a KSK, since another entry points at a signing key"
            ),
            "cdnskey_idle_bogus": (
                "CDNSKEY {tag} does not sign it (DNSKEY RRset of {zone}); acting on the "
                "CDS/CDNSKEY would make the zone bogus"
            ),
            "cds_idle_prepublish": (
                "CDS {tag} names a key that does not sign it (DNSKEY RRset of {zone}); fine "
                "while pre-publishing a KSK, since another entry points at a signing key"
            ),
            "cds_idle_bogus": (
                "CDS {tag} names a key that does not sign it (DNSKEY RRset of {zone}); acting on "
                "the CDS/CDNSKEY would make the zone bogus"
            ),
            "cds_unmatched_prepublish": (
                "CDS {tag} matches no DNSKEY (DNSKEY RRset of {zone}); fine while pre-publishing "
                "a KSK, since another entry points at a signing key"
            ),
            "cds_unmatched_bogus": (
                "CDS {tag} matches no DNSKEY (DNSKEY RRset of {zone}); acting on the CDS/CDNSKEY "
                "would make the zone bogus"
            ),
        },
    ),
    CatalogEntry(
        code="CDS_SIGNATURE_INVALID",
        not_detected=NOT_YET_CHECKED,
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ksk-rollover",),
        title="CDS/CDNSKEY not signed by a trusted key",
        explanation=(
            "The CDS/CDNSKEY RRset is unsigned, or not signed by a key that the current DS set "
            "references. RFC 7344 §4.1 lets a parent accept CDS only when it is signed with a "
            "key it already trusts through the existing DS, because otherwise anyone able to "
            "inject records could replace the DS. At initial enrolment, when there is no DS "
            "yet, this is only a warning, since parents then rely on other checks (RFC 8078 §3, "
            "RFC 9615)."
        ),
        evidence=(
            "The CDS/CDNSKEY RRset, its RRSIGs (key tags), and the key tags named by the "
            "current DS set."
        ),
        fix=(
            "Sign the CDS/CDNSKEY RRset with a KSK or CSK that the current DS references, and "
            "re-sign (BIND: rndc sign ZONE; Knot: knotc zone-sign ZONE; PowerDNS: "
            + PDNS_SIGN
            + "; ldns: ldns-signzone with the KSK's key file)."
        ),
        peers="DV CDS_SIGNER_INVALID; ZM DS16_CDS_UNSIGNED, DS18_NO_MATCH_CDS_RRSIG_DS",
    ),
    CatalogEntry(
        code="CDS_INCONSISTENT_ACROSS_SERVERS",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ksk-rollover",),
        title="Servers publish different CDS/CDNSKEY sets",
        explanation=(
            "The zone's authoritative servers publish different CDS or CDNSKEY sets. A parent "
            "that checks every server (as RFC 9615 bootstrapping and many registries do) must "
            "then ignore the request, and a parent that checks a single server may act on a "
            "stale set; either way the DS update becomes unpredictable (RFC 7344 §6). It is "
            "common in multi-provider setups and while a change propagates."
        ),
        evidence="Each server's CDS/CDNSKEY set and SOA serial.",
        fix=(
            "Publish identical CDS/CDNSKEY records from every server: let transfers complete, "
            "and in multi-provider setups agree on one set (RFC 8901) before publishing it."
        ),
        peers="DV MULTIPLE_CDS/CDNSKEY; ZM DS15_INCONSISTENT_CDS/CDNSKEY",
        details={
            "sets_differ": _SETS_DIFFER,
            "sets_differ_one_server_right": (
                _SETS_DIFFER + " {good} answers correctly, so " + _DEPENDS_ON_SERVER
            ),
            "sets_differ_servers_right": (
                _SETS_DIFFER + " {good} answer correctly, so " + _DEPENDS_ON_SERVER
            ),
        },
        fixes={
            case: (
                "Publish identical CDS and CDNSKEY records on every server of {zone} (check "
                "transfers to {bad}), or none at all."
            )
            for case in ("sets_differ", "sets_differ_one_server_right", "sets_differ_servers_right")
        },
    ),
    CatalogEntry(
        code="CDS_DELETE_MALFORMED",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ksk-rollover",),
        title="Malformed request to remove the DS",
        explanation=(
            "The zone asks the parent to remove its DS (the delete signal of RFC 8078 §4) but "
            "does it wrongly: the delete record is mixed with ordinary CDS/CDNSKEY records, or "
            "uses other values than CDS 0 0 0 00 and CDNSKEY 0 3 0 AA==. Parents ignore "
            "malformed requests, so the DS stays, and if signing is turned off next, the zone "
            "goes bogus."
        ),
        evidence="The CDS and CDNSKEY records as published.",
        fix=(
            "Publish only CDS 0 0 0 00 and CDNSKEY 0 3 0 AA== (signed), and keep the zone "
            "signed until the parent has removed the DS and the DS TTL has passed. BIND: switch "
            "the zone to dnssec-policy insecure and follow rndc dnssec -status ZONE; Knot: "
            "cds-cdnskey-publish: delete-dnssec; PowerDNS and ldns: publish the two records in "
            "the zone and re-sign."
        ),
        peers="DV *_DELETE_MULTIPLE_RECORDS, *_INCORRECT_DELETE_VALUES; ZM DS16_MIXED_DELETE_CDS",
        details={
            "delete_mixed": (
                "{zone} publishes a DNSSEC delete request (algorithm 0) mixed with other "
                "CDS/CDNSKEY records. Parents ignore such a request (RFC 8078 §4)."
            ),
            "delete_wrong_values": (
                "{zone} publishes a DNSSEC delete request (algorithm 0) with wrong values: "
                "{records}. Parents ignore such a request (RFC 8078 §4)."
            ),
            "mixed": (
                "{zone} mixes a delete request (algorithm 0) with ordinary CDS/CDNSKEY records "
                "(RFC 8078 §4)"
            ),
            "cds_values": "delete CDS at {zone} is {cds}, not '0 0 0 00'",
            "cdnskey_values": "delete CDNSKEY at {zone} is {cdnskey}, not '0 3 0 AA=='",
        },
    ),
    CatalogEntry(
        code="BOOTSTRAP_SIGNAL_INVALID",
        not_detected=NOT_YET_CHECKED,
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("ds-upload-rejected",),
        title="DNSSEC bootstrapping signal invalid",
        explanation=(
            "Automatic DNSSEC bootstrapping (RFC 9615) lets a parent accept the first DS "
            "because every name server operator publishes the zone's CDS/CDNSKEY under a "
            "signalling name in its own DNSSEC-signed zone (_dsboot.CHILD._signal.NSNAME). Here "
            "such a record is missing, differs from the CDS/CDNSKEY at the zone apex, or is not "
            "DNSSEC-secure, so the parent will not bootstrap the DS."
        ),
        evidence=(
            "Each NS name, the signalling name queried under it, the records found (or the "
            "error) and their validation status, and the apex CDS/CDNSKEY."
        ),
        fix=(
            "Have every NS operator publish matching _dsboot signalling records in a signed "
            "zone (ask the provider), drop NS operators that cannot, or upload the DS by hand."
        ),
        peers="none",
    ),
    CatalogEntry(
        code="MULTI_SIGNER_KEYSET_INCOMPLETE",
        not_detected=NOT_YET_CHECKED,
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("rrsigs-sometimes", "zsk-rollover"),
        title="Multi-signer key sets incomplete",
        explanation=(
            "In a multi-signer setup (RFC 8901) each provider signs with its own ZSK, so every "
            "provider's DNSKEY RRset must contain the ZSKs of all providers, and the DS set "
            "must cover every provider's KSK. A resolver may fetch the key set from one "
            "provider and the data from another; if that key set lacks the other provider's "
            "ZSK, validation of those mixed answers fails."
        ),
        evidence=(
            "Each provider (group of servers), its DNSKEY RRset, the key tags missing from it, "
            "and the DS set."
        ),
        fix=(
            "Exchange keys between the providers (through their APIs or CDNSKEY) so each serves "
            "the complete key set, and make sure the DS set includes every provider's KSK."
        ),
        peers="DV DNSKEY_MISSING_FROM_SERVERS (+ `--multi-signer`)",
    ),
    CatalogEntry(
        code="MULTI_SIGNER_ALGORITHM_MISMATCH",
        not_detected=NOT_YET_CHECKED,
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("zsk-rollover",),
        title="Multi-signer providers use different algorithms",
        explanation=(
            "The providers of a multi-signer setup sign with different algorithms. Each "
            "provider signs only with its own keys, while RFC 4035 §2.2 expects every RRset to "
            "carry a signature for every algorithm in the DNSKEY RRset, so strict validators "
            "can reject the answers; RFC 8901 therefore expects all providers to use the same "
            "algorithm."
        ),
        evidence="Each provider (group of servers) and its signing algorithms.",
        fix=(
            "Agree on one algorithm (ECDSAP256SHA256, 13, is the usual choice) and have the "
            "other providers roll to it."
        ),
        peers="none",
    ),
)
