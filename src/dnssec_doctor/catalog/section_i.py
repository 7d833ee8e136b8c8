"""Catalog section I: resolver side and trust anchors.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import CatalogEntry, with_ending
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
        details=with_ending(
            {
                "anchor_fails": (
                    "{server} answers SERVFAIL for {failed}, but answers with CD=1: validation "
                    "failed, not resolution. Its trust anchor already fails at the root "
                    "({anchor})."
                ),
                "anchor_fails_and_broken": (
                    "{server} answers SERVFAIL for {failed}, but answers with CD=1: validation "
                    "failed, not resolution. Its trust anchor already fails at the root "
                    "({anchor}); {broken} would fail even with a correct anchor: {causes}."
                ),
                "explained": (
                    "{server} answers SERVFAIL for {failed}, but answers with CD=1: validation "
                    "failed, not resolution. This analysis finds why: {causes}."
                ),
                "broken_server_suspected": (
                    "{server} answers SERVFAIL for {failed}, but answers with CD=1: validation "
                    "failed, not resolution. This analysis proves these names secure through at "
                    "least one server, but finds {suspects}: the resolver may have asked a "
                    "broken server."
                ),
                "resolver_clock": (
                    "{server} answers SERVFAIL for {failed}, but answers with CD=1: validation "
                    "failed, not resolution. Its EDE names a signature validity window this "
                    "analysis finds fine."
                ),
                "unexplained": (
                    "{server} answers SERVFAIL for {failed}, but answers with CD=1: validation "
                    "failed, not resolution. This analysis finds them {statuses} and no "
                    "zone-side finding explains the failure: the resolver may hold stale cached "
                    "keys or DS records (flush them), or reach servers this check did not see."
                ),
            },
            "ede",
            " Its Extended DNS Errors: {edes} (see RESOLVER_EDE).",
        ),
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
        details={
            "cannot_resolve": (
                "{server} answers SERVFAIL for {failed} even with CD=1 (checking disabled), so "
                "this is not a validation failure: the resolver cannot reach the servers of "
                "{zone} or cannot resolve the name."
            ),
            "cannot_resolve_explained": (
                "{server} answers SERVFAIL for {failed} even with CD=1 (checking disabled), so "
                "this is not a validation failure: the resolver cannot reach the servers of "
                "{zone} or cannot resolve the name. This analysis finds {causes}, which can "
                "explain it."
            ),
        },
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
        details={
            "not_asked": "{server} was not asked: {reasons}.",
            "no_answer": (
                "{server} answered none of the {sent} queries sent to it (outcomes: {outcomes}). "
                "Nothing can be said about how it validates; the zone-side diagnosis above does "
                "not depend on it."
            ),
            "no_answer_error": (
                "{server} answered none of the {sent} queries sent to it (outcomes: {outcomes}): "
                "{error}. Nothing can be said about how it validates; the zone-side diagnosis "
                "above does not depend on it."
            ),
            "refuses_this_host": (
                "{server} answered REFUSED to every query: its access control does not let this "
                "host use it as a resolver."
            ),
            "no_recursion": (
                "{server} never set RA (recursion available) in its answers: it is not a "
                "recursive resolver for this host (an authoritative server?), so its answers say "
                "nothing about validation."
            ),
            "some_unanswered": "{server} answers other queries but {gaps}.",
        },
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
        details={
            "found": (
                "{server} attached EDE {info_code} ({name}) to its answer for {questions}. It "
                "corresponds to {mapped}, which this analysis finds at {found_at}."
            ),
            "found_text": (
                "{server} attached EDE {info_code} ({name}) to its answer for {questions}: "
                "“{text}”. It corresponds to {mapped}, which this analysis finds at {found_at}."
            ),
            "own_anchor": (
                "{server} attached EDE {info_code} ({name}) to its answer for {questions}. It "
                "corresponds to {mapped}; this analysis does not find that at {zone}: the "
                "resolver's own trust anchor explains its failure."
            ),
            "own_anchor_text": (
                "{server} attached EDE {info_code} ({name}) to its answer for {questions}: "
                "“{text}”. It corresponds to {mapped}; this analysis does not find that at "
                "{zone}: the resolver's own trust anchor explains its failure."
            ),
            "not_found": (
                "{server} attached EDE {info_code} ({name}) to its answer for {questions}. It "
                "corresponds to {mapped}, which this analysis does not find at {zone}: the "
                "resolver saw different data or judged it differently."
            ),
            "not_found_text": (
                "{server} attached EDE {info_code} ({name}) to its answer for {questions}: "
                "“{text}”. It corresponds to {mapped}, which this analysis does not find at "
                "{zone}: the resolver saw different data or judged it differently."
            ),
            "unmapped": (
                "{server} attached EDE {info_code} ({name}) to its answer for {questions}. No "
                "zone-side code corresponds to it."
            ),
            "unmapped_text": (
                "{server} attached EDE {info_code} ({name}) to its answer for {questions}: "
                "“{text}”. No zone-side code corresponds to it."
            ),
        },
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
        details={
            "no_ad": (
                "{server} answers {answered}, which this analysis finds bogus and a validator "
                "must refuse (RFC 4035 §5.5), and it set AD on none of its answers: it does not "
                "validate (a negative trust anchor would leave AD on other names)."
            ),
            "no_ad_causes": (
                "{server} answers {answered}, which this analysis finds bogus ({causes}) and a "
                "validator must refuse (RFC 4035 §5.5), and it set AD on none of its answers: "
                "it does not validate (a negative trust anchor would leave AD on other names)."
            ),
            "no_ad_even_secure": (
                "{server} answers {answered}, which this analysis finds bogus and a validator "
                "must refuse (RFC 4035 §5.5), and it set AD on none of its answers, not even "
                "for {secure}, which this analysis proves secure: it does not validate (a "
                "negative trust anchor would leave AD on other names)."
            ),
            "no_ad_even_secure_causes": (
                "{server} answers {answered}, which this analysis finds bogus ({causes}) and a "
                "validator must refuse (RFC 4035 §5.5), and it set AD on none of its answers, "
                "not even for {secure}, which this analysis proves secure: it does not validate "
                "(a negative trust anchor would leave AD on other names)."
            ),
        },
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
        details={
            "validates_others": (
                "{server} answers {no_ad} without AD although this analysis proves them secure, "
                "while it sets AD on {with_ad}: it validates, but not these (an algorithm it "
                "does not support, a negative trust anchor, or stale cached data)."
            ),
            "ad_nowhere": (
                "{server} set AD on none of its answers for names this analysis proves secure "
                "({no_ad}), the root DNSKEY RRset included: it most likely does not validate, "
                "or something between it and this host strips AD. No name found bogus was "
                "asked, which would tell the two apart: checking a bogus name through it would "
                "show an answer instead of SERVFAIL if it does not validate."
            ),
        },
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
            "root_fine": (
                "{server} answers SERVFAIL for the root DNSKEY RRset but returns it with CD=1 "
                "(key-signing key tags {tags}). This analysis validates that RRset from its own "
                "trust anchor, so the root is fine: the resolver's root trust anchor matches "
                "none of the root's current keys (a missed root KSK rollover, or RFC 5011 "
                "updates that could not be saved). Every name fails through it."
            ),
            "root_fine_others": (
                "{server} answers SERVFAIL for the root DNSKEY RRset but returns it with CD=1 "
                "(key-signing key tags {tags}). This analysis validates that RRset from its own "
                "trust anchor, so the root is fine: the resolver's root trust anchor matches "
                "none of the root's current keys (a missed root KSK rollover, or RFC 5011 "
                "updates that could not be saved). Every name fails through it; here also "
                "{others}."
            ),
            "root_unproven": (
                "{server} answers SERVFAIL for the root DNSKEY RRset but returns it with CD=1 "
                "(key-signing key tags {tags}). This analysis did not validate the root itself "
                "({reason}), but a resolver that rejects the root DNSKEY RRset it fetched has a "
                "root trust anchor that matches none of its keys (a missed root KSK rollover, "
                "or RFC 5011 updates that could not be saved). Every name fails through it."
            ),
            "root_unproven_others": (
                "{server} answers SERVFAIL for the root DNSKEY RRset but returns it with CD=1 "
                "(key-signing key tags {tags}). This analysis did not validate the root itself "
                "({reason}), but a resolver that rejects the root DNSKEY RRset it fetched has a "
                "root trust anchor that matches none of its keys (a missed root KSK rollover, "
                "or RFC 5011 updates that could not be saved). Every name fails through it; "
                "here also {others}."
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
        details={
            "skips_zone": (
                "{server} answers {answered} without SERVFAIL and without AD, although this "
                "analysis finds {zone} bogus. It does validate: it set AD on {with_ad}. So it "
                "skips validation for {zone} only: a negative trust anchor (RFC 7646) or a "
                "domain-insecure setting."
            ),
            "skips_zone_causes": (
                "{server} answers {answered} without SERVFAIL and without AD, although this "
                "analysis finds {zone} bogus ({causes}). It does validate: it set AD on "
                "{with_ad}. So it skips validation for {zone} only: a negative trust anchor "
                "(RFC 7646) or a domain-insecure setting."
            ),
        },
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
        details={
            "resolver_clock_wrong": (
                "{server} rejects {rejected} with EDE {edes} ({meanings}), but this analysis "
                "finds every signature within its validity window: the resolver's clock is "
                "probably wrong."
            ),
            "validates_outside_window": (
                "{server} validates {validated} (AD set) although this analysis finds their "
                "signatures outside their validity window: the resolver's clock differs from "
                "the time of this analysis, or it tolerates clock skew (Unbound accepts "
                "signatures up to val-sig-skew-max, one day by default, outside their window). "
                "Stricter validators fail."
            ),
        },
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
        details={
            "nsec3_insecure": (
                "{server} answers {answered} without AD although this analysis proves the "
                "denial secure: it treats {zone}'s NSEC3 proofs as insecure, as RFC 9276 §3.2 "
                "lets validators do above their iteration limit."
            ),
            "nsec3_insecure_ede": (
                "{server} answers {answered} without AD although this analysis proves the "
                "denial secure: it treats {zone}'s NSEC3 proofs as insecure (EDE 27), as RFC "
                "9276 §3.2 lets validators do above their iteration limit."
            ),
        },
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
        details={
            "stale_served": (
                "{server} served stale data ({edes}) for {questions}: it could not refresh the "
                "answer from the zone's servers, and may keep serving old data after a fix."
            ),
        },
    ),
)
