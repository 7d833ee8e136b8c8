"""Catalog section D: signatures.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import PDNS_SIGN, CatalogEntry
from dnssec_doctor.model.severity import Severity

SECTION = "D"
TITLE = "Signatures"

# The signature tally's findings (analysis.chain.rrsigs): the RRsets concerned, what
# the case adds, and whether another valid signature keeps each RRset secure.
_AFFECTED = "{count} RRset(s) affected: {rrsets}."
_COVERED = " Another valid signature covers each of these RRsets, so validation still succeeds."
_EXPIRED = _AFFECTED + " The earliest expired at {earliest}, {ago} before the time of analysis."
_NOT_YET_VALID = _AFFECTED + " The first becomes valid at {earliest}."
_KEY_NOT_PUBLISHED = _AFFECTED + " Key tag(s) {tags} are not in the DNSKEY RRset."
_ALGORITHM_NOT_PUBLISHED = (
    _AFFECTED
    + " They carry signatures of algorithm(s) {algorithms} (key tag(s) {tags}), of which the "
    "DNSKEY RRset holds no key: an algorithm rollover's signatures published before its keys, "
    "or kept after them. Validators ignore them." + _COVERED
)
# SIGNATURE_LIFETIME_POLICY (analysis.chain.siglifetime): validity periods out of bounds.
_TOO_LONG = (
    "{long_count} signature(s) are valid for more than {long_limit}; the longest "
    "({longest_rrset}, key tag {longest_tag}) runs {longest_period}, from {longest_from} to "
    "{longest_to}. The latest ({latest_rrset}) has {latest_remaining} left: an attacker can "
    "replay data signed now for that long after it changes."
)
_TOO_SHORT = (
    "{short_count} signature(s) are valid for less than {short_limit} in all; the shortest "
    "({shortest_rrset}, key tag {shortest_tag}) runs {shortest_period}, from {shortest_from} "
    "to {shortest_to}: whatever the refresh schedule, a signer that stops breaks {zone} within "
    "that time."
)
_REPUBLISH_KEY = (
    "Re-publish the DNSKEY with tag {tags} in {zone} until every signature made with it has "
    "expired from caches, or re-sign the zone with a published key (BIND: dnssec-signzone / "
    "rndc sign; Knot: knotc zone-sign; PowerDNS: "
    + PDNS_SIGN.replace("ZONE", "{apex}")
    + "; ldns: ldns-signzone)."
)

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="RRSIG_MISSING",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("rrsigs-sometimes",),
        title="Record set has no signature",
        explanation=(
            "An RRset for which this zone is authoritative came back without any RRSIG, "
            "although the zone is signed. RFC 4035 §2.2 requires every authoritative RRset in a "
            "signed zone to be signed, so validators mark it bogus. Usual causes: records added "
            "by dynamic update or by editing the signed file without re-signing, a ZSK whose "
            "private key is not available to the update path, or a secondary serving an "
            "unsigned copy."
        ),
        evidence=(
            "The RRset (name and type), the servers that returned it without RRSIG, and whether "
            "other RRsets of the zone are signed."
        ),
        fix=(
            "Re-sign the zone: BIND: rndc sign ZONE (or dnssec-signzone -S -o ZONE FILE); Knot: "
            "knotc zone-sign ZONE; PowerDNS: "
            + PDNS_SIGN
            + "; ldns: ldns-signzone FILE KEYFILES. Keep the ZSK available "
            "to the dynamic-update path, or use inline signing so every change is signed."
        ),
        peers="DV MISSING_RRSIG; ZM DS08/DS09_MISSING_RRSIG_IN_RESPONSE; EDE 10",
        details={
            "rrsets_affected": _AFFECTED,
            "zone_rrset": "the {type} RRset at {name} has no RRSIG",
        },
    ),
    CatalogEntry(
        code="RRSIG_MISSING_FOR_ALGORITHM",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("zsk-rollover", "ksk-rollover"),
        title="Record set lacks a signature for one algorithm",
        explanation=(
            "The DNSKEY RRset contains keys of several algorithms, but this RRset is signed "
            "with only some of them. RFC 4035 §2.2 requires a signature for every algorithm in "
            "the DNSKEY RRset; RFC 6840 §5.11 lets validators accept any one, but strict "
            "validators and checkers do not. It shows that an algorithm rollover is out of "
            "order."
        ),
        evidence=(
            "The RRset, the algorithms in the DNSKEY RRset, and the algorithms of the RRSIGs "
            "that cover it."
        ),
        fix=(
            "Sign every RRset with every algorithm in the DNSKEY RRset; during an algorithm "
            "rollover add the new algorithm's signatures before publishing its DNSKEY (RFC 6781 "
            "§4.1.4). BIND's dnssec-policy and Knot do this automatically; with manual keys "
            "re-sign with all active keys (dnssec-signzone -S, or ldns-signzone with every key "
            "file)."
        ),
        peers="DV MISSING_RRSIG_FOR_ALG_*; ZM DS13_ALGO_NOT_SIGNED_*",
        details={
            "rrsets_affected": _AFFECTED,
            "zone_rrset": (
                "the {type} RRset at {name} has no RRSIG of algorithm {algorithm} ({mnemonic}), "
                "which the apex DNSKEY RRset contains (RFC 4035 §2.2, RFC 6840 §5.11)"
            ),
            "zone_unused": (
                "DNSKEYs of algorithm {algorithm} are published but sign nothing, not even the "
                "DNSKEY RRset; validators predating RFC 6840 reject such zones (conservative "
                "algorithm roll: sign first, publish after)"
            ),
        },
    ),
    CatalogEntry(
        code="RRSIG_EXPIRED",
        section=SECTION,
        severity=Severity.CRITICAL,
        symptoms=("servfail", "worked-yesterday"),
        title="Signature has expired",
        explanation=(
            "The signature's expiration time (RFC 4034 §3.1.5) is in the past, so validators "
            "must reject it (RFC 4035 §5.3.1) and the data is bogus: resolvers answer SERVFAIL. "
            "This almost always means re-signing stopped: a cron job or signer died, a hidden "
            "primary re-signs but the secondaries no longer transfer, or a static .signed file "
            "was never refreshed."
        ),
        evidence=(
            "The RRset, the RRSIG's key tag, inception and expiration times, the analysis time, "
            "and the servers that served the expired signature with their SOA serials."
        ),
        fix=(
            "Re-sign now: BIND: rndc sign ZONE (or dnssec-signzone -S -o ZONE FILE, then rndc "
            "reload ZONE); Knot: knotc zone-sign ZONE; PowerDNS signs on the fly, so if "
            "pdnsutil show-zone ZONE says the zone is presigned, re-sign it at its source and "
            "transfer it again; ldns: ldns-signzone FILE KEYFILES. Then repair whatever stopped "
            "the automation, and make sure every secondary transfers the new version (compare "
            "SOA serials)."
        ),
        peers="DV EXPIRATION_IN_PAST; ZM RRSIG_EXPIRED, DS08/09/10_*_EXPIRED; EDE 7",
        details={
            "expired": _EXPIRED,
            "expired_but_covered": _EXPIRED + _COVERED,
            "zone_rrsig": (
                "RRSIG {type} at {owner} (key tag {tag}, algorithm {algorithm}, valid "
                "{inception} .. {expiration}): {problem}"
            ),
            "zone_rrsig_covered": (
                "RRSIG {type} at {owner} (key tag {tag}, algorithm {algorithm}, valid "
                "{inception} .. {expiration}): {problem}; another valid signature of this "
                "algorithm covers the RRset"
            ),
        },
    ),
    CatalogEntry(
        code="RRSIG_NOT_YET_VALID",
        section=SECTION,
        severity=Severity.CRITICAL,
        symptoms=("servfail",),
        title="Signature is not valid yet",
        explanation=(
            "The signature's inception time (RFC 4034 §3.1.5) lies in the future, so validators "
            "reject it until that moment (RFC 4035 §5.3.1). Either the signer's clock runs "
            "ahead, the signer did not backdate the inception, or the validator's clock runs "
            "behind."
        ),
        evidence=(
            "The RRset, the RRSIG's inception time, the analysis time and the difference, and "
            "the servers that served it."
        ),
        fix=(
            "Fix NTP on the signing host and on the validators (timedatectl; chronyc tracking). "
            "Keep the inception in the past when signing: dnssec-signzone, BIND's dnssec-policy "
            "and Knot already backdate it by an hour, so do not set a future start time "
            "(dnssec-signzone -s, ldns-signzone -i). Then re-sign."
        ),
        peers="DV INCEPTION_IN_FUTURE; ZM *_NOT_YET_VALID; EDE 8",
        details={
            "not_yet_valid": _NOT_YET_VALID,
            "not_yet_valid_but_covered": _NOT_YET_VALID + _COVERED,
            "zone_rrsig": (
                "RRSIG {type} at {owner} (key tag {tag}, algorithm {algorithm}, valid "
                "{inception} .. {expiration}): {problem}"
            ),
            "zone_rrsig_covered": (
                "RRSIG {type} at {owner} (key tag {tag}, algorithm {algorithm}, valid "
                "{inception} .. {expiration}): {problem}; another valid signature of this "
                "algorithm covers the RRset"
            ),
        },
    ),
    CatalogEntry(
        code="RRSIG_EXPIRES_SOON",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("worked-yesterday",),
        title="Signatures expire soon",
        explanation=(
            "The earliest signature expiration is within the warning threshold: if re-signing "
            "does not happen before that moment, validators will reject the data (RFC 4035 "
            "§5.3.1). The report states the exact time it will break. Automatic signers "
            "normally refresh signatures long before this point, so this warning usually means "
            "the refresh is late or has stopped."
        ),
        evidence=(
            "The RRset with the earliest expiration, its key tag, the expiration time and the "
            "time left, per server."
        ),
        fix=(
            "Check that automatic re-signing runs and reaches every server: BIND: rndc "
            "zonestatus ZONE shows the next re-signing time; Knot: knotc zone-status ZONE; "
            "PowerDNS signs on the fly unless pdnsutil show-zone ZONE says the zone is "
            "presigned; for dnssec-signzone or ldns-signzone jobs, check the job and re-sign "
            "now. Compare SOA serials to see whether the secondaries follow."
        ),
        peers="DV EXPIRATION_WITHIN_CLOCK_SKEW; ZM REMAINING_SHORT",
        details={
            "earliest_expires_soon": (
                "The earliest signature ({rrset}, key tag {tag}) expires at {when}, in "
                "{remaining}: validation of {zone} breaks then unless the zone is re-signed."
            ),
            "zone_earliest": (
                "the earliest signature (RRSIG {type} at {owner}) expires {expiration}, in "
                "{days:.1f} days: the zone breaks then unless it is re-signed"
            ),
        },
    ),
    CatalogEntry(
        code="RRSIG_VALIDITY_BELOW_SOA_EXPIRE",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("rrsigs-sometimes", "worked-yesterday"),
        title="Signatures expire before a cut-off secondary gives up",
        explanation=(
            "The remaining signature validity is shorter than the zone's SOA EXPIRE interval "
            "(RFC 1035 §3.3.13). A secondary that loses contact with its primary keeps serving "
            "its copy until EXPIRE runs out, so it would serve expired signatures, and "
            "validators would fail, before it stops answering. RFC 6781 §4.4.2 discusses "
            "choosing validity periods with this in mind."
        ),
        evidence=(
            "The SOA EXPIRE value, the shortest remaining signature validity, and the time from "
            "which a cut-off secondary would serve expired signatures."
        ),
        fix=(
            "Make signatures last longer than SOA EXPIRE plus the refresh margin (BIND: "
            "signatures-validity in dnssec-policy, or dnssec-signzone -e; Knot: rrsig-lifetime; "
            "ldns: ldns-signzone -e), or lower SOA EXPIRE."
        ),
        peers="requested: dnsviz#149, zonemaster#1323",
        details={
            "expires_before_soa_expire": (
                "The earliest signature expires at {when}, in {remaining}, sooner than the SOA "
                "EXPIRE of {soa_expire}: a secondary cut off from its primary would keep serving "
                "the zone after its signatures expired."
            ),
            "zone_earliest": (
                "the earliest signature expires {expiration}, {days:.1f} days from now, sooner "
                "than SOA EXPIRE ({expire_days:.1f} days): a secondary cut off from the primary "
                "would serve expired signatures"
            ),
        },
    ),
    CatalogEntry(
        code="RRSIG_TTL_OUTLIVES_SIGNATURE",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("worked-yesterday",),
        title="Record TTL reaches past the signature's expiration",
        explanation=(
            "The RRset's TTL is longer than the time its signature has left, so caches may keep "
            "the data after the signature expired. RFC 4035 §5.3.3 tells validators to cap the "
            "TTL at the signature's expiration, but non-validating caches and forwarders do "
            "not, and the data then fails validation further down the line. It usually means "
            "signatures are refreshed too late for the TTLs in use."
        ),
        evidence="The RRset, its TTL, the RRSIG's expiration time and the time left, per server.",
        fix=(
            "Refresh signatures earlier, with a margin longer than the largest TTL (BIND: "
            "signatures-refresh; Knot: rrsig-refresh; dnssec-signzone -i), or lower the TTL."
        ),
        peers="DV TTL_BEYOND_EXPIRATION",
        details={
            "ttl_outlives_signature": (
                "{count} RRset(s) have a TTL that lets caches keep them past their signature's "
                "expiration: {rrsets}."
            ),
            "zone_rrset": (
                "{owner} {type} has TTL {ttl}s, so caches may keep it past its signature's "
                "expiration {expiration}"
            ),
        },
    ),
    CatalogEntry(
        code="RRSIG_CRYPTO_INVALID",
        section=SECTION,
        severity=Severity.CRITICAL,
        symptoms=("servfail",),
        title="Signature does not verify",
        explanation=(
            "The signature does not check out against the key it names: the signed data, the "
            "key or the signature differ from what the signer used (RFC 4035 §5.3.3), so "
            "validators reject the RRset as bogus. Common causes are records changed after "
            "signing (a hand-edited .signed file, a changed TTL), a middlebox or DNS64 "
            "rewriting answers, a truncated signature, or a signer bug. Comparing servers shows "
            "whether only one copy is damaged."
        ),
        evidence=(
            "The RRset, the RRSIG (key tag, algorithm, labels, original TTL), the DNSKEY used, "
            "and the servers whose answer failed and those whose answer verified."
        ),
        fix=(
            "Re-sign the zone from its unsigned source (BIND: rndc sign ZONE or dnssec-signzone "
            "-S; Knot: knotc zone-sign ZONE; PowerDNS: " + PDNS_SIGN + "; ldns: "
            "ldns-signzone), never edit signed files by hand, and if only some servers or paths "
            "fail, look for the device that rewrites answers."
        ),
        peers="DV SIGNATURE_INVALID, RRSIG_BAD_LENGTH_*; ZM *_RRSIG_NOT_VALID_BY_DNSKEY; EDE 6",
        details={
            "rrsets_affected": _AFFECTED,
            "rrsets_affected_but_covered": _AFFECTED + _COVERED,
            "zone_rrsig": (
                "RRSIG {type} at {owner} (key tag {tag}, algorithm {algorithm}, valid "
                "{inception} .. {expiration}): {problem}"
            ),
        },
    ),
    CatalogEntry(
        code="RRSIG_KEY_NOT_FOUND",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("zsk-rollover",),
        title="No published key matches the signature",
        explanation=(
            "The RRSIG names a key (signer, algorithm, key tag) that is not in the zone's "
            "DNSKEY RRset, so validators cannot check it (RFC 4035 §5.3.1). If another RRSIG on "
            "the same RRset validates, nothing breaks and the severity drops to warning; "
            "otherwise the data is bogus. It happens when a ZSK is removed while its signatures "
            "are still served or cached, or when a signer uses a key before publishing it (RFC "
            "7583 §3.2). When the DNSKEY RRset holds no key of the signature's algorithm at all "
            "and another RRSIG validates, it is a notice: an algorithm rollover signs with the "
            "new algorithm before publishing its keys and keeps the old algorithm's signatures "
            "until its keys have left caches (RFC 6781 §4.1.4), and validators ignore them."
        ),
        evidence=(
            "The RRset, the RRSIG's key tag and algorithm, the key tags in the DNSKEY RRset per "
            "server, and whether another RRSIG validates."
        ),
        fix=(
            "Publish keys before signing with them, and keep old keys published until their "
            "signatures have left caches (largest TTL plus propagation). Re-sign with a "
            "published key: BIND: rndc sign ZONE; Knot: knotc zone-sign ZONE; PowerDNS: "
            + PDNS_SIGN
            + "; ldns: ldns-signzone with the published key files."
        ),
        peers="DV status INDETERMINATE_NO_DNSKEY; ZM DS08/DS09_NO_MATCHING_DNSKEY; EDE 9",
        details={
            "key_not_published": _KEY_NOT_PUBLISHED,
            "key_not_published_but_covered": _KEY_NOT_PUBLISHED + _COVERED,
            "algorithm_not_published_but_covered": _ALGORITHM_NOT_PUBLISHED,
            "zone_rrsig": (
                "RRSIG {type} at {owner} (key tag {tag}, algorithm {algorithm}, valid "
                "{inception} .. {expiration}): {problem}"
            ),
            "zone_rrsig_covered": (
                "RRSIG {type} at {owner} (key tag {tag}, algorithm {algorithm}, valid "
                "{inception} .. {expiration}): {problem}; another valid signature of this "
                "algorithm covers the RRset"
            ),
        },
        fixes={
            "key_not_published": _REPUBLISH_KEY,
            "key_not_published_but_covered": _REPUBLISH_KEY,
            "algorithm_not_published_but_covered": (
                "Nothing to fix if an algorithm rollover is under way (RFC 6781 §4.1.4): "
                "publish the new algorithm's keys once its signatures have been served for the "
                "largest TTL in {zone}; once the old algorithm's keys are gone, stop signing "
                "with it after the DNSKEY TTL. Otherwise remove the key of tag(s) {tags} from "
                "the signer."
            ),
        },
    ),
    CatalogEntry(
        code="RRSIG_SIGNER_NOT_APEX",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("rrsigs-sometimes",),
        title="Signature made by the wrong zone",
        explanation=(
            "The RRSIG's signer name is not the name of the zone that holds the data. RFC 4035 "
            "§5.3.1 requires the signer name to be the zone that contains the RRset, so "
            "validators reject the signature. It comes from records copied between zones "
            "together with their signatures, data in a parent that belongs to a child, or a "
            "signer run with the wrong origin."
        ),
        evidence="The RRset, the RRSIG's signer name, and the zone that actually holds the data.",
        fix=(
            "Sign the data in the zone that owns it: give the signer the right origin "
            "(dnssec-signzone -o ZONE, ldns-signzone -o ZONE) and re-sign, and move data that "
            "belongs to a child zone out of the parent."
        ),
        peers="DV SIGNER_NOT_ZONE",
        details={
            "rrsets_affected": _AFFECTED,
            "zone_rrsig": (
                "RRSIG {type} at {owner} (key tag {tag}, algorithm {algorithm}, valid "
                "{inception} .. {expiration}): {problem}"
            ),
        },
    ),
    CatalogEntry(
        code="RRSIG_FIELDS_INVALID",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("rrsigs-sometimes",),
        title="Signature fields are inconsistent",
        explanation=(
            "The RRSIG does not fit the data it covers: its Labels field is larger than the "
            "owner name's label count (RFC 4034 §3.1.3), it covers another type, the served TTL "
            "is above its Original TTL (RFC 4034 §3.1.4), or the RRSIG's TTL differs from the "
            "RRset's (RFC 4034 §3). Validators reject or mishandle such signatures (RFC 4035 "
            "§5.3.1)."
        ),
        evidence=(
            "The RRset and the RRSIG fields involved (labels, type covered, original TTL, "
            "TTLs), per server."
        ),
        fix=(
            "Re-sign the zone from its source (BIND: rndc sign ZONE or dnssec-signzone -S; "
            "Knot: knotc zone-sign ZONE; PowerDNS: " + PDNS_SIGN + "; ldns: "
            "ldns-signzone), never change TTLs in a signed zone without re-signing, and report "
            "a signer bug if a fresh signature shows the same fault."
        ),
        peers=(
            "DV RRSIG_LABELS_EXCEED_RRSET_OWNER_LABELS, ORIGINAL_TTL_EXCEEDED_*, RRSET_TTL_MISMATCH"
        ),
        details={
            "rrsets_affected": _AFFECTED,
            "covers_rrsig": (
                "an RRSIG at {name} covers type RRSIG; RRSIG records are never signed (RFC 4035 "
                "§2.2)"
            ),
            "orphan": (
                "an RRSIG at {name} covers {type}, but {name} has no {type} records (left over "
                "after a change?)"
            ),
            "zone_rrsig_ttl": (
                "{count:,} RRSIG record(s) have a TTL different from the RRset they cover "
                "(first: {owner} {type}); RFC 4034 §3 wants them equal. Validators use the "
                "smaller, so this is harmless but untidy"
            ),
            "zone_rrsig": (
                "RRSIG {type} at {owner} (key tag {tag}, algorithm {algorithm}, valid "
                "{inception} .. {expiration}): {problem}"
            ),
        },
    ),
    CatalogEntry(
        code="SIGNATURE_LIFETIME_POLICY",
        section=SECTION,
        severity=Severity.NOTICE,
        symptoms=("worked-yesterday",),
        title="Signature validity policy is unusual",
        explanation=(
            "The zone's signatures are valid for a very long period, or are refreshed very "
            "close to their expiration. Long validity widens the window in which an attacker "
            "can replay old signed data after a change; a short refresh margin leaves little "
            "time to notice and fix a stopped signer before the zone goes bogus. RFC 6781 "
            "§4.4.2 discusses these trade-offs."
        ),
        evidence=(
            "The longest (or shortest) inception-to-expiration period among the zone's valid "
            "signatures, with its RRset and key tag, the longest time left, the servers that "
            "served them, and the thresholds used."
        ),
        fix=(
            "Tune the signer, for example two to three weeks of validity refreshed a week "
            "before expiry: BIND: signatures-validity and signatures-refresh in dnssec-policy "
            "(dnssec-signzone -e and -i); Knot: rrsig-lifetime and rrsig-refresh; ldns: "
            "ldns-signzone -e."
        ),
        peers="ZM DURATION_LONG, REMAINING_LONG",
        details={
            "too_long": _TOO_LONG,
            "too_short": _TOO_SHORT,
            "too_long_and_too_short": _TOO_LONG + " " + _TOO_SHORT,
        },
    ),
)
