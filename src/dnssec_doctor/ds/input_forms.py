"""Pasted key data that is not a resource record: labelled fields and EPP XML.

Registrar panels show a DS as labelled fields (``Key Tag: 2371``, ``Algorithm: 13
(ECDSAP256SHA256)``, ``Digest Type: SHA-256``, ``Digest: …``), and registrars'
tools and EPP clients use the ``secDNS`` extension (RFC 5910 §4: ``dsData`` with
``keyTag``, ``alg``, ``digestType``, ``digest``; ``keyData`` with ``flags``,
``protocol``, ``alg``, ``pubKey``). Both become :class:`LabelledBlock` field sets
that :mod:`dnssec_doctor.ds.input` reads like record fields. XML is matched with
regular expressions, never parsed by an XML library, so entities cannot expand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

GIVEN_CHARS = 300
"""How much of each input record findings quote."""


@dataclass(slots=True)
class LabelledBlock:
    """One record's worth of labelled fields, normalised to bare values."""

    line: int
    given: str = ""
    fields: dict[str, str] = field(default_factory=dict)


_LABELS = {
    "keytag": "tag",
    "tag": "tag",
    "keyid": "tag",
    "algorithm": "alg",
    "alg": "alg",
    "algo": "alg",
    "digesttype": "dtype",
    "digestalgorithm": "dtype",
    "digestalg": "dtype",
    "hashtype": "dtype",
    "hashalgorithm": "dtype",
    "digest": "digest",
    "hash": "digest",
    "flags": "flags",
    "protocol": "protocol",
    "publickey": "pubkey",
    "pubkey": "pubkey",
    "key": "pubkey",
}
"""Normalised label → field (EPP element names normalise to the same keys)."""

_RECORD_LABELS = re.compile(r"^(ds|cds|dsrecord|record|(ksk|zsk|csk)?c?dnskey(record)?)$")
"""Labels whose value is a whole record (``DS Record: example.com. IN DS …``)."""

_LABELLED = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 _\-]{0,30}?)(?:\s*:|\s+=)\s+(\S.*?)\s*$")
"""``Label: value`` (panels) or ``Label = value`` (PowerDNS); the space after the
separator keeps base64 lines ending in ``=`` from looking labelled."""


def _normalise_label(label: str) -> str:
    return re.sub(r"[^a-z0-9]", "", label.lower())


def _value(name: str, raw: str) -> str:
    """The bare value: ``13 (ECDSAP256SHA256)`` → ``13``; a digest without spaces."""
    if name in ("digest", "pubkey"):
        return "".join(raw.split())
    leading = re.match(r"\s*(\d+)\b", raw)
    if leading:
        return leading.group(1)
    word = re.match(r"\s*([A-Za-z0-9-]+)", raw)
    return word.group(1) if word else raw.strip()


def labelled_blocks(text: str) -> tuple[list[LabelledBlock], list[tuple[int, str]]]:
    """Blocks of labelled DS/DNSKEY fields, and every other line (number, text)."""
    blocks: list[LabelledBlock] = []
    others: list[tuple[int, str]] = []
    current: LabelledBlock | None = None
    for number, line in enumerate(text.split("\n"), 1):
        match = _LABELLED.match(line) if not line.lstrip().startswith(";") else None
        label = _normalise_label(match.group(1)) if match else ""
        if match and _RECORD_LABELS.match(label):
            others.append((number, match.group(2)))
            current = None
            continue
        name = _LABELS.get(label)
        if match is None or name is None:
            if line.strip():
                current = None
            others.append((number, line))
            continue
        if current is None or name in current.fields:
            current = LabelledBlock(number)
            blocks.append(current)
        current.fields[name] = _value(name, match.group(2))
        joined = f"{current.given} | {line.strip()}" if current.given else line.strip()
        current.given = joined[:GIVEN_CHARS]
    return blocks, others


_ELEMENT = re.compile(
    r"<(?:[\w.-]+:)?(keyTag|alg|digestType|digest|flags|protocol|pubKey)\s*>\s*([^<]*?)\s*</",
    re.S,
)
_DS_DATA = re.compile(r"<(?:[\w.-]+:)?dsData\s*>(.*?)</(?:[\w.-]+:)?dsData\s*>", re.S)
_KEY_DATA = re.compile(r"<(?:[\w.-]+:)?keyData\s*>(.*?)</(?:[\w.-]+:)?keyData\s*>", re.S)


def xml_blocks(text: str) -> tuple[list[LabelledBlock], str]:
    """``secDNS:dsData`` and top-level ``secDNS:keyData`` elements (RFC 5910 §4.1).

    Returns the blocks and the text with those elements blanked out (line
    numbers kept), for the other readers.
    """
    blocks: list[LabelledBlock] = []
    for pattern in (_DS_DATA, _KEY_DATA):
        for match in pattern.finditer(text):
            inner = _KEY_DATA.sub("", match.group(1)) if pattern is _DS_DATA else match.group(1)
            block = LabelledBlock(text.count("\n", 0, match.start()) + 1)
            for element in _ELEMENT.finditer(inner):
                name = _LABELS[_normalise_label(element.group(1))]
                block.fields.setdefault(name, _value(name, element.group(2)))
            block.given = " ".join(match.group(0).split())[:GIVEN_CHARS]
            blocks.append(block)
        text = pattern.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return blocks, text
