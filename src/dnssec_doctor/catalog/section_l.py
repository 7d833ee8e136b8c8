"""Catalog section L: serial discipline and evidence quality.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import CatalogEntry
from dnssec_doctor.model.severity import Severity

SECTION = "L"
TITLE = "Serial discipline and evidence quality"

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="SOA_SERIAL_NOT_INCREMENTED",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("rrsigs-sometimes",),
        title="Zone changed without a new serial",
        explanation=(
            "The servers report the same SOA serial but serve different data (signed and "
            "unsigned, different DNSKEY sets, different NSEC/NSEC3 chains): the guide's "
            '"serial not incremented when the zone was signed". Secondaries transfer a zone '
            "only when the primary's serial is higher than theirs (RFC 1034 §4.3.5, with the "
            "serial arithmetic of RFC 1982), so a change made without increasing the serial "
            "never reaches them, and the servers keep giving different answers. What a server "
            "with the old copy gets wrong (missing signatures, a missing key, other proofs) "
            "follows from this and is listed as its consequence."
        ),
        evidence=(
            "The shared serial, the servers, and per server what differs from the signed copy "
            "(no RRSIGs, other DNSKEY key tags, another NSEC/NSEC3 chain, other NS or SOA "
            "fields)."
        ),
        fix=(
            "Increase the serial on the primary (re-sign if the signer does not do it), then "
            "make every secondary transfer the zone again (RFC 1996 NOTIFY, or force it: BIND: "
            "rndc retransfer ZONE; Knot: knotc zone-retransfer ZONE; NSD: nsd-control "
            "force_transfer ZONE; PowerDNS: pdns_control retrieve ZONE) and check that all "
            "serve the new serial. Raising the serial: BIND: dnssec-signzone -N increment, or "
            "serial-update-method increment with inline signing; Knot: serial-policy: "
            "increment or unixtime; PowerDNS: pdnsutil increase-serial ZONE; ldns: raise it in "
            "the source file before running ldns-signzone."
        ),
        peers="none",
        fixes={
            "same_serial_other_zone": (
                "Increment the SOA serial on the primary (above {serial}; re-sign if the "
                "signer does not), then make {servers_bad} transfer the zone again (BIND: rndc "
                "retransfer ZONE; Knot: knotc zone-retransfer ZONE; NSD: nsd-control "
                "force_transfer ZONE; PowerDNS: pdns_control retrieve ZONE), and check that "
                "every server shows the new serial. To keep it from happening again, let the "
                "signer raise the serial itself (BIND: serial-update-method increment; Knot: "
                "serial-policy; PowerDNS: SOA-EDIT)."
            ),
        },
        details={
            "same_serial_other_zone": (
                "{servers} serve the same SOA serial {serial}, but not the same zone: "
                "{differences} (compared with {servers_ok}). The zone was changed (or signed) "
                "without incrementing the serial, so secondaries see nothing new and never "
                "transfer it."
            ),
        },
    ),
    CatalogEntry(
        code="MALFORMED_RESPONSE",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("dnssec-queries-fail", "worked-yesterday"),
        title="Malformed or mismatched response",
        explanation=(
            "A server sent a reply that cannot be parsed, or whose ID, question or flags do not "
            "match the query. Resolvers must discard such replies (RFC 1035 §7.3) and keep "
            "waiting, so to users they look like timeouts. The usual cause is a middlebox or "
            "broken software that rewrites answers; dnssec-doctor keeps the raw bytes as "
            "evidence."
        ),
        evidence=(
            "The server address, the query, the raw response (hex), and what is wrong with it "
            "(parse error, ID, question or flags)."
        ),
        fix=(
            "Find the device or software that mangles answers (compare answers from inside and "
            "outside the network path) and upgrade or reconfigure it."
        ),
        peers="DV (various); ZM UNEXPECTED_RCODE",
        details={
            "unacceptable": (
                "{server} sent {sent} unacceptable {responses} to {asked} {queries} ({kinds})."
            ),
            "unacceptable_no_answer": (
                "{server} sent {sent} unacceptable {responses} to {asked} {queries} ({kinds}); "
                "{no_answer} attempt(s) got no acceptable answer at all."
            ),
        },
    ),
    CatalogEntry(
        code="ANALYSIS_BUDGET_EXCEEDED",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=(),
        title="Analysis stopped at a limit",
        explanation=(
            "dnssec-doctor hit one of its limits (query budget, deadline, NS fan-out, NSEC3 "
            "iterations or CNAME depth) and stopped that part of the analysis, so its results "
            "are incomplete and say where. The limits exist because hostile zones can make any "
            "validator do unbounded work (see the KeyTrap and NXNSAttack attacks, and the NSEC3 "
            "iteration limits of RFC 9276 §3.2), and resolvers enforce similar limits."
        ),
        evidence=(
            "The limit hit and its value, what was being analysed at the time, and what was "
            "left unchecked."
        ),
        fix=(
            "Re-run with larger limits if the zone is legitimately large or slow; otherwise the "
            "limit protected you, and a zone that needs that much work will also fail in real "
            "resolvers."
        ),
        peers="none",
        details={
            "walk_referrals": "stopped after {limit} referrals",
            "walk_ns_fan_out": "{parts}",
            "walk_glueless_lookups": "stopped looking up glueless NS names after {limit} lookups",
            "walk_glueless_depth": (
                "stopped resolving NS names (first: {first}) that needed more than {limit} nested "
                "glueless NS lookups"
            ),
            "name_incomplete": (
                "After {sent} queries the {limits} stopped {stopped} more: {groups}. Some "
                "questions about {name} itself were not asked, so its status rests on "
                "incomplete evidence."
            ),
            "name_complete": (
                "After {sent} queries the {limits} stopped {stopped} more: {groups}. Every "
                "question about {name} itself was asked; the missing answers concern the rest "
                "of the check only."
            ),
            "zone_nsec3_iterations": (
                "NSEC3 uses {iterations} iterations, above the limit of {limit}: the chain was "
                "not hashed"
            ),
            "zone_signature_problems": (
                "{dropped:,} further signature problems were counted but not kept"
            ),
            "nsec3_hash_refused": "{reason}",
            "nsec3_iterations": (
                "NSEC3 hashes with {iterations} iterations were not computed (this tool's limit "
                "max_nsec3_iterations is {limit}); the denial proof was not checked, so the "
                "answer counts as insecure (RFC 9276 §3.2), as it does for validators with a "
                "limit"
            ),
        },
    ),
    CatalogEntry(
        code="CANNOT_VERIFY_LOCALLY",
        section=SECTION,
        severity=Severity.NOTICE,
        symptoms=(),
        title="This machine cannot check the signature",
        explanation=(
            "The crypto library on this machine refused the algorithm (for example a system "
            "crypto policy that disables SHA-1 signatures, as on RHEL 9), so a signature could "
            'be neither confirmed nor refuted. This is not a "bogus" verdict: validators on '
            "other systems may accept it. Validators on such hosts treat the algorithm as "
            "unsupported and the zone as insecure (RFC 4035 §5.2)."
        ),
        evidence="The RRset, the RRSIG's algorithm and key tag, and the error the library gave.",
        fix=(
            "Check on a host whose crypto policy allows the algorithm, or roll the zone to a "
            "modern algorithm (ECDSAP256SHA256, 13, or ED25519, 15) so every validator can "
            "check it."
        ),
        peers="none",
        details={
            "rrsets_affected": "{count} RRset(s) affected: {rrsets}.",
            "zone_rrsig": (
                "RRSIG {type} at {owner} (key tag {tag}, algorithm {algorithm}, valid "
                "{inception} .. {expiration}): {problem}"
            ),
        },
    ),
)
