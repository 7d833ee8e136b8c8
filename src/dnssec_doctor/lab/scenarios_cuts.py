"""Zone cuts that no referral shows: children served by their parent's own servers.

One provider often hosts ``example.com`` and ``sub.example.com`` on the same
servers; asked about a name in the child, those servers answer from the child
at once and never refer to it (RFC 1034 §4.3.2 step 2 picks the deepest zone
they serve). A checker that only follows referrals takes the child's data for
the parent's. Each scenario puts a child ``<label>.<zone>`` on the scenario's
own servers (``ns1``/``ns2``, or only ``ns1``) and checks a name inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import dns.name
import dns.rdtypes.ANY.DS

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.lab.keys import LabKey
from dnssec_doctor.lab.nsec3chain import NSEC3Params
from dnssec_doctor.lab.plan import LabServer, ScenarioInfo, ServedZone
from dnssec_doctor.lab.scenarios_env import (
    DAY,
    TTL,
    Builder,
    Delegation,
    ScenarioBuild,
    ScenarioEnv,
)
from dnssec_doctor.lab.signer import SigningPlan
from dnssec_doctor.lab.zonebuild import ZoneBuilder


def child_same_servers(env: ScenarioEnv) -> ScenarioBuild:
    """A signed child with its DS at the parent, on the parent's two servers."""
    child = _Child(env, "sub")
    parent = _signed_parent(env, [child.delegation(child.ds())])
    info = env.info(
        f"The signed child {child.zone} (DS at the parent) is served by the parent's own "
        "servers, which answer for it directly: no referral shows the zone cut. Nothing "
        "is wrong.",
        "secure",
        query="www.sub",
    )
    return _build(env, info, parent, {1: [child.signed()], 2: [child.signed()]})


def child_same_servers_optout(env: ScenarioEnv) -> ScenarioBuild:
    """An unsigned child under an NSEC3 opt-out span, on the parent's servers."""
    child = _Child(env, "insecure")
    parent = _signed_parent(env, [child.delegation()], denial=NSEC3Params(opt_out=True))
    info = env.info(
        f"The unsigned child {child.zone} has no DS; the parent's NSEC3 opt-out span "
        "proves that, and its servers serve the child too (no referral). Names in the "
        "child are insecure, not bogus.",
        "insecure",
        query="www.insecure",
    )
    return _build(env, info, parent, {1: [child.unsigned()], 2: [child.unsigned()]})


def child_same_servers_wrong_ds(env: ScenarioEnv) -> ScenarioBuild:
    """The parent's DS names a key the child (on the same servers) does not have."""
    child = _Child(env, "sub")
    old = env.key("sub/ksk-old", ksk=True)
    parent = _signed_parent(env, [child.delegation(child.ds(old))])
    info = env.info(
        f"The parent's DS for {child.zone} names key {old.key_tag}, rolled out of the "
        f"child, which now uses KSK {child.ksk.key_tag}; parent and child share servers, "
        "so no referral shows the cut.",
        "bogus",
        ("DS_NO_MATCHING_DNSKEY",),
        query="www.sub",
    )
    return _build(env, info, parent, {1: [child.signed()], 2: [child.signed()]})


def empty_non_terminal_cut(env: ScenarioEnv) -> ScenarioBuild:
    """An empty non-terminal (``ent``) between the parent and a child on its servers."""
    child = _Child(env, "sub.ent")
    parent = _signed_parent(env, [child.delegation(child.ds())])
    info = env.info(
        f"On the way to the signed child {child.zone} lies the empty non-terminal "
        f"ent.{env.zone}, which is not a zone cut; parent and child share servers. "
        "Nothing is wrong.",
        "secure",
        query="www.sub.ent",
    )
    return _build(env, info, parent, {1: [child.signed()], 2: [child.signed()]})


