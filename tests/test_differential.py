"""Differential tests: our verdicts against BIND and Unbound on the same lab.

1. For every lab scenario the real servers can serve, the status ``check``
   gives (probe_live + diagnose_capture against BIND ``named``) must agree
   with BIND's validator (``delv``, lab trust anchor, through the lab's
   validating Unbound) and with the validating Unbound itself: SERVFAIL is
   bogus, AD is secure, an answer without AD is insecure. Every disagreement
   must be listed in ``KNOWN_DIFFERENCES`` with its reason and a condition
   that says when it applies; anything else fails.
2. The embedded backend (127.79) must answer like BIND (127.80) for the
   same zones: rcode, AA, TC, EDNS, answer and authority RRsets, modulo
   addresses, TTLs and signature bytes (ECDSA signatures are randomised).

Unbound validates with the machine clock, so the lab is signed relative to
``int(time.time())`` and the analysis gets that same ``now``: no assertion
depends on the date. Needs root and the Debian packages bind9,
bind9-dnsutils and unbound (``make debian-packages``); a missing one fails
with a clear message, it never skips.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest

import labbases
from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.plan import LabPlan, ScenarioInfo
from dnssec_doctor.lab.real import RealLab, start_real
from dnssec_doctor.lab.realconf import bind_trust_anchors
from dnssec_doctor.lab.scenarios import build_lab, scenario_names
from dnssec_doctor.lab.scenarios_cuts import SCENARIOS as SCENARIOS_CUTS
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.probe.request import DEFAULT_TYPES, ProbeRequest
from dnssec_doctor.session import diagnose_capture, probe_live
from dnssec_doctor.transport.policy import AddressPolicy

pytestmark = [pytest.mark.real_servers, pytest.mark.requires_tools("named", "unbound", "delv")]

# Scenarios whose fault only the embedded backend injects (middleboxes, lame
# and refusing servers): the real backend leaves their faulty server out.
EMBEDDED_ONLY = frozenset(
    {
        "middlebox-large-udp",
        "middlebox-drop-do",
        "pre-nsec3-server",
        "lame-server",
        "refused-server",
    }
)
REAL_SCENARIOS = tuple(n for n in scenario_names() if n not in EMBEDDED_ONLY)
COMPARED = (
    "good-nsec",
    "good-nsec3",
    "good-nsec3-optout",
    "unsigned",
    "secondary-stale",
    "nsec3-high-iterations",
    "deprecated-algorithm",
)
"""Scenarios whose answers the two backends must give alike: every kind of denial, two
copies of one zone, and RSA keys (answers too big for 512 bytes)."""
CUT_SCENARIOS = tuple(SCENARIOS_CUTS)
"""Children on their parent's servers (lab.scenarios_cuts)."""
SEED = 11
REAL_BASE, EMBEDDED_BASE = labbases.REAL, labbases.EMBEDDED
"""The tests' own ranges: a developer's `lab up` may be running on 127.77 or 127.78."""
_WAIT = 30.0
"""Seconds to wait for another test run's real lab to go away."""
_TOOLS = {"named": "bind9", "unbound": "unbound", "delv": "bind9-dnsutils", "ip": "iproute2"}
_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"


def _require_tools() -> None:
    missing = [f"{b} ({p})" for b, p in _TOOLS.items() if not shutil.which(b, path=_PATH)]
    if missing:
        pytest.fail("differential tests need: " + ", ".join(missing) + "; run make debian-packages")
    if os.geteuid() != 0:
        pytest.fail("differential tests need root (port 53 and addresses on lo)")


# --- the labs --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lab:
    plan: LabPlan
    real: RealLab
    now: int


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    _require_tools()
    now = int(time.time())
    plan = build_lab(now, base=REAL_BASE, seed=SEED)
    embedded_only = {s.name for s in plan.scenarios if s.embedded_only}
    assert embedded_only == EMBEDDED_ONLY, "update EMBEDDED_ONLY from lab.scenarios"
    real = start_real(
        plan, tmp_path_factory.mktemp("diff-lab"), bind_resolver=False, wait_seconds=_WAIT
    )
    try:
        assert real.load_errors == (), real.load_errors
        # Only the faulty servers of embedded-only scenarios are left out.
        faulty = {s.address for s in plan.servers if s.faults}
        assert {s.address for s in real.skipped} <= faulty, real.skipped
        yield Lab(plan, real, now)
    finally:
        real.stop()


@pytest.fixture(scope="module")
def embedded(lab: Lab) -> Iterator[BackgroundLab]:
    """The same zones (same keys, same times) served by the embedded backend (EMBEDDED_BASE)."""
    with BackgroundLab(build_lab(lab.now, base=EMBEDDED_BASE, seed=SEED)) as running:
        yield running


