"""What a live check says of records a correct rollover serves before (or after) its keys.

A double-DS KSK rollover puts the new DS at the parent before the new key is published
(RFC 7583 §3.3.3); an algorithm rollover signs with the new algorithm before publishing
its keys and keeps the old algorithm's signatures a TTL after removing them (RFC 6781
§4.1.4). Next to a DS or a signature that validates, those are notices. The faults the
same codes exist for keep their severity: a DS of an algorithm no DNSKEY has, a signature
by a missing key of a published algorithm, and a signature nothing else backs up.

The fake wire serves the lab's good-nsec.test. (ECDSA P-256, algorithm 13) and adds
records to its answers, signed with the lab's own seeded keys.
"""

from __future__ import annotations

from collections.abc import Callable

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
from dns.dnssectypes import Algorithm

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.lab.keys import KeyFactory, LabKey
from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.signer import SigningPlan, sign_rrset
from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.severity import Severity
from servers_wire import LAB_NOW, Answer, Fault, Transport, by_code, check, lab_plan

ZONE = dns.name.from_text("good-nsec.test.")
TLD = dns.name.from_text("test.")
FACTORY = KeyFactory(7)  # the lab's seed: the same keys as the plan's
VALIDITY = (LAB_NOW - 3600, LAB_NOW + 30 * 86400)


def _signing(signer: LabKey) -> SigningPlan:
    return SigningPlan.standard(signer, signer, *VALIDITY)


def _extra_ds(key: LabKey) -> Fault:
    """The parent's DS answer for the zone with a DS for ``key`` added, re-signed."""

    def fault(query: dns.message.Message, transport: Transport, normal: Answer) -> bytes | None:
        wire = normal(query)
        if wire is None or query.question[0].rdtype != dns.rdatatype.DS:
            return wire
        reply = dns.message.from_wire(wire)
        ds = [r for r in reply.answer if r.rdtype == dns.rdatatype.DS]
        if not ds:
            return wire
        grown = dns.rrset.RRset(ds[0].name, ds[0].rdclass, dns.rdatatype.DS)
        for rdata in (*ds[0], dnspython_dnssec.make_ds(ZONE, key.dnskey, "SHA256")):
            grown.add(rdata, ds[0].ttl)
        tld_zsk = FACTORY.make("test/zsk")
        reply.answer = [grown, sign_rrset(grown, (tld_zsk,), TLD, _signing(tld_zsk))]
        return reply.to_wire()

    return fault


def _signed_also_by(key: LabKey, *, only: bool = False) -> Fault:
    """The zone's answers to queries other than DNSKEY, each data RRset of the answer
    signed by ``key`` too (or ``only`` by it)."""

    def fault(query: dns.message.Message, transport: Transport, normal: Answer) -> bytes | None:
        wire = normal(query)
        if wire is None or query.question[0].rdtype == dns.rdatatype.DNSKEY:
            return wire
        reply = dns.message.from_wire(wire)
        data = [r for r in reply.answer if r.rdtype != dns.rdatatype.RRSIG and r.name == ZONE]
        if not data:
            return wire
        extra = {r.rdtype: sign_rrset(r, (key,), ZONE, _signing(key)) for r in data if r.ttl > 0}
        answer: list[dns.rrset.RRset] = []
        for r in reply.answer:
            if r.rdtype == dns.rdatatype.RRSIG and r.covers in extra:
                sigs = extra.pop(r.covers)
                for rdata in () if only else r:
                    sigs.add(rdata, r.ttl)
                answer.append(sigs)
            else:
                answer.append(r)
        reply.answer = answer
        return reply.to_wire()

    return fault


def _zone_servers(plan: LabPlan) -> list[str]:
    return [str(s.address) for s in plan.servers if s.hostname.endswith(".good-nsec.test.")]


def _tld_servers(plan: LabPlan) -> list[str]:
    return [str(s.address) for s in plan.servers if s.hostname in ("ns1.test.", "ns2.test.")]


def _diagnose(where: Callable[[LabPlan], list[str]], fault: Fault) -> Diagnosis:
    plan = lab_plan(["good-nsec"])
    diagnosis, _ = check(plan, "good-nsec", dict.fromkeys(where(plan), fault))
    return diagnosis


