"""Diagnoses for renderer tests: one full of hostile data, one small and normal (golden)."""

from __future__ import annotations

import os
from pathlib import Path

from dnssec_doctor.model.findings import Diagnosis, Finding, ZoneReport
from dnssec_doctor.model.graph import ChainGraph, GraphEdge, GraphNode
from dnssec_doctor.model.severity import Severity

GOLDEN_DIR = Path(__file__).parent / "data" / "render"
UPDATE_GOLDEN = os.environ.get("DNSSEC_DOCTOR_UPDATE_GOLDEN") == "1"
"""Set to 1 to rewrite the golden files instead of comparing (then review the diff)."""

HOSTILE_PARTS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'",
    '"',
    "\\",
    "\\n",
    "\x1b[31m",
    "\x1b]0;pwned\x07",
    "\x9b31m",
    "\x9d8;;http://x\x9c",
    "\u202e",
    "\u2066",
    "\u200f",
    "\n",
    "\r",
    "\u2028",
    "&#x202E;",
    "&lt;b&gt;",
    "</style><script>x</script>",
    "-->",
    "]]>",
    "[bold red]",
    "\x00",
    "\udcff",
    "b\u00fccher",
)
EVIL = "evil" + "".join(HOSTILE_PARTS) + ".test."
"""A zone name (or any DNS-derived text) holding every hostile piece at once."""

RAW_FORBIDDEN = (
    "\x1b",
    "\x9b",
    "\x9d",
    "\x9c",
    "\x07",
    "\x00",
    "\r",
    "\u202e",
    "\u2066",
    "\u200f",
    "\u2028",
    "\udcff",
)
"""Characters that must never reach any sink raw."""


class Unprintable:
    """An evidence value json cannot serialise and whose str() is hostile."""

    def __str__(self) -> str:
        return EVIL


def hostile_diagnosis() -> Diagnosis:
    """Hostile data in every field a renderer shows."""
    cyclic: list[object] = [EVIL]
    cyclic.append(cyclic)
    root = Finding(
        code="RRSIG_EXPIRED",
        severity=Severity.CRITICAL,
        zone=EVIL,
        title=f"Signature over {EVIL} expired",
        detail=f"signature over {EVIL}/TXT expired\nsecond line {EVIL}",
        fix=f"re-sign {EVIL}\nthen reload",
        symptoms=("servfail", EVIL),
        servers=(EVIL, "127.0.0.1"),
        servers_ok=(EVIL,),
        evidence={
            EVIL: EVIL,
            "txt": [EVIL, 1, None, True, {"k": EVIL}],
            "object": Unprintable(),
            "tuple-keys": {(1, 2): EVIL},
            "cycle": cyclic,
            "number": 3.5,
            "ds": [EVIL, 7],
            "keys": (EVIL, 5),
        },
        subject=EVIL,
        line=7,
    )
    consequence = Finding(
        code=f"X_{EVIL}",
        severity=Severity.ERROR,
        zone=f"child.{EVIL}",
        title=EVIL,
        detail=EVIL,
        fix=EVIL,
        caused_by=(root.key, EVIL),
        evidence={"why": EVIL},
    )
    off_chain = Finding(
        code="NSEC3_ITERATIONS_HIGH",
        severity=Severity.WARNING,
        zone=f"other.{EVIL}",
        title=EVIL,
        detail=EVIL,
        fix=EVIL,
    )
    return Diagnosis(
        name=EVIL,
        at=1_800_000_000,
        status="bogus",
        findings=(root, consequence, off_chain),
        zones=(
            ZoneReport(".", "secure", ("127.0.0.1",), "a DS leads to a key"),
            ZoneReport(EVIL, "bogus", (EVIL, "127.0.0.1"), EVIL),
            ZoneReport(f"child.{EVIL}", "bogus", (), EVIL),
        ),
        servers=(EVIL, "127.0.0.1"),
        stats={"status_reason": EVIL, EVIL: [EVIL]},
    )


