"""Catalog section C: chain of trust: DS ↔ DNSKEY.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import PDNS_SIGN, CatalogEntry
from dnssec_doctor.model.severity import Severity

SECTION = "C"
TITLE = "Chain of trust: DS ↔ DNSKEY"

_SIGNER_COMMANDS = (
    "BIND: dnssec-dsfromkey -2 K<zone>+<alg>+<tag>.key (or rndc dnssec -checkds); "
    "Knot: keymgr <zone> ds; PowerDNS: pdnsutil export-zone-ds <zone>; "
    "ldns: ldns-key2ds -n -2 K<zone>+<alg>+<tag>.key"
)
_NO_DS_MATCHES = (
    "The parent's DS records ({ds}) match none of the DNSKEYs {zone} serves (key tags {tags})"
)
_DIGEST_DIFFERS = "; key tag and algorithm match, but the digest differs"
_BOGUS = ". Every validator finds the zone bogus."
_NO_SELF_SIGNING_KSK = "(no self-signing KSK found: sign the DNSKEY RRset first)"
_DS_KEY_IDLE = (
    "The DS points to key tag(s) {tags}, which {zone} publishes but which do not sign the "
    "DNSKEY RRset; validators cannot build the chain."
)


def _replace_ds(ds_lines: str) -> str:
    """The fix for a DS that matches no key: the DS to publish instead (``ds_lines``)."""
    return (
        "Replace the DS for {zone} at the parent with one made from the live KSK: "
        f"{ds_lines}To compute it yourself: {_SIGNER_COMMANDS}. Or re-publish the key the DS "
        "names."
    )


def _sign_with_ds_key(ds_lines: str) -> str:
    """The fix for a DS whose key does not sign: sign with it, or point the DS elsewhere."""
    return (
        "Sign the DNSKEY RRset of {zone} with key {tags} (BIND: dnssec-signzone -k KSK; Knot: "
        "keymgr … ksk=yes; PowerDNS: pdnsutil activate-zone-key), or replace the DS with the "
        f"signing KSK: {ds_lines}."
    )


ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="DS_NO_MATCHING_DNSKEY",
        section=SECTION,
        severity=Severity.CRITICAL,
        symptoms=("servfail", "ksk-rollover", "ds-upload-rejected"),
        title="No DS record matches a key the zone serves",
        explanation=(
            "Each DS record at the parent names a key by key tag, algorithm and digest, and "
            "none of them matches any DNSKEY the zone publishes. A validator needs at least one "
            "DS that matches a key which signs the zone's DNSKEY RRset (RFC 4035 §5.2); without "
            "it the chain of trust is broken, so every validating resolver marks the whole zone "
            "bogus and answers SERVFAIL (often called security lameness). Typical causes: the "
            "KSK was replaced without updating the DS, the DS was made for a key that was never "
            "published, or it belongs to another zone."
        ),
        evidence=(
            "The DS records at the parent (key tag, algorithm, digest type, digest) and the "
            "DNSKEY records the zone serves (key tag, flags, algorithm), per server."
        ),
        fix=(
            "Either publish again the key the DS names (if you still have it), or replace the "
            "DS at the registrar with one made from the current KSK or CSK: BIND: "
            "dnssec-dsfromkey -2 Kzone.+ALG+TAG.key; Knot: keymgr ZONE ds; PowerDNS: pdnsutil "
            "show-zone ZONE (or pdnsutil export-zone-ds ZONE); ldns: ldns-key2ds -n -2 "
            "Kzone.+ALG+TAG.key. If the zone must work immediately, removing the DS (the zone "
            "becomes insecure) is faster than waiting for a new DS."
        ),
        peers="DV NO_SEP; ZM DS02_NO_VALID_DNSKEY_FOR_ANY_DS, DS02_NO_DNSKEY_FOR_DS; Verisign red",
        details={
            "no_key_matches": _NO_DS_MATCHES + _BOGUS,
            "no_key_matches_no_ksk": _NO_DS_MATCHES + _BOGUS,
            "ds_file": (
                "none of the {count} DS record(s) leads to a key that signs the DNSKEY RRset of "
                "{zone}: validators will find it bogus"
            ),
            "ds_file_no_ksk": (
                "none of the {count} DS record(s) leads to a key that signs the DNSKEY RRset of "
                "{zone}: validators will find it bogus"
            ),
        },
        fixes={
            "no_key_matches": _replace_ds("{ds_lines}"),
            "no_key_matches_no_ksk": _replace_ds(_NO_SELF_SIGNING_KSK),
            "ds_file": "Publish at the parent: {publish}",
            "ds_file_no_ksk": "Sign the DNSKEY RRset with a KSK first, then publish its DS.",
        },
    ),
    CatalogEntry(
        code="DS_DIGEST_MISMATCH",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ksk-rollover", "ds-upload-rejected"),
        title="DS digest does not match the key",
        explanation=(
            "A DS record's key tag and algorithm match a DNSKEY, but its digest, a hash over "
            "the zone name and the key (RFC 4034 §5.1.4), does not. So the DS was made for a "
            "different key that happens to share the tag, for another owner name, or was "
            "damaged when it was copied. Validators ignore that DS; if no other DS works, the "
            "zone is bogus."
        ),
        evidence=(
            "The DS record, the DNSKEY it appears to name, and the digest computed from that "
            "DNSKEY for this owner name, side by side."
        ),
        fix=(
            "Regenerate the DS from the live key with the zone name as owner and replace the "
            "record at the registrar: BIND: dnssec-dsfromkey -2 Kzone.+ALG+TAG.key (or dig ZONE "
            "DNSKEY | dnssec-dsfromkey -2 -f - ZONE); Knot: keymgr ZONE ds; PowerDNS: pdnsutil "
            "show-zone ZONE; ldns: ldns-key2ds -n -2 Kzone.+ALG+TAG.key."
        ),
        peers="DV DIGEST_INVALID; ZM DS02_NO_MATCH_DS_DNSKEY",
        details={
            "digest_differs": _NO_DS_MATCHES + _DIGEST_DIFFERS + _BOGUS,
            "digest_differs_no_ksk": _NO_DS_MATCHES + _DIGEST_DIFFERS + _BOGUS,
            "ds_file": "DS {ds} has the tag and algorithm of a key of {zone}, but not its digest",
            "ds_file_no_ksk": (
                "DS {ds} has the tag and algorithm of a key of {zone}, but not its digest"
            ),
        },
        fixes={
            "digest_differs": _replace_ds("{ds_lines}"),
            "digest_differs_no_ksk": _replace_ds(_NO_SELF_SIGNING_KSK),
            "ds_file": "Publish at the parent: {publish}",
            "ds_file_no_ksk": "Sign the DNSKEY RRset with a KSK first, then publish its DS.",
        },
    ),
    CatalogEntry(
        code="KEY_TAG_COLLISION",
        section=SECTION,
        severity=Severity.NOTICE,
        symptoms=("ksk-rollover",),
        title="Several DNSKEYs share one key tag",
        explanation=(
            "A validator finds the key for a signature by its key tag and algorithm, then tries "
            "every key that matches (RFC 4035 §5.3.1). When many DNSKEYs share a tag, each "
            "signature costs many verifications: this is the 'KeyTrap' denial of service "
            "(CVE-2023-50387), so resolvers now cap the keys they try and fail beyond the cap. "
            "Two keys colliding by chance is harmless; more is a broken or hostile zone."
        ),
        evidence="The key tag, the algorithm and how many keys share it.",
        fix=(
            "Remove the extra keys with that tag from the DNSKEY RRset of ZONE; if two real keys "
            "collide, generate a new one (BIND: dnssec-keygen; Knot: keymgr ZONE generate; "
            "PowerDNS: pdnsutil add-zone-key; ldns: ldns-keygen) and retire the colliding one."
        ),
        peers="none (resolver limits since CVE-2023-50387)",
        details={
            "signatures_beyond_tag_bound": (
                "{count} RRset(s) affected: {rrsets}. Their signatures by key tag {tags} did not "
                "verify with the first {max_keys_per_tag} keys of that tag, and the other keys "
                "were not tried (the per-tag bound against KeyTrap, CVE-2023-50387): whether "
                "they are valid is unknown, and resolvers that bound this work fail too."
            ),
            "chance_collision": (
                "{count} DNSKEYs of {zone} share key tag {tag} (algorithm {algorithm}): "
                "validators try each of them, which works, but a collision must never decide "
                "which DS or signature is 'wrong'."
            ),
            "beyond_tag_bound": (
                "{count} DNSKEYs of {zone} share key tag {tag} (algorithm {algorithm}), more "
                "than the {limit} keys per tag this analysis verifies a signature with. Every "
                "key was compared with the DS records (digests are cheap); signatures by tag "
                "{tag} were checked against at most {limit} of them (the DS-matched key first). "
                "Resolvers bound this work too (the 'KeyTrap' attack, CVE-2023-50387) and may "
                "fail to validate the zone."
            ),
        },
    ),
    CatalogEntry(
        code="DS_KEY_NOT_SIGNING_DNSKEY",
        section=SECTION,
        severity=Severity.CRITICAL,
        symptoms=("ksk-rollover",),
        title="Key named by the DS does not sign the key set",
        explanation=(
            "The DS points to a DNSKEY that is published but has no valid signature over the "
            "DNSKEY RRset. Validation starts at a key matched by a DS and requires that key to "
            "have signed the DNSKEY RRset (RFC 4035 §5.2); a key that is merely published does "
            "not count. This happens when a new KSK's DS is uploaded before the key becomes "
            "active, or when the signer signs the key set with another key than the one at the "
            "parent."
        ),
        evidence=(
            "The DS (key tag, algorithm), the matching DNSKEY, and the key tags of the RRSIGs "
            "that cover the DNSKEY RRset, per server."
        ),
        fix=(
            "Make the key the DS names sign the DNSKEY RRset, or change the DS to the key that "
            "does sign it. BIND: with dnssec-policy check rndc dnssec -status ZONE; with manual "
            "keys activate it (dnssec-settime -A now Kzone.+ALG+TAG) and re-sign (rndc sign "
            "ZONE or dnssec-signzone -S); Knot: check keymgr ZONE list and run knotc zone-sign "
            "ZONE; PowerDNS: pdnsutil activate-zone-key ZONE ID; ldns: pass the KSK's key file "
            "to ldns-signzone."
        ),
        peers="DV NO_SEP; ZM DS02_DNSKEY_NOT_SIGNED_BY_ANY_DS, DS02_NO_MATCHING_DNSKEY_RRSIG",
        details={
            "ds_key_idle": _DS_KEY_IDLE,
            "ds_key_idle_no_ksk": _DS_KEY_IDLE,
            "ds_file": (
                "DS {tag} matches a published key that does not sign the DNSKEY RRset of {zone}"
            ),
            "ds_file_no_ksk": (
                "DS {tag} matches a published key that does not sign the DNSKEY RRset of {zone}"
            ),
        },
        fixes={
            "ds_key_idle": _sign_with_ds_key("{ds_lines}"),
            "ds_key_idle_no_ksk": _sign_with_ds_key("none found"),
            "ds_file": "Publish at the parent: {publish}",
            "ds_file_no_ksk": "Sign the DNSKEY RRset with a KSK first, then publish its DS.",
        },
    ),
    CatalogEntry(
        code="DS_STALE_EXTRA",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("ksk-rollover",),
        title="DS for a key the zone does not publish",
        explanation=(
            "Some DS records at the parent name keys the zone does not publish, while another "
            "DS still works. Validators need only one working DS (RFC 4035 §5.2), so nothing "
            "fails today. One snapshot cannot tell a DS pre-published for a double-DS KSK "
            "rollover (RFC 7583 §3.3.3: the new DS goes to the parent before the new key is "
            "published) from one left over after a rollover: when the DNSKEY RRset holds keys "
            "of the DS's algorithm, it is a notice. A DS of an algorithm no DNSKEY has is no "
            "step of any rollover (RFC 6781 §4.1.4 adds the new algorithm's DS only after its "
            "keys) and stays a warning: the DS set is misleading, and if the working DS is "
            "removed by mistake the zone goes bogus."
        ),
        evidence=(
            "The stale DS records (key tag, algorithm, digest type) and the DS that still "
            "validates."
        ),
        fix=(
            "Remove the stale DS at the registrar, or publish CDS/CDNSKEY for the current keys "
            "only so the parent updates the set (RFC 7344). With BIND's dnssec-policy, confirm "
            "with rndc dnssec -checkds -key TAG withdrawn ZONE once it is gone."
        ),
        peers="DV DS status INDETERMINATE_NO_DNSKEY",
        details={
            "stale_next_to_working": (
                "DS record(s) {ds} point to keys {zone} no longer publishes; the zone still "
                "validates through the other DS."
            ),
            "unpublished_next_to_working": (
                "DS record(s) {ds} name a key {zone} does not publish (pre-published for a "
                "rollover, or left over from one); the zone validates through the other DS."
            ),
            "ds_file": "DS {ds} names no key of {zone}",
            "ds_file_no_ksk": "DS {ds} names no key of {zone}",
        },
        fixes={
            "stale_next_to_working": "Remove the stale DS at the parent: {stale}",
            "unpublished_next_to_working": (
                "If a double-DS KSK rollover is under way, publish the new KSK once the new DS "
                "has been served for the DS TTL at the parent, then sign the DNSKEY RRset with "
                "it and remove the old DS. If the rollover is over, remove the leftover DS at "
                "the parent: {stale}"
            ),
            "ds_file": "Publish at the parent: {publish}",
            "ds_file_no_ksk": "Sign the DNSKEY RRset with a KSK first, then publish its DS.",
        },
    ),
    CatalogEntry(
        code="DS_WITHOUT_SIGNED_ZONE",
        section=SECTION,
        severity=Severity.CRITICAL,
        symptoms=("servfail", "worked-yesterday"),
        title="Parent has DS but the zone is not signed",
        explanation=(
            "The parent publishes DS records, which tell validators the zone must be signed, "
            "but the zone serves no DNSKEY and no signatures. Validators therefore treat every "
            "answer as bogus (RFC 4035 §5.2) and the whole zone stops resolving for users of "
            "validating resolvers. It typically happens after moving to a DNS provider that "
            "does not sign, or after turning signing off without first removing the DS."
        ),
        evidence=(
            "The DS records at the parent, and the answers without DNSKEY or RRSIG from each "
            "zone server."
        ),
        fix=(
            "Either turn signing back on with a key that matches the DS, or remove the DS at "
            "the registrar (or publish the delete signal CDS 0 0 0 00, RFC 8078 §4). When "
            "changing to an unsigned setup or provider, remove the DS first and keep the zone "
            "signed until the DS TTL has passed."
        ),
        peers="ZM DS11_DS_BUT_UNSIGNED_ZONE",
        details={
            "no_dnskey_served": (
                "The parent {parent} publishes DS ({ds}) but {zone} serves no DNSKEY RRset: "
                "every validator finds it bogus."
            ),
            "zone_file_unsigned": (
                "the parent has {count} DS record(s) for {zone}, but the zone file has no "
                "DNSKEY: validators will find the zone bogus"
            ),
        },
        fixes={
            "no_dnskey_served": (
                "Either remove the DS records for {zone} at the registrar and wait their TTL, "
                "or turn signing back on so the keys the DS names are served again."
            ),
        },
    ),
    CatalogEntry(
        code="SIGNED_ZONE_WITHOUT_DS",
        section=SECTION,
        severity=Severity.NOTICE,
        symptoms=("no-ad-bit",),
        title="Zone is signed but the parent has no DS",
        explanation=(
            "The zone publishes DNSKEYs and signatures, but its parent has no DS record for it, "
            "so no chain of trust reaches it: it is an island of security (RFC 4033 §2). "
            "Validators treat it as insecure: answers resolve, but without the AD bit and "
            "without protection. Often the DS upload at the registrar was forgotten or is still "
            "pending."
        ),
        evidence=(
            "The parent's signed proof that no DS exists (NSEC or NSEC3), and the zone's "
            "KSK/CSK key tags with the DS records ready to submit."
        ),
        fix=(
            "Submit the DS for the KSK or CSK at the registrar (BIND: dnssec-dsfromkey -2 "
            "Kzone.+ALG+TAG.key; Knot: keymgr ZONE ds; PowerDNS: pdnsutil show-zone ZONE; ldns: "
            "ldns-key2ds -n -2 Kzone.+ALG+TAG.key), or publish CDS/CDNSKEY if the registry "
            "reads them (RFC 8078). If the zone is deliberately kept out of the chain of trust, "
            "nothing needs to change."
        ),
        peers="ZM DS07_NO_DS_FOR_SIGNED_ZONE",
        details={
            "parent_has_no_ds": (
                "{zone} serves a DNSKEY RRset (key tags {tags}) but its parent {parent} has no "
                "DS for it, so validators treat it as insecure."
            ),
            "parent_answers_wrongly": (
                "{zone} serves a DNSKEY RRset (key tags {tags}) but no server of its parent "
                "{parent} answers the DS query from the parent zone (PARENT_DS_REFERRAL), so no "
                "DS reaches validators, so validators treat it as insecure."
            ),
        },
        fixes={
            "parent_has_no_ds": (
                "Submit this DS to the parent (registrar), or publish CDS/CDNSKEY if it reads "
                "them: {ds_lines}"
            ),
            "parent_answers_wrongly": (
                "Fix the parent's servers first (PARENT_DS_REFERRAL); if the parent then still "
                "has no DS, submit this DS to it (registrar), or publish CDS/CDNSKEY if it reads "
                "them: {ds_lines}"
            ),
        },
    ),
    CatalogEntry(
        code="NO_SEP_FOR_ALGORITHM",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("zsk-rollover", "ksk-rollover"),
        title="DS algorithm without a key that signs the key set",
        explanation=(
            "The DS set lists an algorithm, but no DNSKEY of that algorithm signs the DNSKEY "
            "RRset. RFC 4035 §2.2 requires the DNSKEY RRset to be signed with each algorithm "
            "that appears in the DS set; validators that apply this strictly, or that support "
            "only that algorithm, fail. It usually means the DS was switched too early during "
            "an algorithm rollover."
        ),
        evidence=(
            "The algorithms in the DS set, the algorithms of the keys that sign the DNSKEY "
            "RRset, and the algorithm without a signing key."
        ),
        fix=(
            "Sign the DNSKEY RRset with a key of that algorithm (keep the old-algorithm KSK "
            "active until its DS is gone), or remove the DS records of the algorithm that no "
            "longer signs. Follow the algorithm rollover order of RFC 6781 §4.1.4; BIND's "
            "dnssec-policy and Knot's automatic key management do."
        ),
        peers="DV MISSING_SEP_FOR_ALG",
        details={
            "ds_algorithm_not_signing": (
                "The DS set lists algorithm {algorithm}, but no key of that algorithm signs the "
                "DNSKEY RRset; strict validators may fail."
            ),
            "ds_file": (
                "the DS set of {zone} lists algorithm {algorithm}, but no key of that algorithm "
                "signs the DNSKEY RRset"
            ),
        },
    ),
    CatalogEntry(
        code="DNSKEY_FLAGS_INVALID",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ds-upload-rejected",),
        title="Key has invalid flags or protocol",
        explanation=(
            "A key that a DS points to lacks the Zone Key flag (value 256), or a DNSKEY has a "
            "protocol field other than 3. RFC 4034 §2.1.1 says keys without the Zone Key flag "
            "must not be used to verify zone signatures, and §2.1.2 makes any protocol value "
            "other than 3 invalid, so validators skip such keys and registries reject a DS made "
            "from them."
        ),
        evidence="The DNSKEY (flags, protocol, algorithm, key tag) and the DS that references it.",
        fix=(
            "Generate a proper zone key (flags 257 for a KSK or CSK, 256 for a ZSK, protocol 3) "
            "and roll to it: BIND: dnssec-keygen -a ECDSAP256SHA256 -f KSK ZONE; Knot: keymgr "
            "ZONE generate algorithm=ECDSAP256SHA256 ksk=yes; PowerDNS: pdnsutil add-zone-key "
            "ZONE ksk active ecdsa256; ldns: ldns-keygen -a ECDSAP256SHA256 -k ZONE."
        ),
        peers="ZM DS02_DNSKEY_NOT_FOR_ZONE_SIGNING; EDE 11",
        details={
            "ds_key_not_zone_key": "The DS points to key {tag}, which lacks the Zone flag.",
            "key_problem": "DNSKEY {tag} (algorithm {algorithm}): {problem}.",
            "zone_key": (
                "DNSKEY {tag} (algorithm {algorithm}, flags {flags}) at {zone}: {problem}"
            ),
            "ds_to_non_zone_key": "DS {tag} points at a key without the Zone flag",
        },
    ),
    CatalogEntry(
        code="DS_KEY_NOT_SEP",
        section=SECTION,
        severity=Severity.NOTICE,
        symptoms=("ds-upload-rejected",),
        title="DS points at a key without the SEP flag",
        explanation=(
            "The DS names a DNSKEY with flags 256, that is without the Secure Entry Point bit. "
            "The SEP bit is only a hint for tools (RFC 4034 §2.1.1) and validation works, but "
            "many registrar portals and registry policies accept DS records only for keys with "
            "flags 257, and signers treat a 256 key as a ZSK that they may roll without "
            "changing the DS."
        ),
        evidence="The DS record and the DNSKEY it matches, with that key's flags.",
        fix=(
            "Make the DS point at the KSK or CSK (flags 257): generate it from that key (BIND: "
            "dnssec-dsfromkey -2 Kzone.+ALG+TAG.key; Knot: keymgr ZONE ds; PowerDNS: pdnsutil "
            "show-zone ZONE; ldns: ldns-key2ds -n -2 Kzone.+ALG+TAG.key) and replace the DS at "
            "the registrar."
        ),
        peers="ZM DS02_DNSKEY_NOT_SEP",
        details={
            "ds_key_without_sep": "The DS points to key {tag} with flags {flags} (no SEP bit).",
            "no_sep_signer": (
                "the DNSKEY RRset of {zone} is signed only by keys without the SEP flag (flags "
                "256); a DS for them works, but registries often refuse it"
            ),
            "ds_to_non_sep_key": "DS {tag} points at a key with flags {flags} (no SEP bit)",
            "candidate": (
                "Line {line} names {key}: it signs the DNSKEY RRset but has flags 256 (no SEP "
                "bit); validation works, but many registrar portals refuse such a key."
            ),
        },
    ),
    CatalogEntry(
        code="DNSKEY_MALFORMED",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("servfail",),
        title="Key data is malformed",
        explanation=(
            "A DNSKEY's public key field is empty or has the wrong length or structure for its "
            "algorithm: an ECDSA P-256 key must be 64 bytes (RFC 6605 §4), an Ed25519 key 32 "
            "bytes (RFC 8080 §3), and RSA keys use the format of RFC 3110 §2. Validators cannot "
            "use such a key, so every signature made with it fails and a DS for it cannot "
            "anchor the zone."
        ),
        evidence=(
            "The key tag, algorithm and public key length, the expected length, and the servers "
            "that served the key."
        ),
        fix=(
            "Regenerate the key with the signer's key tool and roll to it (BIND: dnssec-keygen; "
            "Knot: keymgr ZONE generate; PowerDNS: pdnsutil add-zone-key; ldns: ldns-keygen), "
            "and check provisioning scripts that copy keys: truncated base64 is a common cause."
        ),
        peers="DV DNSKEY_ZERO_LENGTH, DNSKEY_BAD_LENGTH_*",
        details={
            "key_problem": "DNSKEY {tag} (algorithm {algorithm}): {problem}.",
            "key_tag_keytrap": (
                "{count} DNSKEYs of algorithm {algorithm} share key tag {tag}: validators must "
                "try each for every signature, which is the KeyTrap attack pattern "
                "(CVE-2023-50387); many resolvers give up"
            ),
            "key_tag_shared": (
                "{count} DNSKEYs of algorithm {algorithm} share key tag {tag}; validators cope, "
                "but tools and registries may confuse them"
            ),
            "zone_key": (
                "DNSKEY {tag} (algorithm {algorithm}, flags {flags}) at {zone}: {problem}"
            ),
        },
        fixes={
            "key_tag_keytrap": "Generate new keys until every key tag is unique, then re-sign.",
            "key_tag_shared": "Replace one of the keys so that key tags are unique.",
        },
    ),
    CatalogEntry(
        code="DNSKEY_NOT_AT_APEX",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("rrsigs-sometimes",),
        title="DNSKEY or DS published below the zone apex",
        explanation=(
            "DNSKEY records only count at the zone apex, where the zone name itself is the "
            "owner (RFC 4035 §2.1), and DS records belong only at a delegation point (RFC 4034 "
            "§5). Here one appears at another name, usually because a relative owner name in "
            "the zone file got the origin appended twice (a missing trailing dot, as in "
            "example.com.example.com.). It plays no part in the chain of trust and misleads "
            "tools and registrars."
        ),
        evidence=(
            "The owner name of the misplaced record, the zone apex, and the zone file line if "
            "known."
        ),
        fix=(
            "Fix the owner name (add the trailing dot, or write @ for the apex) and re-sign: "
            "BIND: rndc sign ZONE or dnssec-signzone -S; Knot: knotc zone-sign ZONE; PowerDNS: "
            + PDNS_SIGN
            + "; ldns: ldns-signzone."
        ),
        peers="DV DNSKEY_NOT_AT_ZONE_APEX",
        details={
            "below_apex": (
                "{type} at {name}, below the apex {zone}: a mistyped owner name? These records "
                "only mean something at the zone apex"
            ),
        },
    ),
    CatalogEntry(
        code="REVOKED_KEY_MISUSED",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ksk-rollover", "no-ad-bit"),
        title="Revoked key still in use, or its revocation is not visible",
        explanation=(
            "A key with the REVOKE flag (RFC 5011 §2.1) is still referenced by a DS or still "
            "signs data, or it does not sign the DNSKEY RRset itself. A revoked key must not be "
            "used for validation, and it must self-sign the DNSKEY RRset so that resolvers "
            "using it as a trust anchor notice the revocation; otherwise they keep trusting the "
            "old key. Setting REVOKE also changes the key tag (RFC 4034 Appendix B), which "
            "breaks matching against an old DS."
        ),
        evidence=(
            "The revoked key (key tag with and without REVOKE, algorithm), the DS records or "
            "RRsets that still rely on it, and the RRSIGs over the DNSKEY RRset."
        ),
        fix=(
            "Stop signing data with the revoked key and remove its DS; during the revocation "
            "period keep it in the DNSKEY RRset and let it sign that RRset (BIND: "
            "dnssec-settime -R now Kzone.+ALG+TAG, then rndc sign ZONE; other signers: use "
            "their RFC 5011 revoke setting) before removing it."
        ),
        peers="DV DNSKEY_REVOKED_DS, DNSKEY_REVOKED_RRSIG, REVOKED_NOT_SIGNING",
        details={
            "ds_names_revoked_key": "The DS points to key {tag}, which is revoked (RFC 5011).",
            "not_self_signed": (
                "revoked DNSKEY {tag} does not sign the DNSKEY RRset of {zone}, so RFC 5011 "
                "resolvers never see the revocation"
            ),
            "ds_to_revoked_key": "DS {tag} points at a revoked key",
        },
    ),
)
