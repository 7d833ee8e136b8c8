"""check_denial never raises, whatever a server sends (derandomized Hypothesis property)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.CNAME import CNAME
from dns.rdtypes.ANY.NS import NS
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.ANY.SOA import SOA
from dns.rdtypes.util import Bitmap
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dnssec_doctor.analysis.denial.proof import check_denial
from dnssec_doctor.dnssec.nsec3 import b32hex_encode
from dnssec_doctor.limits import Limits

ZONE = dns.name.from_text("example.")
IN = dns.rdataclass.IN
TYPES = [1, 2, 5, 6, 16, 28, 39, 43, 46, 47, 48, 50, 51, 128, 65534]

label = st.one_of(
    st.binary(min_size=1, max_size=12),
    st.sampled_from([b"*", b"www", b"a", b"\x00", b"ZZ", b"insecure"]),
    st.binary(min_size=20, max_size=20).map(lambda d: b32hex_encode(d).encode()),
)
relative = st.lists(label, min_size=0, max_size=4)
in_zone = relative.map(lambda labels: dns.name.Name((*labels, *ZONE.labels)))
names = st.one_of(in_zone, in_zone, in_zone, relative.map(lambda ls: dns.name.Name((*ls, b""))))
type_sets = st.lists(st.sampled_from(TYPES), max_size=6)
ttls = st.integers(min_value=0, max_value=2**31 - 1)


def _bitmap(types: list[int]) -> list[tuple[int, bytes]]:
    return list(Bitmap.from_rdtypes(types).windows)


nsec = st.builds(lambda n, types: NSEC(IN, dns.rdatatype.NSEC, n, _bitmap(types)), names, type_sets)
nsec3 = st.builds(
    lambda alg, flags, iterations, salt, nxt, types: NSEC3(
        IN, dns.rdatatype.NSEC3, alg, flags, iterations, salt, nxt, _bitmap(types)
    ),
    st.sampled_from([1, 1, 1, 2, 0]),
    st.sampled_from([0, 1, 2, 255]),
    st.sampled_from([0, 1, 10, 151, 500, 501, 2500, 65535]),
    st.binary(max_size=8),
    st.binary(min_size=1, max_size=24),
    type_sets,
)
rrsig = st.builds(
    lambda covered, labels, signer: RRSIG(
        IN, dns.rdatatype.RRSIG, covered, 13, labels, 300, 2, 1, 1, signer, b"\x00" * 64
    ),
    st.sampled_from(TYPES),
    st.integers(min_value=0, max_value=255),
    names,
)
soa = st.builds(
    lambda mname, minimum: SOA(IN, dns.rdatatype.SOA, mname, mname, 1, 2, 3, 4, minimum),
    names,
    ttls,
)
other = st.one_of(
    st.builds(lambda n: NS(IN, dns.rdatatype.NS, n), names),
    st.builds(lambda n: CNAME(IN, dns.rdatatype.CNAME, n), names),
)
rdata = st.one_of(nsec, nsec, nsec3, nsec3, rrsig, rrsig, soa, other)
records = st.lists(st.tuples(names, ttls, rdata), max_size=12)
hashed_owner = st.binary(min_size=20, max_size=20).map(
    lambda d: dns.name.Name((b32hex_encode(d).encode(), *ZONE.labels))
)
proofs = st.lists(
    st.one_of(st.tuples(names, ttls, nsec), st.tuples(hashed_owner, ttls, nsec3)), max_size=12
)


def _message(
    qname: dns.name.Name,
    rcode: int,
    answer: list[tuple[dns.name.Name, int, object]],
    authority: list[tuple[dns.name.Name, int, object]],
) -> dns.message.Message:
    msg = dns.message.make_response(dns.message.make_query(qname, "A", want_dnssec=True))
    msg.set_rcode(rcode)
    for section, items in ((msg.answer, answer), (msg.authority, authority)):
        for owner, ttl, rd in items:
            section.append(dns.rrset.from_rdata(owner, ttl, rd))
    return msg


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    qname=names,
    qtype=st.sampled_from([1, 2, 5, 6, 16, 43, 47, 255]),
    rcode=st.sampled_from([dns.rcode.NOERROR, dns.rcode.NXDOMAIN, dns.rcode.NXDOMAIN, 2]),
    answer=records,
    authority=st.tuples(records, proofs).map(lambda pair: pair[0] + pair[1]),
    existing=st.lists(names, max_size=5),
    algorithms=st.lists(st.integers(min_value=0, max_value=255), max_size=3),
    zone=st.sampled_from([ZONE, ZONE, dns.name.root]),
)
def test_check_denial_never_raises(
    qname: dns.name.Name,
    qtype: int,
    rcode: int,
    answer: list[tuple[dns.name.Name, int, object]],
    authority: list[tuple[dns.name.Name, int, object]],
    existing: list[dns.name.Name],
    algorithms: list[int],
    zone: dns.name.Name,
) -> None:
    msg = _message(qname, rcode, answer, authority)
    result = check_denial(
        msg,
        qname,
        qtype,
        zone,
        Limits(max_nsec3_iterations=500),
        existing=existing,
        dnskey_algorithms=algorithms,
    )
    assert result.kind in (
        "nxdomain",
        "nodata",
        "wildcard",
        "ds-nodata",
        "insecure-delegation",
        "none",
    )
    assert result.mechanism in ("nsec", "nsec3", "none", "mixed")
    if result.kind == "none":
        assert not result.proven
    event(f"{result.kind}/{result.mechanism}")
    for item in result.problems:
        assert item.code and item.detail
        event(item.code)


# --- mutations of real answers: close to valid, so every proof path is exercised -------

CASES = sorted(
    p for p in (Path(__file__).parent / "cases").glob("denial-*") if (p / "query.json").is_file()
)


def _load(directory: Path) -> tuple[dns.message.Message, dict[str, Any]]:
    query: dict[str, Any] = json.loads((directory / "query.json").read_text())
    wire = directory / "response.wire"
    if wire.is_file():
        return dns.message.from_wire(wire.read_bytes()), query
    return dns.message.from_text((directory / "response.txt").read_text()), query


def _mutate_rdata(rd: object, data: st.DataObject) -> object:
    """A nearby variant of an NSEC/NSEC3 rdata: other types, next name or parameters."""
    types = data.draw(type_sets)
    if isinstance(rd, NSEC):
        nxt = data.draw(st.one_of(st.just(rd.next), names))
        return NSEC(IN, dns.rdatatype.NSEC, nxt, _bitmap(types))
    if isinstance(rd, NSEC3):
        return NSEC3(
            IN,
            dns.rdatatype.NSEC3,
            data.draw(st.sampled_from([rd.algorithm, 1, 2])),
            data.draw(st.sampled_from([rd.flags, 0, 1, 3])),
            data.draw(st.sampled_from([rd.iterations, 0, 12, 501, 2500])),
            data.draw(st.sampled_from([rd.salt, b"", b"\xab"])),
            data.draw(st.sampled_from([rd.next, rd.next[:-1] or b"\x00", b"\xff" * 20])),
            _bitmap(types) if data.draw(st.booleans()) else rd.windows,
        )
    return rd


@settings(max_examples=120, derandomize=True, deadline=None)
@given(case=st.sampled_from(CASES), data=st.data())
def test_mutated_real_answers_never_raise(case: Path, data: st.DataObject) -> None:
    message, query = _load(case)
    for section in (message.answer, message.authority):
        for position in range(len(section)):
            choice = data.draw(st.sampled_from(["keep", "keep", "drop", "mutate", "ttl"]))
            rrset = section[position]
            if choice == "mutate":
                section[position] = dns.rrset.from_rdata_list(
                    rrset.name, rrset.ttl, [_mutate_rdata(rd, data) for rd in rrset]
                )
            elif choice == "ttl":
                rrset.ttl = data.draw(ttls)
            elif choice == "drop":
                section[position] = dns.rrset.RRset(rrset.name, IN, dns.rdatatype.TXT)
        section[:] = [r for r in section if len(r)]
    message.set_rcode(data.draw(st.sampled_from([message.rcode(), 0, 3])))
    qname = data.draw(st.one_of(st.just(dns.name.from_text(query["qname"])), names))
    result = check_denial(
        message,
        qname,
        data.draw(st.sampled_from([dns.rdatatype.from_text(query["qtype"]), 1, 43])),
        dns.name.from_text(query["zone"]),
        Limits(),
        existing=[dns.name.from_text(n) for n in query.get("existing", [])],
    )
    event(f"{result.kind}/{result.mechanism}/{'proven' if result.proven else 'unproven'}")
    for item in result.problems:
        event(item.code)