def _only(diagnosis: Diagnosis, code: str) -> Finding:
    (finding,) = by_code(diagnosis, code)
    return finding


def _worst(diagnosis: Diagnosis) -> Severity:
    return max((f.severity for f in diagnosis.findings), default=Severity.INFO)


def test_a_ds_pre_published_for_a_double_ds_roll_is_a_notice() -> None:
    # Catches the false alarm the double-DS stage raised: a DS for the next KSK (same
    # algorithm, not published yet) taken for a leftover and warned about.
    next_ksk = FACTORY.make("good-nsec/next-ksk", ksk=True)
    diagnosis = _diagnose(_tld_servers, _extra_ds(next_ksk))
    assert diagnosis.status == "secure"
    stale = _only(diagnosis, "DS_STALE_EXTRA")
    assert stale.severity is Severity.NOTICE
    assert f"DS record(s) {next_ksk.key_tag}/alg 13/" in stale.detail
    assert "pre-published for a rollover, or left over from one" in stale.detail
    assert "no longer publishes" not in stale.detail
    assert _worst(diagnosis) < Severity.WARNING


def test_a_ds_of_an_algorithm_no_dnskey_has_stays_a_warning() -> None:
    # Catches a rule that lets every extra DS through: no correct rollover puts a DS of
    # an algorithm at the parent before that algorithm's keys are published.
    other = FACTORY.make("good-nsec/ed25519-ksk", ksk=True, algorithm=Algorithm.ED25519)
    diagnosis = _diagnose(_tld_servers, _extra_ds(other))
    assert diagnosis.status == "secure"
    stale = _only(diagnosis, "DS_STALE_EXTRA")
    assert stale.severity is Severity.WARNING
    assert f"DS record(s) {other.key_tag}/alg 15/" in stale.detail


def test_signatures_of_an_algorithm_not_published_next_to_valid_ones_are_a_notice() -> None:
    # Catches the false alarm of an algorithm roll's first and last stages: signatures of
    # the new (or old) algorithm whose keys are not in the DNSKEY RRset, next to valid ones.
    new = FACTORY.make("good-nsec/ed25519-zsk", algorithm=Algorithm.ED25519)
    diagnosis = _diagnose(_zone_servers, _signed_also_by(new))
    assert diagnosis.status == "secure"
    unknown = _only(diagnosis, "RRSIG_KEY_NOT_FOUND")
    assert unknown.severity is Severity.NOTICE
    assert f"algorithm(s) 15 (key tag(s) {new.key_tag})" in unknown.detail
    assert "Validators ignore them" in unknown.detail
    assert _worst(diagnosis) < Severity.WARNING


def test_a_missing_key_of_a_published_algorithm_next_to_a_valid_signature_is_a_warning() -> None:
    # Catches a rule keyed on "another signature validates" alone: a ZSK of the zone's own
    # algorithm removed while its signatures are served is the warning it always was.
    gone = FACTORY.make("good-nsec/removed-zsk")
    diagnosis = _diagnose(_zone_servers, _signed_also_by(gone))
    assert diagnosis.status == "secure"
    unknown = _only(diagnosis, "RRSIG_KEY_NOT_FOUND")
    assert unknown.severity is Severity.WARNING
    assert f"Key tag(s) {gone.key_tag} are not in the DNSKEY RRset" in unknown.detail


def test_signatures_of_an_unpublished_algorithm_alone_are_an_error() -> None:
    # Catches a rule keyed on the algorithm alone: data signed only by a key nobody
    # published cannot validate, whatever its algorithm.
    new = FACTORY.make("good-nsec/ed25519-zsk", algorithm=Algorithm.ED25519)
    diagnosis = _diagnose(_zone_servers, _signed_also_by(new, only=True))
    assert diagnosis.status == "bogus"
    unknown = _only(diagnosis, "RRSIG_KEY_NOT_FOUND")
    assert unknown.severity is Severity.ERROR
    assert "Validators ignore them" not in unknown.detail
