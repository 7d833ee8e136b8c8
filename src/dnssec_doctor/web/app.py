"""The ASGI application of ``serve`` (FastAPI): ``/probe`` and ``/metrics``.

``/probe?target=NAME`` works like the Prometheus blackbox exporter's: each scrape
runs a fresh check of NAME and answers with its metrics. A check that could not
diagnose (nothing answered, the address policy refused a server, the deadline) is
still a 200 with ``dnssec_probe_success 0`` and the reason as a comment line, so
Prometheus records the failure; a request without a usable ``target`` is a 400 and
a server saturated with probes a 503. The web UI and JSON API of a later version
join this same application.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from dnssec_doctor import __version__
from dnssec_doctor.render.escape import terminal
from dnssec_doctor.web.exporter import ExporterMetrics
from dnssec_doctor.web.prober import BusyError, ProbeConfig, Prober, TargetError

INDEX = """dnssec-doctor {version}

/probe?target=NAME   a fresh DNSSEC check of NAME, as Prometheus metrics
/metrics             this server's own metrics
"""


def create_app(config: ProbeConfig) -> FastAPI:
    """The application serving probes within ``config``."""
    metrics = ExporterMetrics()
    prober = Prober(config, metrics)
    app = FastAPI(title="dnssec-doctor", version=__version__, docs_url=None, redoc_url=None)

    @app.get("/", response_class=PlainTextResponse)
    async def index() -> str:
        return INDEX.format(version=__version__)

    @app.get("/probe")
    async def probe(request: Request) -> Response:
        targets = request.query_params.getlist("target")
        if len(targets) != 1:
            metrics.count("bad_target")
            return _text("exactly one target is needed: /probe?target=NAME\n", 400)
        try:
            reply = await prober.probe(targets[0])
        except TargetError as exc:
            metrics.count("bad_target")
            return _text(f"{terminal(str(exc))}\n", 400)
        except BusyError as exc:
            metrics.count("busy")
            return _text(f"{exc}\n", 503)
        return Response(reply.text, media_type=EXPOSITION, headers=NOSNIFF)

    @app.get("/metrics")
    async def exporter_metrics() -> Response:
        return Response(metrics.exposition(), media_type=EXPOSITION, headers=NOSNIFF)

    return app


EXPOSITION = "text/plain; version=0.0.4; charset=utf-8"
"""The classic text format, which is what we write (no UTF-8 metric names), so that
every Prometheus version reads it the same (the client's own constant moves on)."""
NOSNIFF = {"X-Content-Type-Options": "nosniff"}
"""Names in a response are text: a browser must not guess HTML from a ``<script>`` label."""


def _text(body: str, status: int) -> Response:
    return PlainTextResponse(body, status_code=status, headers=NOSNIFF)