def cname_into_sibling(env: ScenarioEnv) -> ScenarioBuild:
    """A name in one child is a CNAME into a signed sibling child; all on the same servers."""
    alias, target = _Child(env, "alias"), _Child(env, "target")
    alias_extra = ((f"www.{alias.zone}", "CNAME", f"www.{target.zone}"),)
    delegations = [alias.delegation(alias.ds()), target.delegation(target.ds())]
    parent = _signed_parent(env, delegations)
    zones = [alias.signed(alias_extra), target.signed()]
    info = env.info(
        f"www.{alias.zone} is a CNAME to www.{target.zone}; both children are signed, "
        "have their DS in the parent and are served by the parent's servers (no "
        "referral). Nothing is wrong.",
        "secure",
        query="www.alias",
    )
    return _build(env, info, parent, {1: zones, 2: list(zones)})


def cname_into_expired_sibling(env: ScenarioEnv) -> ScenarioBuild:
    """As ``cname_into_sibling``, but the target's zone stopped being re-signed."""
    alias, target = _Child(env, "alias"), _Child(env, "target")
    alias_extra = ((f"www.{alias.zone}", "CNAME", f"www.{target.zone}"),)
    delegations = [alias.delegation(alias.ds()), target.delegation(target.ds())]
    parent = _signed_parent(env, delegations)
    zones = [alias.signed(alias_extra), target.signed(window=env.window(-33 * DAY, -3 * DAY))]
    info = env.info(
        f"www.{alias.zone} is a CNAME to www.{target.zone}; every signature of "
        f"{target.zone} expired three days ago, so the answer for the alias is bogus "
        "although the CNAME itself validates. All zones share the parent's servers.",
        "bogus",
        ("RRSIG_EXPIRED",),
        query="www.alias",
    )
    return _build(env, info, parent, {1: zones, 2: list(zones)})


def dname_into_sibling(env: ScenarioEnv) -> ScenarioBuild:
    """A DNAME in the parent maps ``moved.<zone>`` onto a signed child on the same servers."""
    target = _Child(env, "target")
    parent = _signed_parent(
        env,
        [target.delegation(target.ds())],
        extra=((f"moved.{env.zone}", "DNAME", target.zone),),
    )
    info = env.info(
        f"moved.{env.zone} is a DNAME for {target.zone}, a signed child (DS at the "
        f"parent) on the parent's servers: www.moved.{env.zone} is answered with the "
        "signed DNAME, an unsigned synthesised CNAME (RFC 6672) and the child's signed "
        "data. Nothing is wrong.",
        "secure",
        query="www.moved",
    )
    return _build(env, info, parent, {1: [target.signed()], 2: [target.signed()]})


def child_subset_servers(env: ScenarioEnv) -> ScenarioBuild:
    """A signed child served by ns1 only: ns1 answers for it, ns2 refers to ns1."""
    child = _Child(env, "sub", hosts=(env.host(1),))
    parent = _signed_parent(env, [child.delegation(child.ds())])
    info = env.info(
        f"The signed child {child.zone} is delegated to {env.host(1)} only: that server "
        "answers for it directly, the parent's other server refers to it. Nothing is "
        "wrong.",
        "secure",
        query="www.sub",
    )
    return _build(env, info, parent, {1: [child.signed()]})


