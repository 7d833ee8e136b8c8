"""Catalog section I: resolver side and trust anchors.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import CatalogEntry
from dnssec_doctor.model.severity import Severity

SECTION = "I"
TITLE = "Resolver side and trust anchors"

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="RESOLVER_SERVFAIL_DNSSEC",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("servfail",),
        title="Resolver rejects the answer (SERVFAIL, works with CD)",
        explanation=(
            "The resolver answers SERVFAIL for the name, but the same query with the CD "
            "(checking disabled) flag returns data. So the servers are reachable and answer; "
            "the resolver rejected their answer because DNSSEC validation failed (RFC 4035 "
            "§5.5). The zone-side findings reported alongside say why."
        ),
        evidence=(
            "The resolver address, the query with and without CD, and both responses (RCODE, "
            "extended errors if any)."
        ),
        fix=(
            "Fix the zone-side problems reported alongside; this code only confirms their "
            "effect. Reproduce with dig @RESOLVER NAME and dig +cd @RESOLVER NAME."
        ),
        peers="none (manual `dig +cd`)",
    ),
    CatalogEntry(
        code="RESOLVER_SERVFAIL_NOT_DNSSEC",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("servfail",),
        title="Resolver fails even with CD: not a DNSSEC problem",
        explanation=(
            "The resolver answers SERVFAIL for the name even when the query sets the CD "
            "(checking disabled) flag, so validation is not what fails (RFC 4035 §3.2.2): the "
            "resolver cannot reach the zone's servers or cannot resolve the name at all. "
            "Findings about the servers reported alongside may say why."
        ),
        evidence=(
            "The resolver address, the queries with and without CD and both responses (RCODE, "
            "extended errors if any)."
        ),
        fix=(
            "Check that the zone's servers answer from the resolver's network (firewalls, "
            "routing, lame delegations), then the resolver's own logs. Reproduce with dig "
            "+cd @RESOLVER NAME."
        ),
        peers="EDE 22, 23",
    ),
    CatalogEntry(
        code="RESOLVER_UNREACHABLE",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("servfail",),
        title="Resolver does not answer",
        explanation=(
            "The resolver given with --resolver did not answer the queries, or refused them, "
            "so nothing could be learned about how it validates. A recursive resolver answers "
            "its clients over UDP and TCP port 53 (RFC 1035 §4.2); REFUSED usually means its "
            "access control does not include this host."
        ),
        evidence="The resolver address and the outcome of each query (timeout, refused, RCODE).",
        fix=(
            "Check the address and port, that the resolver runs, and that its access control "
            "(BIND: allow-recursion; Unbound: access-control) admits this host."
        ),
        peers="none",
    ),
    CatalogEntry(
        code="RESOLVER_EDE",
        section=SECTION,
        severity=Severity.INFO,
        symptoms=("servfail",),
        title="Resolver returned Extended DNS Errors",
        explanation=(
            "The resolver attached Extended DNS Error options (RFC 8914) to its answer, such as "
            "6 DNSSEC Bogus, 7 Signature Expired, 9 DNSKEY Missing, 10 RRSIGs Missing or 27 "
            "Unsupported NSEC3 Iterations Value. They are the resolver's own explanation of "
            "what went wrong; the report shows each code with its extra text and the matching "
            "zone-side code."
        ),
        evidence=(
            "The resolver address, the query, and each EDE code with its name, extra text and "
            "the dnssec-doctor code it maps to."
        ),
        fix="Follow the fix of the mapped code.",
        peers="none",
    ),
    CatalogEntry(
        code="RESOLVER_NOT_VALIDATING",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("no-ad-bit",),
        title="Resolver does not validate DNSSEC",
        explanation=(
            "The resolver answers deliberately broken test names that a validator must refuse, "
            "and never sets the AD flag, so it does not validate (RFC 4035 §4 describes what a "
            "validating resolver does). Its users get no DNSSEC protection, and problems in a "
            "zone will not show up through it."
        ),
        evidence=(
            "The resolver address, the broken test names it answered, and the AD flag on "
            "answers for names known to be secure."
        ),
        fix=(
            "Enable validation (BIND: dnssec-validation auto; Unbound: module-config: "
            '"validator iterator" with an auto-trust-anchor-file; Knot Resolver validates by '
            "default), or use a validating resolver."
        ),
        peers="internet.nl connection test",
    ),
    CatalogEntry(
        code="RESOLVER_AD_NOT_SET",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("no-ad-bit",),
        title="Resolver does not set AD for a secure name",
        explanation=(
            "dnssec-doctor proves the name secure from the trust anchor, yet the resolver's "
            "answer arrives without the AD flag (RFC 4035 §3.2.3). Either a forwarder in the "
            "chain strips it, the resolver lacks or has a wrong trust anchor, it does not "
            "support the zone's algorithm, or the client did not ask with DO or AD set."
        ),
        evidence=(
            "The resolver address, the query flags sent, the response flags, and the chain "
            "dnssec-doctor validated."
        ),
        fix=(
            "Check the forwarder chain (each hop must validate, or pass AD on from a validator "
            "it trusts), the resolver's trust anchor (BIND: rndc secroots; Unbound: "
            "unbound-anchor), and that the client sets DO or AD in its queries."
        ),
        peers="none",
    ),
    CatalogEntry(
        code="TRUST_ANCHOR_STALE_OR_MISMATCHED",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("servfail", "no-ad-bit"),
        title="Resolver's trust anchor is stale or wrong",
        explanation=(
            "The resolver does not trust the current root KSK (shown by the root key sentinel "
            "test, RFC 8509), or a configured private trust anchor matches no key that signs "
            "the zone. Automatic RFC 5011 updates may have failed, often because the "
            "managed-keys file is not writable. A resolver with a stale anchor marks everything "
            "below it bogus."
        ),
        evidence=(
            "The resolver address, the sentinel test names and answers (or the configured "
            "anchor next to the zone's key tags), and the current root KSK's key tag."
        ),
        fix=(
            "Update the trust anchor: BIND: dnssec-validation auto; with a writable "
            "managed-keys directory, then rndc managed-keys refresh; Unbound: run "
            "unbound-anchor and make the auto-trust-anchor-file writable; for a private anchor, "
            "replace it with the zone's current KSK."
        ),
        peers="DV NO_TRUST_ANCHOR_SIGNING",
        details={
            "anchor_signs_nothing": (
                "The configured trust anchor ({anchors}) matches no key that signs the DNSKEY "
                "RRset of {zone} (served key tags: {tags})."
            ),
        },
        fixes={
            "anchor_signs_nothing": (
                "Replace the trust anchor for {zone} with the current KSK: {ds_lines}"
            ),
        },
    ),
    CatalogEntry(
        code="NEGATIVE_TRUST_ANCHOR_SUSPECTED",
        section=SECTION,
        severity=Severity.NOTICE,
        symptoms=("servfail",),
        title="Resolver seems to skip validation for this domain",
        explanation=(
            "The resolver answers, without SERVFAIL and without AD, for a domain that "
            "dnssec-doctor finds bogus. Either it has a Negative Trust Anchor for the domain "
            "(RFC 7646), which turns validation off there for a while, or it does not validate "
            "at all. NTAs are a stopgap while a zone is broken and should expire."
        ),
        evidence=(
            "The resolver address, the bogus finding for the domain, and the flags of the "
            "resolver's answer."
        ),
        fix=(
            "Fix the zone, then remove the NTA (BIND: rndc nta -remove DOMAIN; Unbound: "
            "unbound-control insecure_remove DOMAIN, or delete its domain-insecure line)."
        ),
        peers="none",
    ),
    CatalogEntry(
        code="CLOCK_SKEW",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("servfail",),
        title="Clock outside the signatures' validity",
        explanation=(
            "The analysis host's or the resolver's clock is so far off that valid signatures "
            "look expired or not yet valid; validators compare inception and expiration with "
            "their own clock (RFC 4035 §5.3.1). The zone may be fine: the clock is wrong, and "
            "for that validator every signed zone fails."
        ),
        evidence=(
            "The local clock, the time implied by the signatures and the servers' answers, and "
            "the difference."
        ),
        fix=(
            "Fix NTP on the affected host (timedatectl; chronyc tracking) and run the check "
            "again; if this host's clock cannot be fixed, give dnssec-doctor the correct time "
            "with --at."
        ),
        peers="DV *_WITHIN_CLOCK_SKEW",
    ),
    CatalogEntry(
        code="RESOLVER_NSEC3_LIMIT",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("negative-answers-fail", "nsec3-migration"),
        title="Resolver rejects the zone's NSEC3 iterations",
        explanation=(
            "The resolver treats the zone as insecure, or answers SERVFAIL, because the zone's "
            "NSEC3 iteration count exceeds its limit. RFC 9276 §3.2 allows validators to do "
            "this, and Extended DNS Error 27 (Unsupported NSEC3 Iterations Value) reports it. "
            "Negative answers from the zone then lose their protection or fail."
        ),
        evidence=(
            "The resolver address, the zone's NSEC3 iterations, and the resolver's answer "
            "(RCODE, AD flag, EDE 27)."
        ),
        fix=(
            "Set the zone's NSEC3 iterations to 0 with an empty salt; the commands are listed "
            "under NSEC3_PARAMS_NOT_RFC9276."
        ),
        peers="EDE 27",
    ),
    CatalogEntry(
        code="RESOLVER_STALE_ANSWER",
        section=SECTION,
        severity=Severity.INFO,
        symptoms=("worked-yesterday",),
        title="Resolver served a stale answer",
        explanation=(
            "The resolver answered from expired cache data (serve-stale, RFC 8767) and flagged "
            "it with Extended DNS Error 3 (Stale Answer) or 19 (Stale NXDOMAIN Answer). This "
            "keeps names working during an outage, but also hides it: problems show up late, "
            "and clients may keep old data after a fix."
        ),
        evidence="The resolver address, the query, and the EDE codes with their extra text.",
        fix=(
            "Nothing to fix on the zone side; expect a delay before clients see changes. Flush "
            "the resolver's cache if needed (BIND: rndc flushname NAME; Unbound: "
            "unbound-control flush NAME)."
        ),
        peers="none",
    ),
)
