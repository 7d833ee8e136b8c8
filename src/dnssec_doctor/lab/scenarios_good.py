"""Scenarios that are correct: secure zones (NSEC, NSEC3, mid-rollover, opt-out) and
insecure ones (unsigned, island of security)."""

from __future__ import annotations

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.lab.nsec3chain import NSEC3Params
from dnssec_doctor.lab.plan import LabServer, ServedZone
from dnssec_doctor.lab.scenarios_env import TTL, ScenarioBuild, ScenarioEnv
from dnssec_doctor.lab.signer import SigningPlan
from dnssec_doctor.lab.zonebuild import ZoneBuilder


def good_nsec(env: ScenarioEnv) -> ScenarioBuild:
    """KSK + ZSK (ECDSA P-256), NSEC, DS at the parent: the reference secure zone."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    content = env.builder().add("host.sub", TTL, "A", "192.0.2.10").build()
    text = env.signed(content, SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info("A correctly signed zone with NSEC (KSK + ZSK, ECDSA P-256).", "secure")
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def good_nsec3(env: ScenarioEnv) -> ScenarioBuild:
    """NSEC3 with RFC 9276 parameters (no extra iterations, no salt)."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    content = env.builder().add("host.sub", TTL, "A", "192.0.2.10").build()
    plan = SigningPlan.standard(ksk, zsk, *env.window(), denial=NSEC3Params())
    text = env.signed(content, plan)
    info = env.info(
        "A correctly signed zone with NSEC3 (0 extra iterations, empty salt, no opt-out).",
        "secure",
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def good_zsk_prepublish(env: ScenarioEnv) -> ScenarioBuild:
    """Mid ZSK rollover, pre-publish method (RFC 6781 §4.1.1.1): a second ZSK is
    published but signs nothing yet."""
    ksk, zsk, next_zsk = env.key("ksk", ksk=True), env.key("zsk"), env.key("zsk-next")
    plan = SigningPlan((ksk, zsk, next_zsk), (ksk,), (zsk,), *env.window())
    text = env.signed(env.builder().build(), plan)
    info = env.info(
        f"A ZSK rollover in its pre-publish stage: ZSK {next_zsk.key_tag} is published "
        f"next to the active ZSK {zsk.key_tag} and signs nothing yet. Nothing is wrong.",
        "secure",
        ("ROLLOVER_IN_PROGRESS",),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def good_nsec3_optout(env: ScenarioEnv) -> ScenarioBuild:
    """NSEC3 opt-out with an unsigned child ``insecure.<zone>`` on a third server."""
    child = f"insecure.{env.zone}"
    child_ns = f"ns.{child}"
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    content = (
        env.builder()
        .add("insecure", TTL, "NS", child_ns)
        .add(child_ns, TTL, "A", env.address(3))
        .build()
    )
    plan = SigningPlan.standard(ksk, zsk, *env.window(), denial=NSEC3Params(opt_out=True))
    text = env.signed(content, plan)
    child_text = _unsigned_child(env, child, child_ns)
    third = LabServer(
        hostname=child_ns,
        address=ServerAddress(env.address(3)),
        zones=(ServedZone(child, child_text),),
    )
    info = env.info(
        f"A signed NSEC3 opt-out zone delegating to the unsigned child {child}; the "
        "opt-out NSEC3 proves the child has no DS, so names in it are insecure.",
        "insecure",
        query="www.insecure",
        query_type="A",
        forbidden=("NEGATIVE_PROOF_MISSING", "NSEC3_PROOF_INVALID", "RRSIG_MISSING"),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),), extra_servers=(third,))


def _unsigned_child(env: ScenarioEnv, child: str, child_ns: str) -> str:
    b = ZoneBuilder(child)
    b.add("@", TTL, "SOA", f"{child_ns} hostmaster.{child} {env.serial()} 7200 3600 1209600 300")
    b.add("@", TTL, "NS", child_ns)
    b.add(child_ns, TTL, "A", env.address(3))
    b.add("www", TTL, "A", "192.0.2.81")
    return env.text(b.build(), "unsigned child")


def unsigned(env: ScenarioEnv) -> ScenarioBuild:
    """No DNSSEC at all: no keys, no DS; the parent proves the DS absent."""
    text = env.text(env.builder().build())
    info = env.info(
        "An unsigned zone; the parent proves there is no DS.",
        "insecure",
        forbidden=("RRSIG_MISSING", "SIGNED_ZONE_WITHOUT_DS", "NEGATIVE_PROOF_MISSING"),
    )
    return env.build(info, {1: text, 2: text}, ())


def island_of_security(env: ScenarioEnv) -> ScenarioBuild:
    """Signed, but the parent has no DS: validators cannot reach the keys."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    text = env.signed(env.builder().build(), SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info(
        f"The zone is signed (KSK {ksk.key_tag}) but the parent has no DS for it: an "
        "island of security, never validated (no AD bit).",
        "insecure",
        ("SIGNED_ZONE_WITHOUT_DS",),
        forbidden=("DS_NO_MATCHING_DNSKEY",),
    )
    return env.build(info, {1: text, 2: text}, ())
