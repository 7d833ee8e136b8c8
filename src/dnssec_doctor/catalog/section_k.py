"""Catalog section K: offline zone integrity.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import PDNS_SIGN, CatalogEntry
from dnssec_doctor.model.severity import Severity

SECTION = "K"
TITLE = "Offline zone integrity"

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="ZONEMD_MISMATCH",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("rrsigs-sometimes",),
        title="ZONEMD does not match the zone",
        explanation=(
            "The zone's ZONEMD record (RFC 8976) holds a digest of the whole zone, so that "
            "anyone receiving a copy can check it. Here the digest does not match the content, "
            "or ZONEMD is unsigned in a signed zone, so verifiers reject the copy (RFC 8976 "
            "§4). It usually means the zone was changed or re-signed after ZONEMD was computed."
        ),
        evidence=(
            "The ZONEMD record (serial, scheme, hash algorithm, digest), the digest computed "
            "from the zone, and whether an RRSIG covers ZONEMD."
        ),
        fix=(
            "Regenerate ZONEMD as the last step of signing: ldns: ldns-signzone -z 1:1 "
            "(SHA-384) FILE KEYFILES; Knot: zonemd-generate: zonemd-sha384 in the zone "
            "configuration, then knotc zone-sign ZONE. Verify with ldns-verify-zone -Z FILE."
        ),
        peers="ldns-verify-zone -Z",
    ),
    CatalogEntry(
        code="ZONE_DATA_INVALID",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("rrsigs-sometimes",),
        title="Zone data breaks DNS rules",
        explanation=(
            "The zone contains data that DNS forbids or that signers and validators handle "
            "badly: a CNAME next to other data at the same name (RFC 1034 §3.6.2, RFC 2181 "
            "§10.1), CNAME loops, DNAME problems (RFC 6672), signatures on glue or on "
            "delegation NS records (which RFC 4035 §2.2 says must not be signed), or records "
            "outside the zone. Servers and resolvers handle such data differently, and signed "
            "data may be ignored."
        ),
        evidence=(
            "The offending names and records, with the zone file line numbers when checking a file."
        ),
        fix=(
            "Fix the records (remove data beside CNAMEs, break loops, move out-of-zone data to "
            "its own zone) and re-sign. Checkers find most of these: BIND: named-checkzone ZONE "
            "FILE, then rndc sign ZONE or dnssec-signzone -S; Knot: kzonecheck FILE, then knotc "
            "zone-sign ZONE; PowerDNS: pdnsutil check-zone ZONE; "
            + PDNS_SIGN
            + "; ldns: ldns-signzone."
        ),
        peers="DV CNAME_*, DNAME_*; kzonecheck; ZM ZONE10",
        details={
            "cname_loop": (
                "{name} is a CNAME loop ({path}): resolvers give up on it and answer SERVFAIL."
            ),
            "cname_chain_too_long": (
                "The CNAME chain from {name} is longer than {limit} links ({path}; not followed "
                "further: max_cname_depth). Resolvers follow about a dozen links (Unbound and "
                "BIND: 11) and then answer SERVFAIL."
            ),
        },
        fixes={
            "cname_loop": (
                "Break the loop: make one name of the chain hold the data (A/AAAA) itself, or "
                "point the CNAME at the real host name, and re-sign {zone}."
            ),
            "cname_chain_too_long": (
                "Point {name} at the final host name directly (one CNAME, not a chain), and "
                "re-sign {zone}."
            ),
        },
    ),
    CatalogEntry(
        code="OWNER_NAME_SUSPICIOUS",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("rrsigs-sometimes",),
        title="Owner name looks mistyped",
        explanation=(
            "An owner name repeats the zone origin, as in www.example.com.example.com. (a "
            "missing trailing dot, since relative names get the origin appended, RFC 1035 "
            "§5.1), or lies outside the zone. The record then sits at a name nobody asks for, "
            "or the signer skips it, so the name you meant has no data or no signature."
        ),
        evidence=(
            "The suspicious owner name, the zone origin, the zone file line, and the name "
            "probably intended."
        ),
        fix=(
            "Correct the owner name (add the trailing dot, or write it relative to the origin) "
            "and re-sign (BIND: rndc sign ZONE or dnssec-signzone -S; Knot: knotc zone-sign "
            "ZONE; PowerDNS: " + PDNS_SIGN + "; ldns: ldns-signzone)."
        ),
        peers="validns, kzonecheck (out-of-zone)",
        details={
            "origin_repeated": (
                "{doubled} exists in {zone}: it repeats the zone's origin, the mark of an owner "
                "name written without its trailing dot. {name} itself may be missing because of "
                "it."
            ),
        },
        fixes={
            "origin_repeated": (
                "In the zone file, write the owner as '{name}' (with the trailing dot) or as "
                "'{relative}' (relative), then re-sign."
            ),
        },
    ),
)
