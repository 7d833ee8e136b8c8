"""Scenarios where servers differ: stale or unsigned secondaries, middleboxes, lame and
refusing servers, and the NSEC3 parameter and migration cases.

Server 2 is the faulty one wherever a single server is at fault. The expected
status is then the one validators reach by retrying the good server ("secure"):
the single-server faults are ERROR findings naming that server, not a bogus name.
"""

from __future__ import annotations

from dns.dnssectypes import Algorithm

from dnssec_doctor.lab.nsec3chain import NSEC3Params
from dnssec_doctor.lab.scenarios_env import DAY, ScenarioBuild, ScenarioEnv
from dnssec_doctor.lab.signer import SigningPlan, sign_zone


def secondary_unsigned_same_serial(env: ScenarioEnv) -> ScenarioBuild:
    """Server 2 loads the unsigned file; both show the same SOA serial."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    content = env.builder().build()
    signed = env.signed(content, SigningPlan.standard(ksk, zsk, *env.window()))
    plain = env.text(content, "unsigned copy")
    info = env.info(
        f"{env.address(2)} serves the unsigned zone with the same SOA serial as the signed "
        f"copy on {env.address(1)} (signed without a serial increment, so the secondary "
        "never transferred it). Resolvers that reach it get unsigned, bogus answers and "
        "retry elsewhere.",
        "secure",
        ("SOA_SERIAL_NOT_INCREMENTED",),
        consequences=(
            ("SECONDARY_SERVES_UNSIGNED", "SOA_SERIAL_NOT_INCREMENTED"),
            ("RRSIG_MISSING", "SOA_SERIAL_NOT_INCREMENTED"),
            ("NEGATIVE_PROOF_MISSING", "SOA_SERIAL_NOT_INCREMENTED"),
        ),
        forbidden=("DNSSEC_RECORDS_NOT_RETURNED", "SOA_SERIAL_DIVERGENT"),
        faulty=(2,),
    )
    return env.build(info, {1: signed, 2: plain}, (env.ds(ksk),))


def secondary_old_copy_same_serial(env: ScenarioEnv) -> ScenarioBuild:
    """Server 2 serves last week's signed copy under today's serial: the zone was changed
    and re-signed (new ZSK, a new name) without a serial increment, so it never transferred."""
    ksk, old, new = env.key("ksk", ksk=True), env.key("zsk-old"), env.key("zsk")
    current = env.signed(
        env.builder().add("api", 3600, "A", "192.0.2.81").build(),
        SigningPlan.standard(ksk, new, *env.window()),
    )
    old_copy = env.text(
        sign_zone(
            env.builder().build(), SigningPlan.standard(ksk, old, *env.window(-8 * DAY, 22 * DAY))
        ),
        "old copy, same serial",
    )
    info = env.info(
        f"{env.address(2)} serves an older signed copy under the same SOA serial as "
        f"{env.address(1)}: the DNSKEY RRset with the previous ZSK {old.key_tag} instead of "
        f"{new.key_tag}, and an NSEC chain without api. The zone was changed and re-signed "
        "without a serial increment, so the secondary never transferred it.",
        "secure",
        ("SOA_SERIAL_NOT_INCREMENTED",),
        faulty=(2,),
        consequences=(("DNSKEY_MISSING_ON_SOME_SERVERS", "SOA_SERIAL_NOT_INCREMENTED"),),
        forbidden=("SOA_SERIAL_DIVERGENT", "DNSSEC_RECORDS_NOT_RETURNED", "RRSIG_KEY_NOT_FOUND"),
    )
    return env.build(info, {1: current, 2: old_copy}, (env.ds(ksk),))


def secondary_unsigned_keys_same_serial(env: ScenarioEnv) -> ScenarioBuild:
    """Server 2 loads the unsigned file that already holds the keys ($INCLUDE K*.key before
    dnssec-signzone): a DNSKEY RRset but no RRSIG, NSEC3 or NSEC3PARAM, same serial."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    content = env.builder().build()
    plan = SigningPlan.standard(ksk, zsk, *env.window(), denial=NSEC3Params())
    signed = env.signed(content, plan)
    with_keys = env.builder()
    for key in (ksk, zsk):
        with_keys.add_rdata(env.origin, 3600, key.dnskey)
    plain = env.text(with_keys.build(), "unsigned copy with the keys")
    info = env.info(
        f"{env.address(2)} serves the unsigned zone file, which already holds the DNSKEY "
        f"records, under the serial of the NSEC3-signed copy on {env.address(1)}: no RRSIG, "
        "no NSEC3 and no NSEC3PARAM. Only the missing NSEC3PARAM tells it from a proxy that "
        "strips signatures.",
        "secure",
        ("SOA_SERIAL_NOT_INCREMENTED",),
        faulty=(2,),
        consequences=(
            ("DNSSEC_RECORDS_NOT_RETURNED", "SOA_SERIAL_NOT_INCREMENTED"),
            ("RRSIG_MISSING", "SOA_SERIAL_NOT_INCREMENTED"),
            ("NEGATIVE_PROOF_MISSING", "SOA_SERIAL_NOT_INCREMENTED"),
        ),
        forbidden=("SOA_SERIAL_DIVERGENT", "SECONDARY_SERVES_UNSIGNED"),
    )
    return env.build(info, {1: signed, 2: plain}, (env.ds(ksk),))


