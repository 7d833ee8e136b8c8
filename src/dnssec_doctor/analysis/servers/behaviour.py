"""Transport behaviour of each server: what the pattern of probe answers says is broken.

The probes (``probe.behaviour``) ask the same things with and without EDNS, with
and without DO, at UDP buffer sizes 512/1232/1400/4096, with EDNS version 1,
with an unknown option, and over TCP. A server that answers plain queries but
not DO-flagged ones sits behind a "DNS inspection" box (RFC 3225); one whose
small answers arrive but whose large ones vanish sits behind a path that drops
big UDP datagrams or fragments; one without TCP cannot deliver truncated answers
(RFC 7766 §5). Servers that never answer or are lame are ``servers.py``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.rcode

from dnssec_doctor import catalog
from dnssec_doctor.analysis.servers.sizes import (
    answered_ok,
    exchange_of,
    how_it_ended,
    ladder,
    rung,
    size_losses,
    size_risk_findings,
)
from dnssec_doctor.analysis.servers.view import (
    LAME_KINDS,
    ServerView,
    others_fine,
    server_list,
)
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.model.findings import Finding, JsonValue
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.model.survey import ZoneCut
from dnssec_doctor.model.variants import (
    EDNS1,
    EDNS_NODO,
    NOEDNS,
    TCP,
    UNKNOWN_OPTION,
    UNKNOWN_OPTION_CODE,
    size_variant,
)


@dataclass(slots=True)
class _Problem:
    """Servers showing one problem, each with its own sentence and evidence."""

    lines: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, JsonValue] = field(default_factory=dict)
    severity: Severity | None = None


@dataclass(slots=True)
class _Collector:
    cut: ZoneCut
    tested: list[str]
    problems: dict[tuple[Code, str], _Problem] = field(default_factory=dict)

    def add(
        self,
        code: Code,
        server: str,
        line: str,
        evidence: JsonValue = None,
        *,
        subject: str = "",
        severity: Severity | None = None,
    ) -> None:
        problem = self.problems.setdefault((code, subject), _Problem())
        problem.lines[server] = (problem.lines.get(server, "") + " " + line).strip()
        if evidence is not None:
            problem.evidence[server] = evidence
        if severity is not None:
            problem.severity = max(severity, problem.severity or severity)

    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        for (code, subject), problem in self.problems.items():
            bad = sorted(problem.lines)
            ok = [s for s in self.tested if s not in problem.lines]
            params: dict[str, object] = {"lines": " ".join(f"{s}: {problem.lines[s]}" for s in bad)}
            says = "per_server"
            if code != Code.EDNS_NONCOMPLIANT:  # a quirk, not a failure: nothing depends on it
                says, fine = others_fine(says, bad, ok)
                params |= {"servers": server_list(bad), **fine}
            out.append(
                catalog.finding(
                    code,
                    zone=self.cut.zone,
                    says=says,
                    params=params,
                    servers=tuple(bad),
                    servers_ok=tuple(ok),
                    severity=problem.severity,
                    evidence=dict(problem.evidence),
                    subject=subject,
                )
            )
        return out


def behaviour_findings(
    cut: ZoneCut, views: dict[str, ServerView], nxname: str = ""
) -> list[Finding]:
    """Transport and EDNS findings for the servers of ``cut`` that answered at all."""
    tested = [s for s, v in views.items() if v.udp_answered and v.soa_kind not in LAME_KINDS]
    found = _Collector(cut, tested)
    for server in tested:
        _edns_dropped(found, cut, server)
        _edns_compliance(found, cut, server)
        loss = size_losses(cut, server, nxname)
        if loss is not None:
            found.add(
                Code.LARGE_UDP_RESPONSE_LOST,
                server,
                loss.line,
                loss.evidence,
                severity=loss.severity,
            )
        _dnssec_stripped(found, cut, server, views)
    for server in tested:
        _tcp(found, cut, server)
    findings = [
        # The box that drops large UDP answers blocks TCP too: one device, one root cause.
        f.with_cause(f"LARGE_UDP_RESPONSE_LOST@{cut.zone}") if f.subject == "middlebox" else f
        for f in found.findings()
    ]
    findings.extend(size_risk_findings(cut, nxname))
    return findings


def _edns_dropped(found: _Collector, cut: ZoneCut, server: str) -> None:
    zone = cut.zone
    plain = exchange_of(cut, server, zone, "SOA", NOEDNS)
    if not answered_ok(plain):
        return
    standard = exchange_of(cut, server, zone, "SOA")
    nodo = exchange_of(cut, server, zone, "SOA", EDNS_NODO)
    small_do = exchange_of(cut, server, zone, "SOA", size_variant(512))
    evidence = {
        "no EDNS": how_it_ended(plain),
        "EDNS0 without DO": how_it_ended(nodo),
        "EDNS0 + DO, 512-byte buffer": how_it_ended(small_do),
        "EDNS0 + DO, 1232-byte buffer": how_it_ended(standard),
    }
    if nodo is not None and not answered_ok(nodo) and not answered_ok(standard):
        found.add(
            Code.EDNS_QUERIES_DROPPED,
            server,
            "the SOA query without EDNS is answered, but with an EDNS OPT record it "
            f"{how_it_ended(nodo)} (without DO) and {how_it_ended(standard)} (with DO): "
            "every EDNS query, and so every DNSSEC query, fails.",
            evidence,
        )
    elif (
        answered_ok(nodo)
        and not answered_ok(standard)
        and small_do is not None
        and not answered_ok(small_do)
    ):
        found.add(
            Code.EDNS_QUERIES_DROPPED,
            server,
            "SOA queries without EDNS and with EDNS but no DO bit are answered, but with the "
            f"DO bit it {how_it_ended(standard)}, even with a 512-byte buffer: queries asking for "
            "DNSSEC records are dropped (RFC 3225).",
            evidence,
        )


def _tcp(found: _Collector, cut: ZoneCut, server: str) -> None:
    probe = exchange_of(cut, server, cut.zone, "SOA", TCP)
    if probe is None or rung(probe) is None or probe.outcome in ("response", "malformed"):
        return  # (garbage over TCP is MALFORMED_RESPONSE: TCP itself got through)
    truncated = any(
        k.server == server and e.transport == "tcp" and not e.query.tcp
        for k, e in cut.queries.items()
    )
    line = f"the SOA query over TCP {how_it_ended(probe)} while UDP queries are answered" + (
        ", some of them truncated (TC=1), and their retries over TCP fail too."
        if truncated
        else "."
    )
    large = found.problems.get((Code.LARGE_UDP_RESPONSE_LOST, ""))
    if large is not None and server in large.lines:
        found.add(Code.AUTH_TCP_UNREACHABLE, server, line, subject="middlebox")
    else:
        found.add(Code.AUTH_TCP_UNREACHABLE, server, line)


def _edns_compliance(found: _Collector, cut: ZoneCut, server: str) -> None:
    zone = cut.zone
    nodo = exchange_of(cut, server, zone, "SOA", EDNS_NODO)
    nodo_msg = None if nodo is None else nodo.message()
    if nodo_msg is None or not answered_ok(nodo):
        return
    problems: list[str] = []
    v1 = exchange_of(cut, server, zone, "SOA", EDNS1)
    v1_msg = None if v1 is None else v1.message()
    if v1 is not None and v1_msg is None and v1.outcome != "budget":
        problems.append(
            f"a query with EDNS version 1 {how_it_ended(v1)} instead of getting BADVERS"
        )
    elif v1_msg is not None:
        if v1_msg.rcode() != dns.rcode.BADVERS:
            problems.append(
                f"EDNS version 1 {how_it_ended(v1)} instead of BADVERS (RFC 6891 §6.1.3)"
            )
        elif v1_msg.edns != 0:
            problems.append("its BADVERS answer does not carry an OPT record of version 0")
    unknown = exchange_of(cut, server, zone, "SOA", UNKNOWN_OPTION)
    unknown_msg = None if unknown is None else unknown.message()
    if unknown is not None and unknown_msg is None and unknown.outcome != "budget":
        problems.append(f"a query with an unknown EDNS option {how_it_ended(unknown)}")
    elif unknown_msg is not None:
        if unknown_msg.rcode() != nodo_msg.rcode():
            problems.append(
                f"a query with an unknown EDNS option {how_it_ended(unknown)} (it must be ignored, "
                "RFC 6891 §6.1.2)"
            )
        elif any(int(o.otype) == UNKNOWN_OPTION_CODE for o in unknown_msg.options):
            problems.append("it echoes an unknown EDNS option back instead of ignoring it")
    standard = exchange_of(cut, server, zone, "SOA")
    std_msg = None if standard is None else standard.message()
    if nodo_msg.edns < 0 or (std_msg is not None and std_msg.edns < 0):
        problems.append("it answers EDNS queries without an OPT record (RFC 6891 §6.1.1)")
    elif std_msg is not None and answered_ok(standard) and not std_msg.ednsflags & dns.flags.DO:
        problems.append("it does not copy the DO bit into its answers (RFC 3225 §3)")
    plain = exchange_of(cut, server, zone, "SOA", NOEDNS)
    plain_msg = None if plain is None else plain.message()
    if plain_msg is not None and plain_msg.edns >= 0:
        problems.append("it adds an OPT record to answers to queries without EDNS (RFC 6891 §7)")
    if problems:
        found.add(Code.EDNS_NONCOMPLIANT, server, "; ".join(problems) + ".", problems)


def _dnssec_stripped(
    found: _Collector, cut: ZoneCut, server: str, views: dict[str, ServerView]
) -> None:
    view = views[server]
    others = [v for s, v in views.items() if s != server]
    if view.dnskeys and not view.rrsig_seen and any(v.rrsig_seen for v in others):
        found.add(
            Code.DNSSEC_RECORDS_NOT_RETURNED,
            server,
            "it serves the DNSKEY RRset, but none of its answers to DO=1 queries carries an "
            "RRSIG, while the other servers' answers do"
            + (
                f" (under the same SOA serial {view.serial}: a proxy that strips DNSSEC "
                "records and an unsigned copy of the zone file that includes the keys look "
                "the same from outside)."
                if view.serial is not None and any(v.serial == view.serial for v in others)
                else "."
            ),
        )
    elif (
        view.rrsig_seen
        and view.dnskey_answered
        and not view.dnskeys
        and any(v.dnskeys for v in others)
    ):
        found.add(
            Code.DNSSEC_RECORDS_NOT_RETURNED,
            server,
            "its answers are signed, but it answers the DNSKEY query with no DNSKEY records.",
        )
    else:
        rungs = {s: rung(e) for s, e in ladder(cut, server, cut.zone, "DNSKEY").items()}
        if (
            rungs
            and all(r == "lost" for r in rungs.values())
            and answered_ok(exchange_of(cut, server, cut.zone, "SOA"))
        ):
            found.add(
                Code.DNSSEC_RECORDS_NOT_RETURNED,
                server,
                "it answers SOA queries with DO=1, but DNSKEY queries never get an answer, "
                f"whatever the buffer size ({', '.join(map(str, sorted(rungs)))} bytes).",
            )
