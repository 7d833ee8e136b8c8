"""What changed between two observations: keys, DS, serial, signatures, denial, servers.

Pure: two sets of normalised facts in, a list of changes out. Each change names
its zone and a ``subject`` (the key, the DS, the server) so that a change seen
once can be found again (``lastgood`` dates each change since the last good
observation by the first step that showed it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dnssec_doctor.history.facts import KeyFact, ObservationFacts


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two observations of a zone."""

    zone: str
    kind: str
    """``key-added``, ``key-removed``, ``key-revoked``, ``key-flags``, ``ds-added``,
    ``ds-removed``, ``serial``, ``resigned``, ``denial``, ``nsec3-params``,
    ``server-added``, ``server-removed``, ``server-silent``, ``server-answers``, ``ns``,
    ``ttl``, ``cds``, ``zone-added``, ``zone-removed``."""
    subject: str
    text: str
    before: str = ""
    after: str = ""

    @property
    def identity(self) -> tuple[str, str, str]:
        """What makes two sightings the same change."""
        return (self.zone, self.kind, self.subject)


def key_label(key: KeyFact) -> str:
    """``key 12345 (KSK, algorithm 13)``."""
    revoked = ", revoked" if key.revoked else ""
    return f"key {key.key_tag} ({key.role}, algorithm {key.algorithm}{revoked})"


def diff(old: ObservationFacts, new: ObservationFacts) -> list[Change]:
    """Every difference from ``old`` to ``new``, zone by zone in chain order."""
    changes: list[Change] = []
    for zone in dict.fromkeys((*new.zones, *old.zones)):
        if zone not in old.zones:
            changes.append(Change(zone, "zone-added", zone, f"{zone} joined the chain"))
            continue
        if zone not in new.zones:
            changes.append(Change(zone, "zone-removed", zone, f"{zone} left the chain"))
            continue
        changes += _servers(zone, old, new)
        changes += _keys(zone, old, new)
        changes += _ds(zone, old, new)
        changes += _serial(zone, old, new)
        changes += _apex(zone, old, new)
        changes += _cds(zone, old, new)
        changes += _signing(zone, old, new)
    return changes


def _cds_set(facts: ObservationFacts, zone: str) -> str:
    return ", ".join(
        sorted({f"{c.rrtype} {c.key_tag}/{c.algorithm}" for c in facts.cds if c.zone == zone})
    )


def _cds(zone: str, old: ObservationFacts, new: ObservationFacts) -> list[Change]:
    before, after = _cds_set(old, zone), _cds_set(new, zone)
    if before == after:
        return []
    text = f"CDS/CDNSKEY of {zone} changed from {before or 'none'} to {after or 'none'}"
    return [Change(zone, "cds", "CDS", text, before, after)]


def _child(facts: ObservationFacts, zone: str) -> list[tuple[str, bool]]:
    return [(s.server, s.answered) for s in facts.servers if s.zone == zone and s.role == "child"]


def _servers(zone: str, old: ObservationFacts, new: ObservationFacts) -> list[Change]:
    before, after = dict(_child(old, zone)), dict(_child(new, zone))
    out = []
    for server in sorted(after.keys() - before.keys()):
        out.append(Change(zone, "server-added", server, f"server {server} of {zone} appeared"))
    for server in sorted(before.keys() - after.keys()):
        out.append(Change(zone, "server-removed", server, f"server {server} of {zone} went away"))
    for server in sorted(before.keys() & after.keys()):
        if before[server] and not after[server]:
            out.append(
                Change(
                    zone, "server-silent", server, f"server {server} of {zone} stopped answering"
                )
            )
        elif after[server] and not before[server]:
            out.append(
                Change(zone, "server-answers", server, f"server {server} of {zone} answers again")
            )
    return out


def _key_sets(
    facts: ObservationFacts, zone: str
) -> dict[tuple[int, str], tuple[KeyFact, set[str]]]:
    keys: dict[tuple[int, str], tuple[KeyFact, set[str]]] = {}
    for key in facts.keys:
        if key.zone == zone:
            keys.setdefault((key.algorithm, key.key_id), (key, set()))[1].add(key.server)
    return keys


def _keys(zone: str, old: ObservationFacts, new: ObservationFacts) -> list[Change]:
    before, after = _key_sets(old, zone), _key_sets(new, zone)
    out = []
    for ident in sorted(after.keys() - before.keys()):
        key, servers = after[ident]
        where = _where(servers, _child(new, zone))
        out.append(
            Change(
                zone,
                "key-added",
                key.key_id,
                f"{key_label(key)} joined the DNSKEY RRset of {zone}{where}",
                after=str(key.key_tag),
            )
        )
    for ident in sorted(before.keys() - after.keys()):
        key, _ = before[ident]
        out.append(
            Change(
                zone,
                "key-removed",
                key.key_id,
                f"{key_label(key)} left the DNSKEY RRset of {zone}",
                before=str(key.key_tag),
            )
        )
    for ident in sorted(before.keys() & after.keys()):
        old_key, new_key = before[ident][0], after[ident][0]
        if old_key.flags == new_key.flags:
            continue
        kind = "key-revoked" if new_key.revoked and not old_key.revoked else "key-flags"
        verb = (
            "was revoked (RFC 5011)"
            if kind == "key-revoked"
            else f"changed flags {old_key.flags} → {new_key.flags}"
        )
        out.append(
            Change(
                zone,
                kind,
                new_key.key_id,
                f"key {old_key.key_tag} of {zone} {verb}; its tag is now {new_key.key_tag}",
                str(old_key.key_tag),
                str(new_key.key_tag),
            )
        )
    return out


