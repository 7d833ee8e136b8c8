"""The first lines of every report: the outcome in the user's terms, then why.

Shared by the text, HTML and Nagios renderers so the three say the same thing:

- a name that does not exist says so, and whether that is proven (RFC 4035 §5.4);
- a secure name some of whose servers fail says on how many servers it works and
  what the others do ("SECURE on 1 of 2 servers — 127.0.0.9 does not answer");
- the reason comes from the first root cause ("signatures expired 3 days ago"),
  not from the mechanics of validation.
"""

from __future__ import annotations

from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.render.summary import known_status, split_findings, zone_key
from dnssec_doctor.timefmt import duration

SERVER_FAULT_WORDS = {
    "AUTH_UDP_UNREACHABLE": "does not answer",
    "AUTH_TCP_UNREACHABLE": "does not answer over TCP",
    "LAME_OR_NOT_AUTHORITATIVE": "does not serve the zone",
    "EDNS_QUERIES_DROPPED": "drops DNSSEC queries",
    "LARGE_UDP_RESPONSE_LOST": "loses large answers",
    "SOA_SERIAL_DIVERGENT": "serves an old copy of the zone",
    "SOA_SERIAL_NOT_INCREMENTED": "serves another copy under the same serial",
    "SECONDARY_SERVES_UNSIGNED": "serves the zone unsigned",
    "DNSSEC_RECORDS_NOT_RETURNED": "leaves out DNSSEC records",
    "NEGATIVE_PROOF_MISSING": "answers negatives without proof",
    "DNSKEY_MISSING_ON_SOME_SERVERS": "lacks a key that signs the data",
    "MALFORMED_RESPONSE": "sends malformed answers",
}
"""What a server does wrong, in a few words, by the code of the finding that names it."""


def outcome(d: Diagnosis) -> str:
    """The words after the name: ``is SECURE``, ``does not exist (NXDOMAIN), and that is
    proven``, ``is SECURE on 1 of 2 servers — 127.0.0.9 does not answer``."""
    status = known_status(d.status).upper()
    if d.stats.get("nxdomain"):
        if d.status == "secure":
            return "does not exist (NXDOMAIN), and that is proven (SECURE)"
        if d.status == "insecure":
            return "does not exist (NXDOMAIN); its zone is unsigned, so that is not proven"
        return f"does not exist (NXDOMAIN), but that is not proven ({status})"
    partial = partial_servers(d)
    if partial is None:
        return f"is {status}"
    working, total, faults = partial
    return f"is {status} on {working} of {total} servers — {faults}"


def badge(d: Diagnosis) -> str:
    """The short form of :func:`outcome` for a badge: ``secure``, ``secure on 1 of 2
    servers``, ``nxdomain (proven)``."""
    if d.stats.get("nxdomain"):
        return f"nxdomain ({'proven' if d.status == 'secure' else 'not proven'})"
    partial = partial_servers(d)
    if partial is None:
        return known_status(d.status)
    working, total, _ = partial
    return f"{d.status} on {working} of {total} servers"


def partial_servers(d: Diagnosis) -> tuple[int, int, str] | None:
    """(working, total, what the others do) when the name validates but some servers of
    its zone fail (a root cause, error or worse, names them); None otherwise."""
    if d.status != "secure" or not d.zones:
        return None
    target = d.zones[-1]
    everyone = set(target.servers)
    broken: dict[str, str] = {}
    for f in d.findings:
        if not f.is_root_cause or f.severity < Severity.ERROR:
            continue
        if zone_key(f.zone) != zone_key(target.name):
            continue
        for server in f.servers:
            if server in everyone and server not in broken:
                broken[server] = SERVER_FAULT_WORDS.get(f.code, _lower(f.title))
    if not broken or len(broken) >= len(everyone):
        return None
    faults = "; ".join(f"{s} {words}" for s, words in sorted(broken.items()))
    return len(everyone) - len(broken), len(everyone), faults


def _lower(title: str) -> str:
    return f"fails: {title[:1].lower()}{title[1:]}"


def reason(d: Diagnosis) -> str:
    """Why: the first root cause worth reading, in a few words; else the status's reason
    (never the mechanics of a failure when the root causes say what it is)."""
    roots, _ = split_findings(d.findings)
    problems = [f for f in roots if f.severity >= Severity.WARNING]
    if problems:
        first = problems[0]
        more = len(problems) - 1
        return cause_words(first, d.at) + (
            f" (and {more} more root cause{'s' if more != 1 else ''} below)" if more else ""
        )
    text = str(d.stats.get("status_reason") or "")
    if text.startswith("no server gave a validating answer") and all(
        z.status == "secure" for z in d.zones
    ):
        # The chain validates; only the answers for the name do not (see the findings).
        return f"the chain of trust validates, but the answers for {d.name} do not"
    return text


def cause_words(f: Finding, at: int) -> str:
    """One root cause in a few words: ``signatures in example.com. expired 3 days ago``."""
    earliest = f.evidence.get("earliest") if f.evidence else None
    if f.code == "RRSIG_EXPIRED" and isinstance(earliest, int):
        return f"signatures in {f.zone} expired {duration(at - earliest)} ago"
    if f.code == "RRSIG_NOT_YET_VALID" and isinstance(earliest, int):
        return f"signatures in {f.zone} become valid only in {duration(earliest - at)}"
    where = f" on {', '.join(f.servers[:3])}" if f.servers else ""
    return f"{f.title[:1].lower()}{f.title[1:]} in {f.zone}{where}"
