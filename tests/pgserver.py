"""A throw-away PostgreSQL server for the history-store tests (Debian's `postgresql`).

Started in a temporary data directory on a free loopback port, trust authentication
on 127.0.0.1 only, no Unix socket outside the data directory. initdb and pg_ctl
refuse to run as root, so as root the server runs as the `postgres` user the Debian
package creates (the data directory is handed to it); otherwise as the current user.
A missing server fails the tests that need it (`make test` installs it), never skips.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PACKAGE = "postgresql"


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if not found:
        pytest.fail(f"PostgreSQL is not installed: `make test` installs the {PACKAGE} package")
    return Path(found[-1]).parent


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_owner(argv: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *argv] if owner else argv


@contextmanager
def postgres_server(password: str | None = None) -> Iterator[str]:
    """Start PostgreSQL; yields the URL of its ``postgres`` database as superuser.

    ``password``: the superuser's, required on every connection (SCRAM-SHA-256, as a
    production server is set up); the URL yielded does not carry it."""
    bindir = _bin_dir()
    owner = "postgres" if os.geteuid() == 0 else None
    top = Path(tempfile.mkdtemp(prefix="dnssec-doctor-pg-"))
    data = top / "data"
    if owner:
        account = pwd.getpwnam(owner)
        os.chown(top, account.pw_uid, account.pw_gid)
    port = _free_port()
    auth = ["--auth=trust"]
    if password is not None:
        secret = top / "pwfile"
        secret.write_text(password + "\n")
        if owner:
            os.chown(secret, account.pw_uid, account.pw_gid)
        auth = ["--auth=scram-sha-256", f"--pwfile={secret}"]
    try:
        subprocess.run(
            _as_owner([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                       *auth, "-E", "UTF8", "--no-sync"], owner),
            check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={top} -F"
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
                       "-l", str(top / "log"), "start"], owner),
            check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                           "stop"], owner),
                check=False, capture_output=True, timeout=60,
            )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"could not start PostgreSQL: {exc.stderr or exc.stdout}")
    finally:
        shutil.rmtree(top, ignore_errors=True)


def fresh_database(server_url: str, name: str) -> str:
    """Create an empty database on the server; its URL."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"
