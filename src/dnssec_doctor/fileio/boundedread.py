"""The one way the tool reads an input file: refuse what is not a file, read with a cap.

``--trust-anchor /dev/zero`` must not read forever, a 4 MB gzip bomb must not
inflate to 4 GB, a FIFO nobody writes to must not hang the open. So every input:

- is opened with ``O_NONBLOCK`` (the open of a FIFO returns at once) and checked
  with ``fstat`` before a byte is read: regular files and pipes (``-`` where a
  command takes standard input, ``<(command)`` process substitution) are read;
  directories, character and block devices and sockets are refused;
- is read up to its cap plus one byte: more is an error naming the file and the cap;
- when gzip is allowed and the data starts with the gzip magic, is decompressed
  up to a second cap, never further.

Symbolic links are followed: reading through one changes nothing.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import sys
import zlib
from pathlib import Path
from typing import BinaryIO

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio.safewrite import describe_kind

GZIP_MAGIC = b"\x1f\x8b"


def open_input(
    path: str | os.PathLike[str],
    *,
    what: str,
    stdin_dash: bool = False,
    regular_only: bool = False,
) -> BinaryIO:
    """``path`` opened for reading in binary; DoctorError when it is not something to read.

    With ``stdin_dash``, ``-`` means standard input; ``regular_only`` refuses pipes
    too (for inputs read more than once, like zone files).
    """
    if stdin_dash and os.fspath(path) == "-":
        return os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise DoctorError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISREG(mode) or (stat.S_ISFIFO(mode) and not regular_only)):
            raise DoctorError(
                f"refusing to read {what} {path}: it is {describe_kind(mode)}, not a file"
            )
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_input(
    path: str | os.PathLike[str],
    *,
    what: str,
    max_bytes: int,
    gunzip_max_bytes: int | None = None,
    stdin_dash: bool = False,
) -> bytes:
    """At most ``max_bytes`` of ``path``; DoctorError naming the file and the cap beyond.

    ``gunzip_max_bytes``: gzip data is decompressed, to at most that many bytes.
    """
    with open_input(path, what=what, stdin_dash=stdin_dash) as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise DoctorError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise DoctorError(f"{what} {path} is larger than {size_text(max_bytes)} (the limit)")
    if gunzip_max_bytes is not None and data[:2] == GZIP_MAGIC:
        data = _gunzip(data, Path(path), what, gunzip_max_bytes)
    return data


def read_input_text(
    path: str | os.PathLike[str], *, what: str, max_bytes: int, stdin_dash: bool = False
) -> str:
    """Like :func:`read_input`, decoded as UTF-8 (a leading byte-order mark is dropped)."""
    data = read_input(path, what=what, max_bytes=max_bytes, stdin_dash=stdin_dash)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DoctorError(f"cannot read {what} {path}: not UTF-8 text") from None


def _gunzip(data: bytes, path: Path, what: str, max_bytes: int) -> bytes:
    """Decompress at most ``max_bytes`` (``GzipFile.read(n)`` inflates no more than asked)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error):
        raise DoctorError(f"cannot read {what} {path}: damaged gzip data") from None
    if len(out) > max_bytes:
        raise DoctorError(
            f"{what} {path} decompresses to more than {size_text(max_bytes)} (the limit)"
        )
    return out


def size_text(count: int) -> str:
    """``64 MiB``, ``1 MiB``, ``500 bytes``: a cap as people read it."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"
