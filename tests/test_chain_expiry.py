"""The earliest expiry on the chain counts the parent's signature over the DS.

A DS RRset is parent data (RFC 4035 §2.4): when the TLD's RRSIG over a child's DS
expires, the child's chain breaks even though every signature of the TLD's own apex
is still valid. The fake wire re-signs the DS answer of ``test.`` with a shorter
validity, with the TLD's own (seeded) ZSK, so that signature validates.
"""

from __future__ import annotations

import dns.message
import dns.rdatatype

from dnssec_doctor.lab.keys import KeyFactory
from dnssec_doctor.lab.signer import SigningPlan, sign_rrset
from servers_wire import LAB_NOW, Answer, Transport, check, lab_plan

DS_EXPIRY = LAB_NOW + 3 * 86400
"""The re-signed DS RRSIG's expiration: before anything else in the lab (30 days)."""


def short_ds_signature(
    query: dns.message.Message, transport: Transport, normal: Answer
) -> bytes | None:
    wire = normal(query)
    if wire is None or query.question[0].rdtype != dns.rdatatype.DS:
        return wire
    reply = dns.message.from_wire(wire)
    factory = KeyFactory(7)  # the lab's seed: the same keys as the plan's
    zsk, ksk = factory.make("test/zsk"), factory.make("test/ksk", ksk=True)
    plan = SigningPlan.standard(ksk, zsk, LAB_NOW - 3600, DS_EXPIRY)
    ds = [r for r in reply.answer if r.rdtype == dns.rdatatype.DS]
    assert ds, reply
    reply.answer = [ds[0], sign_rrset(ds[0], (zsk,), dns.name.from_text("test."), plan)]
    return reply.to_wire()


def test_the_parents_signature_over_the_ds_counts() -> None:
    plan = lab_plan(["good-nsec"])
    tld_servers = [str(s.address) for s in plan.servers if s.hostname in ("ns1.test.", "ns2.test.")]
    diagnosis, _ = check(plan, "good-nsec", dict.fromkeys(tld_servers, short_ds_signature))
    assert diagnosis.status == "secure"  # the re-signed DS validates
    until = {z.name: z.valid_until for z in diagnosis.zones}
    assert until == {
        ".": LAB_NOW + 30 * 86400,
        "test.": DS_EXPIRY,
        "good-nsec.test.": LAB_NOW + 30 * 86400,
    }
    assert diagnosis.valid_until == DS_EXPIRY
