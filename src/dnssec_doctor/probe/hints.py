"""Root hints from ``--root-hints``: ``ADDR[,ADDR…]`` or a file.

How the value is told apart: with a ``/`` it is a file; otherwise with a ``,`` or
when it is one address it is a list (so all 26 IANA addresses, 400 characters, are
never tried as a file name); anything else is a file name. A file holds one
address per line, or A/AAAA records in zone-file syntax (IANA's ``named.root``):
NS and other records are skipped; ``$INCLUDE`` and ``$GENERATE`` are refused.
The file is read with the bounded reader.
"""

from __future__ import annotations

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.escape import terminal
from dnssec_doctor.fileio import read_input_text
from dnssec_doctor.limits import INPUT_LIMITS, InputLimits
from dnssec_doctor.probe.defaults import ROOT_SERVER_ADDRESSES

_ADDRESS_TYPES = ("A", "AAAA")
_CLASSES = ("IN", "CH", "HS", "CS")


def default_root_hints() -> list[ServerAddress]:
    """The IANA root servers."""
    return [ServerAddress.parse(a) for a in ROOT_SERVER_ADDRESSES]


def parse_root_hints(value: str, limits: InputLimits = INPUT_LIMITS) -> list[ServerAddress]:
    """Addresses from a comma list, or from a file of addresses or A/AAAA records.

    An empty value is an error, never the IANA roots: leaving the option out is how
    to ask for those.
    """
    raw = value.strip()
    if not raw:
        raise DoctorError(
            "--root-hints is empty: give ADDR[,ADDR…] or a file "
            "(leave the option out to start at the IANA root servers)"
        )
    if "/" not in raw and ("," in raw or _is_address(raw)):
        return hints_from_list(raw)
    text = read_input_text(raw, what="root hints file", max_bytes=limits.root_hints_file_bytes)
    return hints_from_text(text, raw)


def hints_from_list(value: str) -> list[ServerAddress]:
    """``ADDR[,ADDR…]``; DoctorError when an item is not an address or there is none."""
    found = [ServerAddress.parse(part) for part in value.split(",") if part.strip()]
    if not found:
        raise DoctorError(f"--root-hints {terminal(value)!r} holds no address")
    return found


def hints_from_text(text: str, source: str) -> list[ServerAddress]:
    """Addresses from a hints file's text; DoctorError naming ``source`` and the line.

    Any text ends in a list or a DoctorError (the property and fuzz target).
    """
    found: list[ServerAddress] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        tokens = raw.split(";", 1)[0].split()
        if not tokens:
            continue
        where = f"root hints file {source}:{lineno}"
        if tokens[0].startswith("$"):
            if tokens[0].upper() not in ("$ORIGIN", "$TTL"):
                raise DoctorError(f"{where}: {terminal(tokens[0][:20])} is not allowed here")
            continue
        if len(tokens) == 1:
            found.append(_address(tokens[0], where))
            continue
        rdtype = _record_type(tokens)
        if rdtype is None:
            continue  # NS and other records: named.root lists them beside the addresses
        index, _ = rdtype
        if index + 1 >= len(tokens):
            raise DoctorError(f"{where}: {tokens[index]} record without an address")
        found.append(_address(tokens[index + 1], where))
    if not found:
        raise DoctorError(f"root hints file {source} holds no addresses")
    return found


def _record_type(tokens: list[str]) -> tuple[int, str] | None:
    """Where ``A``/``AAAA`` is among the head of a record (owner [TTL] [class] type)."""
    for index in range(1, min(len(tokens), 4)):
        word = tokens[index].upper()
        if word in _ADDRESS_TYPES:
            return index, word
        if not (word.isdigit() or word in _CLASSES):
            return None
    return None


def _address(text: str, where: str) -> ServerAddress:
    try:
        return ServerAddress.parse(text)
    except DoctorError as exc:
        raise DoctorError(f"{where}: {exc}") from None


def _is_address(text: str) -> bool:
    try:
        ServerAddress.parse(text)
    except DoctorError:
        return False
    return True
