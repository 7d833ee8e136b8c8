"""The ASGI application of ``serve`` (FastAPI): ``/probe``, ``/metrics``, the web UI
and the JSON API.

``/probe?target=NAME`` works like the Prometheus blackbox exporter's: each scrape
runs a fresh check of NAME and answers with its metrics. A check that could not
diagnose (nothing answered, the address policy refused a server, the deadline) is
still a 200 with ``dnssec_probe_success 0`` and the reason as a comment line, so
Prometheus records the failure; a request without a usable ``target`` is a 400 and
a server saturated with probes a 503. The web UI (``web.pages``) and the JSON API
(``web.api``) share one check service (``web.service``): its queue, its store of
results and its rate limits. Every response carries the security headers of
``web.headers``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response

from dnssec_doctor import __version__
from dnssec_doctor.escape import terminal
from dnssec_doctor.web.api import api_router, validation_problem
from dnssec_doctor.web.exporter import ExporterMetrics
from dnssec_doctor.web.headers import SecurityHeaders
from dnssec_doctor.web.pages import page_router
from dnssec_doctor.web.prober import BusyError, ProbeConfig, Prober, TargetError
from dnssec_doctor.web.service import CheckService, WebLimits

if TYPE_CHECKING:
    from dnssec_doctor.web.history import WebHistory


def create_app(
    config: ProbeConfig, web: WebLimits | None = None, history: WebHistory | None = None
) -> FastAPI:
    """The application serving probes within ``config`` and checks within ``web``,
    recording the checks in ``history`` (and showing it) when there is one."""
    metrics = ExporterMetrics()
    service = CheckService(config, web or WebLimits(), history)
    prober = Prober(config, metrics, service.pacer)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await service.store.close()
        if history is not None:
            history.close()

    app = FastAPI(
        title="dnssec-doctor",
        version=__version__,
        description="DNSSEC checks: why a name fails to validate, and how to fix it.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(RequestValidationError, validation_problem)
    app.include_router(api_router(service))
    app.include_router(page_router(service, config.allow_private_targets))
    app.state.service = service

    @app.get("/probe", include_in_schema=False)
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

    @app.get("/metrics", include_in_schema=False)
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
