"""The origin of a zone file read without ``--origin`` (RFC 1035 §5.1): from the file's text.

The first ``$ORIGIN``, or the owner of an SOA record written as an absolute name,
near the top. Never the file name: ``db.example`` or ``example.com.zone`` would give
a wrong origin without a word, so a file that names neither is an error that asks
for ``--origin``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import dns.exception
import dns.name

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import open_input
from dnssec_doctor.zonefile.lexer import Lexer
from dnssec_doctor.zonefile.scan import BOM


def guess_origin(path: Path, max_line: int) -> dns.name.Name:
    """The zone's origin when not given: the first ``$ORIGIN``, or an absolute SOA owner.

    Only the first 2,000 entries are looked at; a zone file starts with its apex.
    Never the file name: ``db.example`` or ``example.com.zone`` would silently give a
    wrong origin, so a file that names neither is an error asking for ``--origin``.
    """
    with open_input(path, what="zone file", regular_only=True) as handle:
        found = _origin_in(_head_lines(handle, path, max_line), path, max_line)
    if found is not None:
        return found
    raise DoctorError(
        f"{path}: cannot tell the zone's origin (no $ORIGIN and no SOA with an absolute "
        "owner near the top); give --origin NAME"
    )


def _origin_in(lines: Iterator[bytes], path: Path, max_line: int) -> dns.name.Name | None:
    lexer = Lexer(lines, str(path), max_line)
    try:
        for count, entry in enumerate(lexer.entries()):
            if count > 2000:
                break
            tokens = [t.upper() for t in entry.tokens]
            if tokens[0] == "$ORIGIN" and len(tokens) == 2 and tokens[1].endswith("."):
                return _absolute(entry.tokens[1])
            if not entry.continued_owner and "SOA" in tokens[1:4] and tokens[0].endswith("."):
                return _absolute(entry.tokens[0])
    except LineTooLongError:
        raise
    except (DoctorError, dns.exception.DNSException, ValueError, UnicodeError):
        pass  # the real read reports the problem with its line number
    return None


class LineTooLongError(DoctorError):
    """A line over the cap while looking for the origin (reported, not skipped)."""


def _absolute(text: str) -> dns.name.Name:
    """A name as the reader parses owners (the same text gives the same name)."""
    return dns.name.from_text(text)


def _head_lines(handle: BinaryIO, path: Path, max_line: int) -> Iterator[bytes]:
    """The first lines of a file, each cut at the line cap (the real read refuses it)."""
    for count in range(20_000):
        line = handle.readline(max_line + 1)
        if not line:
            return
        if len(line) > max_line:
            raise LineTooLongError(
                f"{path}:{count + 1}: a line longer than "
                f"{max_line} characters (the limit for one zone-file line)"
            )
        if count == 0 and line.startswith(BOM):
            line = line[len(BOM) :]
        yield line
