"""The delegation walk: from the root hints down to the zone that holds the name.

At every zone cut each server of the parent is asked (in parallel), so the
survey holds each parent server's referral: NS names, glue and, later, DS.
Loops, upward referrals, huge NS sets and dead servers end in walk events,
never in a hang: every step is bounded by ``Limits``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import dns.name
import dns.rdatatype

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.classify import Kind, classify, referral_owner
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.model.survey import NameServer, QueryKey, WalkEvent, ZoneCut
from dnssec_doctor.names import name_of
from dnssec_doctor.probe.cuts import (
    LABEL_SERVERS,
    CutSighting,
    labels_to_ask,
    nearest_cut,
    sighting,
)
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.probe.resolve import AddressResolver
from dnssec_doctor.transport.client import Client

WALK_VARIANT = "walk"
_BAD_REFERRALS = (Kind.REFERRAL, Kind.UPWARD_REFERRAL)
"""A referral that shows no cut on the way (sideways or upward)."""


class DelegationWalk:
    """Finds the chain of zone cuts from the root to the zone holding a name."""

    def __init__(
        self,
        client: Client,
        request: ProbeRequest,
        resolver: AddressResolver,
        on_cut: Callable[[ZoneCut], None] | None = None,
        known: list[ZoneCut] | None = None,
    ) -> None:
        self._client = client
        self._request = request
        self._resolver = resolver
        # Called with each cut (its servers known) as the walk starts asking them, so
        # collection can start on them at once and a dead server's timeouts overlap.
        self._on_cut = on_cut
        self.events: list[WalkEvent] = []
        self._known = known or []
        """Cuts already walked (root first) that enclose the name: the walk starts below
        them, as a resolver starts from the closest cut in its cache (RFC 1034 §5.3.3)."""
        self._apex_addresses: dict[str, list[str]] = {}
        """NS name → addresses from the additional section of a zone's own NS answer."""

    async def run(self) -> list[ZoneCut]:
        """The zone cuts, root first; the last one holds the name."""
        request = self._request
        target = request.name
        override_zone: dns.name.Name | None = None
        if request.ns_override:
            override_zone = await self._zone_of_override()
            if override_zone is not None:
                target = override_zone
        root = ZoneCut(".", None, servers=[NameServer("", list(request.root_hints), "hints")])
        cuts = list(self._known) or [root]
        for _ in range(request.limits.max_referrals):
            cut = cuts[-1]
            if override_zone is not None and cut.zone == override_zone.to_text():
                break
            if self._on_cut is not None:
                self._on_cut(cut)
            child = await self._step(cut, target)
            if child is None:
                break
            if any(c.zone == child.zone for c in cuts):
                self.events.append(
                    WalkEvent(
                        "LAME_OR_NOT_AUTHORITATIVE",
                        cut.zone,
                        "walk_referral_loop",
                        {"zone": cut.zone, "child": child.zone},
                        subject=child.zone,
                    )
                )
                break
            if not child.servers:
                await self._find_addresses(child, cut)
            cuts.append(child)
        else:
            self.events.append(
                WalkEvent(
                    "ANALYSIS_BUDGET_EXCEEDED",
                    cuts[-1].zone,
                    "walk_referrals",
                    {"limit": request.limits.max_referrals},
                )
            )
        if override_zone is not None:
            self._apply_override(cuts, override_zone)
        return cuts

    async def _step(self, cut: ZoneCut, target: dns.name.Name) -> ZoneCut | None:
        """Ask the servers of ``cut`` NS at every label down to the target (RFC 9156 §3),
        all at once; the nearest cut their answers show (``probe.cuts``), if any.

        The target goes to every server (each one's referral is evidence); the labels
        above it to a few. A cut shows as a referral, or, when the servers serve the
        child too, as the child's own NS or SOA in an authoritative answer.
        """
        zone = name_of(cut.zone)
        servers = cut.server_addresses()
        asks = [
            (server, label)
            for label in labels_to_ask(zone, target)
            for server in (servers if label == target else servers[:LABEL_SERVERS])
        ]
        specs = [QuerySpec(label.to_text(), "NS") for _, label in asks]
        exchanges = await asyncio.gather(
            *(self._client.query(s, spec) for (s, _), spec in zip(asks, specs, strict=True))
        )
        sightings: list[CutSighting] = []
        for (server, label), spec, exchange in zip(asks, specs, exchanges, strict=True):
            key = QueryKey("child", str(server), spec.qname, spec.qtype, WALK_VARIANT)
            cut.queries[key] = exchange
            seen = sighting(exchange, zone, label)
            if seen is not None:
                sightings.append(seen)
            elif label == target and classify(exchange, zone) in _BAD_REFERRALS:
                msg = exchange.message()
                self._event_bad_referral(cut, exchange, referral_owner(msg) if msg else None)
        child_name = nearest_cut(sightings)
        if child_name is None:
            return None
        child = ZoneCut(child_name.to_text(), cut.zone, parent_servers=list(servers))
        for seen in sightings:
            if seen.owner != child_name or not seen.ns:
                continue
            side = child.ns_from_parent if seen.how == "referral" else child.ns_from_apex
            side[seen.server] = sorted({*side.get(seen.server, []), *seen.ns})
            known = child.glue if seen.how == "referral" else self._apex_addresses
            for host, addrs in seen.addresses.items():
                merged = known.setdefault(host, [])
                merged.extend(a for a in addrs if a not in merged)
        if not child.ns_from_parent and not child.ns_from_apex:
            # Only a SOA showed the zone: its servers are the ones that answered for it.
            answered = {seen.server for seen in sightings if seen.owner == child_name}
            child.servers = [
                NameServer(ns.hostname, [a for a in ns.addresses if str(a) in answered], "parent")
                for ns in cut.servers
                if any(str(a) in answered for a in ns.addresses)
            ]
        return child

    def _event_bad_referral(
        self, cut: ZoneCut, exchange: Exchange, owner: dns.name.Name | None
    ) -> None:
        where = owner.to_text() if owner is not None else "nowhere"
        self.events.append(
            WalkEvent(
                "LAME_OR_NOT_AUTHORITATIVE",
                cut.zone,
                "walk_wrong_referral",
                {"server": exchange.server, "zone": cut.zone, "target": where},
                servers=(exchange.server,),
                subject=f"referral:{exchange.server}",
            )
        )

    async def _find_addresses(self, cut: ZoneCut, parent: ZoneCut) -> None:
        """Turn the NS names into servers with addresses: glue, the addresses the zone's
        own NS answer carried, the parent's servers of that name, else iteration."""
        # Names with glue first: they cost no lookup (a hostile NS set lists hundreds of
        # glueless names ahead of the real servers).
        sides = (cut.ns_from_parent, cut.ns_from_apex)
        listed = sorted(
            {n for side in sides for ns in side.values() for n in ns},
            key=lambda h: (not cut.glue.get(h), h),
        )
        known = {ns.hostname: ns.addresses for ns in parent.servers if ns.addresses}
        limit = self._request.limits.max_ns_per_zone
        names = listed[:limit]

        unusable: list[WalkEvent] = []

        async def one(host: str) -> NameServer:
            glue = cut.glue.get(host)
            if glue:
                return NameServer(host, [ServerAddress.parse(a) for a in glue], "glue")
            own = self._apex_addresses.get(host)
            if own:
                return NameServer(host, [ServerAddress.parse(a) for a in own], "resolved")
            if host in known:
                return NameServer(host, list(known[host]), "parent")
            addresses = await self._resolver.resolve(host)
            if not addresses and host not in self._resolver.not_looked_up:
                unusable.append(
                    WalkEvent(
                        "NS_NAME_UNUSABLE",
                        cut.zone,
                        "walk_no_address",
                        {
                            "host": host,
                            "zone": cut.zone,
                            "reason": self._resolver.problems.get(
                                host, "no glue, and no A/AAAA record could be found for it"
                            ),
                        },
                        servers=tuple(cut.ns_from_parent or cut.ns_from_apex),
                        subject=host,
                    )
                )
            return NameServer(host, addresses, "resolved" if addresses else "none")

        cut.servers = list(await asyncio.gather(*(one(h) for h in names)))
        self.events.extend(_grouped(cut, sorted(unusable, key=lambda e: e.subject)))
        skipped = [h for h in names if h in self._resolver.not_looked_up]
        if len(listed) > limit or skipped:
            self.events.append(_fan_out_event(cut, listed, names, skipped, limit))

    async def _zone_of_override(self) -> dns.name.Name | None:
        """The apex of the zone the ``--ns`` servers serve for the name (owner of their SOA)."""
        spec = QuerySpec(self._request.name.to_text(), "SOA")
        for server in self._request.ns_override:
            msg = (await self._client.query(server, spec)).message()
            if msg is None:
                continue
            for rrset in (*msg.answer, *msg.authority):
                if rrset.rdtype == dns.rdatatype.SOA and self._request.name.is_subdomain(
                    rrset.name
                ):
                    owner: dns.name.Name = rrset.name
                    return owner
        self.events.append(
            WalkEvent(
                "LAME_OR_NOT_AUTHORITATIVE",
                self._request.name.to_text(),
                "walk_no_override_zone",
                servers=tuple(str(s) for s in self._request.ns_override),
            )
        )
        return None

    def _apply_override(self, cuts: list[ZoneCut], zone: dns.name.Name) -> None:
        servers = [NameServer(str(a), [a], "override") for a in self._request.ns_override]
        if cuts[-1].zone == zone.to_text():
            cuts[-1].servers = servers
            cuts[-1].overridden = True
            return
        # Pre-delegation: the parent has no referral for the zone yet.
        parent = cuts[-1]
        cuts.append(
            ZoneCut(
                zone.to_text(),
                parent.zone,
                parent_servers=parent.server_addresses(),
                servers=servers,
                overridden=True,
            )
        )


