"""Fuzz targets for every file reader: bytes in, a result or the tool's own error out.

Each ``fuzz_*`` takes the raw bytes of one input file and returns normally when
the reader either accepted them or refused them with :class:`DoctorError` (one
line, exit 3); any other exception escapes, which is the bug a fuzzer looks for.
The Hypothesis properties in ``test_input_fuzz.py`` call these functions, and so
can Atheris without any change (no atheris dependency here)::

    import atheris, sys
    with atheris.instrument_imports():
        import fuzz_inputs
    atheris.Setup(sys.argv, fuzz_inputs.fuzz_zone_file)
    atheris.Fuzz()

File-based readers get the bytes through a real file (the bounded reader and the
zone reader's streaming are part of what is fuzzed).
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

import dns.name

from dnssec_doctor.ds.input import ParsedInput, parse_ds_input
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.limits import InputLimits
from dnssec_doctor.model.anchors import TrustAnchors, load_anchor_files
from dnssec_doctor.model.capture import Capture, load_capture
from dnssec_doctor.probe.hints import parse_root_hints
from dnssec_doctor.zonefile.dsfile import read_ds_file
from dnssec_doctor.zonefile.reader import ReaderOptions, ZoneReader

SMALL = InputLimits(
    anchor_file_bytes=64 * 1024,
    root_hints_file_bytes=64 * 1024,
    capture_file_bytes=256 * 1024,
    capture_json_bytes=1024 * 1024,
)
"""Caps small enough that a fuzzer reaches them."""
ZONE_OPTIONS = ReaderOptions(
    max_bytes=256 * 1024,
    max_records=10_000,
    max_generate=1_000,
    max_generate_total=4_000,
    max_entry_chars=16 * 1024,
)
ORIGIN = dns.name.from_text("example.test.")


def _with_file(data: bytes, suffix: str = "") -> Path:
    handle, name = tempfile.mkstemp(prefix="fuzz-", suffix=suffix)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    return Path(name)


def _refused_or_none(call: object) -> object:
    """Run ``call()``; DoctorError is a refusal (None), anything else escapes.

    (The CLI prints the message through ``escape.terminal``: one line whatever
    the file name holds.)
    """
    try:
        return call()  # type: ignore[operator]
    except DoctorError as error:
        assert str(error), repr(error)
        return None


def fuzz_capture(data: bytes) -> Capture | None:
    """``--replay FILE``: plain or gzipped JSON."""
    path = _with_file(data, ".json")
    try:
        return _refused_or_none(lambda: load_capture(path, SMALL))  # type: ignore[return-value]
    finally:
        path.unlink()


def fuzz_gzipped_capture(data: bytes) -> Capture | None:
    """``--replay FILE.gz``: the same bytes behind gzip (the decompression cap)."""
    return fuzz_capture(gzip.compress(data, mtime=0))


def fuzz_zone_file(data: bytes) -> int | None:
    """``zone FILE``: the number of records read, None when refused."""

    def read() -> int:
        reader = ZoneReader(path, None if data[:1] == b"$" else ORIGIN, ZONE_OPTIONS)
        rows = sum(1 for _ in reader.records())
        fast = ZoneReader(path, reader.origin, ZONE_OPTIONS)
        assert sum(1 for _ in fast.stream()) == rows  # both ways of reading agree
        return rows

    path = _with_file(data, ".zone")
    try:
        return _refused_or_none(read)  # type: ignore[return-value]
    finally:
        path.unlink()


def fuzz_ds_file(data: bytes) -> int | None:
    """``zone --ds FILE``: DS records for the origin."""
    path = _with_file(data, ".ds")
    try:
        found = _refused_or_none(lambda: read_ds_file(path, ORIGIN))
        return None if found is None else len(found)  # type: ignore[arg-type]
    finally:
        path.unlink()


def fuzz_ds_input(data: bytes) -> ParsedInput:
    """``ds --ds FILE`` / ``--ds-text``: never refuses, reports problems instead."""
    text = data.decode("utf-8-sig", errors="replace")
    return parse_ds_input(text, source="fuzz")


def fuzz_trust_anchor_file(data: bytes) -> TrustAnchors | None:
    """``--trust-anchor FILE``."""
    path = _with_file(data, ".ds")
    try:
        return _refused_or_none(lambda: load_anchor_files([path], SMALL))  # type: ignore[return-value]
    finally:
        path.unlink()


def fuzz_root_hints_file(data: bytes) -> int | None:
    """``--root-hints FILE``: the number of addresses."""
    path = _with_file(data, ".hints")
    try:
        found = _refused_or_none(lambda: parse_root_hints(str(path), SMALL))
        return None if found is None else len(found)  # type: ignore[arg-type]
    finally:
        path.unlink()


def fuzz_root_hints_value(data: bytes) -> int | None:
    """``--root-hints VALUE`` as typed (a list, or a file name that is not there)."""
    text = data.decode("utf-8", errors="replace").replace("\x00", "")
    found = _refused_or_none(lambda: parse_root_hints(text, SMALL))
    return None if found is None else len(found)  # type: ignore[arg-type]


TARGETS = {
    "capture": fuzz_capture,
    "gzipped_capture": fuzz_gzipped_capture,
    "zone_file": fuzz_zone_file,
    "ds_file": fuzz_ds_file,
    "ds_input": fuzz_ds_input,
    "trust_anchor_file": fuzz_trust_anchor_file,
    "root_hints_file": fuzz_root_hints_file,
    "root_hints_value": fuzz_root_hints_value,
}
"""Name → target, for a fuzzing driver."""
