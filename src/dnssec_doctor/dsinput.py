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

import base64
import itertools
import re
import struct
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Literal

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.ttl

from dnssec_doctor.dnssec.algorithms import PolicyStatus, algorithm_info, digest_info
from dnssec_doctor.dnssec.keys import DNSKEY, DsRecord, key_tag, make_ds
from dnssec_doctor.dsinput_fields import (
    FieldError,
    check_digest_length,
    check_dnskey_length,
    plausible_ds_fields,
    read_algorithm,
    read_base64_key,
    read_digest_type,
    read_hex_digest,
    read_uint,
)
from dnssec_doctor.dsinput_forms import LabelledBlock, labelled_blocks, xml_blocks
from dnssec_doctor.names import IDNA_CODEC

MAX_INPUT_CHARS = 256 * 1024
MAX_RECORDS = 200
GIVEN_CHARS = 300
"""How much of each input record findings quote."""

Kind = Literal["DS", "DNSKEY"]
INVALID = PolicyStatus.INVALID


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One DS or DNSKEY read from the input.

    ``defects`` are flaws that could not be repaired but leave the record usable
    for finding the key it names (a truncated digest still carries a key tag).
    """

    line: int
    given: str
    kind: Kind
    owner: dns.name.Name | None = None
    """The owner as written (None: not written, or ``@``)."""
    ds: DsRecord | None = None
    dnskey: DNSKEY | None = None
    declared: str = ""
    """The type as written (``DS``, ``CDS``, ``DNSKEY``, ``CDNSKEY``; empty when bare)."""
    repairs: tuple[str, ...] = ()
    defects: tuple[str, ...] = ()

    def ds_at(self, apex: dns.name.Name, digest_type: int = 2) -> DsRecord:
        """The DS this record stands for at ``apex`` (computed from a DNSKEY)."""
        if self.ds is not None:
            return self.ds
        assert self.dnskey is not None
        ds = make_ds(apex, self.dnskey, digest_type)
        return DsRecord(ds.key_tag, ds.algorithm, ds.digest_type, ds.digest)

    def canonical(self, apex: dns.name.Name) -> str:
        """The record in canonical presentation format, owned by ``apex``."""
        owner = apex.to_text()
        if self.dnskey is not None:
            k = self.dnskey
            key = base64.b64encode(k.key).decode()
            return f"{owner} IN DNSKEY {k.flags} {k.protocol} {k.algorithm} {key}"
        assert self.ds is not None
        return f"{owner} IN DS {self.ds.to_text()}"

    @property
    def label(self) -> str:
        """A short name for reports: ``DS 2371/13/2`` or ``DNSKEY 2371 (flags 257)``."""
        if self.dnskey is not None:
            return f"DNSKEY {key_tag(self.dnskey)} (flags {self.dnskey.flags})"
        assert self.ds is not None
        return f"DS {self.ds.key_tag}/{self.ds.algorithm}/{self.ds.digest_type}"


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Input that could not be read as a DS or DNSKEY, and exactly why."""

    line: int
    given: str
    reason: str


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
        _collect(_from_block(block), records, problems)
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


_DS_TYPES: dict[str, Kind] = {"DS": "DS", "CDS": "DS", "DNSKEY": "DNSKEY", "CDNSKEY": "DNSKEY"}
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
            if t.upper() in _DS_TYPES and i + 1 < len(tokens) and tokens[i + 1][:1].isdigit()
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
            return _from_rdata(line, given, "", None, tokens, ())
        return None
    try:
        owner = _header(tokens[:type_at])
    except FieldError as exc:
        return InputProblem(line, given, str(exc))
    declared = tokens[type_at].upper()
    return _from_rdata(line, given, declared, owner, tokens[type_at + 1 :], ())


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


def _from_rdata(
    line: int,
    given: str,
    declared: str,
    owner: dns.name.Name | None,
    fields: list[str],
    repairs: tuple[str, ...],
) -> InputRecord | InputProblem:
    kind: Kind = _DS_TYPES.get(declared) or ("DNSKEY" if _looks_like_dnskey(fields) else "DS")
    first, second = (_read_dnskey, _read_ds) if kind == "DNSKEY" else (_read_ds, _read_dnskey)
    base = InputRecord(line, given, kind, owner=owner, declared=declared, repairs=repairs)
    try:
        return first(base, fields)
    except FieldError as exc:
        try:  # labelled DS but holds DNSKEY data (or the other way round)?
            other = second(base, fields)
        except FieldError:
            return InputProblem(line, given, f"cannot read this {kind}: {exc}")
        if not declared:
            return other
        if not other.defects:
            wrong = f"it is labelled {declared} but holds {other.kind} data"
            return replace(other, repairs=(*other.repairs, wrong))
        return InputProblem(line, given, f"cannot read this {kind}: {exc}")


def _looks_like_dnskey(fields: list[str]) -> bool:
    if len(fields) < 4 or fields[1] != "3" or not fields[0].isdigit():
        return False
    rest = "".join(fields[3:])
    return not re.fullmatch(r"[0-9A-Fa-f]+", rest) or len(rest) not in (40, 64, 96)


