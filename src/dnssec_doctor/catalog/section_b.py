"""Catalog section B: delegation and cross-server consistency.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import (
    OTHERS_FINE,
    CatalogEntry,
    also_others_fine,
    with_others_fine,
)
from dnssec_doctor.model.severity import Severity

SECTION = "B"
TITLE = "Delegation and cross-server consistency"

_ANSWERED_FROM_CHILD = (
    "The DS query for {zone} must be answered from the parent zone {parent} (RFC 4035 "
    "§3.1.4.1), but {answers}."
)
_DEPENDS = "so whether validation of {zone} works depends on which parent server a resolver asks."

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="NS_SET_PARENT_CHILD_MISMATCH",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("worked-yesterday",),
        title="Parent and zone list different name servers",
        explanation=(
            "The NS records in the parent's delegation differ from the NS RRset at the zone's "
            "apex. Resolvers start with the parent's list and usually replace it with the "
            "zone's own (the child's data ranks higher, RFC 2181 §5.4.1), so which servers get "
            "queried depends on the resolver and on what it has cached. A server that appears "
            "in only one list is easily forgotten when the zone changes and ends up stale or "
            "lame."
        ),
        evidence=(
            "Both NS sets as seen on each parent server and each zone server, with the names "
            "that are only in the parent and only in the zone."
        ),
        fix=(
            "Make the registrar's delegation and the zone's apex NS records list exactly the "
            "same names: update the delegation at the registrar (or publish CSYNC, RFC 7477, "
            "where the parent supports it) and the NS records in the zone, then increase the "
            "SOA serial."
        ),
        peers="DV NS_NAME_NOT_IN_CHILD/PARENT; ZM EXTRA_NAME_*, TOTAL_NAME_MISMATCH",
        details={
            "only_parent": (
                "The delegation of {zone} in {parent} and the NS RRset the zone serves differ: "
                "only the parent lists {only_parent}. Resolvers use one list or the other, so "
                "servers named on one side only get little or unexpected traffic."
            ),
            "only_child": (
                "The delegation of {zone} in {parent} and the NS RRset the zone serves differ: "
                "only the zone's own NS RRset lists {only_child}. Resolvers use one list or the "
                "other, so servers named on one side only get little or unexpected traffic."
            ),
            "both_sides": (
                "The delegation of {zone} in {parent} and the NS RRset the zone serves differ: "
                "only the parent lists {only_parent}; only the zone's own NS RRset lists "
                "{only_child}. Resolvers use one list or the other, so servers named on one "
                "side only get little or unexpected traffic."
            ),
        },
        fixes=dict.fromkeys(
            ("only_parent", "only_child", "both_sides"),
            "Make the NS set at the registrar (the parent {parent}) and the apex NS RRset of "
            "{zone} identical: {names} minus the names that no longer serve the zone.",
        ),
    ),
    CatalogEntry(
        code="GLUE_MISMATCH_OR_MISSING",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("worked-yesterday",),
        title="Glue addresses missing or wrong",
        explanation=(
            "When a name server's name lies inside the zone it serves, the parent must hand out "
            "its addresses as glue in the referral, or resolvers cannot reach it (RFC 1034 "
            "§4.2.1, RFC 9471). Here glue is missing, or it lists addresses that differ from "
            "the A/AAAA records the zone itself serves for that name. Resolvers that use the "
            "wrong glue query a dead or foreign address, which fails intermittently, typically "
            "after a server has moved."
        ),
        evidence=(
            "Each affected NS name, the glue addresses from each parent server, and the A/AAAA "
            "records the zone serves for that name."
        ),
        fix=(
            "Update the host (glue) records at the registrar to the servers' real addresses, "
            "and keep them in step with the zone's A/AAAA records for the NS names whenever a "
            "server moves."
        ),
        peers="DV MISSING_GLUE_*, GLUE_MISMATCH; ZM IN/OUT_OF_BAILIWICK_ADDR_MISMATCH",
        details={
            "zone_glue_missing": (
                "{owner} is served by {target}, which is inside {zone} but has no A/AAAA (glue "
                "below the delegation is needed to reach it)"
            ),
            "zone_address_missing": (
                "{owner} is served by {target}, which is inside {zone} but has no A/AAAA (an "
                "address record is needed to reach it)"
            ),
            "glue_differs": (
                "The glue in {parent} differs from the addresses {zone} serves for its own NS "
                "names: {problems}."
            ),
        },
        fixes={
            "glue_differs": (
                "Update the glue (host records) for {zone}'s name servers at the registrar so "
                "it lists exactly the addresses the zone serves: {addresses}."
            ),
        },
    ),
    CatalogEntry(
        code="NS_NAME_UNUSABLE",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("worked-yesterday",),
        title="Name server name cannot be used",
        explanation=(
            "An NS record names a host that has no A or AAAA record, whose only addresses are "
            "private, loopback or otherwise special, or which is an alias (CNAME). Resolvers "
            "cannot reach such a server, and RFC 2181 §10.3 forbids NS records that point at an "
            "alias. The delegation keeps working only as long as the other servers do."
        ),
        evidence=(
            "The NS name, the result of resolving it (NXDOMAIN, NODATA, the CNAME target, or "
            "the special addresses), and where the NS record was seen (parent, zone)."
        ),
        fix=(
            "Give the NS name public A and AAAA records of its own (never a CNAME), or replace "
            "it with a working server name in both the registrar's delegation and the zone's NS "
            "RRset."
        ),
        peers="DV NO_ADDRESS_FOR_NS_NAME, *_PRIVATE_IP; ZM NS_IS_CNAME, A01_*",
        details={
            "walk_no_address": "NS name {host} of {zone} has no usable address: {reason}",
            "walk_more_without_address": (
                "{count} more NS names of {zone} have no usable address either ({hosts})"
            ),
            "zone_ns_alias": (
                "the NS target {target} of {owner} is an alias (CNAME); NS must name a host "
                "directly (RFC 2181 §10.3)"
            ),
        },
    ),
    CatalogEntry(
        code="SOA_SERIAL_DIVERGENT",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("rrsigs-sometimes", "worked-yesterday"),
        title="Servers serve different SOA serials",
        explanation=(
            "The authoritative servers report different serial numbers in the zone's SOA "
            "record, so they serve different versions of the zone. Usually a secondary did not "
            "transfer the new version: the NOTIFY was lost, an ACL refused the transfer, or the "
            "serial went backwards in serial-number arithmetic (RFC 1982). With DNSSEC a stale "
            "copy soon carries expiring signatures or old keys; a short difference during "
            "propagation is normal, a lasting one is not."
        ),
        evidence=(
            "Each server's serial, the primary's serial if known, and the servers that lag behind."
        ),
        fix=(
            "Increase the serial on the primary, check that NOTIFY reaches the secondaries and "
            "that they are allowed to transfer (BIND: also-notify and allow-transfer; Knot: "
            "notify and acl; PowerDNS: pdns_control notify ZONE), then force a transfer on the "
            "stale server (BIND: rndc retransfer ZONE; Knot: knotc zone-retransfer ZONE; "
            "PowerDNS: pdns_control retrieve ZONE)."
        ),
        peers="ZM MULTIPLE_SOA_SERIALS; Verisign serial warning",
        details={
            "one_behind": (
                "{servers_ok} {serve_ok} SOA serial {newest}, but {stale}: that server has not "
                "transferred the current version of the zone, and answers differ with the "
                "server a resolver picks."
            ),
            "several_behind": (
                "{servers_ok} {serve_ok} SOA serial {newest}, but {stale}: those servers have "
                "not transferred the current version of the zone, and answers differ with the "
                "server a resolver picks."
            ),
        },
        fixes=dict.fromkeys(
            ("one_behind", "several_behind"),
            "Make {servers} transfer the zone again: check that the primary sends NOTIFY to it "
            "and allows it IXFR/AXFR, that the secondary can reach the primary (TCP/53, TSIG "
            "key), and look for transfer errors in its log; force a transfer (BIND: rndc "
            "retransfer ZONE; Knot: knotc zone-retransfer ZONE; NSD: nsd-control "
            "force_transfer ZONE; PowerDNS: pdns_control retrieve ZONE). If the serial went "
            "backwards on the primary, raise it above the secondaries' (RFC 1982).",
        ),
    ),
    CatalogEntry(
        code="SECONDARY_SERVES_UNSIGNED",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("rrsigs-sometimes",),
        title="Some servers serve the zone unsigned",
        explanation=(
            "Some authoritative servers answer with RRSIG and DNSKEY records while others "
            "answer the same queries without any. Typically a secondary transferred the "
            "unsigned zone, loads the unsigned file, or does not support DNSSEC. Because the "
            "parent has a DS record, validators that happen to reach an unsigned server find "
            "data without signatures and mark it bogus (RFC 4035 §5.2), so resolution fails at "
            "random."
        ),
        evidence=(
            "The servers that answered unsigned and the servers that answered signed, with the "
            "query and each server's SOA serial."
        ),
        fix=(
            "Transfer the signed zone to every secondary: point them at the signer's output (a "
            "BIND server with inline-signing serves and transfers the signed version), make "
            "sure a hidden primary loads the .signed file rather than the source, and upgrade "
            "or drop a server that cannot serve DNSSEC. Check each server with: dig +dnssec "
            "+norec @SERVER ZONE DNSKEY."
        ),
        peers="ZM DS11_INCONSISTENT_SIGNED_ZONE, DS07_INCONSISTENT_SIGNED",
        details={
            "unsigned_copy": (
                "{servers} {answer} DNSSEC queries (DO=1) without any RRSIG and without a "
                "DNSKEY RRset, while {servers_ok} {serve_ok} the signed zone: validators that "
                "ask it get unsigned answers for a signed zone and fail." + OTHERS_FINE
            ),
        },
        fixes={
            "unsigned_copy": (
                "Load the signed zone on {servers}: transfer it from the signer (not the "
                "unsigned source file), with DNSSEC enabled in the server, and increment the "
                "SOA serial on the primary if the zone was signed without an increment. If "
                "that server cannot serve DNSSEC, remove it from the NS set."
            ),
        },
    ),
    CatalogEntry(
        code="DNSSEC_DATA_INCONSISTENT",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("rrsigs-sometimes", "zsk-rollover", "worked-yesterday"),
        title="Servers disagree about DNSSEC data",
        explanation=(
            "The servers return different DNSKEY RRsets, NSEC3PARAM settings, NSEC/NSEC3 chains "
            "or signatures for the same data. For a short while during a change this is "
            "expected; when it lasts, validators combine answers from different servers (a key "
            "from one, a proof from another) and fail intermittently. RFC 8901 describes how "
            "setups with several signers must keep this data consistent."
        ),
        evidence=(
            "The differing record sets per server (key tags, NSEC3 parameters, signature "
            "inception times) and each server's SOA serial."
        ),
        fix=(
            "Let the zone transfer finish or force it (see SOA_SERIAL_DIVERGENT); if several "
            "signers feed the servers, share keys between them as RFC 8901 describes, or let "
            "one signer feed every server."
        ),
        peers="DV per-server attribution; ZM DS03/DS10 INCONSISTENT_*",
        details={
            "stale_signers": (
                "Servers with an older serial still use keys the current servers no longer "
                "publish: {signers}."
            ),
            **with_others_fine(
                {
                    "dnskey_sets_differ": (
                        "In {zone}, the DNSKEY RRsets differ between servers (no key that signs "
                        "data is missing): {values}."
                    ),
                    "nxdomain_answers_differ": (
                        "In {zone}, servers answer the same query for a name that does not "
                        "exist differently: {values}."
                    ),
                }
            ),
        },
    ),
    CatalogEntry(
        code="DNSKEY_MISSING_ON_SOME_SERVERS",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("rrsigs-sometimes", "zsk-rollover"),
        title="Signing key missing from some servers' key set",
        explanation=(
            "A key that made signatures in use is missing from the DNSKEY RRset served by some "
            "of the servers. A validator needs the key named by an RRSIG to be in the DNSKEY "
            "RRset it fetched (RFC 4035 §5.3.1), and the data and the key set may come from "
            "different servers, so validation fails whenever they come from mismatched servers. "
            "A ZSK rollover that reached only some servers, or a multi-signer setup without key "
            "exchange, is the usual cause."
        ),
        evidence=(
            "The key tag and algorithm, the servers whose DNSKEY RRset lacks it, the servers "
            "that have it, and the RRsets it signs."
        ),
        fix=(
            "Serve one identical DNSKEY RRset from every server: complete the zone transfers to "
            "the lagging servers (BIND: rndc retransfer ZONE; Knot: knotc zone-retransfer ZONE; "
            "PowerDNS: pdns_control retrieve ZONE), or in a multi-signer setup import each "
            "provider's ZSK into the other providers' DNSKEY RRsets (RFC 8901)."
        ),
        peers="DV DNSKEY_MISSING_FROM_SERVERS",
        details=with_others_fine(
            {
                "keys_missing": (
                    "Keys that sign data of {zone} are missing from some servers' DNSKEY RRset: "
                    "{lacking}. A resolver that fetched the DNSKEY RRset from such a server "
                    "cannot validate data signed with those keys."
                ),
            }
        ),
    ),
    CatalogEntry(
        code="DS_INCONSISTENT_AT_PARENT",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("ksk-rollover", "worked-yesterday"),
        title="Parent servers disagree about the DS set",
        explanation=(
            "The parent zone's servers return different DS RRsets for this zone, usually "
            "because a DS change at the registry is still propagating. Resolvers may see either "
            "set until the DS TTL has passed after the last parent server got the new one, so "
            "the next rollover step must wait until then (RFC 7583 §3.3)."
        ),
        evidence=(
            "Each parent server's DS set (key tags, algorithms, digest types), the DS TTL, and "
            "the servers still serving the old set."
        ),
        fix=(
            "Wait until every parent server serves the new DS set, then at least the DS TTL, "
            "before removing old keys. Only then tell the signer: BIND: rndc dnssec -checkds "
            "-key TAG published ZONE (or configure parental-agents so BIND checks itself); "
            "Knot: knotc zone-ksk-submitted ZONE."
        ),
        peers="ZM DS07_INCONSISTENT_DS, DS11_INCONSISTENT_DS",
        details=with_others_fine(
            {
                "propagating": (
                    "The servers of {parent} disagree about the DS set of {zone} (key "
                    "tag/algorithm/digest type): {sets}. A DS change is still propagating, so "
                    "the chain of trust depends on which parent server a resolver asked."
                ),
            }
        ),
        fixes=also_others_fine(
            {
                "propagating": (
                    "Wait until every server of {parent} ({parent_servers}) serves the same DS "
                    "set, plus the DS TTL, before the next rollover step; if a parent server "
                    "stays behind, tell the registry/parent operator."
                ),
            }
        ),
    ),
    CatalogEntry(
        code="PARENT_DS_REFERRAL",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ksk-rollover",),
        title="DS query answered by a referral or by the child",
        explanation=(
            "DS records live in the parent zone (RFC 4034 §5), so a DS query must be answered "
            "from the parent's data. Here a DS query was answered with a referral to the child, "
            "or by a server that also hosts the child and answered from the child zone, which "
            "has no DS at its apex. Resolvers then get NODATA or a loop instead of the DS set; "
            "RFC 4035 §3.1.4.1 says how a server hosting both zones must answer."
        ),
        evidence=(
            "The server, the DS query, and the response (the referral's NS set, or the child's "
            "SOA in the authority section)."
        ),
        fix=(
            "Answer DS queries from the parent zone: upgrade server software that gets RFC 4035 "
            "§3.1.4.1 wrong, and do not host the parent and the child on one server in separate "
            "views or backends that cannot see each other."
        ),
        peers="DV REFERRAL_FOR_DS_QUERY",
        details={
            "one_parent_server_right": (
                _ANSWERED_FROM_CHILD + " {right} answers from {parent} correctly, " + _DEPENDS
            ),
            "parent_servers_right": (
                _ANSWERED_FROM_CHILD + " {right} answer from {parent} correctly, " + _DEPENDS
            ),
            "no_parent_server_right": (
                _ANSWERED_FROM_CHILD + " No server of {parent} answered from the parent zone, so "
                "validators never see the DS set of {zone}: the zone looks insecure, or bogus to "
                "validators that reject the child's answer."
            ),
        },
        fixes={
            case: (
                "Make {bad} answer DS queries for {zone} from {parent}: load {parent} there (with "
                "the delegation and DS of {zone}), upgrade server software that answers DS from "
                "the child when it hosts both zones, and do not host the parent and the child in "
                "separate views or backends that cannot see each other. Verify with: dig +norec "
                "@SERVER {zone} DS (expect the aa flag and the DS set, or the SOA of {parent})."
            )
            for case in (
                "one_parent_server_right",
                "parent_servers_right",
                "no_parent_server_right",
            )
        },
    ),
)
