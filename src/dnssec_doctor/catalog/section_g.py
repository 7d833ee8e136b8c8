"""Catalog section G: rollovers and timing (history-aware).

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import CatalogEntry
from dnssec_doctor.model.severity import Severity

SECTION = "G"
TITLE = "Rollovers and timing (history-aware)"

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="ZSK_USED_BEFORE_PROPAGATED",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("zsk-rollover",),
        title="New ZSK used before it had propagated",
        explanation=(
            "Data is signed with a new ZSK that has not been in the DNSKEY RRset long enough: "
            "caches may still hold the previous DNSKEY RRset, without the new key, for up to "
            "its TTL plus the time the change takes to reach every server. Resolvers holding "
            "that older key set cannot verify the new signatures and fail until it expires. The "
            "pre-publication method (RFC 7583 §3.2.1) avoids this by publishing the key first."
        ),
        evidence=(
            "The new key's tag, when it first appeared in the DNSKEY RRset on each server (from "
            "history), the DNSKEY TTL, and when signatures made with it first appeared."
        ),
        fix=(
            "Publish the new ZSK, wait the DNSKEY TTL plus the propagation delay, and only then "
            "sign with it. BIND's dnssec-policy and Knot do this automatically; with manual "
            "keys set the publish and activate times apart (dnssec-settime -P and -A), and in "
            "PowerDNS add the key inactive but published (pdnsutil add-zone-key ZONE zsk "
            "inactive published ecdsa256) and run pdnsutil activate-zone-key ZONE ID later. To "
            "repair now, sign with the old ZSK again until the new key has propagated."
        ),
        peers="none",
        details={
            "at_risk": (
                "Data of {zone} was signed only with key {keys} on {server} at {at}, but a "
                "DNSKEY RRset without that key was served until {seen} and may be cached for its "
                "TTL of {ttl}. It would have been safe from {safe}."
            ),
            "at_risk_unknown": (
                "Data of {zone} was signed only with key {keys} on {server} at {at}, but a "
                "DNSKEY RRset without that key was served until {seen} and may be cached for its "
                "TTL of {ttl}. It would have been safe from not known yet: {still_served_by} "
                "still serve the older set, and it is safe only {ttl} (its TTL) after it has "
                "gone from every server."
            ),
            "history": (
                "Data of {zone} was signed only with key {keys} on {server} at {at}, but a "
                "DNSKEY RRset without that key was served until {seen} and may be cached for its "
                "TTL of {ttl}. It would have been safe from {safe}. The caches that could break "
                "have expired since {safe}: this is history, and the next rollover must wait for "
                "the TTLs (RFC 7583 §3)."
            ),
        },
        fixes={
            "at_risk": (
                "Sign the data with the old ZSK again (or with both keys) and keep key {keys} "
                "published; sign with it alone only from {safe} (RFC 7583 §3)."
            ),
            "at_risk_unknown": (
                "Sign the data with the old ZSK again (or with both keys) and keep key {keys} "
                "published; sign with it alone only from not known yet: {still_served_by} still "
                "serve the older set, and it is safe only {ttl} (its TTL) after it has gone "
                "from every server (RFC 7583 §3)."
            ),
            "history": (
                "Nothing to repair now. In the next rollover wait the TTL of the older RRset "
                "plus the time every server takes to serve the change before this step (RFC 7583 "
                "§3)."
            ),
        },
    ),
    CatalogEntry(
        code="ZSK_REMOVED_TOO_EARLY",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("zsk-rollover",),
        title="Old ZSK removed too early",
        explanation=(
            "The old ZSK left the DNSKEY RRset while signatures made with it could still sit in "
            "caches: after its last signature was replaced, caches may keep that signature for "
            "the largest TTL in the zone plus the propagation delay (RFC 7583 §3.2.1). A "
            "resolver holding such a signature together with the new key set cannot find the "
            "key and fails."
        ),
        evidence=(
            "The old key's tag, when it last signed data and when it disappeared (from "
            "history), the largest TTL of signed data, and the RRsets whose cached signatures "
            "are affected."
        ),
        fix=(
            "Put the old ZSK back into the DNSKEY RRset until the largest TTL plus propagation "
            "delay has passed since its last use, then remove it. BIND's dnssec-policy and Knot "
            "time this automatically; with manual keys leave a gap between dnssec-settime -I "
            "(inactive) and -D (delete); with PowerDNS run pdnsutil deactivate-zone-key first "
            "and pdnsutil remove-zone-key only later."
        ),
        peers="none",
        details={
            "at_risk": (
                "Key {keys} left the DNSKEY RRset of {zone} on {server} at {at}, but signatures "
                "made with it were served until {seen} and may be cached for their TTL of {ttl} "
                "({examples}). It would have been safe from {safe}."
            ),
            "at_risk_unknown": (
                "Key {keys} left the DNSKEY RRset of {zone} on {server} at {at}, but signatures "
                "made with it were served until {seen} and may be cached for their TTL of {ttl} "
                "({examples}). It would have been safe from not known yet: {still_served_by} "
                "still serve the older set, and it is safe only {ttl} (its TTL) after it has "
                "gone from every server."
            ),
            "history": (
                "Key {keys} left the DNSKEY RRset of {zone} on {server} at {at}, but signatures "
                "made with it were served until {seen} and may be cached for their TTL of {ttl} "
                "({examples}). It would have been safe from {safe}. The caches that could break "
                "have expired since {safe}: this is history, and the next rollover must wait for "
                "the TTLs (RFC 7583 §3)."
            ),
        },
        fixes={
            "at_risk": (
                "Publish key {keys} in the DNSKEY RRset of {zone} again (signing with the new "
                "ZSK may go on); remove it only from {safe} (RFC 7583 §3)."
            ),
            "at_risk_unknown": (
                "Publish key {keys} in the DNSKEY RRset of {zone} again (signing with the new "
                "ZSK may go on); remove it only from not known yet: {still_served_by} still "
                "serve the older set, and it is safe only {ttl} (its TTL) after it has gone "
                "from every server (RFC 7583 §3)."
            ),
            "history": (
                "Nothing to repair now. In the next rollover wait the TTL of the older RRset "
                "plus the time every server takes to serve the change before this step (RFC 7583 "
                "§3)."
            ),
        },
    ),
    CatalogEntry(
        code="KSK_REMOVED_BEFORE_DS_UPDATED",
        section=SECTION,
        severity=Severity.CRITICAL,
        symptoms=("ksk-rollover",),
        title="Old KSK removed before the new DS was everywhere",
        explanation=(
            "The old KSK was removed, or stopped signing the DNSKEY RRset, before the new DS "
            "had been on every parent server for at least the DS TTL. Resolvers that still "
            "cache the old DS set find no key matching it and mark the whole zone bogus until "
            "that cache entry expires (RFC 7583 §3.3)."
        ),
        evidence=(
            "The old and new key tags, the DS set on each parent server and when the new one "
            "first appeared (from history), the DS TTL, and when the old KSK went away."
        ),
        fix=(
            "Restore the old KSK and let it sign the DNSKEY RRset again while the old DS may "
            "still be cached; remove it only once the new DS has been on every parent server "
            "for the DS TTL. Tell the signer about the DS only after checking it: BIND: rndc "
            "dnssec -checkds -key TAG published ZONE; Knot: knotc zone-ksk-submitted ZONE."
        ),
        peers="none",
        details={
            "at_risk": (
                "The DNSKEY RRset of {zone} on {server} was no longer signed by a key matching "
                "DS {keys} at {at}, but a DS RRset naming only those was served by the parent "
                "until {seen} and may be cached for its TTL of {ttl}. It would have been safe "
                "from {safe}."
            ),
            "at_risk_unknown": (
                "The DNSKEY RRset of {zone} on {server} was no longer signed by a key matching "
                "DS {keys} at {at}, but a DS RRset naming only those was served by the parent "
                "until {seen} and may be cached for its TTL of {ttl}. It would have been safe "
                "from not known yet: {still_served_by} still serve the older set, and it is safe "
                "only {ttl} (its TTL) after it has gone from every server."
            ),
            "history": (
                "The DNSKEY RRset of {zone} on {server} was no longer signed by a key matching "
                "DS {keys} at {at}, but a DS RRset naming only those was served by the parent "
                "until {seen} and may be cached for its TTL of {ttl}. It would have been safe "
                "from {safe}. The caches that could break have expired since {safe}: this is "
                "history, and the next rollover must wait for the TTLs (RFC 7583 §3)."
            ),
        },
        fixes={
            "at_risk": (
                "Publish the old KSK {keys} again and let it sign the DNSKEY RRset beside the "
                "new one; remove it only from {safe}, once the new DS has replaced the old one "
                "at every parent server for the DS TTL (RFC 7583 §3)."
            ),
            "at_risk_unknown": (
                "Publish the old KSK {keys} again and let it sign the DNSKEY RRset beside the "
                "new one; remove it only from not known yet: {still_served_by} still serve the "
                "older set, and it is safe only {ttl} (its TTL) after it has gone from every "
                "server, once the new DS has replaced the old one at every parent server for the "
                "DS TTL (RFC 7583 §3)."
            ),
            "history": (
                "Nothing to repair now. In the next rollover wait the TTL of the older RRset "
                "plus the time every server takes to serve the change before this step (RFC 7583 "
                "§3)."
            ),
        },
    ),
    CatalogEntry(
        code="DS_SWAPPED_TOO_EARLY",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("ksk-rollover",),
        title="DS or key swapped before the other side had propagated",
        explanation=(
            "In a double-KSK rollover the DS may only be switched after the new KSK has been in "
            "the DNSKEY RRset for its TTL; in a double-DS rollover the key may only be switched "
            "after the new DS has been at the parent for the DS TTL (RFC 7583 §3.3). One of "
            "these waits was skipped, so resolvers holding the older cached set find no DS and "
            "key that belong together, and fail."
        ),
        evidence=(
            "The rollover method detected, when the new DNSKEY and the new DS appeared (from "
            "history), the TTLs involved, and the earliest safe time that was missed."
        ),
        fix=(
            "Follow the RFC 7583 wait times for the chosen method. To repair, restore a state "
            "that both old and new caches accept (old and new DS together, or old and new KSK "
            "together) until the longer TTL has passed. BIND's dnssec-policy and Knot automate "
            "the waits when the DS submission is confirmed correctly (rndc dnssec -checkds, "
            "knotc zone-ksk-submitted ZONE)."
        ),
        peers="none",
        details={
            "at_risk": (
                "The DS RRset of {zone} on parent server {server} named only {keys} at {at}, but "
                "a DNSKEY RRset not signed by such a key was served until {seen} and may be "
                "cached for its TTL of {ttl}. It would have been safe from {safe}."
            ),
            "at_risk_unknown": (
                "The DS RRset of {zone} on parent server {server} named only {keys} at {at}, but "
                "a DNSKEY RRset not signed by such a key was served until {seen} and may be "
                "cached for its TTL of {ttl}. It would have been safe from not known yet: "
                "{still_served_by} still serve the older set, and it is safe only {ttl} (its "
                "TTL) after it has gone from every server."
            ),
            "history": (
                "The DS RRset of {zone} on parent server {server} named only {keys} at {at}, but "
                "a DNSKEY RRset not signed by such a key was served until {seen} and may be "
                "cached for its TTL of {ttl}. It would have been safe from {safe}. The caches "
                "that could break have expired since {safe}: this is history, and the next "
                "rollover must wait for the TTLs (RFC 7583 §3)."
            ),
        },
        fixes={
            "at_risk": (
                "Put the old DS back beside the new one at the registry (both DS together) and "
                "keep the old KSK signing the DNSKEY RRset; remove the old DS only from {safe} "
                "(RFC 7583 §3)."
            ),
            "at_risk_unknown": (
                "Put the old DS back beside the new one at the registry (both DS together) and "
                "keep the old KSK signing the DNSKEY RRset; remove the old DS only from not "
                "known yet: {still_served_by} still serve the older set, and it is safe only "
                "{ttl} (its TTL) after it has gone from every server (RFC 7583 §3)."
            ),
            "history": (
                "Nothing to repair now. In the next rollover wait the TTL of the older RRset "
                "plus the time every server takes to serve the change before this step (RFC 7583 "
                "§3)."
            ),
        },
    ),
    CatalogEntry(
        code="ALGORITHM_ROLL_ORDER_VIOLATION",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("zsk-rollover", "ksk-rollover"),
        title="Algorithm rollover steps out of order",
        explanation=(
            "An algorithm rollover must first add signatures with the new algorithm to every "
            "RRset, then publish the new DNSKEY, then change the DS, and remove things again in "
            "the reverse order (RFC 6781 §4.1.4). Here the new algorithm's DNSKEY appeared "
            "before every RRset carried a signature with it, or the old algorithm's signatures "
            "were dropped while its DNSKEY or DS remained, so validators that expect a "
            "signature for every published algorithm (RFC 4035 §2.2) fail."
        ),
        evidence=(
            "The old and new algorithms, which RRsets lack which algorithm's signature, and "
            "when the DNSKEY and DS changes happened."
        ),
        fix=(
            "Sign every RRset with both algorithms before publishing the new key, keep both "
            "until the DS has changed and the old DS TTL has passed, and drop the old "
            "signatures last. BIND's dnssec-policy and Knot perform algorithm rollovers in this "
            "order when you change the policy's algorithm."
        ),
        peers="partly DV MISSING_RRSIG_FOR_ALG_*",
        details={
            "safe_at": (
                "A DNSKEY of algorithm {algorithm} joined the DNSKEY RRset of {zone} at {at}, "
                "while RRsets signed without algorithm {algorithm} could still be cached "
                "({rrsets}). The key would have been safe to publish from {safe} (RFC 6781 "
                "§4.1.4)."
            ),
            "safe_unknown": (
                "A DNSKEY of algorithm {algorithm} joined the DNSKEY RRset of {zone} at {at}, "
                "while RRsets signed without algorithm {algorithm} could still be cached "
                "({rrsets}). The key would have been safe to publish a TTL after every server "
                "signed with algorithm {algorithm}, which no check has shown yet (RFC 6781 "
                "§4.1.4)."
            ),
            "removed_safe_at": (
                "The signatures of algorithm {algorithm} went from {zone} at {at}, while a "
                "DNSKEY RRset with a key of algorithm {algorithm} could still be cached "
                "({rrsets}). They would have been safe to remove from {safe}, a DNSKEY TTL "
                "after the last key of algorithm {algorithm} (RFC 6781 §4.1.4)."
            ),
            "removed_safe_unknown": (
                "The signatures of algorithm {algorithm} went from {zone} at {at}, while a "
                "DNSKEY RRset with a key of algorithm {algorithm} could still be cached "
                "({rrsets}), and a server still serves one. Remove them only a DNSKEY TTL "
                "after every server dropped the keys of algorithm {algorithm} (RFC 6781 "
                "§4.1.4)."
            ),
        },
    ),
    CatalogEntry(
        code="ROLLOVER_IN_PROGRESS",
        section=SECTION,
        severity=Severity.INFO,
        symptoms=("zsk-rollover", "ksk-rollover"),
        title="Key rollover in progress",
        explanation=(
            "The zone is in the middle of a key rollover; the report names its type (ZSK "
            "pre-publication, double-signature, double-DS, double-KSK, CSK or algorithm "
            "rollover, as described in RFC 7583) and the current stage. Nothing is wrong: the "
            "report shows the earliest time the next step is safe, computed from the TTLs and "
            "from when each change appeared."
        ),
        evidence=(
            "The rollover type and stage, the key tags involved, when each change appeared, the "
            "TTLs, and the earliest safe time for the next step."
        ),
        fix="Take the next step shown, no earlier than the time shown.",
        peers="none",
    ),
    CatalogEntry(
        code="TTL_CHANGE_DURING_ROLL",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("worked-yesterday",),
        title="TTL changed during a rollover",
        explanation=(
            "A DNSKEY, DS or data TTL changed recently. Caches may still hold records with the "
            "old TTL, so every rollover wait (RFC 7583 expresses them in TTLs) must use the old "
            "value if it was larger; otherwise a step taken once the new TTL has passed can "
            "still break resolvers that cached with the old one."
        ),
        evidence=(
            "The record type, the old and new TTL, when the change appeared, and the rollover "
            "waits that depend on it."
        ),
        fix=(
            "Recompute the rollover waits with the previous, larger TTL, and wait that long "
            "after the TTL change before the next step."
        ),
        peers="none",
        details={
            "lowered": (
                "The {rrtype} TTL of {zone} went from {old} ({old_seconds} s) to {new} "
                "({new_seconds} s) at {at}, during a rollover. Caches may keep the {rrtype} "
                "RRset served with the old TTL until {until}: every rollover wait that depends "
                "on the {rrtype} TTL must use {old_seconds} s until then."
            ),
        },
        fixes={
            "lowered": (
                "Compute the next rollover step's wait with the old {rrtype} TTL ({old_seconds} "
                "s), and take no step that depends on it before {until} (RFC 7583 §3)."
            ),
        },
    ),
    CatalogEntry(
        code="CDS_NOT_PICKED_UP",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("ksk-rollover",),
        title="Parent has not acted on CDS/CDNSKEY",
        explanation=(
            "The zone has published CDS/CDNSKEY records (RFC 7344) asking for a new DS set for "
            "longer than expected, but the parent's DS set has not changed. Either the registry "
            "or registrar does not read CDS, its checks fail (see the other CDS codes), or it "
            "scans rarely; meanwhile the rollover waits on the parent."
        ),
        evidence=(
            "The CDS/CDNSKEY set and since when it has been published (from history), and the "
            "DS set at the parent."
        ),
        fix=(
            "Find out whether the registry or registrar supports CDS (RFC 7344, RFC 8078) and "
            "what it requires; otherwise upload the DS by hand (BIND: dnssec-dsfromkey -2 "
            "Kzone.+ALG+TAG.key; Knot: keymgr ZONE ds; PowerDNS: pdnsutil show-zone ZONE; ldns: "
            "ldns-key2ds -n -2 Kzone.+ALG+TAG.key)."
        ),
        peers="none",
        details={
            "waiting": (
                "{zone} has asked its parent for {asked} with CDS since at least {since} "
                "({observed} of observations); the parent's DS set is still {have}."
            ),
        },
    ),
    CatalogEntry(
        code="CHANGE_SINCE_LAST_GOOD",
        section=SECTION,
        severity=Severity.INFO,
        symptoms=("worked-yesterday",),
        title="Changes since the last good snapshot",
        explanation=(
            "Compared with the last snapshot in which the zone validated, something changed: "
            "the NS set, DS, DNSKEY, algorithms, SOA serial, NSEC or NSEC3 mode, TTLs or the "
            'set of servers. When a zone "worked yesterday", one of these changes is usually '
            "the cause, and caches that keep the old data for up to its TTL (RFC 2181 §8) "
            "explain why it may fail for some users and not others. This is context, listed so "
            "that the change can be reviewed or reverted."
        ),
        evidence=(
            "The times of the snapshots compared and each difference (record type, before, after)."
        ),
        fix="Review the listed changes and revert or complete the one that broke the zone.",
        peers="none",
        details={
            "nothing_changed": (
                "Nothing the servers serve changed since the last good observation; it worked at "
                "{last_good} ({status}) and was first seen failing at {first_bad}. What changed "
                "is time: signatures that were valid then are not any more, or a cache-dependent "
                "fault."
            ),
            "changed": "{changes}; it worked at {last_good} ({status}).",
            "changed_more": (
                "{changes}; … and {more} more changes (see the evidence); it worked at "
                "{last_good} ({status})."
            ),
        },
    ),
    CatalogEntry(
        code="RFC5011_HOLDDOWN_RISK",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("no-ad-bit",),
        title="RFC 5011 hold-down not respected",
        explanation=(
            "For zones whose keys resolvers keep as managed trust anchors (the root zone, or "
            "private anchors), RFC 5011 §2.4.1 makes resolvers wait an add hold-down before "
            "trusting a new KSK: 30 days, or the original TTL of the first DNSKEY RRset that "
            "held it when that is longer. Here the new KSK was relied on, or the old one removed, "
            "before that time had passed, so resolvers that track the zone with RFC 5011 lose "
            "their anchor and fail."
        ),
        evidence=(
            "The new and old KSK tags, when the new key first appeared (from history), and when "
            "it was first relied on or the old key removed."
        ),
        fix=(
            "Publish the new KSK at least 30 days plus the DNSKEY TTL before switching to it, "
            "and revoke the old KSK (REVOKE flag set, self-signed) before removing it."
        ),
        peers="none",
        details={
            "removed": (
                "KSK {old} of {zone} is gone while KSK {new}, first served {seen}, has been "
                "published for only {age}: resolvers that keep {zone} as an RFC 5011 managed "
                "trust anchor accept the new key only after the add hold-down, at {safe}; "
                "until then they have no trusted key and every name under {zone} fails for them."
            ),
            "revoked": (
                "KSK {old} of {zone} is revoked while KSK {new}, first served {seen}, has been "
                "published for only {age}: resolvers that keep {zone} as an RFC 5011 managed "
                "trust anchor accept the new key only after the add hold-down, at {safe}; "
                "until then they have no trusted key and every name under {zone} fails for them."
            ),
            "removed_history": (
                "KSK {old} of {zone} was gone at {at} while KSK {new}, first served {seen}, had "
                "been published for only {age}: resolvers that keep {zone} as an RFC 5011 "
                "managed trust anchor had no trusted key until the add hold-down ended, at "
                "{safe}. That time has passed: this is history."
            ),
            "revoked_history": (
                "KSK {old} of {zone} was revoked at {at} while KSK {new}, first served {seen}, "
                "had been published for only {age}: resolvers that keep {zone} as an RFC 5011 "
                "managed trust anchor had no trusted key until the add hold-down ended, at "
                "{safe}. That time has passed: this is history."
            ),
        },
        fixes={
            "removed_history": (
                "Nothing to undo now. In the next KSK rollover of {zone}, keep the old KSK "
                "signing the DNSKEY RRset until the new one has been served for 30 days (or its "
                "DNSKEY TTL, when longer), then revoke it before removing it (RFC 5011 §6.1)."
            ),
            "revoked_history": (
                "Nothing to undo now. In the next KSK rollover of {zone}, revoke the old KSK "
                "only once the new one has been served for 30 days (or its DNSKEY TTL, when "
                "longer; RFC 5011 §2.4.1)."
            ),
            "removed": (
                "Publish KSK {old} again, signing the DNSKEY RRset, until {safe}; then revoke it "
                "(REVOKE flag, self-signed, RFC 5011 §2.1) before removing it. Validators with a "
                "static trust anchor need KSK {new} installed by hand."
            ),
            "revoked": (
                "Serve KSK {old} unrevoked and signing the DNSKEY RRset again until {safe}, then "
                "revoke it. Validators with a static trust anchor need KSK {new} installed by hand."
            ),
        },
    ),
    CatalogEntry(
        code="SIGNATURES_NOT_REFRESHED",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("worked-yesterday",),
        title="Signer stopped refreshing the signatures",
        explanation=(
            "Signatures carry an expiration time (RFC 4034 §3.1.5), so a signer replaces them "
            "on a regular cadence long before they expire. History shows that this zone's "
            "signatures should have been refreshed by now, going by the re-signing cadence "
            "observed so far (or, without one, before the last quarter of their validity), "
            "and they were not. Unless the signer is repaired the zone turns bogus when the "
            "first of them expires, which the report dates."
        ),
        evidence=(
            "When the signatures were last refreshed, the observed re-signing cadence, when "
            "the next refresh was due, the observations since then that show the same "
            "signatures, and the earliest expiration with its RRset and key tag."
        ),
        fix=(
            "Find out why the signer stopped (a stopped daemon, a failing cron job, a full "
            "disk, keys no longer readable) and re-sign now: BIND: rndc sign ZONE; Knot: "
            "knotc zone-sign ZONE; PowerDNS: pdnsutil rectify-zone ZONE (signatures are made "
            "on the fly, so check the server itself); ldns: ldns-signzone with the zone's "
            "keys. Then make sure the secondaries transfer the new version."
        ),
        peers="none",
        details={
            "cadence_expired": (
                "The signatures of {zone} should have been refreshed by {due} (the re-signing "
                "cadence observed is {cadence}; last refresh {last_refresh}); they were not: "
                "{unchanged} observations since {unchanged_since} show the same signatures. The "
                "first of them expired {left} ago, at {expiration} ({owner} {type}, key {tag})."
            ),
            "cadence_expires": (
                "The signatures of {zone} should have been refreshed by {due} (the re-signing "
                "cadence observed is {cadence}; last refresh {last_refresh}); they were not: "
                "{unchanged} observations since {unchanged_since} show the same signatures. The "
                "first of them expires in {left}, at {expiration} ({owner} {type}, key {tag})."
            ),
            "no_cadence_expired": (
                "The signatures of {zone} should have been refreshed by {due} (no re-signing was "
                "observed yet, and signers refresh before the last quarter of the validity "
                "period; last refresh {last_refresh}); they were not: {unchanged} observations "
                "since {unchanged_since} show the same signatures. The first of them expired "
                "{left} ago, at {expiration} ({owner} {type}, key {tag})."
            ),
            "no_cadence_expires": (
                "The signatures of {zone} should have been refreshed by {due} (no re-signing was "
                "observed yet, and signers refresh before the last quarter of the validity "
                "period; last refresh {last_refresh}); they were not: {unchanged} observations "
                "since {unchanged_since} show the same signatures. The first of them expires in "
                "{left}, at {expiration} ({owner} {type}, key {tag})."
            ),
        },
    ),
)