def _where(servers: set[str], child: list[tuple[str, bool]]) -> str:
    answering = {s for s, ok in child if ok}
    missing = sorted(answering - servers)
    return f" (not yet on {', '.join(missing)})" if missing and servers else ""


def _ds_sets(facts: ObservationFacts, zone: str) -> dict[tuple[int, int, int, str], set[str]]:
    found: dict[tuple[int, int, int, str], set[str]] = {}
    for ds in facts.ds:
        if ds.zone == zone:
            found.setdefault((ds.key_tag, ds.algorithm, ds.digest_type, ds.digest), set()).add(
                ds.server
            )
    return found


def _ds(zone: str, old: ObservationFacts, new: ObservationFacts) -> list[Change]:
    before, after = _ds_sets(old, zone), _ds_sets(new, zone)
    out = []
    for ident in sorted(after.keys() - before.keys()):
        tag, alg, dtype, digest = ident
        out.append(
            Change(
                zone,
                "ds-added",
                f"{tag}/{alg}/{dtype}/{digest[:16]}",
                f"DS {tag} (algorithm {alg}, digest type {dtype}) appeared at the parent of {zone} "
                f"on {', '.join(sorted(after[ident]))}",
                after=str(tag),
            )
        )
    for ident in sorted(before.keys() - after.keys()):
        tag, alg, dtype, digest = ident
        out.append(
            Change(
                zone,
                "ds-removed",
                f"{tag}/{alg}/{dtype}/{digest[:16]}",
                f"DS {tag} (algorithm {alg}, digest type {dtype}) left the parent of {zone}",
                before=str(tag),
            )
        )
    return out


def serial_of(facts: ObservationFacts, zone: str) -> int | None:
    """The highest SOA serial any server of ``zone`` served (None: none answered)."""
    serials = [s.soa_serial for s in facts.servers if s.zone == zone and s.soa_serial is not None]
    return max(serials) if serials else None


def _serial(zone: str, old: ObservationFacts, new: ObservationFacts) -> list[Change]:
    before, after = serial_of(old, zone), serial_of(new, zone)
    if before is None or after is None or before == after:
        return []
    verb = "moved" if (after - before) % 2**32 < 2**31 else "went back"  # RFC 1982
    return [
        Change(
            zone,
            "serial",
            "SOA",
            f"SOA serial of {zone} {verb} from {before} to {after}",
            str(before),
            str(after),
        )
    ]


def _first(values: Iterable[object]) -> str:
    shown = sorted({str(v) for v in values if v not in (None, "")})
    return ", ".join(shown)


def _apex(zone: str, old: ObservationFacts, new: ObservationFacts) -> list[Change]:
    def pick(facts: ObservationFacts, attr: str, role: str = "child") -> str:
        return _first(getattr(s, attr) for s in facts.servers if s.zone == zone and s.role == role)

    out = []
    for attr, kind, label, role in (
        ("denial", "denial", "denial of existence", "child"),
        ("ns_names", "ns", "NS set", "child"),
        ("dnskey_ttl", "ttl", "DNSKEY TTL", "child"),
        ("soa_ttl", "ttl", "SOA TTL", "child"),
        ("ds_ttl", "ttl", "DS TTL at the parent", "parent"),
    ):
        before, after = pick(old, attr, role), pick(new, attr, role)
        if before and after and before != after:
            if kind == "denial":
                before, after = before.upper(), after.upper()
            text = f"{label} of {zone} changed from {before} to {after}"
            out.append(Change(zone, kind, label, text, before, after))
    params_before = _nsec3_params(old, zone)
    params_after = _nsec3_params(new, zone)
    if params_before and params_after and params_before != params_after:
        out.append(
            Change(
                zone,
                "nsec3-params",
                "NSEC3PARAM",
                f"NSEC3 parameters of {zone} changed from {params_before} to {params_after}",
                params_before,
                params_after,
            )
        )
    return out


def _nsec3_params(facts: ObservationFacts, zone: str) -> str:
    return _first(
        f"algorithm {s.nsec3_algorithm} flags {s.nsec3_flags} "
        f"iterations {s.nsec3_iterations} salt {s.nsec3_salt}"
        for s in facts.servers
        if s.zone == zone and s.role == "child" and s.nsec3_algorithm is not None
    )


def _signing(zone: str, old: ObservationFacts, new: ObservationFacts) -> list[Change]:
    before, after = old.newest_inception(zone), new.newest_inception(zone)
    if before is None or after is None or after <= before:
        return []
    from dnssec_doctor.timefmt import iso

    return [
        Change(
            zone,
            "resigned",
            "RRSIG",
            f"{zone} was re-signed (newest inception {iso(before)} → {iso(after)})",
            iso(before),
            iso(after),
        )
    ]
