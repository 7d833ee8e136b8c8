"""Catalog section A: transport and server behaviour.

Codes, sections and default severities follow the contract (docs/contract.md; the
table in tests/data/catalog-contract.md); the texts are written for newcomers and
cite the RFC behind each rule.
"""

from __future__ import annotations

from dnssec_doctor.catalog.entry import (
    NOT_YET_CHECKED,
    CatalogEntry,
    also_others_fine,
    with_others_fine,
)
from dnssec_doctor.model.severity import Severity

SECTION = "A"
TITLE = "Transport and server behaviour"

ENTRIES: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        code="AUTH_UDP_UNREACHABLE",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("dnssec-queries-fail", "worked-yesterday"),
        title="Authoritative server does not answer over UDP",
        explanation=(
            "An address listed for the zone (through its NS names or glue) never replied to UDP "
            "queries on port 53 within the timeout and retries. Resolvers spread their queries "
            "over all listed servers, so some lookups stall or fail while others work, and "
            "every DNSSEC fetch (DNSKEY, DS) becomes slower and more fragile. RFC 1035 §4.2.1 "
            "makes UDP port 53 the normal transport for queries, so every delegated address is "
            "expected to serve it."
        ),
        evidence=(
            "The server address and port, the query names and types tried, the number of "
            "attempts and the timeout used, and which other servers of the same zone did "
            "answer."
        ),
        fix=(
            "Check that the name server runs and listens on that address (ss -ulpn | grep :53), "
            "that host firewalls and cloud security groups allow UDP/53 from anywhere, and that "
            "the glue still holds the server's real address. If the server is retired, remove "
            "its NS name and glue at the registrar and from the zone's apex NS RRset. Verify "
            "with: dig +norec @SERVER ZONE SOA."
        ),
        peers="DV SERVER_UNRESPONSIVE_UDP, TIMEOUT; ZM CN01_*",
        details=with_others_fine(
            {
                "silent": (
                    "Servers of {zone}: {silent} never answered, over UDP or TCP, with or "
                    "without EDNS (every query timed out or was refused). Resolvers that pick "
                    "{them} wait for a timeout before trying another server."
                ),
                "tcp_only": (
                    "Servers of {zone}: {tcp_only} answered only over TCP, never over UDP. "
                    "Resolvers that pick {them} wait for a timeout before trying another server."
                ),
                "silent_and_tcp_only": (
                    "Servers of {zone}: {silent} never answered, over UDP or TCP, with or "
                    "without EDNS (every query timed out or was refused); {tcp_only} answered "
                    "only over TCP, never over UDP. Resolvers that pick {them} wait for a "
                    "timeout before trying another server."
                ),
            }
        ),
    ),
    CatalogEntry(
        code="AUTH_TCP_UNREACHABLE",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("dnssec-queries-fail",),
        title="Authoritative server does not answer over TCP",
        explanation=(
            "The server answers over UDP, but TCP connections to port 53 are refused, reset or "
            "never answered. DNSSEC answers (DNSKEY sets, signed NXDOMAIN proofs) often exceed "
            "the UDP size a resolver accepts; the server then sets TC=1 and the resolver must "
            "retry over TCP, so without TCP those names cannot be resolved. RFC 7766 §5 "
            "requires DNS implementations to support TCP, and RFC 9210 (BCP 235) asks operators "
            "not to block it."
        ),
        evidence=(
            "The server address, the TCP failure (refused, reset, timeout), the UDP answers "
            "that did work, and any truncated (TC=1) answers that needed TCP."
        ),
        fix=(
            "Open TCP/53 inbound on host firewalls, security groups and load balancers "
            "(including their health checks and anycast front-ends), and make sure the server "
            "listens on TCP; BIND, Knot and PowerDNS do by default. Verify with: dig +tcp "
            "+norec @SERVER ZONE SOA."
        ),
        peers="DV SERVER_UNRESPONSIVE_TCP; ZM CN02_*",
        details=with_others_fine(
            {
                "per_server": "{lines}",
                "truncated_then_tcp_fails": (
                    "{servers} answered over UDP, but with truncated answers (TC=1), and the "
                    "retry over TCP never got an answer ({outcomes}): resolvers cannot get the "
                    "full answers from {them}."
                ),
            }
        ),
        fixes=also_others_fine(
            {
                "per_server": (
                    "Open TCP port 53 to {servers} on every firewall, security group and load "
                    "balancer, and make sure the server listens on TCP (RFC 7766 §5 makes TCP "
                    "support mandatory; RFC 9210 asks operators to offer it). Verify with: dig "
                    "+tcp @SERVER ZONE SOA."
                ),
            }
        ),
    ),
    CatalogEntry(
        code="EDNS_QUERIES_DROPPED",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("dnssec-queries-fail",),
        title="Queries with EDNS are dropped or rejected",
        explanation=(
            "Plain DNS queries get answers, but the same query carrying an OPT record (EDNS, "
            "RFC 6891) or the DO bit times out or returns FORMERR. A validating resolver must "
            "send EDNS with DO=1 (RFC 4035 §4.1), so it either gets nothing or falls back to "
            "queries without DO and receives no signatures, and the zone fails validation. The "
            'usual culprit is a firewall "DNS inspection" feature or very old server software.'
        ),
        evidence=(
            "The server address, the same query with and without EDNS (buffer size, DO flag), "
            "and what each returned: answer, timeout, FORMERR or another RCODE."
        ),
        fix=(
            "Turn off DNS inspection, fixup or protocol-enforcement features on firewalls and "
            "load balancers in front of the server (especially message-length limits of 512 "
            "bytes), or upgrade the server software so EDNS passes untouched. Verify with: dig "
            "+dnssec +norec @SERVER ZONE SOA."
        ),
        peers="DV ERROR_WITH_EDNS, ERROR_WITH_EDNS_FLAG; ZM BREAKS_ON_EDNS",
        details=with_others_fine({"per_server": "{lines}"}),
        fixes=also_others_fine(
            {
                "per_server": (
                    "Find the device between the internet and {servers} that inspects DNS "
                    "(firewall 'DNS inspection'/'DNS guard', IDS, load balancer) and let EDNS and "
                    "the DO bit pass unchanged, or upgrade or replace it; if the server software "
                    "itself rejects EDNS, upgrade it. Verify with: dig +dnssec @SERVER ZONE SOA "
                    "and dig +noedns @SERVER ZONE SOA."
                ),
            }
        ),
    ),
    CatalogEntry(
        code="DNSSEC_RECORDS_NOT_RETURNED",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("dnssec-queries-fail", "rrsigs-sometimes"),
        title="Server leaves out DNSSEC records",
        explanation=(
            "When a query has the DO bit set, an authoritative server must include the RRSIGs "
            "for the answer and the NSEC/NSEC3 records for negative answers (RFC 4035 §3.1), "
            "and must answer DNSKEY and DS queries. Here the server, or something in front of "
            "it, returned the data without them or failed the DNSKEY/DS query. Validators that "
            "reach this server see unsigned data in a zone that the parent says is signed, and "
            "mark it bogus."
        ),
        evidence=(
            "The server address, the query (name, type, DO=1) and the sections of its response, "
            "showing which expected records (RRSIG, NSEC/NSEC3, DNSKEY, DS) were missing, next "
            "to a server that did return them."
        ),
        fix=(
            "Make every server load the signed zone: BIND serves the signed version with "
            "dnssec-policy or inline-signing (or load the .signed file); Knot needs "
            "dnssec-signing: on; PowerDNS needs keys (pdnsutil show-zone ZONE must list them). "
            "Remove proxies that strip records they do not know. Test each address with: dig "
            "+dnssec +norec @SERVER ZONE DNSKEY."
        ),
        peers=(
            "DV DNSSEC_DOWNGRADE_*, UNABLE_TO_RETRIEVE_DNSSEC_RECORDS; ZM "
            "EXTRA_PROCESSING_BROKEN, DS07_NO_RESPONSE_DNSKEY"
        ),
        details=with_others_fine({"per_server": "{lines}"}),
        fixes=also_others_fine(
            {
                "per_server": (
                    "Serve the signed zone from {servers} with DNSSEC enabled (BIND before 9.16: "
                    "dnssec-enable yes), and remove any proxy in front of it that strips RRSIG, "
                    "NSEC or DNSKEY records. If its zone file has no RRSIG records, it holds an "
                    "unsigned copy that includes the keys under the signed zone's serial: "
                    "increment the serial on the primary and make it transfer again (see "
                    "SOA_SERIAL_NOT_INCREMENTED). Verify with: dig +dnssec @SERVER ZONE DNSKEY."
                ),
            }
        ),
    ),
    CatalogEntry(
        code="EDNS_NONCOMPLIANT",
        section=SECTION,
        severity=Severity.WARNING,
        symptoms=("dnssec-queries-fail",),
        title="Server mishandles EDNS details",
        explanation=(
            "The server answers ordinary EDNS queries but reacts wrongly to the parts resolvers "
            "rely on for compatibility: an unknown EDNS version must get BADVERS (RFC 6891 "
            "§6.1.3), unknown options and flags must be ignored, truncated replies must keep "
            "their OPT record, and DNS cookies must follow RFC 7873 §5. Such servers work today "
            "but break as resolvers adopt new options, and some resolvers already treat them as "
            "broken. These are the behaviours the DNS Flag Day 2019 tests checked."
        ),
        evidence=(
            "The server address and each EDNS test query (version, options, flags) with the "
            "expected and the received response (RCODE, OPT record present, options echoed)."
        ),
        fix=(
            "Upgrade the server software, or the firewall or load balancer in front of it, to a "
            "release that implements RFC 6891 and RFC 7873 correctly, then re-run dnssec-doctor "
            "against that server. No zone change is needed."
        ),
        peers="DV EDNS_*, ERROR_WITH_*, cookie codes; ZM NAMESERVER10–13",
        details={"per_server": "{lines}"},
    ),
    CatalogEntry(
        code="LARGE_UDP_RESPONSE_LOST",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("dnssec-queries-fail",),
        title="Large answers never arrive",
        explanation=(
            "Answers above a certain size (often around 1,400 to 1,500 bytes) are lost over "
            "UDP, usually because IP fragments are dropped on the path, and the TCP fallback "
            "did not work either. DNSSEC makes DNSKEY RRsets and signed negative answers large, "
            "so exactly those queries fail while small ones work. RFC 9715 describes why DNS "
            "over UDP should avoid IP fragmentation; DNS Flag Day 2020 settled on an EDNS "
            "buffer size of 1232 bytes for that reason."
        ),
        evidence=(
            "The server address, the largest response size that arrived, the smallest that was "
            "lost, the EDNS buffer sizes tried, and the result of the TCP retry."
        ),
        fix=(
            "Limit the size of UDP answers to 1232 bytes (BIND: max-udp-size 1232; Knot: "
            "udp-max-payload: 1232; PowerDNS: udp-truncation-threshold=1232), make TCP/53 work "
            "so truncated answers can be fetched, and shrink answers (ECDSA or Ed25519 keys, "
            "fewer keys)."
        ),
        peers="DV PMTU_EXCEEDED",
        details=with_others_fine({"per_server": "{lines}"}),
        fixes=also_others_fine(
            {
                "per_server": (
                    "Let UDP DNS answers of at least 1232 bytes pass the firewall, load balancer "
                    "or router in front of {servers} (the NIST guide suggests allowing 1500 bytes; "
                    "4096 is the practical maximum), including IP fragments, and make TCP/53 work "
                    "there; if the device cannot be configured, replace it. Meanwhile cap the "
                    "server's EDNS UDP size at 1232 (BIND: max-udp-size 1232; Knot: "
                    "udp-max-payload: 1232; NSD: ipv4-edns-size: 1232; PowerDNS: "
                    "udp-truncation-threshold=1232) so large answers are truncated and fetched "
                    "over TCP. Verify with: dig +dnssec +bufsize=4096 @SERVER ZONE DNSKEY."
                ),
            }
        ),
    ),
    CatalogEntry(
        code="RESPONSE_SIZE_RISK",
        section=SECTION,
        severity=Severity.NOTICE,
        symptoms=("dnssec-queries-fail",),
        title="DNSSEC answers larger than 1232 bytes",
        explanation=(
            "Some of the zone's DNSSEC answers, such as the DNSKEY RRset, a signed referral or "
            "a signed NXDOMAIN, are larger than 1232 bytes, the UDP size resolvers have used "
            "since DNS Flag Day 2020 (see RFC 9715). They still work, but each such query is "
            "truncated and retried over TCP, which is slower and fails wherever TCP/53 is "
            "blocked. Large RSA keys, extra keys left over from rollovers and three-record "
            "NSEC3 proofs are the usual causes."
        ),
        evidence=(
            "The query name and type, the full response size in bytes per server, and what "
            "makes it large (number and size of keys, number of RRSIGs, NSEC3 records)."
        ),
        fix=(
            "Prefer ECDSAP256SHA256 (13) or ED25519 (15) over RSA, remove keys that are no "
            "longer needed after a rollover, enable minimal responses (BIND: minimal-responses "
            "yes;), and keep TCP/53 working so truncated answers can be fetched."
        ),
        peers="ZM REFERRAL_SIZE_TOO_LARGE (referrals)",
        details={
            "DNSKEY": (
                "The DNSKEY answer of {zone} is {bytes} bytes (from {server}), above the {safe} "
                "bytes most resolvers accept over UDP: they get a truncated answer and must "
                "retry over TCP, and paths that drop fragments or TCP break it."
            ),
            "negative": (
                "The NXDOMAIN answer with its proof of {zone} is {bytes} bytes (from {server}), "
                "above the {safe} bytes most resolvers accept over UDP: they get a truncated "
                "answer and must retry over TCP, and paths that drop fragments or TCP break it."
            ),
        },
    ),
    CatalogEntry(
        code="LAME_OR_NOT_AUTHORITATIVE",
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("rrsigs-sometimes", "worked-yesterday"),
        title="Delegated server is not authoritative for the zone",
        explanation=(
            "A server named in the delegation refused the query, answered without the AA "
            "(authoritative answer, RFC 1035 §4.1.1) flag, or sent a referral upward or "
            "elsewhere instead of answering. This is called a lame delegation. Resolvers that "
            "pick this server get no usable answer and must retry elsewhere, which shows up as "
            "intermittent slowness and SERVFAIL, often after a provider change."
        ),
        evidence=(
            "The server name and address, the query, and what it returned (RCODE, AA flag, the "
            "NS names of any referral), together with the servers that answered correctly."
        ),
        fix=(
            "Load the zone on that server (add it as a secondary of the primary and allow the "
            "transfer), then check that dig +norec @SERVER ZONE SOA shows the aa flag; or "
            "remove that NS name from both the registrar's delegation and the zone's apex NS "
            "RRset."
        ),
        peers=(
            "DV NOT_AUTHORITATIVE, SERVER_NOT_AUTHORITATIVE, UPWARD_REFERRAL; ZM "
            "B02_NS_NOT_AUTH, IS_NOT_AUTHORITATIVE"
        ),
        details=with_others_fine(
            {
                "walk_referral_loop": ("referral loop: servers of {zone} refer back to {child}"),
                "walk_wrong_referral": (
                    "server {server} of {zone} answered with a referral to {target}, which does "
                    "not lead towards the name (upward or sideways referral)"
                ),
                "walk_no_override_zone": (
                    "none of the --ns servers answered with the SOA of a zone holding the name"
                ),
                "refused": (
                    "{servers} {are} in the NS set of {zone} but answers REFUSED: the zone is "
                    "not configured there (to the SOA query for {zone}{referral})."
                ),
                "not-authoritative": (
                    "{servers} {are} in the NS set of {zone} but answers without the AA flag: "
                    "it does not consider itself authoritative for the zone (a cache or a server "
                    "without the zone) (to the SOA query for {zone}{referral})."
                ),
                "upward-referral": (
                    "{servers} {are} in the NS set of {zone} but answers with a referral "
                    "upwards or sideways instead of the zone's data (to the SOA query for "
                    "{zone}{referral})."
                ),
                "referral": (
                    "{servers} {are} in the NS set of {zone} but answers the apex query with a "
                    "referral to another zone (to the SOA query for {zone}{referral})."
                ),
                "servfail": (
                    "{servers} {are} in the NS set of {zone} but answers SERVFAIL: the zone "
                    "failed to load there or its copy expired (to the SOA query for "
                    "{zone}{referral})."
                ),
            }
        ),
        fixes=also_others_fine(
            dict.fromkeys(
                ("refused", "not-authoritative", "upward-referral", "referral", "servfail"),
                "Load {zone} on {servers} (as primary or secondary, with zone transfers allowed "
                "from the primary), or remove that server's NS name from the delegation in "
                "{parent} and from the zone's NS RRset. Verify with: dig +norec @SERVER ZONE SOA "
                "(expect the aa flag).",
            )
        ),
    ),
    CatalogEntry(
        code="SERVER_QUIRK",
        section=SECTION,
        severity=Severity.NOTICE,
        symptoms=(),
        title="Server behaves oddly",
        explanation=(
            "The server shows behaviour that does not break DNSSEC by itself but is worth "
            "fixing: it offers recursion to anyone (open resolvers are abused for amplification "
            "attacks, RFC 5358), does not preserve the letter case of the query name (which "
            "breaks resolvers using case randomisation), returns records of a foreign class, or "
            "answers NXDOMAIN for a name while answering for names below it (which contradicts "
            "RFC 8020). Resolvers can mis-cache answers from such servers or stop trusting "
            "them."
        ),
        evidence=(
            "The server address, which quirk was seen, and the query and response that show it."
        ),
        fix=(
            "Disable recursion on authoritative servers (BIND: recursion no;), upgrade or "
            "replace the software or middlebox that changes query names or answers, and remove "
            "data of other classes from the zone."
        ),
        peers=(
            "DV RECURSION_NOT_AVAILABLE, CASE_NOT_PRESERVED, FOREIGN_CLASS_DATA_*, "
            "INCONSISTENT_NXDOMAIN*; ZM IS_A_RECURSOR, QNAME_CASE_*"
        ),
        details={
            "unrelated-answers": (
                "{servers} put records into the answer section that do not answer the "
                "question: {examples}. Validators discard them (RFC 2181 §5.4.1) and so does "
                "this analysis; a server that adds them is broken or is trying to plant data "
                "in caches."
            ),
        },
        fixes={
            "unrelated-answers": (
                "Upgrade or replace the server software (or the proxy in front of it) that "
                "adds the records; authoritative answers carry only the question's RRset or "
                "its CNAME chain."
            ),
        },
    ),
    CatalogEntry(
        code="RESOLVER_PATH_DNSSEC_BLOCKED",
        not_detected=NOT_YET_CHECKED,
        section=SECTION,
        severity=Severity.ERROR,
        symptoms=("dnssec-queries-fail", "no-ad-bit"),
        title="The path to the resolver breaks DNSSEC",
        explanation=(
            "Something between this machine and its resolver damages DNSSEC: the DO bit or the "
            "RRSIGs are stripped, the AD flag is removed, queries for DS or DNSKEY are blocked, "
            "or large and TCP answers are lost. Home routers, captive portals and DNS proxies "
            "in firewalls do this, and the zone itself may be perfectly fine. RFC 8027 "
            "describes these roadblocks and how to detect them."
        ),
        evidence=(
            "The resolver address and each test that failed (DO echoed, RRSIG present, AD set "
            "on a known-secure name, DS and DNSKEY queries, large answer, TCP), with the "
            "responses."
        ),
        fix=(
            "Point the host at a validating resolver directly instead of through the router's "
            "DNS proxy, turn off DNS proxy or rewriting features on the router or firewall, or "
            "run a validating resolver (Unbound, BIND, Knot Resolver) on the host itself."
        ),
        peers="none (RFC 8027)",
    ),
)
