"""``serve``: the HTTP server (blackbox-style ``/probe`` and the exporter's ``/metrics``)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dnssec_doctor.cli.args import Option, command
from dnssec_doctor.cli.common import NETWORK_OPTIONS
from dnssec_doctor.cli.convert import IntRange
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.limits import Limits
from dnssec_doctor.probe.anchors import TrustAnchors, anchors_from_lines, load_anchor_files
from dnssec_doctor.probe.defaults import ROOT_TRUST_ANCHORS
from dnssec_doctor.probe.hints import default_root_hints, parse_root_hints

if TYPE_CHECKING:
    from dnssec_doctor.web.prober import ProbeConfig

_COMMON = {o.dest: o for o in NETWORK_OPTIONS}
"""The shared options ``serve`` takes (where to start, anchors, timeout and budgets)."""


@command(
    "serve",
    Option("--host", default="127.0.0.1", show_default=True, help="Address to listen on."),
    Option("--port", convert=IntRange(1, 65535), default=9553, show_default=True,
           help="Port to listen on."),
    Option("--allow-private-targets", flag=True,
           help="Also probe names whose servers are private, loopback or link-local "
                "(a lab, an internal zone). Off by default: a public server must not "
                "query its own network for whoever asks."),
    Option("--max-concurrent", convert=IntRange(1, 256), default=8, show_default=True,
           help="Probes that run at once; more wait (up to the deadline), then get 503."),
    *(_COMMON[d] for d in ("root_hints", "trust_anchor", "timeout", "max_queries", "deadline")),
)  # fmt: skip
def serve(
    host: str,
    port: int,
    allow_private_targets: bool,
    max_concurrent: int,
    root_hints: str | None,
    trust_anchor: tuple[Path, ...],
    timeout: float,
    max_queries: int,
    deadline: float,
) -> None:
    """Serve Prometheus probes over HTTP: /probe?target=NAME checks NAME afresh.

    Blackbox-exporter style: Prometheus scrapes /probe with each name as its target;
    /metrics has the server's own metrics. Names whose servers are private, loopback,
    link-local, multicast or reserved addresses are refused unless
    --allow-private-targets.

    \b
    Examples:
      dnssec-doctor serve --port 9553
      curl 'http://127.0.0.1:9553/probe?target=example.com'
    """  # fmt: skip
    from dnssec_doctor.web.prober import ProbeConfig

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
    run_server(config, host, port)


def run_server(config: ProbeConfig, host: str, port: int) -> None:
    """Serve the app with Uvicorn until interrupted; DoctorError when it cannot listen."""
    import uvicorn

    from dnssec_doctor.web.app import create_app

    # Bound here rather than by Uvicorn, which ends the process with status 1 and a
    # log line when it cannot listen; this way it is our one line and status 3.
    listener = _listen(host, port)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config), access_log=False, log_level="warning", lifespan="off",
        )
    )  # fmt: skip
    print(f"dnssec-doctor: serving on http://{_url_host(host)}:{port}/probe?target=NAME")
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
