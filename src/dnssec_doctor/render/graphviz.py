"""DOT → SVG with Graphviz's ``dot``: the one place a renderer runs a program.

``dot`` runs with a timeout and its output is read up to a size cap, so a huge or
pathological graph ends in one clear error rather than a hang or unbounded memory.
Input goes through a temporary file and diagnostics to another, so neither pipe can
fill up and block while we read the SVG. The DOT we pass is ours (ids generated,
labels escaped, no file-reading attributes such as ``image`` or ``shapefile``).
"""

from __future__ import annotations

import os
import re
import selectors
import shutil
import subprocess
import tempfile
import time

from dnssec_doctor.errors import DoctorError

DOT_TIMEOUT = 30.0
"""Seconds ``dot`` may take to lay out one graph."""
MAX_SVG_BYTES = 16 * 1024 * 1024
"""Largest SVG accepted from ``dot``."""
CHUNK = 65536


def dot_to_svg(
    dot_text: str,
    *,
    timeout: float = DOT_TIMEOUT,
    max_bytes: int = MAX_SVG_BYTES,
    program: str = "dot",
) -> str:
    """The SVG Graphviz draws for ``dot_text``; DoctorError when it cannot."""
    path = shutil.which(program)
    if path is None:
        raise DoctorError(
            f"Graphviz '{program}' was not found: install Graphviz (Debian: apt-get install "
            "graphviz) for SVG and the graph in HTML reports, or use --format dot"
        )
    with tempfile.TemporaryFile() as source, tempfile.TemporaryFile() as errors:
        source.write(dot_text.encode("ascii", "xmlcharrefreplace"))
        source.seek(0)
        process = subprocess.Popen(
            [path, "-Tsvg"], stdin=source, stdout=subprocess.PIPE, stderr=errors
        )
        assert process.stdout is not None
        try:
            out = _read_capped(process.stdout.fileno(), timeout, max_bytes)
        except DoctorError:
            process.kill()
            process.wait()
            raise
        finally:
            process.stdout.close()
        try:
            code = process.wait(timeout=max(0.1, timeout))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise DoctorError(f"Graphviz did not finish within {timeout:g} s") from None
        errors.seek(0)
        message = errors.read(2000).decode("ascii", "replace").strip()
    if code != 0:
        first = message.splitlines()[0] if message else f"exit status {code}"
        raise DoctorError(f"Graphviz could not draw the graph: {first}")
    return out.decode("utf-8", "replace")


def _read_capped(fd: int, timeout: float, max_bytes: int) -> bytes:
    """Everything from ``fd`` until EOF, within ``timeout`` seconds and ``max_bytes``."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise DoctorError(f"Graphviz did not finish within {timeout:g} s")
            chunk = os.read(fd, CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > max_bytes:
                raise DoctorError(f"the graph's SVG is larger than {max_bytes} bytes")
            chunks.append(chunk)


def svg_fragment(svg: str) -> str:
    """The ``<svg>`` element alone, for embedding in an HTML page: no XML declaration or
    DOCTYPE, and no comments (Graphviz writes each element's DOT id in one)."""
    start = svg.find("<svg")
    if start < 0:
        return ""
    return _COMMENT.sub("", svg[start:])


_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
