"""Catalog section J: registrar DS-upload preflight.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import CatalogEntry
from dnssec_doctor.model.severity import Severity

SECTION = "J"
TITLE = "Registrar DS-upload preflight"

# The cases of the preflight's findings share sentences; each is written once here.
_AS_GIVEN = ".\nAs given: {given}"
_NOT_IN_ZONE_FIX = (
    "Publish the key and let it sign the DNSKEY RRset on every server first, or regenerate "
    "the DS from the live key. {instead}"
)
_NO_KEY_FIX = (
    "Make every server serve the same signed DNSKEY RRset (check SOA serials and zone "
    "transfers; re-sign with the KSK), then run this again."
)
_NO_MATCH = "Line {line} ({label}) matches no DNSKEY of {zone}: "
_SERVED_TAGS = ". Served key tags by server: {listing}."
_STALE = " The parent still publishes this DS (stale)."
_WHY_NO_MATCH = {
    "no_such_key": (
        "no server serves a key with tag {tag} and algorithm {algorithm} ({algorithm_name})"
    ),
    "other_digest": (
        "key tag {tag} and algorithm {algorithm} fit a served key, but the digest is not that "
        "key's {digest} digest for {zone} (nor for the {variants} names a DS is often made "
        "for by mistake): a mistyped digest, or the DS of another key with the same tag"
    ),
    "unconfirmed_digest": "its digest type {digest_type} cannot be computed here to confirm it",
}
"""Why a candidate matches no served key (DsMatchStatus), by case."""
_NAMES_KEY = "Line {line} ({label}) names {key}, which {zone} serves, but "
_WHY_WRONG_KEY = {
    "no_zone_flag": "it lacks the Zone Key flag (RFC 4034 §2.1.1).",
    "revoked": "it is revoked (RFC 5011 §2.1).",
    "not_signing": (
        "it does not sign the DNSKEY RRset on any server, so validators cannot follow the DS "
        "to the zone's keys (RFC 4035 §5.2)."
    ),
}
"""Why the key a candidate names cannot anchor the chain, by case."""
_FAILING = " Its signatures over the DNSKEY RRset do not validate ({failing})."
_POLICY_DETAIL = "Line {line} ({label}): {problems}. The registry's {policy}."

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="DS_INPUT_UNPARSEABLE",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ds-upload-rejected",),
        title="DS or DNSKEY text cannot be read",
        explanation=(
            "The DS or DNSKEY text to be submitted is not valid presentation format (RFC 4034 "
            "§5.3 for DS, §2.2 for DNSKEY): fields are in the wrong order, the digest is not "
            "hexadecimal or the key is not base64, stray characters got in, or a DNSKEY was "
            "given where a DS was expected. Registrar forms reject such input, or store "
            "something else. The report shows the corrected form where it can work it out."
        ),
        evidence=(
            "The input as given (escaped), the field that fails to parse and why, and the "
            "corrected record if one can be derived."
        ),
        fix=(
            "Paste the canonical presentation format, ZONE. IN DS KEYTAG ALGORITHM DIGESTTYPE "
            "DIGEST, and generate it with a tool instead of typing it: BIND: dnssec-dsfromkey "
            "-2 Kzone.+ALG+TAG.key; Knot: keymgr ZONE ds; PowerDNS: pdnsutil show-zone ZONE; "
            "ldns: ldns-key2ds -n -2 Kzone.+ALG+TAG.key."
        ),
        peers="none",
        details={
            "unreadable": "Line {line}: {reason}" + _AS_GIVEN,
            "cleaned": "The input was cleaned before reading: {notes}.",
            "defective": "Line {line}: {problems}" + _AS_GIVEN,
            "defective_named": "Line {line}: {problems}" + _AS_GIVEN,
            "repaired": (
                "Line {line} was read after repair: {repairs}" + _AS_GIVEN + "\nRead as:  {read_as}"
            ),
            "dnskey_given": (
                "Line {line} is a DNSKEY, not a DS; it was checked as the DS computed from it for "
                "{zone} (RFC 4034 §5.1.4):\n    {ds_line}\nThe key: {dnskey}"
            ),
        },
        fixes={
            "unreadable": (
                "Paste the canonical presentation format ({zone} IN DS KEYTAG ALGORITHM "
                "DIGESTTYPE DIGEST). {instead}"
            ),
            "cleaned": (
                "Paste plain ASCII text copied from the signer's output, not from a web page or "
                "a word processor: {instead}"
            ),
            "defective_named": "The key tag and algorithm name {key}. {instead}",
            "repaired": "Paste the corrected form instead:\n    {read_as}\n",
            "dnskey_given": "Where the registry asks for a DS, submit:\n    {ds_line}\n",
        },
    ),
    CatalogEntry(
        code="DS_INPUT_NOT_IN_LIVE_ZONE",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ds-upload-rejected",),
        title="DS to submit matches no key served everywhere",
        explanation=(
            "The DS you intend to submit does not match a DNSKEY that every authoritative "
            "server serves and that signs the DNSKEY RRset. Submitting it would break the chain "
            "of trust (RFC 4035 §5.2), which is why registries that check reject it; it is the "
            'usual cause of "0 keys saved". Often the key is not published yet, or only some '
            "servers have it."
        ),
        evidence=(
            "The DS to submit, the DNSKEY RRset per server with key tags, and the servers that "
            "lack a matching key."
        ),
        fix=(
            "Publish the key and let it sign the DNSKEY RRset on every server first, then "
            "regenerate the DS from the live key: dig ZONE DNSKEY | dnssec-dsfromkey -2 -f - "
            "ZONE; Knot: keymgr ZONE ds; PowerDNS: pdnsutil show-zone ZONE; ldns: ldns-key2ds "
            "-n -2 Kzone.+ALG+TAG.key."
        ),
        peers="DV `-D`, ZM `--ds` (partial)",
        details={
            "unsigned": (
                "No server of {zone} serves a DNSKEY RRset ({servers}): the zone is not signed, "
                "or its servers load the unsigned copy."
            ),
            "no_key_everywhere": (
                "No key of {zone} signs the DNSKEY RRset on every server ({count}), so any DS "
                "submitted now is rejected by registries that check, or breaks validation on "
                "some servers. Keys: {keys}."
            ),
            "no_usable_key": (
                "No key of {zone} signs the DNSKEY RRset on every server ({count}), so any DS "
                "submitted now is rejected by registries that check, or breaks validation on "
                "some servers. "
            ),
            "partial_key": (
                "{key} signs the DNSKEY RRset on {signing} of {total} servers; its DS is not "
                "listed for upload until all servers serve it."
            ),
            "not_everywhere": (
                "Line {line} ({label}) names {key}, but not every server of {zone} has it: "
                '{where}. Registries that check every server reject the DS ("0 keys saved"), '
                "and validators that ask those servers would fail."
            ),
            **{case: _NO_MATCH + why + _SERVED_TAGS for case, why in _WHY_NO_MATCH.items()},
            **{
                f"{case}_stale": _NO_MATCH + why + _SERVED_TAGS + _STALE
                for case, why in _WHY_NO_MATCH.items()
            },
        },
        fixes={
            "unsigned": (
                "Sign {zone} and serve the signed zone on every server before submitting a DS "
                "(BIND: dnssec-policy default; in the zone statement; Knot: dnssec-signing: on; "
                "PowerDNS: pdnsutil secure-zone {zone})."
            ),
            "no_key_everywhere": _NO_KEY_FIX,
            "no_usable_key": _NO_KEY_FIX,
            "partial_key": (
                "Wait for the remaining servers to load the signed zone, then run this again to "
                "get its DS."
            ),
            "not_everywhere": (
                "Wait until every server serves the signed zone with this key (check the SOA "
                "serial and zone transfers of the servers named), then submit. {instead}"
            ),
            **{case: _NOT_IN_ZONE_FIX for case in _WHY_NO_MATCH},
            **{f"{case}_stale": _NOT_IN_ZONE_FIX for case in _WHY_NO_MATCH},
        },
    ),
    CatalogEntry(
        code="DS_INPUT_WRONG_OWNER_OR_KEY",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ds-upload-rejected",),
        title="DS to submit was made for the wrong name or key",
        explanation=(
            "The digest matches a key only when computed for another owner name (a subdomain, a "
            "name with a missing trailing dot, or the Unicode instead of the A-label form of an "
            "internationalised name), or it matches a ZSK or another key that does not sign the "
            "DNSKEY RRset. The digest covers the owner name (RFC 4034 §5.1.4), so a DS for the "
            "wrong name never validates, and a DS for a ZSK breaks when the ZSK is rolled."
        ),
        evidence=(
            "The DS to submit, the owner name and key it actually matches, and the correct apex "
            "name and KSK or CSK."
        ),
        fix=(
            "Compute the DS for the zone apex (in A-label form) from the KSK or CSK: BIND: "
            "dnssec-dsfromkey -2 Kzone.+ALG+TAG.key; Knot: keymgr ZONE ds; PowerDNS: pdnsutil "
            "show-zone ZONE; ldns: ldns-key2ds -n -2 Kzone.+ALG+TAG.key."
        ),
        peers="none",
        details={
            **{case: _NAMES_KEY + why for case, why in _WHY_WRONG_KEY.items()},
            **{
                f"{case}_failing": _NAMES_KEY + why + _FAILING
                for case, why in _WHY_WRONG_KEY.items()
            },
            "other_owner": (
                "Line {line} ({label}) is the DS of {key}, but computed for {how}, not for the "
                "zone apex {zone}. The digest covers the owner name and the key's flags (RFC "
                "4034 §5.1.4), so it never matches."
            ),
        },
    ),
    CatalogEntry(
        code="DS_INPUT_REGISTRY_POLICY",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("ds-upload-rejected",),
        title="DS not accepted by the registry's policy",
        explanation=(
            "The algorithm or digest type is not accepted by the target registry: for example "
            "SHA-1 digests are refused, or the registry takes only DNSKEY data (EPP allows "
            "either form, RFC 5910). The upload would be rejected even though the record is "
            "technically correct."
        ),
        evidence=(
            "The algorithm and digest type, the registry, and the combinations its policy accepts."
        ),
        fix=(
            "Choose an accepted combination (usually algorithm 13 with digest type 2), or "
            "submit the DNSKEY instead of the DS where the registry wants key data."
        ),
        peers="none",
        details={
            "refused": _POLICY_DETAIL,
            "refused_send_dnskey": _POLICY_DETAIL,
            "upload_refused": "The DS for {key}: {problems} by the registry's {policy}.",
        },
        fixes={
            "refused": "Choose an accepted combination. {instead}",
            "refused_send_dnskey": "Submit the DNSKEY instead:\n    {dnskey}\n",
            "upload_refused": (
                "Roll the zone to an accepted algorithm (13, ECDSAP256SHA256, is the common "
                "choice) and a KSK with flags 257, then submit its DS."
            ),
        },
    ),
)
