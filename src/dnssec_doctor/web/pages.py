"""The web UI: the form, a check's page (progress, then the report), the downloads.

Templates are Jinja2 with autoescaping on; the one piece inserted as markup is the
report body, which ``render.html.report_body`` builds with every DNS string
escaped. The pages work without JavaScript (the progress page refreshes itself in
``<noscript>``); with it, htmx (vendored in ``static/``, no build step) replaces the
progress line every second and reloads the page when the check is over. No inline
script or style anywhere, so the Content-Security-Policy allows only our files.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from importlib import resources
from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from dnssec_doctor.escape import terminal
from dnssec_doctor.render.html import CSS as REPORT_CSS
from dnssec_doctor.web.historypage import (
    HistoryError,
    history_page,
    load_history,
    name_path,
)
from dnssec_doctor.web.inputs import MAX_DS, MAX_NAME, MAX_SERVERS, InputError, split_addresses
from dnssec_doctor.web.jobs import Job, QueueFullError
from dnssec_doctor.web.service import CheckService, RateLimitedError

MAX_FORM_BYTES = 16 * 1024
"""Bytes of a submitted form (the fields' own limits add up to well below)."""
SERVERS_FIELD = MAX_SERVERS * 48
"""Characters of a form field listing addresses."""
PAGE_CSS = """\
nav.top{max-width:62rem;margin:0 auto;padding:.6rem 1.5rem}
nav.top a{font-weight:700;color:#1d1d1f;text-decoration:none;margin-right:.6rem}
form.check{display:grid;gap:.35rem;max-width:40rem;background:#fff;border:1px solid #ddd;\
border-radius:.3rem;padding:1rem}
form.check input,form.check textarea{font:inherit;font-family:ui-monospace,Menlo,Consolas,\
monospace;padding:.35rem;border:1px solid #aaa;border-radius:.25rem;width:100%;\
box-sizing:border-box}
form.check details{margin:.4rem 0}form.check details label{display:block;margin-top:.5rem}
form.check button{justify-self:start;font:inherit;padding:.35rem 1.2rem;margin-top:.4rem}
.error{background:#fdecea;border-left:6px solid #c62828;padding:.5rem .8rem;white-space:pre-wrap;\
overflow-wrap:anywhere}
.notice{max-width:62rem;margin:.5rem auto;background:#fff8e1;border-left:6px solid #b25e00;\
padding:.5rem .8rem;overflow-wrap:anywhere;box-sizing:border-box}
.actions{max-width:62rem;margin:0 auto;padding:.3rem 1.5rem}
.progress{font-size:1.1rem}
.plot svg{max-width:100%;height:auto;background:#fff;border:1px solid #ddd}
table.timeline .badge{white-space:nowrap}
"""
STYLE = REPORT_CSS + PAGE_CSS
_STEM = re.compile(r"[^a-z0-9.-]+")


def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("dnssec_doctor.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
    )


def _static(name: str) -> bytes:
    return resources.files("dnssec_doctor.web").joinpath("static", name).read_bytes()


def page_router(service: CheckService, allow_private: bool) -> APIRouter:
    """The HTML pages, the downloads and the static files."""
    router = APIRouter(include_in_schema=False)
    env = _templates()
    htmx = _static("htmx.min.js")
    limits = {"name": MAX_NAME, "ds": MAX_DS, "servers_field": SERVERS_FIELD}
    empty_form = {"name": "", "ns": "", "ds": "", "resolvers": ""}

    def render(template: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = env.get_template(template).render(**values)
        return HTMLResponse(html, status_code=status)

    def form_page(status: int, error: str | None, form: dict[str, str]) -> HTMLResponse:
        return render(
            "index.html", status, error=error, form=form, limits=limits, allow_private=allow_private
        )

    @router.get("/")
    async def index() -> HTMLResponse:
        return form_page(200, None, empty_form)

    @router.post("/checks")
    async def submit(request: Request) -> Response:
        if request.headers.get("sec-fetch-site") == "cross-site":
            # Another site's page posting our form (the browser says so): it would spend
            # the visitor's allowance of checks. The API, for scripts, is unaffected.
            return form_page(403, "checks are started from this site's own form", empty_form)
        body = await _capped_body(request)
        if body is None:
            return form_page(413, "the form is too large", empty_form)
        try:
            fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"), max_num_fields=8)
        except ValueError:  # more fields than the form has
            return form_page(422, "the form has too many fields", empty_form)
        form = {k: (fields.get(k) or [""])[0][:MAX_DS] for k in empty_form}
        try:
            job, _ = service.submit(
                request.client.host if request.client else "unknown",
                form["name"],
                split_addresses(form["ns"]),
                form["ds"],
                split_addresses(form["resolvers"]),
            )
        except InputError as exc:
            return form_page(422, str(exc), form)
        except RateLimitedError as exc:
            return form_page(429, str(exc), form)
        except QueueFullError as exc:
            return form_page(503, str(exc), form)
        return RedirectResponse(f"/checks/{job.id}", status_code=303)

    @router.get("/checks/{check_id}")
    async def check_page(check_id: str) -> Response:
        job = service.store.get(check_id)
        if job is None:
            return form_page(404, "no such check (unknown, or too old and dropped)", empty_form)
        report = Markup(job.result.report_html) if job.result else ""  # escaped by report_body
        history = service.history is not None and not job.input.ns  # web.history: recorded
        return render(
            "check.html",
            job=job,
            report=report,
            download_stem=_stem(job),
            history_path=name_path(job.input.name) if history else None,
        )

    @router.get("/names/{name:path}")
    async def name_history(name: str) -> Response:
        try:
            found = await load_history(service, name)
        except HistoryError as exc:
            shown = terminal(name[:MAX_NAME])  # as typed, control and bidi characters escaped
            return render("names.html", exc.status, name=shown, error=str(exc))
        return render("names.html", **history_page(found))

    @router.get("/checks/{check_id}/progress")
    async def progress(check_id: str) -> Response:
        job = service.store.get(check_id)
        if job is None:
            return Response("no such check", status_code=404, media_type="text/plain")
        response = render("progress.html", job=job)
        if job.over:
            response.headers["HX-Refresh"] = "true"
        return response

    @router.get("/checks/{check_id}/capture.json.gz")
    async def capture(check_id: str) -> Response:
        job = service.store.get(check_id)
        if job is None or job.result is None:
            return Response("no such result", status_code=404, media_type="text/plain")
        return Response(
            job.result.capture_gz,
            media_type="application/gzip",
            headers=_attachment(f"{_stem(job)}.capture.json.gz"),
        )

    @router.get("/checks/{check_id}/diagnosis.json")
    async def diagnosis(check_id: str) -> Response:
        job = service.store.get(check_id)
        if job is None or job.result is None:
            return Response("no such result", status_code=404, media_type="text/plain")
        text = json.dumps(job.result.diagnosis, indent=2, ensure_ascii=True) + "\n"
        return Response(
            text, media_type="application/json", headers=_attachment(f"{_stem(job)}.json")
        )

    @router.get("/static/style.css")
    async def style() -> Response:
        return Response(STYLE, media_type="text/css", headers=CACHE)

    @router.get("/static/htmx.min.js")
    async def htmx_js() -> Response:
        return Response(htmx, media_type="text/javascript", headers=CACHE)

    return router


CACHE = {"Cache-Control": "public, max-age=3600"}


async def _capped_body(request: Request) -> bytes | None:
    """The request body, or None past MAX_FORM_BYTES (read no further)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _stem(job: Job) -> str:
    """A file name for the downloads: the name's safe characters only."""
    stem = _STEM.sub("_", job.input.name.lower().rstrip(".")).strip("._")[:80]
    return stem or "root"


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