def secondary_stale(env: ScenarioEnv) -> ScenarioBuild:
    """Server 2 stopped transferring a week ago: older serial, the ZSK before a roll."""
    ksk, old, new = env.key("ksk", ksk=True), env.key("zsk-old"), env.key("zsk")
    current = env.signed(env.builder().build(), SigningPlan.standard(ksk, new, *env.window()))
    stale_plan = SigningPlan.standard(ksk, old, *env.window(-8 * DAY, 22 * DAY))
    stale = env.text(
        sign_zone(env.builder(serial=env.serial(days_ago=7)).build(), stale_plan), "stale copy"
    )
    info = env.info(
        f"{env.address(2)} serves a copy a week old (older SOA serial, DNSKEY set with the "
        f"previous ZSK {old.key_tag} instead of {new.key_tag}).",
        "secure",
        ("SOA_SERIAL_DIVERGENT",),
        consequences=(
            ("DNSKEY_MISSING_ON_SOME_SERVERS", "SOA_SERIAL_DIVERGENT"),
            ("DNSSEC_DATA_INCONSISTENT", "SOA_SERIAL_DIVERGENT"),
        ),
        forbidden=("SOA_SERIAL_NOT_INCREMENTED", "RRSIG_KEY_NOT_FOUND"),
        faulty=(2,),
    )
    return env.build(info, {1: current, 2: stale}, (env.ds(ksk),))


def middlebox_large_udp(env: ScenarioEnv) -> ScenarioBuild:
    """RSA-2048 keys make DNSKEY answers ~1 KB; a firewall before server 2 drops them."""
    ksk = env.key("ksk", ksk=True, algorithm=Algorithm.RSASHA256)
    zsk = env.key("zsk", algorithm=Algorithm.RSASHA256)
    text = env.signed(env.builder().build(), SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info(
        f"Answers over 512 bytes from {env.address(2)} never arrive over UDP and TCP is "
        "blocked (an old firewall); the RSA-2048 DNSKEY answer is about 1 KB.",
        "secure",
        ("LARGE_UDP_RESPONSE_LOST",),
        consequences=(("AUTH_TCP_UNREACHABLE", "LARGE_UDP_RESPONSE_LOST"),),
        forbidden=("AUTH_UDP_UNREACHABLE",),
        faulty=(2,),
        embedded_only=True,
    )
    faults = {2: ("drop-udp-over-512",)}
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),), faults=faults)