UNUSABLE_SHOWN = 3
"""NS_NAME_UNUSABLE events per zone before the rest are grouped into one."""


def _grouped(cut: ZoneCut, events: list[WalkEvent]) -> list[WalkEvent]:
    """One event per unusable NS name, or, for a hostile NS set of many such names, the
    first few and one event for the rest (one root cause, not hundreds)."""
    if len(events) <= UNUSABLE_SHOWN + 1:
        return events
    rest = events[UNUSABLE_SHOWN:]
    hosts = [e.subject for e in rest]
    grouped = WalkEvent(
        "NS_NAME_UNUSABLE",
        cut.zone,
        "walk_more_without_address",
        {
            "count": len(rest),
            "zone": cut.zone,
            "hosts": f"{', '.join(hosts[:5])}{' …' if len(hosts) > 5 else ''}",
        },
        servers=rest[0].servers,
        subject=f"{len(rest)} more",
        evidence={"hosts": hosts},
    )
    return [*events[:UNUSABLE_SHOWN], grouped]


def _fan_out_event(
    cut: ZoneCut, listed: list[str], followed: list[str], skipped: list[str], limit: int
) -> WalkEvent:
    """ANALYSIS_BUDGET_EXCEEDED saying exactly which NS names were and were not examined."""
    usable = sum(1 for s in cut.servers if s.addresses)
    glued = sum(1 for h in followed if cut.glue.get(h))
    parts = [
        f"the delegation of {cut.zone} lists {len(listed)} NS names; {len(followed)} were "
        f"followed ({glued} with glue, taken first), {usable} of them with an address"
    ]
    if skipped:
        parts.append(
            f"{len(skipped)} of those could not be looked up because the query budget ran out "
            f"(first: {skipped[0]})"
        )
    if len(listed) > limit:
        parts.append(
            f"the other {len(listed) - limit} (first: {listed[limit]}) were not examined "
            f"(max_ns_per_zone={limit})"
        )
    return WalkEvent(
        "ANALYSIS_BUDGET_EXCEEDED",
        cut.zone,
        "walk_ns_fan_out",
        {"parts": "; ".join(parts)},
        subject="ns-fan-out",
        evidence={
            "ns_count": len(listed),
            "followed": len(followed),
            "with_address": usable,
            "not_looked_up": len(skipped),
            "limit": limit,
        },
    )
