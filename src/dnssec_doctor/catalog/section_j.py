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
    ),
)
