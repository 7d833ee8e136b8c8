"""Every file the tool reads or writes goes through here: one bounded reader, one safe writer.

- :mod:`.safewrite`: atomic replacement that never writes through a symbolic link,
  never replaces a device, FIFO or directory, and keeps an existing file's mode.
- :mod:`.boundedread`: input files read with a byte cap (gzip too, after
  decompression), refusing devices, sockets and directories before reading a byte.

Both raise :class:`~dnssec_doctor.errors.DoctorError` (one line, exit 3) naming the
file and the rule or cap.
"""

from __future__ import annotations

from dnssec_doctor.fileio.boundedread import open_input, read_input, read_input_text
from dnssec_doctor.fileio.safewrite import check_target, open_stream, write_file

__all__ = [
    "check_target",
    "open_input",
    "open_stream",
    "read_input",
    "read_input_text",
    "write_file",
]
