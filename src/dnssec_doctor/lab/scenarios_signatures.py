"""Scenarios broken in their signatures: times, missing or damaged RRSIGs, unpublished
signing keys, and a mistyped owner name."""

from __future__ import annotations

import dns.name
from dns.rdatatype import RdataType

from dnssec_doctor.lab.scenarios_env import DAY, HOUR, ScenarioBuild, ScenarioEnv
from dnssec_doctor.lab.signer import (
    SigningPlan,
    corrupt_signatures,
    sign_zone,
)


def expired_signatures(env: ScenarioEnv) -> ScenarioBuild:
    """Every signature expired three days ago: the re-signing job stopped.

    Three days, not one: validators tolerate up to a day of clock skew (Unbound's
    val-sig-skew-max), and the fault must show in every validator.
    """
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    plan = SigningPlan.standard(ksk, zsk, *env.window(-33 * DAY, -3 * DAY))
    text = env.signed(env.builder().build(), plan)
    info = env.info(
        "Every RRSIG expired three days before the lab was built (the re-signing job stopped).",
        "bogus",
        ("RRSIG_EXPIRED",),
        forbidden=("RRSIG_EXPIRES_SOON", "RRSIG_CRYPTO_INVALID"),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def not_yet_valid(env: ScenarioEnv) -> ScenarioBuild:
    """Every signature starts three days after the build time: the signer's clock is ahead.

    Beyond the day of clock skew validators tolerate (Unbound's val-sig-skew-max).
    """
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    plan = SigningPlan.standard(ksk, zsk, *env.window(3 * DAY, 33 * DAY))
    text = env.signed(env.builder().build(), plan)
    info = env.info(
        "Every RRSIG has its inception three days after the lab was built (signer clock ahead).",
        "bogus",
        ("RRSIG_NOT_YET_VALID",),
        forbidden=("RRSIG_EXPIRED", "RRSIG_CRYPTO_INVALID"),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def expires_within_day(env: ScenarioEnv) -> ScenarioBuild:
    """Valid now, but every signature expires 6 hours after the build time."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    plan = SigningPlan.standard(ksk, zsk, *env.window(-29 * DAY, 6 * HOUR))
    text = env.signed(env.builder().build(), plan)
    info = env.info(
        "The signatures are valid but expire 6 hours after the lab was built.",
        "secure",
        ("RRSIG_EXPIRES_SOON",),
        forbidden=("RRSIG_EXPIRED",),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def ttl_outlives_signature(env: ScenarioEnv) -> ScenarioBuild:
    """TTLs of 10 days on signatures with 9 days left: caches keep data past expiry.

    Nine days, not fewer: beyond ``check``'s 7-day --expiry-warning, so the TTL is the
    only thing wrong (no RRSIG_EXPIRES_SOON beside it).
    """
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    content = env.builder(ttl=10 * DAY, expire=4 * DAY).build()
    plan = SigningPlan.standard(ksk, zsk, *env.window(-25 * DAY, 9 * DAY))
    text = env.signed(content, plan)
    info = env.info(
        "Records have a 10-day TTL but their signatures expire 9 days after the lab was "
        "built, so caches may keep them after the signatures expire.",
        "secure",
        ("RRSIG_TTL_OUTLIVES_SIGNATURE",),
        forbidden=("RRSIG_EXPIRED", "RRSIG_EXPIRES_SOON"),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def zsk_removed_early(env: ScenarioEnv) -> ScenarioBuild:
    """The data is still signed by the old ZSK, which is no longer published."""
    ksk, old, new = env.key("ksk", ksk=True), env.key("zsk-old"), env.key("zsk-new")
    plan = SigningPlan((ksk, new), (ksk,), (old,), *env.window())
    text = env.signed(env.builder().build(), plan)
    info = env.info(
        f"The DNSKEY RRset holds KSK {ksk.key_tag} and the new ZSK {new.key_tag}, but the "
        f"data is signed by the old ZSK {old.key_tag}, already removed.",
        "bogus",
        ("RRSIG_KEY_NOT_FOUND",),
        forbidden=("RRSIG_CRYPTO_INVALID",),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def corrupted_signature(env: ScenarioEnv) -> ScenarioBuild:
    """The RRSIG over ``www A`` has damaged signature bytes."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    signed = sign_zone(env.builder().build(), SigningPlan.standard(ksk, zsk, *env.window()))
    www = dns.name.from_text(f"www.{env.zone}")
    text = env.text(corrupt_signatures(signed, www, RdataType.A))
    info = env.info(
        "The RRSIG over www A does not verify (its signature bytes were altered).",
        "bogus",
        ("RRSIG_CRYPTO_INVALID",),
        forbidden=("RRSIG_KEY_NOT_FOUND", "RRSIG_EXPIRED"),
        query="www",
        query_type="A",
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def unsigned_rrset(env: ScenarioEnv) -> ScenarioBuild:
    """``www A`` has no RRSIG, as after a dynamic update without the ZSK online."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    www = dns.name.from_text(f"www.{env.zone}")
    plan = SigningPlan(
        (ksk, zsk),
        (ksk,),
        (zsk,),
        *env.window(),
        unsigned=frozenset({(www, RdataType.A)}),
    )
    text = env.signed(env.builder().build(), plan)
    info = env.info(
        "The www A RRset has no RRSIG (added by a dynamic update without the ZSK).",
        "bogus",
        ("RRSIG_MISSING",),
        forbidden=("SECONDARY_SERVES_UNSIGNED", "DNSSEC_RECORDS_NOT_RETURNED"),
        query="www",
        query_type="A",
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def mistyped_owner(env: ScenarioEnv) -> ScenarioBuild:
    """``www.<zone>`` written without its trailing dot became ``www.<zone>.<zone>``."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    relative = env.zone.rstrip(".")
    content = (
        env.builder(www=False)
        .add(f"www.{relative}", 3600, "A", "192.0.2.80")
        .add(f"www.{relative}", 3600, "AAAA", "2001:db8::80")
        .build()
    )
    text = env.signed(content, SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info(
        f"The zone file wrote 'www.{relative}' without a trailing dot, so the records "
        f"sit at www.{relative}.{env.zone} and www.{env.zone} does not exist.",
        "secure",
        ("OWNER_NAME_SUSPICIOUS",),
        query="www",
        query_type="A",
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))
