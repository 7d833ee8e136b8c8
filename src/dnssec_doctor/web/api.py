"""The JSON API: ``POST /api/v1/checks`` starts a check, ``GET /api/v1/checks/{id}`` reads it,
``GET /api/v1/names/{name}/history`` reads a name's history (``serve --db``).

Models carry their length limits, so ``/openapi.json`` states them and FastAPI
refuses longer input with a 422 before any of our code runs. The diagnosis is the
CLI's ``--format json`` document, unchanged (docs/contract.md, "JSON").
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from dnssec_doctor.web.historypage import HistoryError, history_document, load_history
from dnssec_doctor.web.inputs import MAX_ADDRESS, MAX_DS, MAX_NAME, MAX_SERVERS, InputError
from dnssec_doctor.web.jobs import Job, QueueFullError
from dnssec_doctor.web.service import CheckService, RateLimitedError

Address = Annotated[str, Field(max_length=MAX_ADDRESS, examples=["192.0.2.53", "[2001:db8::1]:53"])]


class CheckRequest(BaseModel):
    """What to check: a name, and optionally where to start and what DS to expect."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=MAX_NAME, examples=["example.com"])
    ns: list[Address] = Field(
        default_factory=list,
        max_length=MAX_SERVERS,
        description="Servers to ask instead of the parent's delegation (before delegating).",
    )
    ds: str = Field(
        default="", max_length=MAX_DS, description="DS or DNSKEY records to check for upload."
    )
    resolvers: list[Address] = Field(
        default_factory=list, max_length=MAX_SERVERS, description="Validating resolvers to ask."
    )


class CheckCreated(BaseModel):
    """Where the new (or reused) check can be followed."""

    id: str
    url: str = Field(description="This check in the API (poll it until done or failed).")
    page: str = Field(description="This check's web page.")
    state: Literal["queued", "running", "done", "failed"]
    reused: bool = Field(description="True when a recent identical check was reused.")


class Progress(BaseModel):
    """What the probe has done so far."""

    servers: int
    queries: int
    text: str


class CheckStatus(BaseModel):
    """A check and, once done, its diagnosis."""

    id: str
    name: str
    state: Literal["queued", "running", "done", "failed"]
    progress: Progress
    error: str | None = Field(None, description="Why the check failed.")
    notice: str | None = Field(None, description="Servers the address policy did not ask.")
    exit_status: int | None = Field(None, description="The CLI's exit status for this result.")
    diagnosis: dict[str, Any] | None = Field(None, description="The CLI's --format json.")
    capture: str | None = Field(None, description="The capture (check --replay FILE).")


class Problem(BaseModel):
    """An error: what went wrong, in one line."""

    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not JSON."},
    422: {"model": Problem, "description": "Not a check to run."},
    429: {"model": Problem, "description": "Too many checks from this client."},
    503: {"model": Problem, "description": "Too many checks waiting."},
}


def status_of(job: Job) -> CheckStatus:
    """The API view of ``job``."""
    result = job.result
    return CheckStatus(
        id=job.id,
        name=job.input.name,
        state=job.state,
        progress=Progress(
            servers=len(job.progress.servers),
            queries=job.progress.queries,
            text=job.progress_text(),
        ),
        error=job.error,
        notice=result.notice if result else None,
        exit_status=result.exit_status if result else None,
        diagnosis=result.diagnosis if result else None,
        capture=f"/checks/{job.id}/capture.json.gz" if result else None,
    )


def api_router(service: CheckService) -> APIRouter:
    """The ``/api/v1`` routes."""
    router = APIRouter(prefix="/api/v1")

    @router.post("/checks", status_code=202, response_model=CheckCreated, responses=ERRORS)
    async def create_check(body: CheckRequest, request: Request) -> Any:
        try:
            job, reused = service.submit(
                _client(request), body.name, body.ns, body.ds, body.resolvers
            )
        except InputError as exc:
            return _problem(422, str(exc))
        except RateLimitedError as exc:
            return _problem(429, str(exc), {"Retry-After": str(exc.retry_after)})
        except QueueFullError as exc:
            return _problem(503, str(exc), {"Retry-After": "60"})
        url = f"/api/v1/checks/{job.id}"
        created = CheckCreated(
            id=job.id, url=url, page=f"/checks/{job.id}", state=job.state, reused=reused
        )
        return JSONResponse(created.model_dump(), status_code=202, headers={"Location": url})

    @router.get(
        "/checks/{check_id}",
        response_model=CheckStatus,
        responses={
            404: {"model": Problem, "description": "No such check (or evicted)."},
            422: {"model": Problem, "description": "Not a check id."},
        },
    )
    async def read_check(check_id: Annotated[str, Path(max_length=64)]) -> CheckStatus:
        job = service.store.get(check_id)
        if job is None:
            raise HTTPException(404, "no such check (unknown, or too old and dropped)")
        return status_of(job)

    @router.get(
        "/names/{name:path}/history",
        responses={
            200: {"description": "The `history --format json` document, with the plot's windows."},
            404: {"model": Problem, "description": "No history store, or nothing recorded."},
            422: {"model": Problem, "description": "Not a name."},
            503: {"model": Problem, "description": "The history store cannot be read."},
        },
    )
    async def read_history(name: Annotated[str, Path(max_length=MAX_NAME)]) -> Response:
        try:
            found = await load_history(service, name)
        except HistoryError as exc:
            return _problem(exc.status, str(exc))
        text = json.dumps(history_document(found), indent=2, ensure_ascii=True) + "\n"
        return Response(text, media_type="application/json")

    return router


MAX_ERRORS_SHOWN = 5


async def validation_problem(_: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 in our one-line shape (``Problem``), without echoing the input."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    parts = [
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
        for e in errors[:MAX_ERRORS_SHOWN]
    ]
    more = len(errors) - len(parts)
    detail = "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
    return _problem(422, detail or "invalid request")


def _client(request: Request) -> str:
    """The client's address (Uvicorn takes it from X-Forwarded-For only when the
    connection comes from a trusted proxy: ``--forwarded-allow-ips``)."""
    return request.client.host if request.client else "unknown"


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)
