"""A lab of many zones for the `scan` benchmark: N delegated signed zones on a few servers.

The tree: a root (two servers), the TLD ``scan.`` (two servers) and N child zones
``z00000.scan.`` … split between two "hosters" of two server addresses each (as a
registry sees the world: thousands of zones on a handful of name servers). Each
hoster signs all its zones with one KSK/ZSK pair (ECDSA P-256), with NSEC or (every
fourth zone) NSEC3. A mix of healthy and broken, by the zone's number modulo 20:

- 0: signatures expired ten days ago (RRSIG_EXPIRED, bogus);
- 1: the DS in ``scan.`` matches no DNSKEY (DS_NO_MATCHING_DNSKEY, bogus);
- 2: unsigned, no DS (insecure);
- otherwise healthy (secure).

``build_plan(count, base, now)`` returns the ``LabPlan``; bench/scan_bench.py serves it
with BIND (``lab.real.start_real``: one named, one view per address) and scans it.
"""

from __future__ import annotations

import dns.name

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.lab.keys import KeyFactory
from dnssec_doctor.lab.nsec3chain import NSEC3Params
from dnssec_doctor.lab.plan import LabPlan, LabServer, ServedZone
from dnssec_doctor.lab.scenarios_env import DAY, HOUR, TTL, date_serial
from dnssec_doctor.lab.signer import SigningPlan, sign_zone
from dnssec_doctor.lab.zonebuild import ZoneBuilder

TLD = "scan."
HOSTERS = 2
KINDS = {0: "expired", 1: "ds-mismatch", 2: "unsigned"}
"""Zone number modulo 20 → what is broken (the rest are healthy)."""


def zone_name(number: int) -> str:
    """The name of child zone ``number``."""
    return f"z{number:05d}.{TLD}"


def kind_of(number: int) -> str:
    """What zone ``number`` shows: healthy, expired, ds-mismatch or unsigned."""
    return KINDS.get(number % 20, "healthy")


def build_plan(count: int, base: str, now: int) -> LabPlan:
    """The whole signed tree (keys seeded: the same plan every run)."""
    factory = KeyFactory(20261206)
    window = (now - HOUR, now + 30 * DAY)
    expired = (now - 40 * DAY, now - 10 * DAY)
    keys = [(factory.make(f"h{h}/ksk", ksk=True), factory.make(f"h{h}/zsk"))
            for h in range(HOSTERS)]  # fmt: skip
    stray = factory.make("stray/ksk", ksk=True)
    nsec3 = NSEC3Params(iterations=0, salt=b"")
    children: list[list[ServedZone]] = [[] for _ in range(HOSTERS)]
    tld = ZoneBuilder(TLD)
    tld.add("@", TTL, "SOA", f"ns1 hostmaster {date_serial(now)} 7200 3600 1209600 300")
    tld.add("@", TTL, "NS", "ns1", "ns2")
    for n in (1, 2):
        tld.add(f"ns{n}", TTL, "A", f"{base}.1.{n}")
        tld.add(f"root{n}", TTL, "A", f"{base}.0.{n}")
        for h in range(HOSTERS):
            tld.add(f"ns{n}-h{h}", TTL, "A", f"{base}.{2 + h}.{n}")
    for number in range(count):
        origin = zone_name(number)
        hoster = number % HOSTERS
        kind = kind_of(number)
        ksk, zsk = keys[hoster]
        child = ZoneBuilder(origin)
        child.add("@", TTL, "SOA", f"ns1-h{hoster}.{TLD} hostmaster.{origin} "
                  f"{date_serial(now)} 7200 3600 1209600 300")  # fmt: skip
        child.add("@", TTL, "NS", f"ns1-h{hoster}.{TLD}", f"ns2-h{hoster}.{TLD}")
        child.add("@", TTL, "A", "192.0.2.1")
        child.add("www", TTL, "A", "192.0.2.1")
        content = child.build()
        if kind != "unsigned":
            start, end = expired if kind == "expired" else window
            denial = nsec3 if number % 4 == 3 else "nsec"
            content = sign_zone(content, SigningPlan.standard(ksk, zsk, start, end, denial))
            signer = stray if kind == "ds-mismatch" else ksk
            ds = dnspython_dnssec.make_ds(dns.name.from_text(origin), signer.dnskey, "SHA256")
            tld.add_rdata(tld.name(origin), TTL, ds)
        tld.add(origin, TTL, "NS", f"ns1-h{hoster}.{TLD}", f"ns2-h{hoster}.{TLD}")
        children[hoster].append(ServedZone(origin, content.to_text()))
    tld_ksk, tld_zsk = factory.make("tld/ksk", ksk=True), factory.make("tld/zsk")
    root_ksk, root_zsk = factory.make("root/ksk", ksk=True), factory.make("root/zsk")
    tld_text = sign_zone(tld.build(), SigningPlan.standard(tld_ksk, tld_zsk, *window)).to_text()
    root = ZoneBuilder(dns.name.root)
    root.add(
        "@", TTL, "SOA", f"root1.{TLD} hostmaster.{TLD} {date_serial(now)} 1800 900 604800 300"
    )
    root.add("@", TTL, "NS", f"root1.{TLD}", f"root2.{TLD}")
    root.add(TLD, TTL, "NS", f"ns1.{TLD}", f"ns2.{TLD}")
    for n in (1, 2):
        root.add(f"root{n}.{TLD}", TTL, "A", f"{base}.0.{n}")
        root.add(f"ns{n}.{TLD}", TTL, "A", f"{base}.1.{n}")
    tld_ds = dnspython_dnssec.make_ds(dns.name.from_text(TLD), tld_ksk.dnskey, "SHA256")
    root.add_rdata(root.name(TLD), TTL, tld_ds)
    root_text = sign_zone(root.build(), SigningPlan.standard(root_ksk, root_zsk, *window)).to_text()
    root_ds = dnspython_dnssec.make_ds(dns.name.root, root_ksk.dnskey, "SHA256")
    servers = [
        *(LabServer(f"root{n}.{TLD}", ServerAddress(f"{base}.0.{n}"), (ServedZone(".", root_text),))
          for n in (1, 2)),
        *(LabServer(f"ns{n}.{TLD}", ServerAddress(f"{base}.1.{n}"), (ServedZone(TLD, tld_text),))
          for n in (1, 2)),
        *(LabServer(f"ns{n}-h{h}.{TLD}", ServerAddress(f"{base}.{2 + h}.{n}"), tuple(children[h]))
          for h in range(HOSTERS) for n in (1, 2)),
    ]  # fmt: skip
    return LabPlan(
        servers=tuple(servers),
        root_hints=tuple(ServerAddress(f"{base}.0.{n}") for n in (1, 2)),
        trust_anchor_ds=(f". {TTL} IN DS {root_ds.to_text()}",),
        trust_anchor_dnskey=(f". {TTL} IN DNSKEY {root_ksk.dnskey.to_text()}",),
        scenarios=(),
        built_at=now,
    )
