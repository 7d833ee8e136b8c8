"""Reading the RDATA of one pasted DS or DNSKEY, and the types the input reader returns.

DS RDATA (RFC 4034 §5.3): key tag, algorithm, digest type, digest; DNSKEY RDATA
(§2.2): flags, protocol, algorithm, public key. Records labelled with the other
type, fields out of order and a missing digest type are repaired (and the repair
recorded); a digest of the wrong length is kept as a defect, so the key it names
can still be found.
"""

from __future__ import annotations

import base64
import itertools
import re
import struct
from dataclasses import dataclass, replace
from typing import Literal

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from dnssec_doctor.dnssec.algorithms import PolicyStatus, algorithm_info, digest_info
from dnssec_doctor.dnssec.keys import DNSKEY, DsRecord, key_tag, make_ds
from dnssec_doctor.ds.input_fields import (
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
from dnssec_doctor.ds.input_forms import LabelledBlock

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


DS_TYPES: dict[str, Kind] = {"DS": "DS", "CDS": "DS", "DNSKEY": "DNSKEY", "CDNSKEY": "DNSKEY"}
"""Type mnemonic → the kind of data (the child's CDS/CDNSKEY read as DS/DNSKEY)."""


def read_rdata(
    line: int,
    given: str,
    declared: str,
    owner: dns.name.Name | None,
    fields: list[str],
    repairs: tuple[str, ...],
) -> InputRecord | InputProblem:
    kind: Kind = DS_TYPES.get(declared) or ("DNSKEY" if _looks_like_dnskey(fields) else "DS")
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
    if not options:  # the digest is damaged too: order by the numbers alone
        options = {
            (a, b, c)
            for a, b, c in itertools.permutations(values)
            if a <= 0xFFFF and _valid_algorithm(b) and digest_info(c).length is not None
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


def read_block(block: LabelledBlock) -> InputRecord | InputProblem:
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
    return read_rdata(block.line, block.given, wanted, None, " ".join(fields).split(), ())