def small_diagnosis() -> Diagnosis:
    """A normal bogus delegation: the golden report of every renderer."""
    ds = Finding(
        code="DS_NO_MATCHING_DNSKEY",
        severity=Severity.CRITICAL,
        zone="example.test.",
        title="No DS record matches a key the zone serves",
        detail=(
            "The parent's DS records (key tag 4711, algorithm 13) match none of the DNSKEYs "
            "example.test. serves (key tags [12345, 23456]). Every validator finds the zone bogus."
        ),
        fix=(
            "Replace the DS for example.test. at the parent with one made from the live KSK:\n"
            "example.test. 3600 IN DS 12345 13 2 0123456789abcdef"
        ),
        symptoms=("servfail", "ds-upload-rejected"),
        servers=("192.0.2.1", "[2001:db8::1]:5300"),
        servers_ok=(),
        evidence={"ds": ["4711 13 2 ab12"], "keys": [12345, 23456]},
    )
    rrsig = Finding(
        code="RRSIG_MISSING",
        severity=Severity.ERROR,
        zone="example.test.",
        title="Records are not signed",
        detail="No RRSIG covers example.test./A on 192.0.2.1.",
        fix="Re-sign the zone.",
        servers=("192.0.2.1",),
        servers_ok=("192.0.2.2",),
        caused_by=(ds.key,),
        subject="example.test./A",
    )
    info = Finding(
        code="NSEC3_IN_USE",
        severity=Severity.INFO,
        zone="test.",
        title="The zone uses NSEC3",
        detail="test. denies existence with NSEC3 (0 iterations, no salt).",
        fix="",
    )
    return Diagnosis(
        name="www.example.test.",
        at=1_800_000_000,
        status="bogus",
        findings=(ds, rrsig, info),
        zones=(
            ZoneReport(".", "secure", ("127.0.0.1",), "a DS leads to a key that signs"),
            ZoneReport("test.", "secure", ("127.0.0.2",), "a DS leads to a key that signs"),
            ZoneReport(
                "example.test.",
                "bogus",
                ("192.0.2.1", "[2001:db8::1]:5300"),
                "the DS matches no key",
            ),
        ),
        servers=("127.0.0.1", "127.0.0.2", "192.0.2.1", "[2001:db8::1]:5300"),
        stats={"queries": 42, "status_reason": "the zone example.test. is bogus"},
    )


def hostile_graph_diagnosis() -> Diagnosis:
    """Hostile data in every text of the graph: all pieces at once (cut to fit a label),
    and each piece alone in an RRset node (so no piece is cut away)."""

    f = Finding("RRSIG_EXPIRED", Severity.CRITICAL, EVIL, EVIL, EVIL, EVIL, subject=EVIL)
    g = ChainGraph(
        zones=(EVIL,),
        nodes=(
            GraphNode("ta", "anchor", "", "trust anchor", (EVIL,)),
            GraphNode("z0", "zone", EVIL, EVIL, ("bogus",), findings=(f.key,)),
            GraphNode("z0k0", "dnskey", EVIL, EVIL, (EVIL, EVIL), role=EVIL, servers_note=EVIL),
            GraphNode("z0r0", "rrset", EVIL, EVIL, (EVIL,), problem=True, findings=(f.key,)),
            GraphNode("z0r1", "proof", EVIL, EVIL * 3, (EVIL,), ghost=True),
            *(
                GraphNode(f"z0p{i}", "rrset", EVIL, f"{part}.test./TXT", (part,))
                for i, part in enumerate(HOSTILE_PARTS)
            ),
        ),
        edges=(
            GraphEdge("e0", "anchor", "ta", "z0k0", "valid", EVIL, EVIL, EVIL),
            GraphEdge("e1", "rrsig", "z0k0", "z0r0", "expired", EVIL, EVIL, EVIL, (f.key,)),
            GraphEdge("e2", "ds", "z0k0", "z0r1", "bogus", EVIL, "digest-mismatch", EVIL),
        ),
    )
    return Diagnosis(EVIL, 1_800_000_000, "bogus", (f,), graph=g)


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/data/render/NAME`` (or rewrite it when updating)."""
    path = GOLDEN_DIR / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file; see {path}"
