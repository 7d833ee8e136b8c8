"""Find and load the libpq psycopg uses, its functions declared for ctypes (``libpq``).

psycopg's binary wheel ships its own libpq (``psycopg_binary.libs``, or ``.dylibs`` on
macOS); other builds of psycopg use the system's. The same library means the same
connection behaviour and the same wording of connection errors. Anything unexpected —
psycopg not installed, a layout not known here, a libpq too old for pipeline mode
(before PostgreSQL 14) — gives None, and the caller goes through psycopg instead.
"""

from __future__ import annotations

import ctypes
import glob
import importlib.util
import os
import sys
import threading
from typing import Any

_lock = threading.Lock()
_loaded: list[ctypes.CDLL | None] = []
NOTICE_PROCESSOR = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p)
IGNORE_NOTICE = NOTICE_PROCESSOR(lambda _arg, _message: None)
"""Server notices (a ``ROLLBACK`` with no transaction left) are not the user's business;
libpq's default would print them on stderr."""


def _bundled_libpq() -> str | None:
    """The libpq psycopg's binary build loads (``psycopg_binary.libs`` next to it)."""
    if os.environ.get("PSYCOPG_IMPL") not in (None, "", "binary"):
        return None
    spec = importlib.util.find_spec("psycopg_binary")
    if spec is None or spec.origin is None:
        return None
    top = os.path.dirname(os.path.dirname(spec.origin))
    pattern = "libpq*.dylib" if sys.platform == "darwin" else "libpq-*.so*"
    where = "psycopg_binary/.dylibs" if sys.platform == "darwin" else "psycopg_binary.libs"
    found = sorted(glob.glob(os.path.join(top, where, pattern)))
    return found[0] if found else None


def _library_path() -> str | None:
    """The libpq psycopg would use; None when psycopg is not installed (its own error
    message says what to install) or the library is not where it is expected."""
    if importlib.util.find_spec("psycopg") is None:
        return None
    bundled = _bundled_libpq()
    if bundled is not None:
        return bundled
    if importlib.util.find_spec("psycopg_binary") is not None:
        return None  # a layout this module does not know: psycopg's own path is exact
    return "libpq.so.5" if sys.platform.startswith("linux") else None


def load() -> ctypes.CDLL | None:
    """libpq with its functions' signatures declared; None when it cannot be found."""
    with _lock:
        if not _loaded:
            _loaded.append(_declared(_library_path()))
        return _loaded[0]


def _declared(path: str | None) -> ctypes.CDLL | None:
    if path is None:
        return None
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    ptr, text, num = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    oids, texts, nums = ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(text), ctypes.POINTER(num)
    signatures: dict[str, tuple[Any, list[Any]]] = {
        "PQconnectdbParams": (ptr, [texts, texts, num]),
        "PQstatus": (num, [ptr]),
        "PQerrorMessage": (text, [ptr]),
        "PQfinish": (None, [ptr]),
        "PQsendQueryParams": (num, [ptr, text, num, oids, texts, nums, nums, num]),
        "PQenterPipelineMode": (num, [ptr]),
        "PQexitPipelineMode": (num, [ptr]),
        "PQpipelineSync": (num, [ptr]),
        "PQgetResult": (ptr, [ptr]),
        "PQsetnonblocking": (num, [ptr, num]),
        "PQsocket": (num, [ptr]),
        "PQflush": (num, [ptr]),
        "PQisBusy": (num, [ptr]),
        "PQconsumeInput": (num, [ptr]),
        "PQtransactionStatus": (num, [ptr]),
        "PQsetNoticeProcessor": (ptr, [ptr, NOTICE_PROCESSOR, ptr]),
        "PQresultStatus": (num, [ptr]),
        "PQresultErrorMessage": (text, [ptr]),
        "PQresultErrorField": (text, [ptr, num]),
        "PQclear": (None, [ptr]),
        "PQntuples": (num, [ptr]),
        "PQnfields": (num, [ptr]),
        "PQfname": (text, [ptr, num]),
        "PQftype": (ctypes.c_uint, [ptr, num]),
        "PQgetvalue": (text, [ptr, num, num]),
        "PQgetisnull": (num, [ptr, num, num]),
        "PQunescapeBytea": (ptr, [text, ctypes.POINTER(ctypes.c_size_t)]),
        "PQfreemem": (None, [ptr]),
    }
    for name, (restype, argtypes) in signatures.items():
        try:
            function = getattr(lib, name)
        except AttributeError:  # an older libpq (no pipeline mode): psycopg's path
            return None
        function.restype, function.argtypes = restype, argtypes
    return lib
