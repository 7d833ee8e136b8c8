"""Scenarios broken in the keys: DS ↔ DNSKEY mismatches, algorithms, DS digests, CDS."""

from __future__ import annotations

from dns.dnssectypes import Algorithm

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.lab.scenarios_env import TTL, ScenarioBuild, ScenarioEnv
from dnssec_doctor.lab.signer import SigningPlan


def ds_no_matching_key(env: ScenarioEnv) -> ScenarioBuild:
    """The KSK was rolled but the parent still has the DS of the old one."""
    old, ksk, zsk = env.key("ksk-old", ksk=True), env.key("ksk", ksk=True), env.key("zsk")
    text = env.signed(env.builder().build(), SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info(
        f"The parent's DS names key {old.key_tag}, a KSK rolled out of the zone; the zone "
        f"now uses KSK {ksk.key_tag}, for which no DS was uploaded.",
        "bogus",
        ("DS_NO_MATCHING_DNSKEY",),
        forbidden=("DS_KEY_NOT_SIGNING_DNSKEY", "SIGNED_ZONE_WITHOUT_DS"),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(old),))


def ds_key_not_signing(env: ScenarioEnv) -> ScenarioBuild:
    """The DS names a published KSK that does not sign the DNSKEY RRset."""
    named, signing = env.key("ksk-named", ksk=True), env.key("ksk-signing", ksk=True)
    zsk = env.key("zsk")
    plan = SigningPlan((named, signing, zsk), (signing,), (zsk,), *env.window())
    text = env.signed(env.builder().build(), plan)
    info = env.info(
        f"The parent's DS names KSK {named.key_tag}, which is published but does not sign "
        f"the DNSKEY RRset; only KSK {signing.key_tag} (no DS) does.",
        "bogus",
        # The stage of the roll explains the mistake: the DS was switched to a
        # pre-published KSK before that key signed the DNSKEY RRset.
        ("DS_KEY_NOT_SIGNING_DNSKEY", "ROLLOVER_IN_PROGRESS"),
        forbidden=("DS_NO_MATCHING_DNSKEY",),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(named),))


def deprecated_algorithm(env: ScenarioEnv) -> ScenarioBuild:
    """Signed with RSASHA1 (algorithm 5), which must no longer be used for signing."""
    ksk = env.key("ksk", ksk=True, algorithm=Algorithm.RSASHA1)
    zsk = env.key("zsk", algorithm=Algorithm.RSASHA1)
    text = env.signed(env.builder().build(), SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info(
        "The zone is signed only with RSASHA1 (algorithm 5, 2048-bit keys), deprecated "
        "for signing; validators increasingly treat it as insecure.",
        "secure",
        ("ALGORITHM_SIGNING_PROHIBITED",),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def algorithm_without_signatures(env: ScenarioEnv) -> ScenarioBuild:
    """An Ed25519 key is published, but nothing is signed with algorithm 15."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    extra = env.key("zsk-ed25519", algorithm=Algorithm.ED25519)
    plan = SigningPlan((ksk, zsk, extra), (ksk,), (zsk,), *env.window())
    text = env.signed(env.builder().build(), plan)
    info = env.info(
        f"The DNSKEY RRset holds an ED25519 key ({extra.key_tag}, algorithm 15) but no "
        "RRset carries an algorithm-15 signature (algorithm roll started in the wrong "
        "order).",
        "secure",
        # The algorithm roll (a fact, INFO) is what was started in the wrong order.
        ("RRSIG_MISSING_FOR_ALGORITHM", "ROLLOVER_IN_PROGRESS"),
        forbidden=("RRSIG_KEY_NOT_FOUND",),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def sha1_only_ds(env: ScenarioEnv) -> ScenarioBuild:
    """The parent holds only a SHA-1 (digest type 1) DS."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    text = env.signed(env.builder().build(), SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info(
        f"The only DS at the parent for KSK {ksk.key_tag} uses SHA-1 (digest type 1).",
        "secure",
        ("DS_DIGEST_SHA1_ONLY",),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk, "SHA1"),))


def cds_mismatch(env: ScenarioEnv) -> ScenarioBuild:
    """CDS and CDNSKEY announce a KSK that is neither published nor signing."""
    ksk, zsk, future = env.key("ksk", ksk=True), env.key("zsk"), env.key("ksk-next", ksk=True)
    cds = dnspython_dnssec.make_cds(env.origin, future.dnskey, "SHA256")
    cdnskey = dnspython_dnssec.make_cdnskey(
        future.private.public_key(), future.dnskey.algorithm, flags=future.dnskey.flags
    )
    builder = env.builder()
    builder.add_rdata(env.origin, TTL, cds)
    builder.add_rdata(env.origin, TTL, cdnskey)
    text = env.signed(builder.build(), SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info(
        f"CDS and CDNSKEY ask the parent to switch to KSK {future.key_tag}, which is not "
        "in the DNSKEY RRset; a parent acting on them would break the zone.",
        "secure",
        ("CDS_POINTS_TO_MISSING_KEY",),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))