def _info(plan: LabPlan, name: str) -> ScenarioInfo:
    (info,) = [s for s in plan.scenarios if s.name == name]
    return info


# --- the three verdicts ------------------------------------------------------------


def ours(lab: Lab, name: str, anchor_ds: tuple[str, ...] | None = None) -> Diagnosis:
    request = ProbeRequest(
        name=dns.name.from_text(name),
        root_hints=lab.plan.root_hints,
        trust_anchors=anchors_from_lines(anchor_ds or lab.plan.trust_anchor_ds),
        seed="differential",
        limits=Limits(query_timeout=1.0, retries=1, deadline=30),
    )
    capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
    return diagnose_capture(capture, lab.now)


def questions(info: ScenarioInfo) -> list[tuple[str, str]]:
    """What the resolvers are asked: what our status covers (docs/contract.md).

    Our status for NAME is the status of its zone (the chain down to the apex
    DNSKEY RRset) and of every default type at NAME; at the apex the SOA and
    DNSKEY questions make the zone's own status visible to the resolvers too.
    """
    name = info.query_name or info.zone
    types = [*DEFAULT_TYPES, *([info.query_type] if info.query_type else [])]
    if not info.query_name:
        types = ["SOA", "DNSKEY", *types]
    return [(name, t) for t in dict.fromkeys(types)]


def unbound_verdict(resolver: str, name: str, rtype: str) -> tuple[str, str]:
    """(verdict, evidence) from the validating Unbound: SERVFAIL bogus, AD secure, else insecure."""
    query = dns.message.make_query(name, rtype, want_dnssec=True, payload=1232)
    reply = dns.query.udp(query, resolver, timeout=10)
    if reply.flags & dns.flags.TC:
        reply = dns.query.tcp(query, resolver, timeout=10)
    rcode = dns.rcode.to_text(reply.rcode())
    ede = "; ".join(o.to_text() for o in reply.options if o.otype == dns.edns.EDE)
    evidence = f"{name} {rtype}: {rcode}{' AD' if reply.flags & dns.flags.AD else ''} {ede}"
    if rcode == "SERVFAIL":
        return "bogus", evidence
    if rcode not in ("NOERROR", "NXDOMAIN"):
        return f"error {rcode}", evidence
    return ("secure" if reply.flags & dns.flags.AD else "insecure"), evidence


def delv_verdict(resolver: str, anchor: Path, name: str, rtype: str) -> tuple[str, str]:
    """(verdict, evidence) from ``delv``: BIND's validator with the lab's root anchor."""
    argv = ["delv", f"@{resolver}", "-a", str(anchor), "+root=.", name, rtype]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    comments = [x for x in (proc.stdout + proc.stderr).splitlines() if x.startswith(";")]
    evidence = f"{name} {rtype}: " + " | ".join(c for c in comments if "RRSIG" not in c)[:400]
    # A validated negative answer prints "; negative response, fully validated"
    # and then "resolution failed: ncache ..."; the validation line decides.
    if any(c.endswith("fully validated") for c in comments):
        return "secure", evidence
    if any(c.endswith("unsigned answer") for c in comments):
        return "insecure", evidence
    if any("resolution failed" in c for c in comments):
        return "bogus", evidence
    return "unknown", evidence


def combine(verdicts: list[str]) -> str:
    """One status for a name from the per-question verdicts (RFC 4035 §4.3)."""
    if "bogus" in verdicts:
        return "bogus"
    if set(verdicts) in ({"secure"}, {"insecure"}):
        return verdicts[0]
    return "mixed " + "/".join(sorted(set(verdicts)))


# --- known, explained differences ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    lab: Lab
    info: ScenarioInfo
    asked_at: int
    """POSIX seconds just before the resolvers were asked (Unbound's clock)."""


@dataclass(frozen=True, slots=True)
class Known:
    scenario: str
    oracle: str
    """``unbound`` or ``delv``."""
    verdict: str
    """What that oracle says instead of our status, whenever ``applies``."""
    why: str
    applies: Callable[[Context], bool]


# Unbound's clock-skew allowance (unbound.conf val-sig-skew-min/max): a
# signature counts as valid from (inception - skew) to (expiration + skew),
# skew = 10 % of its lifetime clamped to [1 hour, 1 day].
UNBOUND_SKEW_MIN, UNBOUND_SKEW_MAX = 3600, 86400


