"""``serve``: the HTTP server (the web UI, the JSON API, blackbox-style ``/probe`` and the
exporter's ``/metrics``)."""

from __future__ import annotations

import socket
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import TYPE_CHECKING

from dnssec_doctor.cli.common import add_db_option, add_network_options, db_url
from dnssec_doctor.cli.parser import describe
from dnssec_doctor.cli.values import Range
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import TrustAnchors, anchors_from_lines, load_anchor_files
from dnssec_doctor.probe.defaults import ROOT_TRUST_ANCHORS
from dnssec_doctor.probe.hints import default_root_hints, parse_root_hints

if TYPE_CHECKING:
    from dnssec_doctor.web.prober import ProbeConfig
    from dnssec_doctor.web.service import WebLimits

PORT = Range(int, 1, 65535)
MAX_CONCURRENT = Range(int, 1, 256)
MAX_QUEUED = Range(int, 0, 10000)
MAX_STORED = Range(int, 1, 100000)
REUSE_MINUTES = Range(float, 0.0, 1440.0)
CLIENT_RATE = Range(float, 0.01, 100000.0)
DESTINATION_RATE = Range(float, 0.1, 100000.0)


def serve_arguments(parser: ArgumentParser) -> None:
    """``serve``'s arguments: its own, and where to start, the anchors and the budgets."""
    describe(parser, serve, "%(prog)s [options]")
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="Address to listen on (default: %(default)s).")
    add("--port", type=PORT, default=9553, help="Port to listen on (default: %(default)s).")
    add(
        "--allow-private-targets",
        action="store_true",
        help="Also probe names whose servers are private, loopback or link-local (a lab, an "
        "internal zone). Off by default: a public server must not query its own network "
        "for whoever asks.",
    )
    add(
        "--max-concurrent",
        type=MAX_CONCURRENT,
        default=8,
        metavar="N",
        help=f"Probes, and checks of the web UI and API, that run at once (each its own "
        f"pool); more probes wait (up to the deadline), then get 503; more checks queue "
        f"({MAX_CONCURRENT}; default: %(default)s).",
    )
    add(
        "--max-queued",
        type=MAX_QUEUED,
        default=100,
        metavar="N",
        help=f"Checks that may wait for a free slot; more are refused (503) "
        f"({MAX_QUEUED}; default: %(default)s).",
    )
    add(
        "--max-stored",
        type=MAX_STORED,
        default=500,
        metavar="N",
        help=f"Finished checks kept in memory, the oldest dropped first ({MAX_STORED}; "
        "default: %(default)s).",
    )
    add(
        "--reuse-minutes",
        type=REUSE_MINUTES,
        default=5.0,
        metavar="MINUTES",
        help=f"The same check asked again within this time gets the same result "
        f"({REUSE_MINUTES}; default: %(default)s).",
    )
    add(
        "--client-rate",
        type=CLIENT_RATE,
        default=10.0,
        metavar="PER_MINUTE",
        help=f"New checks one client address may start per minute ({CLIENT_RATE}; "
        "default: %(default)s).",
    )
    add(
        "--destination-rate",
        type=DESTINATION_RATE,
        default=20.0,
        metavar="PER_SECOND",
        help=f"Queries per second to one DNS server address, over all checks together "
        f"({DESTINATION_RATE}; default: %(default)s).",
    )
    add_network_options(parser, targets=False)
    add_db_option(parser, record=True)


def serve(
    host: str,
    port: int,
    allow_private_targets: bool,
    max_concurrent: int,
    max_queued: int,
    max_stored: int,
    reuse_minutes: float,
    client_rate: float,
    destination_rate: float,
    root_hints: str | None,
    trust_anchor: tuple[Path, ...],
    timeout: float,
    max_queries: int,
    deadline: float,
    db: str | None,
) -> None:
    """Serve the web UI, the JSON API and Prometheus probes over HTTP.

    The web UI (/) and the JSON API (POST /api/v1/checks, described in
    /openapi.json) run checks in a bounded queue and show the report with its
    graph. Blackbox-exporter style, Prometheus scrapes /probe?target=NAME;
    /metrics has the server's own metrics. Servers at private, loopback,
    link-local, multicast or reserved addresses are never queried unless
    --allow-private-targets. With --db, every check of the web UI and the API
    is recorded in the history store, and /names/NAME shows each name's
    history. See docs/web.md to run it publicly.

    Examples:
      dnssec-doctor serve --port 9553
      dnssec-doctor serve --db default     (record checks; history at /names/NAME)
      curl 'http://127.0.0.1:9553/probe?target=example.com'
      curl -d '{"name": "example.com"}' -H 'Content-Type: application/json' \\
        http://127.0.0.1:9553/api/v1/checks
    """  # fmt: skip
    from dnssec_doctor.web.jobs import StoreLimits
    from dnssec_doctor.web.prober import ProbeConfig
    from dnssec_doctor.web.service import WebLimits

    hints = parse_root_hints(root_hints) if root_hints else default_root_hints()
    anchors: TrustAnchors = (
        load_anchor_files(list(trust_anchor))
        if trust_anchor
        else anchors_from_lines(ROOT_TRUST_ANCHORS, "built-in root trust anchors")
    )
    config = ProbeConfig(
        root_hints=tuple(hints),
        trust_anchors=anchors,
        limits=Limits(query_timeout=timeout, max_queries=max_queries, deadline=deadline),
        allow_private_targets=allow_private_targets,
        max_concurrent=max_concurrent,
    )
    web = WebLimits(
        store=StoreLimits(
            max_running=max_concurrent,
            max_queued=max_queued,
            max_stored=max_stored,
            reuse_seconds=reuse_minutes * 60,
        ),
        client_per_minute=client_rate,
        client_burst=max(1, round(client_rate)),
        destination_per_second=destination_rate,
        destination_burst=max(1, round(destination_rate * 2)),
    )
    run_server(config, host, port, web, db)


def run_server(
    config: ProbeConfig,
    host: str,
    port: int,
    web: WebLimits | None = None,
    db: str | None = None,
) -> None:
    """Serve the app with Uvicorn until interrupted (recording in the history store at
    ``db`` when given); DoctorError when it cannot listen or open the store."""
    import uvicorn

    from dnssec_doctor.web.app import create_app

    # Bound here rather than by Uvicorn, which ends the process with status 1 and a
    # log line when it cannot listen; this way it is our one line and status 3.
    listener = _listen(host, port)
    history = None
    if db is not None:
        from dnssec_doctor.web.history import WebHistory

        try:
            history = WebHistory.open(db_url(db))  # a store that cannot open: exit 3 now
        except BaseException:
            listener.close()
            raise
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, web, history), access_log=False, log_level="warning", lifespan="on",
        )
    )  # fmt: skip
    print(f"dnssec-doctor: serving on http://{_url_host(host)}:{port}/")
    sys.stdout.flush()
    with listener:
        server.run(sockets=[listener])


def _listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host`` and ``port``."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listener = socket.socket(family, kind, proto)
    except OSError as exc:
        raise DoctorError(f"cannot listen on {host} port {port}: {exc}") from None
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as exc:
        listener.close()
        raise DoctorError(f"cannot listen on {host} port {port}: {exc.strerror}") from None
    return listener


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
