"""Catalog section F: denial of existence.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import OTHERS_FINE, PDNS_SIGN, CatalogEntry
from dnssec_doctor.model.severity import Severity

SECTION = "F"
TITLE = "Denial of existence"

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="NEGATIVE_PROOF_MISSING",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("negative-answers-fail",),
        title="Negative answer lacks its proof",
        explanation=(
            "An NXDOMAIN, NODATA or wildcard answer came back without the NSEC or NSEC3 records "
            "that prove it, without their signatures, or without the zone's SOA in the "
            "authority section. RFC 4035 §3.1.3 (NSEC) and RFC 5155 §7.2 (NSEC3) require these "
            "proofs, and RFC 2308 §3 requires the SOA; without them validators cannot confirm "
            'the negative answer and answer SERVFAIL instead of "no such name".'
        ),
        evidence=(
            "The query, the response code, the authority section as received, what was missing, "
            "and the servers that did and did not include the proof."
        ),
        fix=(
            "Make every server return the proofs: run DNSSEC- and NSEC3-capable software on all "
            "servers and serve the complete signed zone (with its NSEC or NSEC3 records) "
            "everywhere. With PowerDNS run pdnsutil rectify-zone ZONE after changes, since "
            "missing order names break proofs."
        ),
        peers=(
            "DV MISSING_NSEC_FOR_*, MISSING_SOA_FOR_*, SOA_NOT_OWNER_FOR_*; ZM "
            "DS10_*_MISSING_*; EDE 12"
        ),
        details={
            "no_records": "the {kind} answer for {name} carries no NSEC or NSEC3 record",
            "no_records_in_zone": (
                "the {kind} answer for {name} carries no NSEC or NSEC3 record ({outside} "
                "record(s) outside the zone ignored)"
            ),
            "unsigned_records": (
                "{count} NSEC/NSEC3 record(s) come without an RRSIG, so validators cannot use them"
            ),
            "no_soa": "the {kind} answer has no SOA in its authority section",
            "foreign_soa": "the {kind} answer's SOA is owned by {owners}, not by the zone {zone}",
            "unsigned_soa": "the {kind} answer's SOA comes without an RRSIG",
            "some_servers_strip_proofs": (
                "{servers} {answer} NXDOMAIN and NODATA without NSEC or NSEC3 records, while "
                "{servers_ok} {include_ok} {kinds} proofs: server software that signs answers "
                "but predates NSEC3 answers negatives the old way, with the SOA only." + OTHERS_FINE
            ),
        },
        fixes={
            "some_servers_strip_proofs": (
                "Upgrade the name server software on {servers} to a version that supports "
                "NSEC3 (every server must), or re-sign the zone with NSEC; then check that a "
                "query for a name that does not exist returns NSEC/NSEC3 records from every "
                "server."
            ),
        },
    ),
    CatalogEntry(
        code="NSEC_PROOF_INVALID",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("negative-answers-fail",),
        title="NSEC records do not prove the negative answer",
        explanation=(
            "The NSEC records returned do not cover the queried name or the wildcard that could "
            "have matched it, or the NSEC at the name itself contradicts the answer. Validators "
            "check that the proof really rules out the name (RFC 4035 §5.4) and mark the answer "
            "bogus when it does not. It usually points to a stale or partly updated NSEC chain."
        ),
        evidence=(
            "The query, each NSEC record (owner, next name, types), and the name or wildcard "
            "left uncovered or the record that contradicts the answer."
        ),
        fix=(
            "Rebuild the NSEC chain by re-signing the whole zone: BIND: rndc sign ZONE or "
            "dnssec-signzone -S; Knot: knotc zone-sign ZONE; PowerDNS: "
            + PDNS_SIGN
            + "; ldns: ldns-signzone."
        ),
        peers="DV SNAME_NOT_COVERED, SNAME_COVERED, NO_NSEC_MATCHING_SNAME",
        details={
            "nxdomain_name_exists": (
                "the answer says {name} does not exist, but an NSEC at that very name shows it "
                "exists with types {types}"
            ),
            "nxdomain_not_covered": "no NSEC covers {name}, so its non-existence is not proven",
            "nxdomain_ent": (
                "the answer says {name} does not exist, but the covering NSEC's next name {next} "
                "lies below it, so {name} exists (an empty non-terminal)"
            ),
            "wildcard_exists": (
                "{wildcard} exists, so {name} should have been synthesised from it, not denied"
            ),
            "wildcard_not_covered": (
                "no NSEC covers the wildcard {wildcard} at the closest encloser {encloser}, so a "
                "wildcard could have answered for {name}"
            ),
            "nodata_delegation": (
                "{name} is a delegation point: the parent's NSEC there can only deny DS, the "
                "server should have sent a referral"
            ),
            "nodata_no_match": "no NSEC matches {name} to show it has no {qtype}",
        },
    ),
    CatalogEntry(
        code="NSEC3_PROOF_INVALID",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("negative-answers-fail", "nsec3-migration"),
        title="NSEC3 records do not prove the negative answer",
        explanation=(
            "The NSEC3 proof is incomplete or wrong: no record matches the closest encloser, "
            "the next closer name or the wildcard is not covered, an owner name is not a valid "
            "hash, or the records use different parameters. Validators follow RFC 5155 §8 and "
            "mark such answers bogus. Servers that do not implement NSEC3 themselves often "
            "produce broken proofs from a chain they do not understand."
        ),
        evidence=(
            "The query, the NSEC3 records with their hash ranges, the hashes of the closest "
            "encloser, next closer name and wildcard, and the part of the proof that fails."
        ),
        fix=(
            "Rebuild the NSEC3 chain by re-signing the whole zone (BIND: rndc sign ZONE; Knot: "
            "knotc zone-sign ZONE; PowerDNS: " + PDNS_SIGN + "; ldns: ldns-signzone "
            "-n) and run NSEC3-capable software on every server."
        ),
        peers=(
            "DV NO_CLOSEST_ENCLOSER, NEXT_CLOSEST_ENCLOSER_NOT_COVERED, INVALID_NSEC3_*; ZM "
            "DS10_NSEC3_*"
        ),
        details={
            "no_closest_encloser": (
                "no NSEC3 matches any ancestor of {name}: there is no closest encloser proof"
            ),
            "encloser_delegation": (
                "the closest encloser {encloser} is a delegation or DNAME; the answer should "
                "have been a referral or a DNAME (RFC 5155 §8.3)"
            ),
            "next_closer_not_covered": "no NSEC3 covers the next closer name {next_closer}",
            "nxdomain_hash_matches": (
                "the answer says {name} does not exist, but an NSEC3 matches its hash"
            ),
            "wildcard_exists": (
                "the wildcard {wildcard} exists, so the name should have been synthesised"
            ),
            "wildcard_not_covered": "the wildcard {wildcard} is not covered",
            "nodata_delegation": (
                "{name} is a delegation point: the parent's NSEC3 there can only deny DS, the "
                "server should have sent a referral"
            ),
            "nodata_no_match": (
                "no NSEC3 matches {name} to show it has no {qtype}, and no wildcard or Opt-Out "
                "proof replaces it"
            ),
            "malformed": (
                "{count} NSEC3 record(s) are malformed: the owner must be one base32hex hash "
                "label directly below {zone} and both hashes {length} octets"
            ),
        },
    ),
    CatalogEntry(
        code="NODATA_BITMAP_CONTRADICTION",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("negative-answers-fail",),
        title="Type bitmap contradicts the answer",
        explanation=(
            "The type bitmap of an NSEC or NSEC3 record lists the type that was just denied, so "
            "the NODATA proof proves nothing, or it leaves out a type that exists at that name. "
            "RFC 4034 §4.1.2 and RFC 5155 §3.2.1 require the bitmap to list exactly the types "
            "present, and validators reject NODATA proofs whose bitmap contains the queried "
            "type (RFC 4035 §5.4). It usually follows record changes that were not re-signed, "
            "or a signer bug."
        ),
        evidence=(
            "The name, the queried type, the bitmap as served, and the types that actually "
            "exist at the name."
        ),
        fix=(
            "Re-sign after record changes (BIND: rndc sign ZONE; Knot: knotc zone-sign ZONE; "
            "PowerDNS: " + PDNS_SIGN + "; ldns: ldns-signzone); if a freshly signed "
            "zone still shows it, report a signer bug."
        ),
        peers="DV STYPE_IN_BITMAP, EXISTING_TYPE_NOT_IN_BITMAP; ZM DS10_*_ERR_TYPE_LIST",
        details={
            "zone_nsec3_extra": (
                "the NSEC3 for {name} ({owner}) lists {extra} that {name} does not have"
            ),
            "zone_nsec3_omits": "the NSEC3 for {name} ({owner}) omits {missing} that {name} has",
            "zone_nsec3_extra_omits": (
                "the NSEC3 for {name} ({owner}) lists {extra} that {name} does not have and "
                "omits {missing} that {name} has"
            ),
            "zone_nsec_extra": "the NSEC at {name} lists {extra} that {name} does not have",
            "zone_nsec_omits": "the NSEC at {name} omits {missing} that {name} has",
            "zone_nsec_extra_omits": (
                "the NSEC at {name} lists {extra} that {name} does not have and omits {missing} "
                "that {name} has"
            ),
            "nsec": "the answer says {name} has no {qtype}, but the NSEC bitmap lists {types}",
            "nsec3": "the answer says {name} has no {qtype}, but the NSEC3 bitmap lists {types}",
        },
    ),
    CatalogEntry(
        code="EXISTING_NAME_DENIED",
        section=SECTION,
        severity=Severity.CRITICAL,
        symptoms=("negative-answers-fail", "worked-yesterday"),
        title="A name that exists is denied",
        explanation=(
            "An NSEC or NSEC3 record covers a name that does exist in the zone, claiming there "
            "is nothing there. Resolvers that do aggressive negative caching (RFC 8198) use "
            "such a record to answer NXDOMAIN for every name in its range without asking, so "
            "real names disappear for their users until the record leaves the cache. "
            "Incremental or dynamic signing that failed to update the chain is the usual cause."
        ),
        evidence=(
            "The existing name, the NSEC or NSEC3 record that covers it (owner and next name, "
            "or hash range), and the servers serving it."
        ),
        fix=(
            "Fully re-sign the zone so the chain is rebuilt (BIND: rndc sign ZONE; Knot: knotc "
            "zone-sign ZONE; PowerDNS: " + PDNS_SIGN + "; ldns: ldns-signzone), then "
            "find out why the incremental or dynamic-update signing path produced it."
        ),
        peers="DV EXISTING_NAME_COVERED",
        details={
            "zone_nsec": (
                "the NSEC at {owner} (next {next}) proves that {name} does not exist, but it "
                "does: resolvers with aggressive NSEC caching (RFC 8198) will deny it"
            ),
            "nsec_one": "an NSEC denies {name}, which exists",
            "nsec_more": "an NSEC denies {name}, which exists (and {more} more existing names)",
            "nsec3_one": "an NSEC3 denies {name}, which exists",
            "nsec3_more": "an NSEC3 denies {name}, which exists (and {more} more existing names)",
        },
    ),
    CatalogEntry(
        code="NSEC_CHAIN_BROKEN",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("negative-answers-fail",),
        title="NSEC or NSEC3 chain is broken",
        explanation=(
            "Walking the chain shows gaps, loops or duplicate records, the last NSEC does not "
            "point back to the zone apex (RFC 4034 §4.1.1), or empty non-terminals have no "
            "NSEC3 record (RFC 5155 §7.1). Proofs for names in the broken part cannot be built "
            "or validated, so some negative answers fail while others work."
        ),
        evidence=(
            "The places where the chain breaks (owner and next name, or hash ranges) and the "
            "names affected."
        ),
        fix=(
            "Re-sign the whole zone so that a fresh chain is built (BIND: rndc sign ZONE or "
            "dnssec-signzone -S; Knot: knotc zone-sign ZONE; PowerDNS: "
            + PDNS_SIGN
            + "; ldns: ldns-signzone)."
        ),
        peers="DV LAST_NSEC_NEXT_NOT_ZONE; offline verifiers",
        details={
            "zone_nsec3_owner": (
                "NSEC3 owner {owner} is not directly below the apex {zone} (RFC 5155 §7.1)"
            ),
            "zone_nsec3_orphan": (
                "NSEC3 {owner} matches no name of the zone (stale record of a deleted name?)"
            ),
            "zone_nsec3_next": (
                "NSEC3 {owner} links to {next}, but the next hash in the chain is {expected}"
            ),
            "zone_nsec_missing": (
                "{name} has no NSEC record, so its data cannot be part of a denial proof"
            ),
            "zone_nsec_missing_apex": (
                "{name} has no NSEC record, so its data cannot be part of a denial proof (the "
                "apex NSEC is missing)"
            ),
            "zone_nsec_multiple": "{name} has {count} NSEC records; one name has one NSEC",
            "zone_nsec_below_cut": (
                "NSEC at {name}, which is below the zone cut {cut} (glue or occluded data has no "
                "NSEC)"
            ),
            "zone_nsec_outside": "the NSEC at {name} points outside the zone to {next}",
            "zone_nsec_last": (
                "the NSEC at {name} names {next} as the next name, but it is the last name: it "
                "must be the apex"
            ),
            "zone_nsec_next": (
                "the NSEC at {name} names {next} as the next name, but the next name is {expected}"
            ),
            "zone_nsec3_missing_name_optout_uncovered": (
                "no NSEC3 for {name}; and no Opt-Out NSEC3 covers it (RFC 5155 §7.1)"
            ),
            "zone_nsec3_missing_name_secure_delegation": (
                "no NSEC3 for {name}; a secure delegation always needs its own NSEC3, even with "
                "Opt-Out"
            ),
            "zone_nsec3_missing_name_authoritative": (
                "no NSEC3 for {name}; every authoritative name needs one"
            ),
            "zone_nsec3_missing_ent_optout_uncovered": (
                "no NSEC3 for empty non-terminal {name}; and no Opt-Out NSEC3 covers it (RFC "
                "5155 §7.1)"
            ),
            "zone_nsec3_missing_ent_secure_delegation": (
                "no NSEC3 for empty non-terminal {name}; a secure delegation always needs its "
                "own NSEC3, even with Opt-Out"
            ),
            "zone_nsec3_missing_ent_authoritative": (
                "no NSEC3 for empty non-terminal {name}; every authoritative name needs one"
            ),
            "next_outside_zone": (
                "{count} NSEC record(s) point outside the zone {zone}; the last NSEC must point "
                "back to the apex"
            ),
        },
    ),
    CatalogEntry(
        code="NSEC3_PARAMS_INCONSISTENT",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("nsec3-migration",),
        title="NSEC3 parameters are inconsistent",
        explanation=(
            "The zone's NSEC3 records use more than one set of parameters (hash algorithm, "
            "iterations, salt), the NSEC3PARAM record is missing, differs from the chain or has "
            "flags set, the hash algorithm is unknown, or servers disagree. RFC 5155 §4 and "
            "§7.1 expect one chain whose parameters match the NSEC3PARAM at the apex; "
            "validators ignore NSEC3 records with an unknown hash algorithm, and proofs that "
            "mix parameters fail."
        ),
        evidence=(
            "The NSEC3PARAM record per server, and each distinct parameter set seen in NSEC3 "
            "records with the servers serving it."
        ),
        fix=(
            "Keep one NSEC3 chain whose parameters match NSEC3PARAM on every server, and set "
            "the parameters in one place: BIND: nsec3param in dnssec-policy; Knot: the nsec3 "
            "options of the policy; PowerDNS: pdnsutil set-nsec3 ZONE '1 0 0 -', then pdnsutil "
            "rectify-zone ZONE; ldns: ldns-signzone -n -t 0. Then make sure every server has "
            "the new version."
        ),
        peers="DV UNSUPPORTED_NSEC3_ALGORITHM; ZM DS03_INCONSISTENT_*, DS10_NSEC3PARAM_*",
        details={
            "zone_nsec3param_malformed": "NSEC3PARAM at {zone} is malformed: {error}",
            "zone_nsec3param_flags": (
                "NSEC3PARAM at {zone} has flags {flags}; they must be 0 (RFC 5155 §4.1.2)"
            ),
            "zone_no_nsec3param": "{zone} has NSEC3 records but no NSEC3PARAM at the apex",
            "zone_no_nsec3param_to_choose": (
                "{zone} has NSEC3 records with {count} parameter sets and no NSEC3PARAM to "
                "choose one"
            ),
            "zone_nsec3param_unused": (
                "no NSEC3 record of {zone} uses the NSEC3PARAM parameters (hash algorithm, "
                "iterations, salt)"
            ),
            "zone_hash_algorithm": (
                "NSEC3 hash algorithm {algorithm} at {zone} is unknown (only 1, SHA-1, exists)"
            ),
            "servers_disagree": (
                "servers serve NSEC3 chains with different parameters: {parameters}"
            ),
            "answer_mixes_sets": (
                "the answer mixes {count} NSEC3 parameter sets; one zone has one chain"
            ),
            "unknown_hash": (
                "NSEC3 hash algorithm {algorithm} is unknown; validators ignore these records "
                "and treat the answer as insecure"
            ),
            "odd_flags": (
                "NSEC3 records with flags other than Opt-Out are ignored by validators (RFC 5155 "
                "§8.2)"
            ),
        },
    ),
    CatalogEntry(
        code="NSEC_NSEC3_MIXED",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("nsec3-migration",),
        title="NSEC and NSEC3 mixed",
        explanation=(
            "Some servers answer with NSEC and others with NSEC3, or both kinds appear at once, "
            "typically in the middle of a migration from one to the other. A validator may get "
            "the key set from one state and a proof from another, and the two schemes (RFC 4034 "
            "§4 for NSEC, RFC 5155 for NSEC3) cannot be combined in one proof, so negative "
            "answers fail depending on which server answered."
        ),
        evidence=(
            "Which servers answered with NSEC and which with NSEC3, with each server's SOA "
            "serial and NSEC3PARAM."
        ),
        fix=(
            "Switch on the signer (BIND: nsec3param in dnssec-policy; Knot: nsec3: on; "
            "PowerDNS: pdnsutil set-nsec3 ZONE '1 0 0 -', then pdnsutil rectify-zone ZONE; "
            "ldns: ldns-signzone -n), let every server transfer the new version, and only then "
            "consider the migration done."
        ),
        peers="ZM DS10_INCONSISTENT_NSEC_NSEC3, DS10_MIXED_NSEC_NSEC3, DS03_SERVER_NO_NSEC3",
        details={
            "zone": "{zone} has both NSEC and NSEC3 records",
            "answer_both": (
                "the answer carries {nsec} NSEC and {nsec3} NSEC3 records: two denial chains at "
                "once"
            ),
            "servers_disagree": "servers disagree on the denial mechanism: {mechanisms}",
            "servers_differ": (
                "Negative answers differ between servers: {groups}. The NSEC to NSEC3 migration "
                "(or its rollback) reached only some servers, so proofs change with the server "
                "a resolver picks, and a resolver that caches one kind may reject the other."
            ),
        },
        fixes={
            "servers_differ": (
                "Finish the migration on every server: make {behind} serve the NSEC3-signed "
                "zone (check transfers and that the software supports NSEC3), keeping the zone "
                "consistent (BIND: rndc signing -nsec3param 1 0 0 - ZONE; Knot: nsec3: on in "
                "the policy; PowerDNS: pdnsutil set-nsec3 ZONE '1 0 0 -' then pdnsutil "
                "rectify-zone ZONE), and check again."
            ),
        },
    ),
    CatalogEntry(
        code="NSEC3_PARAMS_NOT_RFC9276",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("negative-answers-fail", "nsec3-migration"),
        title="NSEC3 uses extra iterations or a salt",
        explanation=(
            "The NSEC3 parameters use more than 0 additional iterations or a non-empty salt. "
            "RFC 9276 §3.1 says both should be zero and empty: they add no real protection but "
            "cost every resolver CPU time, and resolvers cap the iterations they accept (RFC "
            "9276 §3.2); above that limit they treat the zone as insecure or answer SERVFAIL "
            "with EDE 27. The severity rises to error once the iterations exceed the limits "
            "common resolvers use."
        ),
        evidence=(
            "The NSEC3PARAM and NSEC3 parameters (iterations, salt length) and the resolver "
            "limits they exceed."
        ),
        fix=(
            "Set iterations to 0 and an empty salt: BIND: nsec3param iterations 0 optout no "
            "salt-length 0; in dnssec-policy; Knot: nsec3-iterations: 0 and nsec3-salt-length: "
            "0; PowerDNS: pdnsutil set-nsec3 ZONE '1 0 0 -', then pdnsutil rectify-zone ZONE; "
            "ldns: ldns-signzone -n -t 0 without a salt."
        ),
        peers=(
            "DV NONZERO_NSEC3_ITERATION_COUNT, NONEMPTY_NSEC3_SALT; ZM "
            "DS03_ILLEGAL_ITERATION_VALUE, DS03_ILLEGAL_SALT_LENGTH; EDE 27"
        ),
        details={
            "zone": (
                "{zone} uses NSEC3 with {iterations} extra iterations and a {salt_length}-octet "
                "salt ({behaviour}); RFC 9276 asks for 0 and none"
            ),
            "above_resolver_limit": (
                "NSEC3 uses {parameters}; above {limit} iterations common validators treat the "
                "zone as insecure or fail"
            ),
            "not_rfc9276": (
                "NSEC3 uses {parameters}; RFC 9276 asks for 0 iterations and an empty salt"
            ),
        },
    ),
    CatalogEntry(
        code="NSEC3_OPT_OUT_PROBLEM",
        section=SECTION,
        severity=Severity.NOTICE,
        symptoms=("negative-answers-fail",),
        title="NSEC3 opt-out used where it does not fit",
        explanation=(
            "Opt-out (RFC 5155 §6) lets a zone leave unsigned delegations out of its NSEC3 "
            "chain; it only pays off in large zones full of unsigned delegations, such as "
            "top-level domains. Here it is used in a small zone or one without delegations, "
            "where it only weakens denial of existence (RFC 9276 §3.1 advises against it), or "
            "it is missing where an insecure-delegation proof relies on it."
        ),
        evidence=(
            "The NSEC3 records with the opt-out flag, the number of delegations in the zone, "
            "and any proof that depended on opt-out."
        ),
        fix=(
            "Turn opt-out off unless the zone is large and delegation-centric: BIND: optout no "
            "in nsec3param; Knot: nsec3-opt-out: off; PowerDNS: pdnsutil set-nsec3 ZONE '1 0 0 "
            "-' (flags 0), then pdnsutil rectify-zone ZONE; ldns: ldns-signzone -n without -p."
        ),
        peers="DV OPT_OUT_FLAG_NOT_SET; ZM DS03_NSEC3_OPT_OUT_ENABLED_NON_TLD",
        details={
            "opt_out_proof": (
                "the proof for {name} relies on an Opt-Out NSEC3: an unsigned delegation may "
                "exist there, so validators treat the answer as insecure"
            ),
            "ds_not_opt_out": (
                "no NSEC3 matches the delegation {name} and the NSEC3 covering it lacks the "
                "Opt-Out flag, so its missing DS is not proven (RFC 5155 §8.6)"
            ),
        },
    ),
    CatalogEntry(
        code="INSECURE_DELEGATION_PROOF_INVALID",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("negative-answers-fail", "servfail"),
        title="Proof that a child is unsigned is wrong",
        explanation=(
            "To show that a delegated child has no DS, and so is legitimately unsigned, the "
            "parent returns an NSEC or NSEC3 record for the child's name whose bitmap has NS "
            "set and both DS and SOA clear (RFC 4035 §5.2, RFC 6840 §4.4). Here the bitmap has "
            "DS or SOA set, or lacks NS, so validators cannot conclude that the child is "
            "insecure and fail its answers."
        ),
        evidence=(
            "The delegation name, the NSEC or NSEC3 record returned with its type bitmap, and "
            "the bits expected."
        ),
        fix=(
            "Re-sign the parent zone with a compliant signer (BIND: rndc sign ZONE; Knot: knotc "
            "zone-sign ZONE; PowerDNS: " + PDNS_SIGN + "; ldns: ldns-signzone), and "
            "check that no data other than NS and glue sits at the delegation point in the "
            "parent."
        ),
        peers="DV REFERRAL_WITH_DS, REFERRAL_WITH_SOA, REFERRAL_WITHOUT_NS",
        details={
            "bitmap": "the proof that {name} has no DS is wrong: {wrong}",
        },
    ),
    CatalogEntry(
        code="WILDCARD_PROOF_INVALID",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("negative-answers-fail",),
        title="Wildcard answer lacks a valid proof",
        explanation=(
            "An answer synthesised from a wildcard must come with proof that the exact query "
            "name does not exist (RFC 4035 §5.3.4, RFC 5155 §8.8); otherwise an attacker could "
            "replay wildcard data for names that do exist. Here that proof is missing or wrong, "
            "or a proof claims the wildcard itself does not exist, so validators mark the "
            "answer bogus."
        ),
        evidence=(
            "The query, the wildcard owner (from the RRSIG's Labels field), and the NSEC or "
            "NSEC3 records returned or missing."
        ),
        fix=(
            "Fix the server's wildcard handling (upgrade it if it does not add the proof) and "
            "re-sign the zone so the chain covers the wildcard correctly (BIND: rndc sign ZONE; "
            "Knot: knotc zone-sign ZONE; PowerDNS: " + PDNS_SIGN + "; ldns: "
            "ldns-signzone)."
        ),
        peers="DV WILDCARD_EXPANSION_INVALID, WILDCARD_COVERED, WILDCARD_NOT_COVERED",
        details={
            "nsec_owner_exists": (
                "{owner} was answered from a wildcard, but an NSEC shows {owner} itself exists"
            ),
            "nsec_owner_not_covered": (
                "{owner} was answered from a wildcard without an NSEC proving {owner} is absent"
            ),
            "nsec_closer_name": (
                "{owner} was answered from *.{encloser}, but the NSEC shows the closer name "
                "{closer} exists, so that wildcard cannot apply"
            ),
            "nsec_wildcard_denied": (
                "an NSEC in the same answer denies the wildcard {wildcard} it came from"
            ),
            "nsec3_owner_exists": (
                "{owner} was answered from a wildcard, but an NSEC3 shows {owner} itself exists"
            ),
            "nsec3_next_closer_not_covered": (
                "{owner} was answered from *.{encloser}, but no NSEC3 covers the next closer "
                "name {next_closer}"
            ),
        },
    ),
    CatalogEntry(
        code="NEGATIVE_TTL_TOO_LONG",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("worked-yesterday",),
        title="NSEC/NSEC3 TTL longer than the negative-caching TTL",
        explanation=(
            "The NSEC or NSEC3 records' TTL is higher than the lower of the SOA record's TTL "
            "and its MINIMUM field, which RFC 9077 §3 requires them to use (RFC 2308 §5 defines "
            "negative caching). Resolvers that do aggressive negative caching (RFC 8198) keep "
            "such records for longer, so a newly added name stays denied in their caches longer "
            "than the zone intends."
        ),
        evidence=(
            "The NSEC or NSEC3 TTL, the SOA TTL and MINIMUM, and how long new names may stay "
            "hidden."
        ),
        fix=(
            "Use a signer version that implements RFC 9077 and re-sign (BIND: rndc sign ZONE; "
            "Knot: knotc zone-sign ZONE; PowerDNS: " + PDNS_SIGN + "; ldns: "
            "ldns-signzone), or lower SOA MINIMUM and the SOA TTL to the negative TTL you want."
        ),
        peers="kzonecheck NSEC3 TTL check",
        details={
            "zone_nsec3": (
                "NSEC3 TTL {ttl} exceeds min(SOA TTL, SOA MINIMUM) = {negative_ttl} (RFC 9077)"
            ),
            "zone_nsec": (
                "NSEC TTL {ttl} at {name} exceeds min(SOA TTL, SOA MINIMUM) = {negative_ttl} "
                "(RFC 9077)"
            ),
            "answer": (
                "NSEC/NSEC3 TTL {ttl} exceeds min(SOA TTL, SOA MINIMUM) = {limit}: new names "
                "stay denied in caches longer than the zone intends"
            ),
        },
    ),
    CatalogEntry(
        code="NSEC_DENIES_DS_WRONGLY",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("servfail",),
        title="DS denial missing or unsigned",
        explanation=(
            "When a child has no DS, the parent must answer a DS query with a signed NSEC or "
            "NSEC3 record proving that (RFC 4035 §3.1.4.1 and §5.2). Here that proof is missing "
            "or unsigned, so validators cannot tell whether the child is really unsigned or "
            "whether an attacker removed its DS, and they fail the child's names."
        ),
        evidence="The DS query, the parent server, and the authority section it returned.",
        fix=(
            "Make the parent return a signed DS denial: serve the signed parent zone on every "
            "parent server and re-sign it (BIND: rndc sign ZONE; Knot: knotc zone-sign ZONE; "
            "PowerDNS: pdnsutil rectify-zone ZONE, which gives delegation points their "
            "NSEC/NSEC3 records; ldns: ldns-signzone)."
        ),
        peers="DV MISSING_NSEC_FOR_NODATA (DS), NextClosestEncloserNotCoveredNODATADS",
        details={
            "no_records": "the {kind} answer for {name} carries no NSEC or NSEC3 record",
            "no_records_in_zone": (
                "the {kind} answer for {name} carries no NSEC or NSEC3 record ({outside} "
                "record(s) outside the zone ignored)"
            ),
            "unsigned_records": (
                "{count} NSEC/NSEC3 record(s) come without an RRSIG, so validators cannot use them"
            ),
            "no_nsec_at_delegation": (
                "no NSEC at the delegation {name} proves it has no DS, so validators cannot tell "
                "an insecure child from a stripped DS"
            ),
            "no_closest_encloser": (
                "no NSEC3 matches any ancestor of {name}: there is no closest encloser proof"
            ),
            "encloser_delegation": (
                "the closest encloser {encloser} is a delegation or DNAME; the answer should "
                "have been a referral or a DNAME (RFC 5155 §8.3)"
            ),
            "next_closer_not_covered": "no NSEC3 covers the next closer name {next_closer}",
        },
    ),
    CatalogEntry(
        code="COMPACT_DENIAL_IN_USE",
        section=SECTION,
        severity=Severity.INFO,
        symptoms=("negative-answers-fail",),
        title="Server uses compact denial of existence",
        explanation=(
            "The server answers names that do not exist with NOERROR and one minimally covering "
            "NSEC record (often carrying the NXNAME type) instead of NXDOMAIN. This is a "
            "legitimate technique for online signers (RFC 9824, building on the minimally "
            "covering records of RFC 4470), but clients see NODATA instead of NXDOMAIN unless "
            "they set the Compact Answers OK flag, and resolvers cannot reuse these records for "
            "aggressive negative caching (RFC 8198)."
        ),
        evidence=(
            "The query, the response code, and the NSEC record with its type bitmap (NXNAME "
            "present or not)."
        ),
        fix=(
            "Nothing to fix. If software depends on seeing NXDOMAIN, check that it understands "
            "RFC 9824 (the CO flag), or ask the DNS provider."
        ),
        peers="none",
        details={
            "nsec": (
                "{name} is denied by a compact-denial NSEC ({types}): absent names answer NOERROR"
            ),
        },
    ),
)