def unbound_skew_accepts(ctx: Context) -> bool:
    """True when every RRSIG of the scenario's zone is valid for Unbound at ``asked_at``."""
    zone = ctx.info.zone
    texts = {z.text for s in ctx.lab.plan.servers for z in s.zones if z.origin == zone}
    sigs = [
        sig
        for text in texts
        for _, rdataset in dns.zone.from_text(
            text, origin=zone, relativize=False, check_origin=False
        ).iterate_rdatasets()
        if rdataset.rdtype == dns.rdatatype.RRSIG
        for sig in rdataset
    ]
    for sig in sigs:
        skew = (sig.expiration - sig.inception) // 10
        skew = min(max(skew, UNBOUND_SKEW_MIN), UNBOUND_SKEW_MAX)
        if not sig.inception - skew <= ctx.asked_at <= sig.expiration + skew:
            return False
    return bool(sigs)


KNOWN_DIFFERENCES: tuple[Known, ...] = (
    Known(
        "not-yet-valid",
        "unbound",
        "secure",
        # The scenario signs with inception = now + 1 day and a 30-day
        # lifetime: 10 % is 3 days, capped at 1 day, so from `now` on Unbound
        # treats the signatures as valid and sets AD. RFC 4035 §5.3.1 says the
        # validator's time must not be before the inception; BIND (delv) has
        # no skew allowance and we follow the RFC: bogus. We are right for a
        # validator with an exact clock; Unbound is lenient on purpose.
        "Unbound tolerates clock skew (val-sig-skew-max, 1 day)",
        unbound_skew_accepts,
    ),
)


def expected_verdict(ctx: Context, oracle: str, our_status: str) -> tuple[str, str]:
    """Our status, unless a known difference applies: then the verdict it predicts, and why."""
    for known in KNOWN_DIFFERENCES:
        if known.scenario == ctx.info.name and known.oracle == oracle and known.applies(ctx):
            return known.verdict, known.why
    return our_status, "no known difference applies"


# --- 1. status: ours vs delv vs Unbound ----------------------------------------------


@pytest.mark.parametrize("scenario", REAL_SCENARIOS)
def test_status_agrees_with_delv_and_unbound(lab: Lab, scenario: str) -> None:
    info = _info(lab.plan, scenario)
    diagnosis = ours(lab, info.query_name or info.zone)
    resolver = lab.real.resolver("validating").address.ip
    asked = questions(info)
    ctx = Context(lab, info, int(time.time()))
    unbound = [unbound_verdict(resolver, n, t) for n, t in asked]
    # delv goes through the validating Unbound with CD=1; Unbound still
    # validates what it fetched (and retries other servers on bogus data),
    # then delv validates the answer itself with the lab's root anchor.
    with ThreadPoolExecutor(max_workers=len(asked)) as pool:
        delv = list(
            pool.map(lambda q: delv_verdict(resolver, lab.real.bind_anchor_file, *q), asked)
        )
    got = {"unbound": combine([v for v, _ in unbound]), "delv": combine([v for v, _ in delv])}
    evidence = {"unbound": [e for _, e in unbound], "delv": [e for _, e in delv]}
    roots = sorted({f.code for f in diagnosis.root_causes()})
    unexplained = []
    for oracle, verdict in got.items():
        want, why = expected_verdict(ctx, oracle, diagnosis.status)
        if verdict != want:
            unexplained.append(
                f"{oracle} says {verdict}, expected {want} ({why}); we say {diagnosis.status}, "
                f"root causes {roots}; {oracle}: {evidence[oracle]}"
            )
    assert unexplained == []
    # The lab's own expectation, so that three tools agreeing on a wrong lab is caught.
    assert diagnosis.status == info.expected_status, (diagnosis.status, roots)


def test_known_differences_name_real_scenarios() -> None:
    for known in KNOWN_DIFFERENCES:
        assert known.scenario in REAL_SCENARIOS, known
        assert known.oracle in ("unbound", "delv"), known
        assert known.verdict in ("secure", "insecure", "bogus"), known


def test_stale_trust_anchor_is_bogus_for_all_three(lab: Lab, tmp_path: Path) -> None:
    """A validator whose root anchor names a key the root never had: nothing validates."""
    stale = tuple(lab.real.stale_anchor_file.read_text().split("\n")[:1])
    info = _info(lab.plan, "good-nsec")
    assert ours(lab, info.zone, stale).status == "bogus"
    resolver = lab.real.resolver("stale-anchor").address.ip
    assert unbound_verdict(resolver, info.zone, "SOA")[0] == "bogus"
    anchor = tmp_path / "stale.bind"
    anchor.write_text(bind_trust_anchors(stale))
    validating = lab.real.resolver("validating").address.ip
    assert delv_verdict(validating, anchor, info.zone, "SOA")[0] == "bogus"
    # The same zone with the right anchor is secure: the anchor is what differs.
    assert ours(lab, info.zone).status == "secure"


