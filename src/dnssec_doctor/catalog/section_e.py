"""Catalog section E: algorithms and policy.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import CatalogEntry
from dnssec_doctor.model.severity import Severity

SECTION = "E"
TITLE = "Algorithms and policy"

# The fix for a zone signed with an algorithm to leave (a template: braces doubled).
_ROLL_TO_MODERN = (
    "Roll to algorithm 13 (ECDSAP256SHA256) or 15 (ED25519) with an algorithm rollover "
    "(RFC 6781 §4.1.4): BIND dnssec-policy with 'keys {{ csk lifetime unlimited algorithm "
    "ecdsap256sha256; }}'; Knot policy algorithm: ecdsap256sha256; PowerDNS pdnsutil "
    "add-zone-key <zone> ksk active ecdsa256; then replace the DS."
)
_SHA1_ONLY = "The parent publishes only SHA-1 (digest type 1) DS records for {zone}."
_DIGEST_TYPE = "DS {tag} uses digest type {digest_type} ({mnemonic})"

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="ALGORITHM_SIGNING_PROHIBITED",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("servfail", "no-ad-bit"),
        title="Zone signed only with a prohibited algorithm",
        explanation=(
            "All signatures use an algorithm that must no longer be used for signing: RSAMD5 "
            "(1), DSA (3), DSA-NSEC3-SHA1 (6) and ECC-GOST (12) per RFC 8624 §3.1, and RSASHA1 "
            "(5) and RSASHA1-NSEC3-SHA1 (7) since RFC 9905. Validators increasingly stop "
            "supporting them and then treat the zone as insecure (RFC 4035 §5.2), and some "
            "operating systems' crypto policies already refuse SHA-1 signatures, so the zone "
            "loses its protection and the AD bit."
        ),
        evidence=(
            "The DNSKEY algorithms in use with their key tags, and the DS algorithms at the parent."
        ),
        fix=(
            "Roll to ECDSAP256SHA256 (13) or ED25519 (15), or RSASHA256 (8), with an algorithm "
            "rollover (RFC 6781 §4.1.4): BIND: switch the zone's dnssec-policy to one with the "
            "new algorithm and confirm the DS steps with rndc dnssec -checkds; Knot: change "
            "algorithm in the policy, it rolls automatically (confirm the DS with knotc "
            "zone-ksk-submitted ZONE); PowerDNS: add the new keys active but unpublished "
            "(pdnsutil add-zone-key ZONE ksk active unpublished ecdsa256, likewise a zsk), "
            "publish them after the largest TTL has passed (pdnsutil publish-zone-key ZONE ID), "
            "submit the new DS, and remove the old keys (pdnsutil remove-zone-key ZONE ID) once "
            "the old DS has gone and its TTL has passed; ldns: sign with both key sets during "
            "the roll."
        ),
        peers=(
            "DV ALGORITHM_PROHIBITED, ALGORITHM_VALIDATION_PROHIBITED; ZM DS05_ALGO_DEPRECATED; "
            "EDE 1"
        ),
        details={
            "signed_only_with_prohibited": (
                "{zone} is signed only with algorithm {algorithms}: {reasons}."
            ),
            "zone_only": "{zone} signs with {algorithms}: {reason}",
            "zone_also_others": (
                "{zone} signs with {algorithms}: {reason}; other algorithms are present, so "
                "validators still have a usable one"
            ),
        },
        fixes={"signed_only_with_prohibited": _ROLL_TO_MODERN},
    ),
    CatalogEntry(
        code="ALGORITHM_NOT_RECOMMENDED",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("no-ad-bit",),
        title="Algorithm allowed but not recommended",
        explanation=(
            "The zone signs with an algorithm that is permitted but discouraged or not "
            "universally supported, such as RSASHA512 (10, NOT RECOMMENDED for signing in RFC "
            "8624 §3.1) or ED448 (16, which not every validator implements). Validators that do "
            "not support it treat the zone as insecure (RFC 4035 §5.2), so their users get "
            "answers without the AD bit and without protection."
        ),
        evidence="The algorithm numbers and names in the DNSKEY and DS sets, with the key tags.",
        fix=(
            "Plan an algorithm rollover to ECDSAP256SHA256 (13) or ED25519 (15); the commands "
            "are the same as for ALGORITHM_SIGNING_PROHIBITED."
        ),
        peers="DV ALGORITHM_NOT_RECOMMENDED, ALGORITHM_NOT_SUPPORTED; ZM DS05_ALGO_NOT_RECOMMENDED",
        details={
            "signs_with_not_recommended": (
                "{zone} signs with algorithm {algorithm} ({mnemonic}): {reason}."
            ),
            "zone_signs": "{zone} signs with algorithm {algorithm} ({mnemonic}): {reason}",
        },
        fixes={"signs_with_not_recommended": _ROLL_TO_MODERN},
    ),
    CatalogEntry(
        code="ALGORITHM_INVALID",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("servfail",),
        title="Invalid algorithm number",
        explanation=(
            "A DNSKEY or DS uses an algorithm number that is reserved (such as 0 or 252), "
            "unassigned, private (253, 254) or not meant for zone signing (2, Diffie-Hellman), "
            "according to the IANA DNS Security Algorithm Numbers registry (RFC 4034 Appendix "
            "A.1). Validators treat records with an algorithm they do not know as if they were "
            "absent (RFC 4035 §5.2), so at best the zone is insecure, and a DS with such an "
            "algorithm cannot anchor it."
        ),
        evidence=(
            "The record (DNSKEY or DS), its algorithm number, and the registry's status for "
            "that number."
        ),
        fix=(
            "Use a registered zone-signing algorithm, preferably ECDSAP256SHA256 (13) or "
            "ED25519 (15): generate new keys (BIND: dnssec-keygen -a ECDSAP256SHA256; Knot: "
            "keymgr ZONE generate algorithm=ECDSAP256SHA256; PowerDNS: pdnsutil add-zone-key "
            "ZONE ecdsa256; ldns: ldns-keygen -a ECDSAP256SHA256), sign with them and replace "
            "the DS."
        ),
        peers="ZM DS05_ALGO_RESERVED/UNASSIGNED/PRIVATE/NOT_ZONE_SIGN",
        details={
            "key_with_invalid_algorithm": "DNSKEY {tag} uses algorithm {algorithm}: {reason}.",
            "zone_key": "DNSKEY algorithm {algorithm} ({mnemonic}) at {zone}: {reason}",
            "zone_ds": "DS {tag} at {name} names algorithm {algorithm} ({mnemonic}): {reason}",
        },
    ),
    CatalogEntry(
        code="DS_DIGEST_SHA1_ONLY",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("ds-upload-rejected",),
        title="Only SHA-1 DS records",
        explanation=(
            "Every DS record for the zone uses digest type 1 (SHA-1). RFC 8624 §3.3 says SHA-1 "
            "DS records must no longer be created, and validators that do not accept SHA-1 "
            "ignore them, which for them leaves the zone without a usable DS: it is treated as "
            "insecure (RFC 4035 §5.2)."
        ),
        evidence="The DS records with their digest types and the key tags they name.",
        fix=(
            "Publish a SHA-256 (digest type 2) DS, then remove the SHA-1 DS at the registrar: "
            "BIND: dnssec-dsfromkey -2 Kzone.+ALG+TAG.key; Knot: keymgr ZONE ds; PowerDNS: "
            "pdnsutil show-zone ZONE; ldns: ldns-key2ds -n -2 Kzone.+ALG+TAG.key."
        ),
        peers="DV DIGEST_ALGORITHM_PROHIBITED; ZM DS01_DS_ALGO_2_MISSING",
        details={
            "sha1_only": _SHA1_ONLY,
            "sha1_only_no_key": _SHA1_ONLY,
            "ds_file": "the parent publishes only SHA-1 DS records for {zone}",
        },
        fixes={
            "sha1_only": "Add a SHA-256 DS at the parent: {sha256}, then remove the SHA-1 one.",
            "sha1_only_no_key": (
                "Add a SHA-256 DS at the parent: compute it from the KSK, then remove the SHA-1 "
                "one."
            ),
        },
    ),
    CatalogEntry(
        code="DS_DIGEST_INVALID_TYPE",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ds-upload-rejected",),
        title="DS uses an invalid digest type or length",
        explanation=(
            "A DS record uses digest type 0 (reserved), 3 (GOST R 34.11-94, which must not be "
            "used, RFC 8624 §3.3) or an unassigned type, or its digest has the wrong length for "
            "its type (20 bytes for SHA-1, 32 for SHA-256, 48 for SHA-384). Validators ignore "
            "such a DS (RFC 4035 §5.2); if no other DS is usable the zone is insecure or fails, "
            "and registries usually reject the record."
        ),
        evidence="The DS record, its digest type and digest length, and the expected length.",
        fix=(
            "Replace it with a digest type 2 (SHA-256) or 4 (SHA-384) DS generated from the "
            "live key: BIND: dnssec-dsfromkey -2 (or -a SHA-384) Kzone.+ALG+TAG.key; Knot: "
            "keymgr ZONE ds; PowerDNS: pdnsutil show-zone ZONE; ldns: ldns-key2ds -n -2 (or -4) "
            "Kzone.+ALG+TAG.key."
        ),
        peers="ZM DS01_DS_ALGO_*; EDE 2",
        details={
            "digest_type": _DIGEST_TYPE + ".",
            "digest_type_why": _DIGEST_TYPE + ": {reason}.",
            "digest_length": _DIGEST_TYPE + " with a {length}-octet digest.",
            "digest_length_why": _DIGEST_TYPE + " with a {length}-octet digest: {reason}.",
            "ds_file_type": "DS {tag} uses digest type {digest_type}",
            "ds_file": "DS {ds}: digest type {digest_type} ({mnemonic}) {status}",
            "ds_file_no_ksk": "DS {ds}: digest type {digest_type} ({mnemonic}) {status}",
            "zone_undecodable": "DS at {name} cannot be decoded: {error}",
            "zone_digest_type": (
                "DS {tag} at {name} uses digest type {digest_type} ({mnemonic}): {reason}"
            ),
            "zone_digest_length": (
                "DS {tag} at {name} has a {length}-octet digest; {mnemonic} digests are "
                "{expected} octets"
            ),
        },
        fixes={
            "ds_file": "Publish at the parent: {publish}",
            "ds_file_no_ksk": "Sign the DNSKEY RRset with a KSK first, then publish its DS.",
        },
    ),
    CatalogEntry(
        code="DS_SHA1_SHADOWED",
        section=SECTION,
        severity=Severity.INFO,
        symptoms=("ksk-rollover",),
        title="SHA-1 DS ignored because a SHA-256 DS exists",
        explanation=(
            "For the same key the parent has both a SHA-256 and a SHA-1 DS. RFC 4509 §3 tells "
            "validators to ignore SHA-1 DS records when a SHA-256 DS is present, so the SHA-1 "
            "record adds nothing: if the SHA-256 DS is wrong, a correct SHA-1 DS cannot rescue "
            "the zone. This is context, not a fault."
        ),
        evidence=(
            "The DS records per key tag with their digest types, and whether each digest matches."
        ),
        fix=(
            "Keep every DS correct, or remove the SHA-1 DS at the registrar to keep the set simple."
        ),
        peers="DV DS_DIGEST_ALGORITHM_IGNORED/MAYBE_IGNORED",
        details={
            "sha256_beside": (
                "A SHA-256 DS exists for key {tag}, so validators ignore its SHA-1 DS "
                "(RFC 4509 §3)."
            ),
            "ds_file": (
                "{zone} has SHA-1 DS records beside SHA-256/384 ones; validators ignore the "
                "SHA-1 ones (RFC 4509 §3)"
            ),
        },
    ),
    CatalogEntry(
        code="RSA_KEY_SIZE_OUT_OF_RANGE",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("servfail",),
        title="RSA key size too small or out of range",
        explanation=(
            "An RSA DNSKEY's modulus is shorter than 2048 bits or outside the limits of its "
            "algorithm (RFC 5702 §2: 512 to 4096 bits for RSASHA256, 1024 to 4096 bits for "
            "RSASHA512). Short RSA keys can be broken with enough computing effort, and "
            "validators or policies that refuse keys outside the permitted range treat the zone "
            "as insecure or bogus."
        ),
        evidence="The key tag, algorithm and modulus size in bits.",
        fix=(
            "Roll to an RSA key of at least 2048 bits, or better to ECDSAP256SHA256 (13) or "
            "ED25519 (15): BIND: dnssec-keygen -a RSASHA256 -b 2048 ZONE, or a dnssec-policy "
            "with the new size; Knot: zsk-size and ksk-size (or algorithm) in the policy; "
            "PowerDNS: pdnsutil add-zone-key ZONE zsk active 2048 rsasha256; ldns: ldns-keygen "
            "-a RSASHA256 -b 2048 ZONE."
        ),
        peers="ZM DNSKEY_TOO_SMALL_FOR_ALGO, DNSKEY_SMALLER_THAN_REC",
        details={
            "key_problem": "DNSKEY {tag} (algorithm {algorithm}): {problem}.",
            "zone_key": (
                "DNSKEY {tag} (algorithm {algorithm}, flags {flags}) at {zone}: {problem}"
            ),
        },
    ),
    CatalogEntry(
        code="NSEC3_WITH_NON_NSEC3_ALGORITHM",
        section=SECTION,
        severity=Severity.CRITICAL,
        symptoms=("nsec3-migration",),
        title="NSEC3 used with a key algorithm from before NSEC3",
        explanation=(
            "The zone uses NSEC3 while its keys use algorithm 1, 3 or 5. Algorithm numbers 6 "
            "and 7 exist so that old validators that know RSASHA1 but not NSEC3 see an unknown "
            "algorithm and treat the zone as insecure (RFC 5155 §2); with algorithm 5 such "
            "validators try to validate instead, cannot understand the NSEC3 proofs, and find "
            "every negative answer bogus."
        ),
        evidence="The key algorithms in the DNSKEY RRset and the NSEC3PARAM and NSEC3 records.",
        fix=(
            "Roll to algorithm 8, 13 or 15 (see ALGORITHM_SIGNING_PROHIBITED) before switching "
            "to NSEC3, or go back to NSEC until the roll is done (BIND: remove nsec3param from "
            "the dnssec-policy; Knot: nsec3: off; PowerDNS: pdnsutil unset-nsec3 ZONE, then "
            "pdnsutil rectify-zone ZONE; ldns: ldns-signzone without -n)."
        ),
        peers="none",
        details={
            "zone_keys": (
                "{zone} uses NSEC3 with algorithm(s) {algorithms}, which predate NSEC3 (RFC 5155 "
                "§2)"
            ),
            "answer": (
                "NSEC3 is served while the zone's keys use algorithm {algorithms}; validators "
                "that know those algorithms but not NSEC3 find every negative answer bogus"
            ),
        },
    ),
)
