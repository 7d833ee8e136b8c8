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
        details={
            "below_apex": "ZONEMD at {name}, below the apex: it is ignored (RFC 8976 §2)",
            "malformed": "ZONEMD at {zone} is malformed: {error}",
            "duplicate": (
                "{zone} has {count} ZONEMD records with scheme {scheme} and hash algorithm "
                "{algorithm}; at most one is allowed (RFC 8976 §2.4)"
            ),
            "unsupported": (
                "no ZONEMD record at {zone} uses a scheme and hash this tool supports (SIMPLE "
                "with SHA-384/SHA-512); the digest was not checked"
            ),
            "serial": (
                "ZONEMD serial {serial} differs from the SOA serial {soa_serial} at {zone} (RFC "
                "8976 §4)"
            ),
            "digest": "the ZONEMD digest of {zone} does not match its content",
        },
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
            "no_apex_soa": "no SOA record at the zone apex {zone}",
            "several_soa": (
                "{count} different SOA records at {zone}; a zone has exactly one (RFC 1035 §5.2)"
            ),
            "no_apex_ns": "no NS records at the zone apex {zone}",
            "mx_alias": (
                "the MX of {name} points to {target}, an alias (CNAME); MX must name a host "
                "directly (RFC 2181 §10.3)"
            ),
            "below_dname": (
                "{name} lies below the DNAME at {dname}; a DNAME owner has no descendants (RFC "
                "6672 §2.4)"
            ),
            "cname_beside": (
                "{name} has a CNAME and other data ({types}); a CNAME must be alone at its name "
                "(RFC 2181 §10.1)"
            ),
            "cname_multiple": (
                "{name} has {count} CNAME records; only one is allowed (RFC 2181 §10.1)"
            ),
            "dname_multiple": (
                "{name} has {count} DNAME records; only one is allowed (RFC 6672 §2.4)"
            ),
            "dname_ns": (
                "{name} has both DNAME and NS; a DNAME cannot sit at a delegation (RFC 6672 §2.3)"
            ),
            "ttls_differ": (
                "the {type} records at {name} have different TTLs; an RRset has one TTL (RFC "
                "2181 §5.2), {ttl} is used"
            ),
            "below_apex": (
                "{type} at {name}, below the apex {zone}: a mistyped owner name? These records "
                "only mean something at the zone apex"
            ),
            "ds_at_apex": (
                "DS at the zone apex {name}: DS records belong in the parent zone (RFC 4035 §2.4)"
            ),
            "ds_not_at_cut": (
                "DS at {name}, which is not a delegation (no NS): DS only exists at zone cuts "
                "(RFC 4035 §2.4)"
            ),
            "signed_delegation_ns": (
                "{type} at {name} is signed, but it is delegation NS: the zone is not "
                "authoritative for it and must not sign it (RFC 4035 §2.2)"
            ),
            "signed_glue": (
                "{type} at {name} is signed, but it is glue/occluded: the zone is not "
                "authoritative for it and must not sign it (RFC 4035 §2.2)"
            ),
            "signed_occluded": (
                "{type} at {name} is signed, but it is data at a delegation point (occluded): "
                "the zone is not authoritative for it and must not sign it (RFC 4035 §2.2)"
            ),
            "undecodable": "{type} at {name} cannot be decoded: {error}",
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
            "outside_zone": (
                "{name} is outside the zone {zone}; the record is ignored (a relative name in "
                "the wrong $ORIGIN?)"
            ),
            "repeated_origin": (
                "{name} repeats the zone name: probably {fixed} written without its trailing dot"
            ),
            "characters": (
                "{name} has characters unusual in host names (legal in DNS, RFC 2181 §11, but "
                "often a typo)"
            ),
        },
        fixes={
            "origin_repeated": (
                "In the zone file, write the owner as '{name}' (with the trailing dot) or as "
                "'{relative}' (relative), then re-sign."
            ),
            "repeated_origin": (
                "Write the owner as {fixed} (with the trailing dot) or relative, then re-sign."
            ),
        },
    ),
)
