"""Trust anchors: DS or DNSKEY records in presentation format (zone-file syntax)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.rdtypes.dsbase
import dns.tokenizer

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import read_input_text
from dnssec_doctor.limits import INPUT_LIMITS, InputLimits


@dataclass(frozen=True, slots=True)
class TrustAnchor:
    """One anchor: a DS or a DNSKEY at ``owner``."""

    owner: dns.name.Name
    rdata: dns.rdtypes.dsbase.DSBase | dns.rdtypes.ANY.DNSKEY.DNSKEY

    @property
    def is_ds(self) -> bool:
        """True for a DS anchor, False for a DNSKEY anchor."""
        return isinstance(self.rdata, dns.rdtypes.dsbase.DSBase)

    def to_text(self) -> str:
        """The anchor in presentation format."""
        rdtype = "DS" if self.is_ds else "DNSKEY"
        return f"{self.owner.to_text()} IN {rdtype} {self.rdata.to_text()}"


@dataclass(frozen=True, slots=True)
class TrustAnchors:
    """The anchors a validator is configured with, grouped by owner."""

    anchors: tuple[TrustAnchor, ...]

    def owners(self) -> list[dns.name.Name]:
        """Anchor owners, deepest first."""
        names = {a.owner for a in self.anchors}
        return sorted(names, key=lambda n: -len(n.labels))

    def for_owner(self, owner: dns.name.Name) -> tuple[TrustAnchor, ...]:
        """Anchors at exactly ``owner``."""
        return tuple(a for a in self.anchors if a.owner == owner)

    def closest_to(self, name: dns.name.Name) -> dns.name.Name | None:
        """The deepest anchor owner that is ``name`` or an ancestor of it."""
        for owner in self.owners():
            if name.is_subdomain(owner):
                return owner
        return None

    def lines(self) -> list[str]:
        """Presentation-format lines (stored in captures)."""
        return [a.to_text() for a in self.anchors]


def parse_anchor_text(text: str, source: str) -> TrustAnchors:
    """Read DS/DNSKEY records; DoctorError naming ``source`` and the line on bad input."""
    anchors: list[TrustAnchor] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        anchors.append(_parse_line(line, source, lineno))
    if not anchors:
        raise DoctorError(f"{source}: no DS or DNSKEY records found")
    return TrustAnchors(tuple(anchors))


def _parse_line(line: str, source: str, lineno: int) -> TrustAnchor:
    try:
        tok = dns.tokenizer.Tokenizer(line)
        owner = tok.get_name(dns.name.root)
        token = tok.get_string()
        if token.isdigit():  # optional TTL
            token = tok.get_string()
        if token.upper() in ("IN", "CH", "HS"):
            if token.upper() != "IN":
                raise DoctorError(f"{source}:{lineno}: trust anchors must be class IN")
            token = tok.get_string()
        rdtype = dns.rdatatype.from_text(token)
        if rdtype not in (dns.rdatatype.DS, dns.rdatatype.DNSKEY):
            raise DoctorError(
                f"{source}:{lineno}: expected a DS or DNSKEY record, got {token.upper()}"
            )
        rdata = dns.rdata.from_text(dns.rdataclass.IN, rdtype, tok, origin=dns.name.root)
    except DoctorError:
        raise
    except (dns.exception.DNSException, ValueError, UnicodeError) as exc:
        raise DoctorError(f"{source}:{lineno}: invalid trust anchor ({exc})") from None
    assert isinstance(rdata, dns.rdtypes.dsbase.DSBase | dns.rdtypes.ANY.DNSKEY.DNSKEY)
    return TrustAnchor(owner, rdata)


def load_anchor_files(paths: Sequence[Path], limits: InputLimits = INPUT_LIMITS) -> TrustAnchors:
    """Read ``--trust-anchor`` files (bounded); DoctorError when unreadable or malformed."""
    anchors: list[TrustAnchor] = []
    for path in paths:
        text = read_input_text(path, what="trust anchor file", max_bytes=limits.anchor_file_bytes)
        anchors.extend(parse_anchor_text(text, str(path)).anchors)
    return TrustAnchors(tuple(anchors))


def anchors_from_lines(lines: Iterable[str], source: str = "capture") -> TrustAnchors:
    """Trust anchors from presentation lines (as stored in a capture)."""
    return parse_anchor_text("\n".join(lines), source)
