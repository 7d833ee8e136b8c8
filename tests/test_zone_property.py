"""Properties: a signed zone verifies clean; any single record removed or altered is reported.

The zone is signed here with dnspython (one CSK, so every RRset has exactly one
RRSIG and dropping any one of them matters), at fixed times. "Altered" flips one
bit of one record's RDATA. Glue and delegation NS records are excluded from
alteration: they are not signed, so no verifier can notice a changed address
there (removing them is still detected: the NSEC bitmap or the glue check).
"""

from __future__ import annotations

from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.dnspython_dnssec import dnssecalgs
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.zonefile.verify import ZoneOptions, verify_zone

ORIGIN = dns.name.from_text("example.test.")
INCEPTION, EXPIRATION, NOW = 1_790_000_000, 1_800_000_000, 1_795_000_000
UNSIGNED = """$ORIGIN example.test.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
@ NS ns2.example.net.
ns1 A 192.0.2.1
www A 192.0.2.10
www A 192.0.2.11
www AAAA 2001:db8::10
mail MX 10 www
txt TXT "hello world"
*.wild A 192.0.2.20
a.b.c.ent TXT "deep"
sub NS ns.sub
sub DS 12345 13 2 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
ns.sub A 192.0.2.30
insecure NS ns.example.net.
"""
NOT_SIGNED = {("sub", "NS"), ("ns.sub", "A"), ("insecure", "NS")}


def _signed_lines() -> list[str]:
    zone = dns.zone.from_text(UNSIGNED, ORIGIN, relativize=True)
    key = dnssecalgs.PrivateECDSAP256SHA256.generate()
    dnskey = key.public_key().to_dnskey(flags=257)
    dnspython_dnssec.sign_zone(
        zone, keys=[(key, dnskey)], inception=INCEPTION, expiration=EXPIRATION
    )
    return [line for line in zone.to_text().splitlines() if line.strip()]


LINES = _signed_lines()


def verify(lines: list[str], tmp: Path) -> set[str]:
    path = tmp / "zone.db"
    path.write_text("$ORIGIN example.test.\n" + "\n".join(lines) + "\n")
    diagnosis = verify_zone(path, origin=ORIGIN, now=NOW, options=ZoneOptions())
    return {f.code for f in diagnosis.findings if f.severity >= Severity.ERROR}


def test_signed_zone_verifies_clean(tmp_path: Path) -> None:
    assert verify(LINES, tmp_path) == set()


def test_every_single_removal_is_reported(tmp_path: Path) -> None:
    # exhaustive: the zone is small enough to drop each record in turn
    for index in range(len(LINES)):
        mutated = LINES[:index] + LINES[index + 1 :]
        assert verify(mutated, tmp_path), f"removing {LINES[index]!r} went unnoticed"


def _flip(line: str, position: int, bit: int) -> str | None:
    owner, ttl, rdclass, rdtype, *rest = line.split()
    if (owner, rdtype) in NOT_SIGNED:
        return None
    rd = dns.rdata.from_text(rdclass, rdtype, " ".join(rest), origin=ORIGIN)
    wire = bytearray(rd.to_wire(origin=ORIGIN) or b"")
    wire[position % len(wire)] ^= 1 << bit
    try:
        changed = dns.rdata.from_wire(
            dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), bytes(wire), 0, len(wire)
        )
    except Exception:  # any undecodable mutation is simply skipped
        return None
    if changed.to_digestable(ORIGIN) == rd.to_digestable(ORIGIN):
        return None  # a case flip inside a name: canonically the same record
    new = f"{owner} {ttl} {rdclass} {rdtype} {changed.to_text(origin=ORIGIN)}"
    return None if new.split() == line.split() else new  # lost in presentation form


@settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(
    index=st.integers(0, len(LINES) - 1),
    position=st.integers(0, 200),
    bit=st.integers(0, 7),
)
def test_any_single_alteration_is_reported(
    tmp_path: Path, index: int, position: int, bit: int
) -> None:
    altered = _flip(LINES[index], position, bit)
    assume(altered is not None)
    assert altered is not None
    mutated = [*LINES[:index], altered, *LINES[index + 1 :]]
    assert verify(mutated, tmp_path), f"altering {LINES[index]!r} -> {altered!r} went unnoticed"