def _read_ds(base: InputRecord, fields: list[str]) -> InputRecord:
    repairs = list(base.repairs)
    if base.declared == "CDS":
        repairs.append("it is a CDS record (the child's signal); the registry wants it as DS")
    if len(fields) == 3 and fields[0].isdigit() and fields[1].isdigit() and len(fields[2]) > 8:
        digest = read_hex_digest([fields[2]], None)
        guessed = {20: 1, 32: 2, 48: 4}.get(len(digest.value))
        if guessed is None:
            raise FieldError("a DS needs four fields: key tag, algorithm, digest type, digest")
        fields = [fields[0], fields[1], str(guessed), fields[2]]
        repairs.append(
            f"the digest type was missing; a {len(digest.value)}-octet digest is type "
            f"{guessed} ({digest_info(guessed).mnemonic})"
        )
    if len(fields) < 4:
        raise FieldError(
            f"a DS needs four fields (key tag, algorithm, digest type, digest); found {len(fields)}"
        )
    if len(fields) >= 4 and fields[1] == "3" and fields[0] in ("256", "257", "385"):
        raise FieldError("these look like DNSKEY fields (flags, protocol 3, algorithm, key)")
    values = [_ds_number(token, repairs) for token in fields[:3]]
    digest = read_hex_digest(fields[3:], digest_info(values[2]).length)
    order = _fix_order(values, len(digest.value))
    if order is not None:
        values = list(order)
        repairs.append(
            "the fields were out of order; a DS is KEYTAG ALGORITHM DIGESTTYPE DIGEST "
            f"(key tag {values[0]}, algorithm {values[1]}, digest type {values[2]})"
        )
    tag = read_uint(str(values[0]), "key tag", 0xFFFF)
    alg = read_uint(str(values[1]), "algorithm", 255)
    digest_type = read_uint(str(values[2]), "digest type", 255)
    repairs.extend(digest.repairs)
    defect = check_digest_length(digest.value, digest_type)
    ds = DsRecord(tag, alg, digest_type, digest.value)
    return replace(
        base, kind="DS", ds=ds, repairs=tuple(repairs), defects=(defect,) if defect else ()
    )


def _ds_number(token: str, repairs: list[str]) -> int:
    """A DS number field; mnemonics become numbers (a digest type mnemonic is a repair)."""
    if token.isdigit() and token.isascii():
        return int(token)
    try:
        dtype = read_digest_type(token)
    except FieldError:
        return read_algorithm(token)
    repairs.extend(dtype.repairs)
    return dtype.value


def _fix_order(values: list[int], digest_len: int) -> tuple[int, int, int] | None:
    """The one plausible order of the three numbers when the given order is not."""
    tag, alg, dtype = values
    if plausible_ds_fields(tag, alg, dtype, digest_len):
        return None
    if tag <= 0xFFFF and digest_info(dtype).length is not None and _valid_algorithm(alg):
        return None  # a known digest type of the wrong length: truncation, not field order
    options = {
        (a, b, c)
        for a, b, c in itertools.permutations(values)
        if plausible_ds_fields(a, b, c, digest_len)
    }
    return options.pop() if len(options) == 1 else None


def _valid_algorithm(number: int) -> bool:
    return 0 < number <= 255 and algorithm_info(number).status is not INVALID


def _read_dnskey(base: InputRecord, fields: list[str]) -> InputRecord:
    repairs = list(base.repairs)
    if base.declared == "CDNSKEY":
        repairs.append("it is a CDNSKEY record (the child's signal); read as its DNSKEY")
    if len(fields) < 4:
        raise FieldError(
            "a DNSKEY needs four fields (flags, protocol, algorithm, public key); "
            f"found {len(fields)}"
        )
    flags = read_uint(fields[0], "flags field", 0xFFFF)
    protocol = read_uint(fields[1], "protocol field", 0xFFFF)
    if protocol != 3 and flags == 3 and protocol in (256, 257):
        flags, protocol = protocol, 3
        repairs.append("flags and protocol were swapped; a DNSKEY is FLAGS 3 ALGORITHM KEY")
    if protocol != 3:
        raise FieldError(f"the protocol field is {protocol}; it must be 3 (RFC 4034 §2.1.2)")
    algorithm = read_algorithm(fields[2])
    key = read_base64_key(fields[3:])
    repairs.extend(key.repairs)
    wrong_length = check_dnskey_length(algorithm, key.value)
    if wrong_length is not None:
        raise FieldError(wrong_length)
    wire = struct.pack("!HBB", flags, 3, algorithm) + key.value
    rdata = dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DNSKEY, wire, 0, len(wire))
    assert isinstance(rdata, DNSKEY)
    return replace(base, kind="DNSKEY", dnskey=rdata, repairs=tuple(repairs))


def _from_block(block: LabelledBlock) -> InputRecord | InputProblem:
    """A registrar panel's or EPP element's fields as one record."""
    f = block.fields
    if {"tag", "alg", "dtype", "digest"} <= f.keys():
        fields = [f["tag"], f["alg"], f["dtype"], f["digest"]]
        wanted = "DS"
    elif {"flags", "alg", "pubkey"} <= f.keys():
        fields = [f["flags"], f.get("protocol", "3"), f["alg"], f["pubkey"]]
        wanted = "DNSKEY"
    else:
        have = ", ".join(sorted(f)) or "none"
        return InputProblem(
            block.line,
            block.given,
            "incomplete: a DS needs key tag, algorithm, digest type and digest; a DNSKEY "
            f"needs flags, algorithm and public key (found: {have})",
        )
    return _from_rdata(block.line, block.given, wanted, None, " ".join(fields).split(), ())
