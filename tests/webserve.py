"""`dnssec-doctor serve` in a subprocess (Uvicorn on a real loopback socket) and an HTTP
client for its JSON API and pages, for the web tests and the benchmark."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import labbases
from dnssec_doctor.lab.background import BackgroundLab

HOST = f"{labbases.EMBEDDED}.253.2"
"""Where the web tests' servers listen (test_serve uses .253.1)."""


@contextmanager
def serving(
    lab: BackgroundLab, anchor: Path, port: int, *extra: str, host: str = HOST
) -> Iterator[str]:
    """`dnssec-doctor serve` for ``lab`` on ``host`` until the block ends; its base URL."""
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "dnssec_doctor", "serve", "--host", host, "--port", str(port),
            "--root-hints", lab.root_hints, "--trust-anchor", str(anchor), "--timeout", "1",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        _wait_listening(proc, host, port)
        yield f"http://{host}:{port}"
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert proc.returncode in (0, -15), (proc.returncode, out, err)
    assert "Traceback" not in err, err


def _wait_listening(proc: subprocess.Popen[str], host: str, port: int) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.communicate()}")
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("serve did not start listening")


def request(
    url: str, body: object = None, *, form: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of a GET, or of a POST of JSON ``body``
    or of an urlencoded ``form``; HTTP errors are returned, not raised. No redirects."""
    data, kind = None, None
    if body is not None:
        data, kind = json.dumps(body).encode(), "application/json"
    elif form is not None:
        data, kind = form, "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, headers={"Content-Type": kind} if kind else {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=60) as response:
            return response.status, _headers(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, _headers(exc.headers), exc.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _headers(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def submit(base: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST a check; the 202 answer."""
    status, _, raw = request(f"{base}/api/v1/checks", body)
    assert status == 202, (status, raw)
    created: dict[str, Any] = json.loads(raw)
    return created


def wait_over(base: str, url: str, seconds: float = 90) -> dict[str, Any]:
    """Poll a check until it is done or failed; its last state."""
    stop = time.monotonic() + seconds
    while True:
        status, _, raw = request(base + url)
        assert status == 200, (status, raw)
        state: dict[str, Any] = json.loads(raw)
        if state["state"] in ("done", "failed"):
            return state
        assert time.monotonic() < stop, state
        time.sleep(0.2)
