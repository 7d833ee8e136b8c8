"""The lab's scenarios and ``build_lab``: a signed root, the TLD ``test.`` and one
delegated zone per scenario, each reproducing one failure of the NIST guide.

Addresses (``base`` is ``127.77`` for the embedded lab, ``127.78`` for the
real-server lab): root servers ``<base>.0.1-2``, ``test.`` on ``<base>.1.1-2``,
scenario number *i* (in ``SCENARIOS`` order) on ``<base>.<10+i>.1-3``, port 53.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence

import dns.name

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab import scenarios_cuts as cuts
from dnssec_doctor.lab import scenarios_good as good
from dnssec_doctor.lab import scenarios_keys as keys
from dnssec_doctor.lab import scenarios_servers as servers
from dnssec_doctor.lab import scenarios_signatures as sigs
from dnssec_doctor.lab.anchors import STALE_ROOT_DS
from dnssec_doctor.lab.keys import KeyFactory, LabKey
from dnssec_doctor.lab.loopback import is_lab_space
from dnssec_doctor.lab.plan import LabPlan, LabServer, ServedZone
from dnssec_doctor.lab.scenarios_env import (
    DAY,
    HOUR,
    TLD,
    TTL,
    Builder,
    Delegation,
    ScenarioBuild,
    ScenarioEnv,
    date_serial,
)
from dnssec_doctor.lab.signer import SigningPlan, sign_zone
from dnssec_doctor.lab.zonebuild import ZoneBuilder

SCENARIOS: dict[str, Builder] = {
    "good-nsec": good.good_nsec,
    "good-nsec3": good.good_nsec3,
    "good-zsk-prepublish": good.good_zsk_prepublish,
    "good-nsec3-optout": good.good_nsec3_optout,
    "unsigned": good.unsigned,
    "island-of-security": good.island_of_security,
    "expired-signatures": sigs.expired_signatures,
    "not-yet-valid": sigs.not_yet_valid,
    "expires-within-day": sigs.expires_within_day,
    "ttl-outlives-signature": sigs.ttl_outlives_signature,
    "ds-no-matching-key": keys.ds_no_matching_key,
    "ds-key-not-signing": keys.ds_key_not_signing,
    "zsk-removed-early": sigs.zsk_removed_early,
    "corrupted-signature": sigs.corrupted_signature,
    "unsigned-rrset": sigs.unsigned_rrset,
    "mistyped-owner": sigs.mistyped_owner,
    "secondary-unsigned-same-serial": servers.secondary_unsigned_same_serial,
    "secondary-stale": servers.secondary_stale,
    "middlebox-large-udp": servers.middlebox_large_udp,
    "middlebox-drop-do": servers.middlebox_drop_do,
    "pre-nsec3-server": servers.pre_nsec3_server,
    "nsec3-high-iterations": servers.nsec3_high_iterations,
    "nsec3-migration-half-done": servers.nsec3_migration_half_done,
    "deprecated-algorithm": keys.deprecated_algorithm,
    "algorithm-without-signatures": keys.algorithm_without_signatures,
    "sha1-only-ds": keys.sha1_only_ds,
    "lame-server": servers.lame_server,
    "refused-server": servers.refused_server,
    "cds-mismatch": keys.cds_mismatch,
    "secondary-old-copy-same-serial": servers.secondary_old_copy_same_serial,
    "secondary-unsigned-keys-same-serial": servers.secondary_unsigned_keys_same_serial,
    **cuts.SCENARIOS,
}
"""Scenario name → builder; the order fixes each scenario's addresses."""

FIRST_SCENARIO_OCTET = 10
ROOT_HOSTS = ("a.root-servers.test.", "b.root-servers.test.")
TLD_HOSTS = ("ns1.test.", "ns2.test.")


def scenario_names() -> tuple[str, ...]:
    """Every scenario, in address order."""
    return tuple(SCENARIOS)