class _Child:
    """A child zone ``<label>.<zone>`` with its own keys, served by the parent's hosts."""

    def __init__(self, env: ScenarioEnv, label: str, hosts: tuple[str, ...] = ()) -> None:
        self.env = env
        self.label = label
        self.zone = f"{label}.{env.zone}"
        self.hosts = hosts or (env.host(1), env.host(2))
        self.ksk = env.key(f"{label}/ksk", ksk=True)
        self.zsk = env.key(f"{label}/zsk")

    def content(self, extra: tuple[tuple[str, str, str], ...] = ()) -> ZoneBuilder:
        b = ZoneBuilder(self.zone)
        soa = f"{self.hosts[0]} hostmaster.{self.zone} {self.env.serial()} 7200 3600 1209600 300"
        b.add("@", TTL, "SOA", soa)
        b.add("@", TTL, "NS", *self.hosts)
        b.add("@", TTL, "TXT", f'"dnssec-doctor lab child {self.zone}"')
        if not any(owner == f"www.{self.zone}" for owner, _, _ in extra):
            b.add("www", TTL, "A", "192.0.2.82")
            b.add("www", TTL, "AAAA", "2001:db8::82")
        for owner, rdtype, rdata in extra:
            b.add(owner, TTL, rdtype, rdata)
        return b

    def signed(
        self, extra: tuple[tuple[str, str, str], ...] = (), window: tuple[int, int] | None = None
    ) -> ServedZone:
        plan = SigningPlan.standard(self.ksk, self.zsk, *(window or self.env.window()))
        return ServedZone(self.zone, self.env.signed(self.content(extra).build(), plan))

    def unsigned(self) -> ServedZone:
        return ServedZone(self.zone, self.env.text(self.content().build(), "unsigned child"))

    def ds(self, key: LabKey | None = None) -> dns.rdtypes.ANY.DS.DS:
        """The DS of ``key`` (default: the child's KSK) at the child's name."""
        return dnspython_dnssec.make_ds(
            dns.name.from_text(self.zone), (key or self.ksk).dnskey, "SHA256"
        )

    def delegation(self, *ds: dns.rdtypes.ANY.DS.DS) -> Delegation:
        """What the parent publishes: NS at the shared hosts (their glue is the parent's)."""
        return Delegation(self.zone, tuple((h, "") for h in self.hosts), ds)


@dataclass(frozen=True, slots=True)
class _Parent:
    """The scenario's zone as served, and the KSK its DS in ``test.`` names."""

    zone: ServedZone
    ksk: LabKey


def _signed_parent(
    env: ScenarioEnv,
    children: list[Delegation],
    denial: str | NSEC3Params = "nsec",
    extra: tuple[tuple[str, str, str], ...] = (),
) -> _Parent:
    """The scenario's zone, signed, delegating to ``children`` (NS at the parent's hosts)."""
    b = env.builder()
    for owner, rdtype, rdata in extra:
        b.add(owner, TTL, rdtype, rdata)
    for child in children:
        b.add(child.child, TTL, "NS", *(host for host, _ in child.ns))
        for ds in child.ds:
            b.add_rdata(b.name(child.child), TTL, ds)
    ksk, zsk = env.key("ksk", ksk=True), env.key("zsk")
    plan = SigningPlan.standard(ksk, zsk, *env.window(), denial=denial)
    return _Parent(ServedZone(env.zone, env.signed(b.build(), plan)), ksk)


def _build(
    env: ScenarioEnv,
    info: ScenarioInfo,
    parent: _Parent,
    children: Mapping[int, list[ServedZone]],
) -> ScenarioBuild:
    """Servers 1 and 2 serve the parent, each with its children; test. delegates the parent."""
    servers = tuple(
        LabServer(
            env.host(n),
            ServerAddress(env.address(n)),
            (parent.zone, *children.get(n, [])),
        )
        for n in (1, 2)
    )
    ns = ((env.host(1), env.address(1)), (env.host(2), env.address(2)))
    return ScenarioBuild(info, servers, Delegation(env.zone, ns, (env.ds(parent.ksk),)))


SCENARIOS: dict[str, Builder] = {
    "good-child-same-servers": child_same_servers,
    "good-optout-child-same-servers": child_same_servers_optout,
    "child-wrong-ds-same-servers": child_same_servers_wrong_ds,
    "good-ent-above-child": empty_non_terminal_cut,
    "good-cname-into-sibling": cname_into_sibling,
    "good-child-subset-servers": child_subset_servers,
    "cname-into-expired-sibling": cname_into_expired_sibling,
    "good-dname-into-sibling": dname_into_sibling,
}
"""The zone-cut scenarios, in address order (after those of ``lab.scenarios``)."""