def middlebox_drop_do(env: ScenarioEnv) -> ScenarioBuild:
    """A DNSSEC-unaware middlebox before server 2 drops every query with DO=1."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    text = env.signed(env.builder().build(), SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info(
        f"Queries with the DO bit to {env.address(2)} time out; plain queries work (a "
        "'DNS inspection' middlebox).",
        "secure",
        ("EDNS_QUERIES_DROPPED",),
        forbidden=("AUTH_UDP_UNREACHABLE",),
        faulty=(2,),
        embedded_only=True,
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),), faults={2: ("drop-do",)})


def pre_nsec3_server(env: ScenarioEnv) -> ScenarioBuild:
    """An NSEC3 zone; server 2 answers negatives with the SOA only."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    plan = SigningPlan.standard(ksk, zsk, *env.window(), denial=NSEC3Params())
    text = env.signed(env.builder().build(), plan)
    info = env.info(
        f"{env.address(2)} answers NXDOMAIN and NODATA without NSEC3 records (server "
        "software that predates NSEC3).",
        "secure",
        ("NEGATIVE_PROOF_MISSING",),
        forbidden=("NSEC_NSEC3_MIXED", "DNSSEC_RECORDS_NOT_RETURNED"),
        faulty=(2,),
        embedded_only=True,
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),), faults={2: ("strip-denial",)})


def nsec3_high_iterations(env: ScenarioEnv) -> ScenarioBuild:
    """NSEC3 with 150 extra iterations and an 8-byte salt (RFC 9276 says 0 and none)."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    params = NSEC3Params(iterations=150, salt=bytes.fromhex("a1b2c3d4e5f60718"))
    plan = SigningPlan.standard(ksk, zsk, *env.window(), denial=params)
    text = env.signed(env.builder().build(), plan)
    info = env.info(
        "NSEC3 with 150 extra iterations and salt a1b2c3d4e5f60718; RFC 9276 asks for 0 "
        "and no salt, and resolvers cap iterations.",
        "secure",
        ("NSEC3_PARAMS_NOT_RFC9276",),
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),))


def nsec3_migration_half_done(env: ScenarioEnv) -> ScenarioBuild:
    """Server 1 still serves the NSEC copy, server 2 the new NSEC3 copy."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    nsec = env.signed(
        env.builder(serial=env.serial(days_ago=1)).build(),
        SigningPlan.standard(ksk, zsk, *env.window(-DAY - 3600, 29 * DAY)),
    )
    nsec3 = env.signed(
        env.builder().build(),
        SigningPlan.standard(ksk, zsk, *env.window(), denial=NSEC3Params()),
    )
    info = env.info(
        f"{env.address(1)} answers with NSEC (yesterday's copy), {env.address(2)} with "
        "NSEC3: the NSEC to NSEC3 migration reached only some servers.",
        "secure",
        ("SOA_SERIAL_DIVERGENT",),
        faulty=(1,),
        consequences=(("NSEC_NSEC3_MIXED", "SOA_SERIAL_DIVERGENT"),),
        forbidden=("NEGATIVE_PROOF_MISSING", "SOA_SERIAL_NOT_INCREMENTED"),
    )
    return env.build(info, {1: nsec, 2: nsec3}, (env.ds(ksk),))


def lame_server(env: ScenarioEnv) -> ScenarioBuild:
    """Server 2 never answers."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    text = env.signed(env.builder().build(), SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info(
        f"{env.address(2)} is in the delegation but never answers.",
        "secure",
        ("AUTH_UDP_UNREACHABLE",),
        forbidden=("RRSIG_MISSING", "LAME_OR_NOT_AUTHORITATIVE"),
        faulty=(2,),
        embedded_only=True,
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),), faults={2: ("timeout",)})


def refused_server(env: ScenarioEnv) -> ScenarioBuild:
    """Server 2 answers every query with REFUSED (the zone is not configured there)."""
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    text = env.signed(env.builder().build(), SigningPlan.standard(ksk, zsk, *env.window()))
    info = env.info(
        f"{env.address(2)} is in the delegation but answers REFUSED (the zone is not "
        "loaded there).",
        "secure",
        ("LAME_OR_NOT_AUTHORITATIVE",),
        forbidden=("AUTH_UDP_UNREACHABLE",),
        faulty=(2,),
        embedded_only=True,
    )
    return env.build(info, {1: text, 2: text}, (env.ds(ksk),), faults={2: ("refused",)})
