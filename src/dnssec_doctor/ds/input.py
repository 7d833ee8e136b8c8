"""What users paste as "the DS to upload", read the way a careful person would.

Accepted: DS (or CDS) records in presentation format (RFC 4034 §5.3) with or
without owner, TTL and class; bare RDATA; the digest in upper or lower case, split
by spaces or in parentheses over several lines (``dig +multi``); a DNSKEY (or
CDNSKEY) where a DS was expected — its DS is computed for the zone apex; BIND key
files (``K*.key``, comment lines included) and ``dnssec-dsfromkey``, Knot
``keymgr ds``, PowerDNS ``pdnsutil show-zone`` (``DS = …`` lines) and ``dig``
output; registrar panels with labelled fields (``Key Tag: 2371``…); EPP
``secDNS`` XML (RFC 5910). Repairable mistakes (field order, digest type as a
mnemonic, invisible characters, missing base64 padding, a base64 digest) are
repaired and reported with the corrected form; the rest become problems with the
precise reason. Pure: text in, data out; nothing here touches the network.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import dns.name
import dns.rdatatype
import dns.ttl

from dnssec_doctor.ds.input_fields import FieldError
from dnssec_doctor.ds.input_forms import GIVEN_CHARS, labelled_blocks, xml_blocks
from dnssec_doctor.ds.input_rdata import DS_TYPES, InputProblem, InputRecord, read_block, read_rdata
from dnssec_doctor.names import IDNA_CODEC

__all__ = ["MAX_RECORDS", "InputProblem", "InputRecord", "ParsedInput", "parse_ds_input"]

MAX_INPUT_CHARS = 256 * 1024
MAX_RECORDS = 200


@dataclass(frozen=True, slots=True)
class ParsedInput:
    """Everything read from one paste or file."""

    records: tuple[InputRecord, ...] = ()
    problems: tuple[InputProblem, ...] = ()
    ignored: tuple[str, ...] = ()
    """Lines skipped on purpose (prose, RRSIG records), for the report."""
    notes: tuple[str, ...] = field(default=())
    """Repairs that concern the whole input (character set)."""


_PRIVATE = re.compile(r"^\s*(Private-key-format|PrivateKey|PrivateExponent|Prime1)\s*:", re.M)
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def parse_ds_input(text: str, *, source: str = "input") -> ParsedInput:
    """Read every DS/DNSKEY in ``text``; never raises for bad content."""
    if _PRIVATE.search(text):
        # Never echo private key material back, not even in an error message.
        return ParsedInput(
            problems=(
                InputProblem(
                    1,
                    "(private key material, not shown)",
                    f"{source} is a private key (a K….private file): never paste or upload it. "
                    "Give the public half instead: the K….key file, or the output of "
                    "dnssec-dsfromkey for it",
                ),
            )
        )
    notes: list[str] = []
    if len(text) > MAX_INPUT_CHARS:
        text = text[:MAX_INPUT_CHARS]
        notes.append(f"only the first {MAX_INPUT_CHARS} characters of {source} were read")
    text, cleaned = _normalise(text)
    notes.extend(cleaned)
    records: list[InputRecord] = []
    problems: list[InputProblem] = []
    ignored: list[str] = []
    xml, rest = xml_blocks(text)
    labelled, lines = labelled_blocks(rest)
    for block in (*xml, *labelled):
        _collect(read_block(block), records, problems)
    for line, record in _logical_records(lines):
        outcome = _from_record(line, record)
        if outcome is None:
            ignored.append(f"line {line}: {record[:60]}")
        else:
            _collect(outcome, records, problems)
    records.sort(key=lambda r: r.line)
    problems.sort(key=lambda p: p.line)
    if len(records) > MAX_RECORDS:
        problems.append(InputProblem(0, "", f"only the first {MAX_RECORDS} records were read"))
        records = records[:MAX_RECORDS]
    if not records and not problems:
        shown = "; ".join(ignored[:3]) if ignored else "it is empty"
        problems.append(
            InputProblem(
                1, text.strip()[:GIVEN_CHARS], f"no DS or DNSKEY record in {source}: {shown}"
            )
        )
    return ParsedInput(tuple(records), tuple(problems), tuple(ignored), tuple(notes))


def _collect(
    outcome: InputRecord | InputProblem, records: list[InputRecord], problems: list[InputProblem]
) -> None:
    if isinstance(outcome, InputRecord):
        records.append(outcome)
    else:
        problems.append(outcome)


def _normalise(text: str) -> tuple[str, list[str]]:
    """Invisible and look-alike characters out; each kind reported once."""
    notes = []
    if any(ord(c) in _ZERO_WIDTH for c in text):
        text = text.translate(_ZERO_WIDTH)
        notes.append("invisible characters (zero-width space, BOM, soft hyphen) were removed")
    if not text.isascii():
        folded = unicodedata.normalize("NFKC", text)
        folded = re.sub(r"[\u2010-\u2015\u2212]", "-", folded)
        if folded != text:
            notes.append(
                "non-ASCII look-alikes (no-break spaces, full-width digits, typographic "
                "dashes) were replaced by their ASCII forms"
            )
            text = folded
    return text.replace("\r\n", "\n").replace("\r", "\n"), notes


def _logical_records(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Comments out (``;``, and ``#``/``//`` lines), parenthesised groups joined."""
    out: list[tuple[int, str]] = []
    buffer: list[str] = []
    depth, start = 0, 0
    for number, raw in lines:
        line = raw.split(";", 1)[0]
        if line.lstrip().startswith(("#", "//")):
            line = ""
        if not buffer:
            start = number
        depth += line.count("(") - line.count(")")
        buffer.append(line.replace("(", " ").replace(")", " "))
        if depth <= 0:
            joined = " ".join(" ".join(buffer).split())
            if joined:
                out.append((start, joined))
            buffer, depth = [], 0
    if buffer and " ".join(buffer).strip():
        out.append((start, " ".join(" ".join(buffer).split())))
    return out


