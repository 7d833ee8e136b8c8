"""Golden denial cases as data: ``tests/cases/denial-*/`` (response, query, expected verdict).

Each directory holds ``response.txt`` (dnspython's message text) or ``response.wire``,
``query.json`` (qname, qtype, zone, known-existing names, DNSKEY algorithms, budget)
and ``expected.json`` (kind, proven, opt_out, the exact problem codes in order).
``test_denial_golden_make.py`` says where they come from and rewrites them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_doctor.analysis.denial.proof import check_denial
from dnssec_doctor.limits import Limits
from test_denial_builders import (
    EXISTING,
    find,
    name,
    nsec3_covering,
    nsec3_owner,
    nsec3_zone,
    nsec_zone,
    parts,
    response,
    signed_rrsets,
    unsigned,
)
from test_denial_golden_make import CASES_DIR, Expect, write_case

CASES = sorted(p for p in CASES_DIR.glob("denial-*") if (p / "query.json").is_file())


def load_response(directory: Path) -> dns.message.Message:
    """The stored response, from wire or from text."""
    wire = directory / "response.wire"
    if wire.is_file():
        return dns.message.from_wire(wire.read_bytes())
    return dns.message.from_text((directory / "response.txt").read_text())


def test_there_are_golden_cases_of_both_origins() -> None:
    names = {p.name for p in CASES}
    assert sum(n.startswith("denial-bind-") for n in names) >= 20
    assert {
        "denial-hostile-nsec-lie",
        "denial-hostile-nsec3-2500-iterations",
        "denial-hostile-1000-nsec",
    } <= names


@pytest.mark.parametrize("directory", CASES, ids=[p.name for p in CASES])
def test_golden_case(directory: Path) -> None:
    query: dict[str, Any] = json.loads((directory / "query.json").read_text())
    expected: dict[str, Any] = json.loads((directory / "expected.json").read_text())
    message = load_response(directory)
    limits = Limits(max_nsec3_iterations=query.get("max_nsec3_iterations", 500))
    started = time.perf_counter()
    result = check_denial(
        message,
        dns.name.from_text(query["qname"]),
        dns.rdatatype.from_text(query["qtype"]),
        dns.name.from_text(query["zone"]),
        limits,
        existing=[dns.name.from_text(n) for n in query.get("existing", [])],
        dnskey_algorithms=query.get("dnskey_algorithms", []),
    )
    elapsed = time.perf_counter() - started
    assert elapsed < query.get("max_seconds", 2.0)
    assert result.kind == expected["kind"]
    assert result.proven == expected["proven"]
    assert result.opt_out == expected["opt_out"]
    assert list(result.codes) == expected["codes"]
    for item in result.problems:
        json.dumps(dict(item.evidence))  # evidence is plain JSON data
        lists = [v for v in item.evidence.values() if isinstance(v, list)]
        assert all(len(v) <= 11 for v in lists), "evidence quotes at most 10 records + a note"


# --- the hostile cases, built from the test zone ----------------------------------------


def _query(qname: str, qtype: str, **extra: object) -> dict[str, object]:
    return {
        "source": "assembled by test_denial_golden.write_hostile_cases",
        "qname": name(qname).to_text(),
        "qtype": qtype,
        "zone": "example.",
        "existing": [n.to_text() for n in EXISTING],
        **extra,
    }


def _nsec(owner: str, nxt: str, types: str) -> list[dns.rrset.RRset]:
    rrset = dns.rrset.from_text(name(owner), 300, "IN", "NSEC", f"{name(nxt)} {types}")
    return signed_rrsets(rrset, nsec_zone())


def write_hostile_cases() -> None:
    """Write the hand-assembled hostile and unusual cases."""
    z = nsec_zone()
    soa = find(z, "@", "SOA")
    nx = dns.rcode.NXDOMAIN

    lie = response(
        "nope",
        "A",
        rcode=nx,
        authority=[*soa, *find(z, "@", "NSEC"), *_nsec("alias", "www", "CNAME RRSIG NSEC")],
    )
    write_case(
        "hostile-nsec-lie",
        lie,
        _query("nope", "A"),
        Expect("nxdomain", True, ("EXISTING_NAME_DENIED",)),
    )

    z3 = nsec3_zone(iterations=2500)
    owners = dict.fromkeys(
        (nsec3_owner(z3, "@"), nsec3_covering(z3, "nope"), nsec3_covering(z3, "*"))
    )
    proof3 = [r for o in owners for r in find(z3, o, "NSEC3")]
    slow = response("nope", "A", rcode=nx, authority=[*find(z3, "@", "SOA"), *proof3])
    write_case(
        "hostile-nsec3-2500-iterations",
        slow,
        _query("nope", "A", max_seconds=1.0),
        Expect("nxdomain", False, ("NSEC3_PARAMS_NOT_RFC9276", "ANALYSIS_BUDGET_EXCEEDED")),
    )

    junk = [
        dns.rrset.from_text(
            name(f"j{i:04d}"), 300, "IN", "NSEC", f"j{i:04d}\\000.example. A RRSIG NSEC"
        )
        for i in range(1000)
    ]
    proof = parts(z, ("insecure", "NSEC"), ("@", "NSEC"))
    flood = response("nope", "A", rcode=nx, authority=[*soa, *junk, *proof])
    write_case(
        "hostile-1000-nsec",
        flood,
        _query("nope", "A", max_seconds=1.0),
        Expect("nxdomain", False, ("NEGATIVE_PROOF_MISSING",)),
        wire=True,
    )

    ent = response(
        "deep", "A", rcode=nx, authority=[*soa, *parts(z, ("alias", "NSEC"), ("@", "NSEC"))]
    )
    write_case(
        "hostile-nxdomain-for-empty-non-terminal",
        ent,
        _query("deep", "A"),
        Expect("nxdomain", False, ("NSEC_PROOF_INVALID",)),
    )

    compact = response(
        "nope", "A", authority=[*soa, *_nsec("nope", "\\000.nope", "RRSIG NSEC TYPE128")]
    )
    write_case(
        "hostile-compact-denial",
        compact,
        _query("nope", "A"),
        Expect("nxdomain", True, ("COMPACT_DENIAL_IN_USE",)),
    )

    z3 = nsec3_zone()
    apex = nsec3_owner(z3, "@")
    one = dns.rrset.from_text(
        apex,
        300,
        "IN",
        "NSEC3",
        f"1 0 0 - {apex.labels[0].decode()} NS SOA RRSIG DNSKEY NSEC3PARAM",
    )
    lie3 = response(
        "nope", "A", rcode=nx, authority=[*find(z3, "@", "SOA"), *signed_rrsets(one, z3)]
    )
    write_case(
        "hostile-nsec3-lie",
        lie3,
        _query("nope", "A"),
        Expect("nxdomain", True, ("EXISTING_NAME_DENIED",)),
    )

    mixed = response(
        "www",
        "MX",
        authority=[*soa, *find(z, "www", "NSEC"), *find(z3, nsec3_owner(z3, "www"), "NSEC3")],
    )
    write_case(
        "hostile-mixed-nsec-nsec3",
        mixed,
        _query("www", "MX"),
        Expect("nodata", True, ("NSEC_NSEC3_MIXED",)),
    )

    bare_ds = response("insecure", "DS", authority=[*soa, *unsigned(find(z, "insecure", "NSEC"))])
    write_case(
        "hostile-unsigned-ds-denial",
        bare_ds,
        _query("insecure", "DS"),
        Expect("ds-nodata", False, ("NSEC_DENIES_DS_WRONGLY",)),
    )

    old_keys = response(
        "nope",
        "A",
        rcode=nx,
        authority=[
            *find(z3, "@", "SOA"),
            *[
                r
                for o in dict.fromkeys(
                    (nsec3_owner(z3, "@"), nsec3_covering(z3, "nope"), nsec3_covering(z3, "*"))
                )
                for r in find(z3, o, "NSEC3")
            ],
        ],
    )
    write_case(
        "hostile-nsec3-with-rsasha1-keys", old_keys, _query("nope", "A", dnskey_algorithms=[5]),
        Expect("nxdomain", True, ("NSEC3_WITH_NON_NSEC3_ALGORITHM",)),
    )  # fmt: skip
