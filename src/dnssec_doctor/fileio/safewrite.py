"""The one way the tool writes a file: atomically, and only the file it was asked to write.

A command told ``-o out.json`` must change ``out.json`` and nothing else, whatever
the directory holds (the tool may run as another user, over a shared directory):

- a target that is a symbolic link is refused (writing through it would change the
  file it points to; renaming over it would silently turn a link the user made into
  a file): the error says so and asks for the real path;
- a target that exists but is not a regular file (``/dev/full``, a FIFO, a
  directory, a socket) is refused, never replaced;
- the data goes to a new temporary file in the target's directory, created with
  ``O_CREAT | O_EXCL | O_NOFOLLOW`` under an unpredictable name (a planted
  ``out.json.tmp`` link is never followed nor reused), flushed with ``fsync``, then
  renamed over the target (``rename(2)`` replaces the directory entry, it never
  follows a link that appeared there meanwhile);
- an existing target keeps its permission bits (a new one gets ``0666 & ~umask``);
- on every failure the temporary file is removed and the target is left as it was.

A refusal or an I/O error is a :class:`DoctorError`: one line, exit 3.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
from pathlib import Path

from dnssec_doctor.errors import DoctorError

_TEMP_ATTEMPTS = 32
_NAME_KEEP = 128
"""Characters of the target's name kept in the temporary name (NAME_MAX is 255)."""


def write_file(
    path: str | os.PathLike[str], data: bytes, *, what: str = "file", stdout_dash: bool = False
) -> None:
    """Replace ``path`` with ``data`` safely (see the module docstring).

    ``what`` names the file in errors (``"capture"``). With ``stdout_dash``, the
    path ``-`` means standard output.
    """
    if stdout_dash and os.fspath(path) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    mode = _existing_mode(target, what)
    directory = target.parent
    fd, temporary = _create_temporary(directory, target, what)
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                if mode is not None:
                    os.fchmod(handle.fileno(), mode)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            _existing_mode(target, what)  # again, just before the rename: narrow the window
            os.replace(temporary, target)
        except OSError as exc:
            raise DoctorError(f"cannot write {what} {target}: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def check_target(path: str | os.PathLike[str], *, what: str, stdout_dash: bool = False) -> None:
    """DoctorError now when :func:`write_file` would refuse ``path`` (so that a command
    refuses before a minute of probing, not after)."""
    if not (stdout_dash and os.fspath(path) == "-"):
        _existing_mode(Path(path), what)


def _existing_mode(target: Path, what: str) -> int | None:
    """The permission bits of an existing regular file; None when there is none yet."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DoctorError(f"cannot write {what} {target}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        raise DoctorError(
            f"refusing to write {what} {target}: it is a symbolic link "
            "(give the path of the file it points to)"
        )
    if not stat.S_ISREG(info.st_mode):
        raise DoctorError(
            f"refusing to write {what} {target}: it is {describe_kind(info.st_mode)}, "
            "not a regular file"
        )
    return stat.S_IMODE(info.st_mode)


def _create_temporary(directory: Path, target: Path, what: str) -> tuple[int, Path]:
    """A new file next to ``target`` that nobody else can have prepared."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(_TEMP_ATTEMPTS):
        name = f".{target.name[:_NAME_KEEP]}.{secrets.token_hex(8)}.tmp"
        candidate = directory / name
        try:
            return os.open(candidate, flags, 0o666), candidate
        except FileExistsError:
            continue
        except OSError as exc:
            raise DoctorError(f"cannot write {what} {target}: {exc.strerror or exc}") from None
    raise DoctorError(f"cannot write {what} {target}: no free temporary name in {directory}")


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (best effort: some file systems refuse to sync a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def describe_kind(mode: int) -> str:
    """``a directory``, ``a character device`` … for an ``st_mode``."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    )
    for test, text in kinds:
        if test(mode):
            return text
    return "not a regular file"


def open_stream(path: str | os.PathLike[str], *, what: str, truncate: bool) -> int:
    """A descriptor for a file written as it goes (a daemon's log) or only locked.

    Same refusals as :func:`write_file` (a symbolic link, anything but a regular file),
    checked on what was actually opened: ``O_NOFOLLOW`` refuses a link, ``O_NONBLOCK``
    keeps a planted FIFO from blocking the open, and the file is only truncated once
    ``fstat`` says it is a regular file.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DoctorError(f"refusing to write {what} {path}: it is a symbolic link") from None
        raise DoctorError(f"cannot write {what} {path}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise DoctorError(
                f"refusing to write {what} {path}: it is {describe_kind(mode)}, not a regular file"
            )
        os.set_blocking(fd, True)
        if truncate:
            os.ftruncate(fd, 0)
    except OSError as exc:
        os.close(fd)
        raise DoctorError(f"cannot write {what} {path}: {exc.strerror or exc}") from None
    except BaseException:
        os.close(fd)
        raise
    return fd
