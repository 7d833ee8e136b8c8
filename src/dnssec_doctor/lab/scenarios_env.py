"""What a scenario builder gets (its names, addresses, keys, times) and what it returns.

Each scenario is a zone ``<scenario>.test.`` served by ``ns1``/``ns2`` (and
``ns3`` when it needs a third server) on addresses of its own,
``<base>.<k>.1`` … ``<base>.<k>.3``. A builder makes the zone copies each
server serves and the DS set the parent ``test.`` publishes for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import dns.name
import dns.rdtypes.ANY.DS
from dns.dnssectypes import Algorithm

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.lab.keys import KeyFactory, LabKey
from dnssec_doctor.lab.plan import LabServer, ScenarioInfo, ServedZone
from dnssec_doctor.lab.signer import SigningPlan, sign_zone
from dnssec_doctor.lab.zonebuild import ZoneBuilder, ZoneContent

TLD = "test."
"""The lab's top-level domain; every scenario zone is delegated from it."""
DAY = 86400
HOUR = 3600
TTL = 3600
SOA_EXPIRE = 14 * DAY


def date_serial(now: int, days_ago: int = 0) -> int:
    """A YYYYMMDDnn SOA serial (RFC 1912 §2.2) for the day of ``now`` minus ``days_ago``."""
    day = time.strftime("%Y%m%d", time.gmtime(now - days_ago * DAY))
    return int(day) * 100 + 1


@dataclass(frozen=True, slots=True)
class Delegation:
    """What the parent publishes for a child: NS names with glue, and DS records."""

    child: str
    ns: tuple[tuple[str, str], ...]
    """(NS host name, glue IPv4 address) pairs."""
    ds: tuple[dns.rdtypes.ANY.DS.DS, ...] = ()


@dataclass(frozen=True, slots=True)
class ScenarioBuild:
    """A built scenario: what it shows, its servers, and its delegation from ``test.``."""

    info: ScenarioInfo
    servers: tuple[LabServer, ...]
    delegation: Delegation


@dataclass(frozen=True, slots=True)
class ScenarioEnv:
    """Names, addresses, keys and times for building one scenario."""

    name: str
    index: int
    """The scenario's third address octet."""
    base: str
    now: int
    keys: KeyFactory

    @property
    def zone(self) -> str:
        """The scenario's zone, absolute (``good-nsec.test.``)."""
        return f"{self.name}.{TLD}"

    @property
    def origin(self) -> dns.name.Name:
        """The zone as a dnspython name."""
        return dns.name.from_text(self.zone)

    def address(self, server: int) -> str:
        """The IPv4 address of server 1, 2 or 3."""
        return f"{self.base}.{self.index}.{server}"

    def host(self, server: int) -> str:
        """The host name of server 1, 2 or 3 (``ns1.<zone>``)."""
        return f"ns{server}.{self.zone}"

    def key(
        self, role: str, *, ksk: bool = False, algorithm: Algorithm = Algorithm.ECDSAP256SHA256
    ) -> LabKey:
        """A key for this scenario; ``role`` names it (and seeds it in seeded labs)."""
        return self.keys.make(f"{self.name}/{role}", algorithm=algorithm, ksk=ksk)

    def window(self, start: int = -HOUR, end: int = 30 * DAY) -> tuple[int, int]:
        """Signature inception and expiration relative to the build time."""
        return self.now + start, self.now + end

    def serial(self, days_ago: int = 0) -> int:
        """The zone's SOA serial on the build day (or an earlier day, for stale copies)."""
        return date_serial(self.now, days_ago)

    def builder(
        self,
        *,
        serial: int | None = None,
        ttl: int = TTL,
        expire: int = SOA_EXPIRE,
        www: bool = True,
    ) -> ZoneBuilder:
        """The common zone data: SOA, NS, the NS addresses, MX, TXT and www."""
        b = ZoneBuilder(self.zone)
        soa_serial = self.serial() if serial is None else serial
        b.add("@", ttl, "SOA", f"ns1 hostmaster {soa_serial} 7200 3600 {expire} 300")
        b.add("@", ttl, "NS", "ns1", "ns2")
        b.add("@", ttl, "MX", "10 mail")
        b.add("@", ttl, "TXT", f'"dnssec-doctor lab scenario {self.name}"')
        b.add("ns1", ttl, "A", self.address(1))
        b.add("ns2", ttl, "A", self.address(2))
        b.add("mail", ttl, "A", "192.0.2.25")
        if www:
            b.add("www", ttl, "A", "192.0.2.80")
            b.add("www", ttl, "AAAA", "2001:db8::80")
        return b

    def signed(self, content: ZoneContent, plan: SigningPlan) -> str:
        """Sign and render one zone copy."""
        return self.text(sign_zone(content, plan))

    def text(self, content: ZoneContent, copy: str = "") -> str:
        """The master file of one copy, with a comment naming the scenario."""
        what = f"lab scenario {self.name}" + (f" ({copy})" if copy else "")
        return content.to_text(f"dnssec-doctor {what}: {content.origin.to_text()}")

    def ds(self, key: LabKey, digest: str = "SHA256") -> dns.rdtypes.ANY.DS.DS:
        """The DS record for ``key`` at this zone (RFC 4034 §5.1.4)."""
        return dnspython_dnssec.make_ds(
            self.origin, key.dnskey, digest, policy=dnspython_dnssec.allow_all_policy
        )

    def info(
        self,
        description: str,
        status: str,
        codes: tuple[str, ...] = (),
        *,
        faulty: tuple[int, ...] = (),
        query: str = "",
        query_type: str = "",
        embedded_only: bool = False,
        consequences: tuple[tuple[str, str], ...] = (),
        forbidden: tuple[str, ...] = (),
    ) -> ScenarioInfo:
        """The scenario's description and expected diagnosis; ``query`` is relative."""
        return ScenarioInfo(
            name=self.name,
            zone=self.zone,
            description=description,
            expected_status=status,
            expected_codes=codes,
            faulty_servers=tuple(self.address(n) for n in faulty),
            query_name=f"{query}.{self.zone}" if query else "",
            query_type=query_type,
            embedded_only=embedded_only,
            consequences=consequences,
            forbidden_codes=forbidden,
        )

    def build(
        self,
        info: ScenarioInfo,
        copies: Mapping[int, str],
        ds: tuple[dns.rdtypes.ANY.DS.DS, ...],
        *,
        faults: Mapping[int, tuple[str, ...]] | None = None,
        extra_servers: tuple[LabServer, ...] = (),
    ) -> ScenarioBuild:
        """Servers 1 and 2 serving their copies (with faults), and the delegation."""
        fault_map = faults or {}
        servers = tuple(
            LabServer(
                hostname=self.host(n),
                address=ServerAddress(self.address(n)),
                zones=(ServedZone(self.zone, text),),
                faults=fault_map.get(n, ()),
            )
            for n, text in sorted(copies.items())
        )
        if fault_map and not info.embedded_only:
            raise ValueError(f"scenario {self.name} injects faults but is not embedded_only")
        ns = ((self.host(1), self.address(1)), (self.host(2), self.address(2)))
        return ScenarioBuild(info, (*servers, *extra_servers), Delegation(self.zone, ns, ds))


Builder = Callable[[ScenarioEnv], ScenarioBuild]
"""A scenario: builds its zone copies and delegation."""