def build_lab(
    now: int,
    *,
    base: str = "127.77",
    seed: int | None = None,
    names: Sequence[str] | None = None,
    builders: Mapping[str, Builder] | None = None,
) -> LabPlan:
    """Generate keys and sign every zone of the lab; signature times are relative to ``now``.

    ``names`` selects scenarios (default: all), kept in ``SCENARIOS`` order; the
    root and ``test.`` are always built, delegating only to the selected ones.
    ``seed`` derives the keys from it, making the whole plan reproducible; without
    it keys are random and everything else is still a function of ``now``. ``builders``
    replace scenarios' builders by name (a stage of a rollover in ``lab.rollovers``,
    served at the scenario's addresses and zone). Raises
    DoctorError for an
    unknown scenario or a ``base`` that is not two octets inside 127.0.0.0/8.
    """
    _check_base(base)
    chosen = _choose(names)
    factory = KeyFactory(seed)
    order = scenario_names()
    chosen_builders = {**SCENARIOS, **(builders or {})}
    builds = [
        chosen_builders[name](
            ScenarioEnv(name, FIRST_SCENARIO_OCTET + order.index(name), base, now, factory)
        )
        for name in chosen
    ]
    tld_ksk, tld_zsk = factory.make("test/ksk", ksk=True), factory.make("test/zsk")
    root_ksk, root_zsk = factory.make("root/ksk", ksk=True), factory.make("root/zsk")
    window = (now - HOUR, now + 30 * DAY)
    tld_text = _tld_zone(base, now, builds, SigningPlan.standard(tld_ksk, tld_zsk, *window))
    tld_ds = dnspython_dnssec.make_ds(TLD, tld_ksk.dnskey, "SHA256")
    tld_delegation = Delegation(TLD, _tld_ns(base), (tld_ds,))
    root_plan = SigningPlan.standard(root_ksk, root_zsk, *window)
    root_text = _root_zone(base, now, tld_delegation, root_plan)
    root_ds = dnspython_dnssec.make_ds(dns.name.root, root_ksk.dnskey, "SHA256")
    tree = (
        *_servers(ROOT_HOSTS, base, 0, ".", root_text),
        *_servers(TLD_HOSTS, base, 1, TLD, tld_text),
    )
    return LabPlan(
        servers=(*tree, *(s for b in builds for s in b.servers)),
        root_hints=tuple(ServerAddress(f"{base}.0.{n}") for n in (1, 2)),
        trust_anchor_ds=(f". {TTL} IN DS {root_ds.to_text()}",),
        trust_anchor_dnskey=(f". {TTL} IN DNSKEY {root_ksk.dnskey.to_text()}",),
        scenarios=tuple(b.info for b in builds),
        built_at=now,
        extra={STALE_ROOT_DS: _stale_root_ds(factory, root_ksk)},
    )


def _check_base(base: str) -> None:
    parts = base.split(".")
    try:
        ip = ipaddress.IPv4Address(f"{base}.0.1") if len(parts) == 2 else None
    except ValueError:
        ip = None
    if ip is None or not is_lab_space(ip):
        raise DoctorError(
            f"lab address base {base!r} must be two octets inside 127.0.0.0/8, "
            "not 127.0 (the machine's own loopback services listen there)"
        )


def _choose(names: Sequence[str] | None) -> list[str]:
    if names is None:
        return list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise DoctorError(
            f"unknown lab scenario {unknown[0]!r}; known: {', '.join(scenario_names())}"
        )
    wanted = set(names)
    return [n for n in SCENARIOS if n in wanted]


def _tld_ns(base: str) -> tuple[tuple[str, str], ...]:
    return tuple((host, f"{base}.1.{n}") for n, host in enumerate(TLD_HOSTS, start=1))


def _servers(
    hosts: tuple[str, ...], base: str, octet: int, origin: str, text: str
) -> list[LabServer]:
    return [
        LabServer(host, ServerAddress(f"{base}.{octet}.{n}"), (ServedZone(origin, text),))
        for n, host in enumerate(hosts, start=1)
    ]


def _delegate(builder: ZoneBuilder, delegation: Delegation) -> None:
    child = delegation.child
    builder.add(child, TTL, "NS", *(host for host, _ in delegation.ns))
    for host, address in delegation.ns:
        builder.add(host, TTL, "A", address)
    for ds in delegation.ds:
        builder.add_rdata(builder.name(child), TTL, ds)


def _tld_zone(base: str, now: int, builds: list[ScenarioBuild], plan: SigningPlan) -> str:
    b = ZoneBuilder(TLD)
    b.add("@", TTL, "SOA", f"ns1 hostmaster {date_serial(now)} 7200 3600 1209600 300")
    b.add("@", TTL, "NS", *TLD_HOSTS)
    for host, address in _tld_ns(base):
        b.add(host, TTL, "A", address)
    for n, host in enumerate(ROOT_HOSTS, start=1):
        b.add(host, TTL, "A", f"{base}.0.{n}")
    for build in builds:
        _delegate(b, build.delegation)
    return sign_zone(b.build(), plan).to_text("dnssec-doctor lab TLD test.")


def _root_zone(base: str, now: int, tld: Delegation, plan: SigningPlan) -> str:
    b = ZoneBuilder(dns.name.root)
    soa = f"{ROOT_HOSTS[0]} hostmaster.test. {date_serial(now)} 1800 900 604800 300"
    b.add("@", TTL, "SOA", soa)
    b.add("@", TTL, "NS", *ROOT_HOSTS)
    for n, host in enumerate(ROOT_HOSTS, start=1):
        b.add(host, TTL, "A", f"{base}.0.{n}")  # glue below test.
    _delegate(b, tld)
    return sign_zone(b.build(), plan).to_text("dnssec-doctor lab root zone")


def _stale_root_ds(factory: KeyFactory, root_ksk: LabKey) -> str:
    """The DS of a root KSK 'rolled away long ago': a stale trust anchor."""
    attempt = 0
    while True:
        old = factory.make(f"root/ksk-retired-{attempt}", ksk=True)
        if old.key_tag != root_ksk.key_tag:
            ds = dnspython_dnssec.make_ds(dns.name.root, old.dnskey, "SHA256")
            return f". {TTL} IN DS {ds.to_text()}"
        attempt += 1
