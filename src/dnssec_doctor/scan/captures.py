"""``scan --save-captures DIR``: each name's capture, for ``check --replay`` later.

One gzipped capture per probed name, ``DIR/LLLLLLLL-NAME.capture.json.gz`` (the input
line, zero-padded so the files sort in input order, and the name with anything but
letters, digits, ``-``, ``_`` and ``.`` replaced by ``_``, at most 100 characters: a
hostile name cannot make a path). Written with the safe writer: an existing link or
device in DIR is refused, never followed.
"""

from __future__ import annotations

import re
from pathlib import Path

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.model.capture import Capture, save_capture

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class CaptureSaver:
    """Writes each capture it is given into one directory (created if needed)."""

    def __init__(self, directory: Path) -> None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DoctorError(f"cannot create {directory}: {exc.strerror or exc}") from None
        if not directory.is_dir() or directory.is_symlink():
            raise DoctorError(f"--save-captures {directory}: not a directory")
        self._directory = directory

    def __call__(self, capture: Capture, line: int) -> None:
        label = _UNSAFE.sub("_", capture.name.rstrip(".") + ".")[:100].lstrip(".") or "root"
        save_capture(capture, self._directory / f"{line:08d}-{label}capture.json.gz")