# --- 2. the embedded backend answers like BIND --------------------------------------

RRsetView = tuple[str, str, str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class AnswerView:
    """What must match between the backends (TTLs, signatures and addresses aside)."""

    rcode: str
    aa: bool
    tc: bool
    edns: int
    do: bool
    answer: tuple[RRsetView, ...]
    authority: tuple[RRsetView, ...]


def _rrset_view(rrset: dns.rrset.RRset, base: str) -> RRsetView:
    rdatas = []
    for rdata in rrset:
        words = rdata.to_text().split()
        if rrset.rdtype == dns.rdatatype.RRSIG:
            words = words[:8]  # everything but the signature bytes
        rdatas.append(" ".join(words).replace(f"{base}.", "<base>."))
    covers = dns.rdatatype.to_text(rrset.covers) if rrset.covers else ""
    name = rrset.name.to_text().lower()
    return (name, dns.rdatatype.to_text(rrset.rdtype), covers, tuple(sorted(rdatas)))


def answer_view(reply: dns.message.Message, base: str) -> AnswerView:
    return AnswerView(
        rcode=dns.rcode.to_text(reply.rcode()),
        aa=bool(reply.flags & dns.flags.AA),
        tc=bool(reply.flags & dns.flags.TC),
        edns=reply.edns,
        do=bool(reply.ednsflags & dns.flags.DO),
        answer=tuple(sorted(_rrset_view(r, base) for r in reply.answer)),
        authority=tuple(sorted(_rrset_view(r, base) for r in reply.authority)),
    )


@dataclass(frozen=True, slots=True)
class Question:
    server: str
    """The last two octets of the server's address (the same on both backends)."""
    name: str
    rtype: str
    payload: int = 1232
    tcp: bool = False
    rd: bool = False

    def ask(self, base: str) -> AnswerView:
        query = dns.message.make_query(
            self.name, self.rtype, want_dnssec=True, payload=self.payload
        )
        if not self.rd:
            query.flags &= ~dns.flags.RD  # what check sends: iterative queries
        where = f"{base}.{self.server}"
        send = dns.query.tcp if self.tcp else dns.query.udp
        return answer_view(send(query, where, timeout=5), base)


def zone_questions(plan: LabPlan, info: ScenarioInfo) -> list[Question]:
    """Positive, NODATA, NXDOMAIN, wildcard, DS, truncated and TCP questions, on every server."""
    z = info.zone
    own = [
        (z, "SOA"), (z, "NS"), (z, "DNSKEY"), (z, "TXT"), (z, "MX"), (z, "NSEC3PARAM"),
        (z, "NULL"), (z, "DS"), (f"www.{z}", "A"), (f"www.{z}", "AAAA"), (f"*.{z}", "A"),
        (f"nx-diff.{z}", "A"), (f"a.b.nx-diff.{z}", "TXT"), (f"mail.{z}", "MX"),
    ]  # fmt: skip
    if info.query_name:
        own.append((info.query_name, info.query_type or "A"))
    out: list[Question] = []
    for server in plan.servers:
        if any(s.origin == z for s in server.zones):
            where = server.address.ip.split(".", 2)[2]
            out += [Question(where, n, t) for n, t in own]
            out.append(Question(where, z, "DNSKEY", payload=512))  # too big: TC
            out.append(Question(where, z, "DNSKEY", tcp=True))
        if any(s.origin == "test." for s in server.zones):
            where = server.address.ip.split(".", 2)[2]
            out += [Question(where, n, t) for n, t in [(z, "DS"), (f"www.{z}", "A"), (z, "NS")]]
    return out


TREE_QUESTIONS = [
    *(Question("0.1", n, t) for n, t in [(".", "SOA"), (".", "NS"), (".", "DNSKEY"),
        ("test.", "DS"), ("www.good-nsec.test.", "A"), ("nx-diff.", "A"), (".", "NULL")]),
    *(Question("1.2", n, t) for n, t in [("test.", "SOA"), ("test.", "DNSKEY"),
        ("nx-diff.test.", "A"), ("test.", "NULL"), ("ns1.test.", "A"), ("test.", "DS")]),
]  # fmt: skip


def _without_apex_ns(view: AnswerView, question: Question) -> tuple[AnswerView, list[str]]:
    """BIND's view with what it adds and the embedded server does not (see below)."""
    # BIND 9.18's default `minimal-responses no-auth-recursive` puts the zone's
    # NS RRset (and its RRSIG) in the authority section of a positive answer
    # when the query has RD=0, as check's queries do; the embedded server
    # answers minimally, as BIND does for RD=1 (asserted in the test below).
    # Both are allowed (RFC 2181 §9 leaves the authority of a positive
    # answer optional), and the analysis never relies on it.
    if view.rcode != "NOERROR" or not view.answer or not view.aa or question.rd:
        return view, []
    apex = {name for name, rtype, _, _ in view.authority if rtype == "NS"}
    kept = tuple(r for r in view.authority if not (r[0] in apex and "NS" in (r[1], r[2])))
    dropped = [f"{r[0]} {r[1]} {r[2]}".strip() for r in view.authority if r not in kept]
    return replace(view, authority=kept), dropped


def _differences(questions: list[Question]) -> list[str]:
    bad = []
    for q in questions:
        real, embedded = q.ask(REAL_BASE), q.ask(EMBEDDED_BASE)
        if real.tc:
            # A truncated answer's sections are whatever fitted: only the header counts.
            real = replace(real, answer=(), authority=())
            embedded = replace(embedded, answer=(), authority=())
        real, _ = _without_apex_ns(real, q)
        if real != embedded:
            bad.append(f"{q}:\n    real     {real}\n    embedded {embedded}")
    return bad


@pytest.mark.parametrize("scenario", COMPARED)
def test_embedded_answers_like_bind(lab: Lab, embedded: BackgroundLab, scenario: str) -> None:
    questions = zone_questions(lab.plan, _info(lab.plan, scenario))
    assert len(questions) > 30
    assert _differences(questions) == []


def cut_questions(plan: LabPlan, info: ScenarioInfo) -> list[Question]:
    """What the walk asks a server that serves a parent and its child: NS at every label
    down to the name (probe.cuts), the child's apex and DS, and the name itself."""
    zone, name = dns.name.from_text(info.zone), dns.name.from_text(info.query_name)
    labels = [
        dns.name.Name(name.labels[-depth:]).to_text()
        for depth in range(len(zone.labels) + 1, len(name.labels) + 1)
    ]
    asked = [(label, t) for label in labels for t in ("NS", "SOA", "DS", "DNSKEY")]
    asked += [(info.query_name, t) for t in ("A", "AAAA", "TXT", "NULL")]
    return [
        Question(server.address.ip.split(".", 2)[2], n, t)
        for server in plan.servers
        if any(s.origin == info.zone for s in server.zones)
        for n, t in asked
    ]


@pytest.mark.parametrize("scenario", CUT_SCENARIOS)
def test_embedded_answers_for_children_like_bind(
    lab: Lab, embedded: BackgroundLab, scenario: str
) -> None:
    """A server that serves the parent and the child answers from the deepest zone it
    serves, the DS from the parent (RFC 4035 §3.1.4.1): both backends alike."""
    questions = cut_questions(lab.plan, _info(lab.plan, scenario))
    assert len(questions) >= 2 * 12
    assert _differences(questions) == []


def test_embedded_tree_answers_like_bind(lab: Lab, embedded: BackgroundLab) -> None:
    assert _differences(TREE_QUESTIONS) == []


def test_the_one_known_difference_is_binds_minimal_responses_policy(
    lab: Lab, embedded: BackgroundLab
) -> None:
    """With RD=0 BIND adds the apex NS RRset to positive answers; with RD=1 it does not."""
    zone = "good-nsec.test."
    iterative = Question("10.1", zone, "SOA")
    real = iterative.ask(REAL_BASE)
    _, dropped = _without_apex_ns(real, iterative)
    assert dropped == [f"{zone} NS", f"{zone} RRSIG NS"]
    assert iterative.ask(EMBEDDED_BASE).authority == ()
    recursive = Question("10.1", zone, "SOA", rd=True)
    assert recursive.ask(REAL_BASE).authority == ()
    assert recursive.ask(REAL_BASE) == recursive.ask(EMBEDDED_BASE)


def test_truncation_is_among_the_compared_answers(lab: Lab, embedded: BackgroundLab) -> None:
    """The 512-byte questions do truncate (RSA DNSKEY RRset), on both backends alike."""
    info = _info(lab.plan, "deprecated-algorithm")
    small = [q for q in zone_questions(lab.plan, info) if q.payload == 512]
    assert small
    for q in small:
        assert q.ask(REAL_BASE).tc and q.ask(EMBEDDED_BASE).tc, q
        over_tcp = replace(q, payload=1232, tcp=True).ask(REAL_BASE)
        assert {r[1] for r in over_tcp.answer} == {"DNSKEY", "RRSIG"}, over_tcp