_CLASSES = {"IN", "CH", "CHAOS", "HS", "HESIOD", "ANY", "NONE"}


def _from_record(line: int, record: str) -> InputRecord | InputProblem | None:
    """One logical record; None when it is prose to skip."""
    given = record[:GIVEN_CHARS]
    if " = " in record:  # PowerDNS: "DS = example.com. IN DS …", "CSK DNSKEY = …"
        record = record.rsplit(" = ", 1)[1]
    tokens = record.split()
    type_at = next(
        (
            i
            for i, t in enumerate(tokens[:4])
            if t.upper() in DS_TYPES and i + 1 < len(tokens) and tokens[i + 1][:1].isdigit()
        ),
        None,
    )
    if type_at is None:
        other = _other_type(tokens)
        if other is not None:
            if other == "RRSIG":
                return None
            return InputProblem(line, given, f"this is a {other} record, not a DS or DNSKEY")
        if len(tokens) >= 3 and tokens[0].isdigit() and any(t[:1].isdigit() for t in tokens[1:3]):
            return read_rdata(line, given, "", None, tokens, ())
        return None
    try:
        owner = _header(tokens[:type_at])
    except FieldError as exc:
        return InputProblem(line, given, str(exc))
    declared = tokens[type_at].upper()
    return read_rdata(line, given, declared, owner, tokens[type_at + 1 :], ())


def _other_type(tokens: list[str]) -> str | None:
    """The type of a record of another type (``example.com. IN TXT …``); prose is not one."""
    for i, t in enumerate(tokens[:4]):
        if not t.isupper() or t.startswith("TYPE"):
            continue
        try:
            rdtype = dns.rdatatype.from_text(t)
        except dns.rdatatype.UnknownRdatatype:
            continue
        if all(_header_like(j, before) for j, before in enumerate(tokens[:i])):
            return dns.rdatatype.to_text(rdtype)
    return None


def _header_like(index: int, token: str) -> bool:
    if token.upper() in _CLASSES or token[0].isdigit():
        return True
    return index == 0 and ("." in token or token == "@")


def _header(tokens: list[str]) -> dns.name.Name | None:
    """Owner, TTL and class before the type, in any order (RFC 1035 §5.1)."""
    owner: dns.name.Name | None = None
    for i, token in enumerate(tokens):
        upper = token.upper()
        if upper in _CLASSES or upper.startswith("CLASS"):
            if upper != "IN":
                raise FieldError(f"class {token}: DS and DNSKEY records for a registry are IN")
            continue
        if token[0].isdigit():
            try:
                dns.ttl.from_text(token)
                continue
            except dns.ttl.BadTTL:
                pass
        if i != 0:
            raise FieldError(f"{token!r} is neither a TTL nor a class (owner name must come first)")
        if token == "@":
            continue
        try:
            owner = dns.name.from_text(token, origin=dns.name.root, idna_codec=IDNA_CODEC)
        except Exception as exc:
            raise FieldError(f"the owner name {token!r} is invalid: {exc}") from None
    return owner
