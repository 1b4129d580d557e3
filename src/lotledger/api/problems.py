"""Every error leaves the API as RFC 9457 problem+json, shaped here and only here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from lotledger.domain.errors import (
    BatchRejected,
    Conflict,
    Forbidden,
    LotledgerError,
    NotFound,
    Throttled,
    ValidationError,
)

log = logging.getLogger("lotledger.api")
PROBLEM = "application/problem+json"
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


def problem(status: int, detail: str, field: str | None = None, kind: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://lotledger.dev/problems/{kind or _TITLES.get(status, 'error').lower().replace(' ', '-')}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if field:
        body["field"] = field
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def status_for(error: LotledgerError) -> int:
    if isinstance(error, BatchRejected):
        return status_for(error.error)
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, Throttled):
        return 429
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, ValidationError):
        return 422
    return 400


PageError = Callable[[Request, int, str], Response]


def install(app: FastAPI, api_prefix: str = "/api/", pages: PageError | None = None) -> None:
    """Register the handlers that turn every exception into a problem document, or, outside
    `api_prefix`, into the pages' error page (`pages`) when there is one."""

    def for_pages(request: Request) -> bool:
        return pages is not None and not request.url.path.startswith(api_prefix)

    @app.exception_handler(LotledgerError)
    async def _lotledger(request: Request, error: LotledgerError) -> Response:
        if pages is not None and for_pages(request):
            return pages(request, status_for(error), str(error))
        kind = type(error.error if isinstance(error, BatchRejected) else error).__name__
        answer = problem(status_for(error), error.message, error.field, kind.lower())
        if isinstance(error, Throttled):
            answer.headers["Retry-After"] = str(error.retry_after)
        return answer

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        field = ".".join(str(part) for part in first.get("loc", ())[1:]) or None
        if pages is not None and for_pages(request):
            message = str(first.get("msg", "invalid request"))
            return pages(request, 422, f"{field}: {message}" if field else message)
        return problem(422, str(first.get("msg", "invalid request")), field, "validationerror")

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        if pages is not None and for_pages(request):
            return pages(request, error.status_code, _page_detail(error))
        return problem(error.status_code, str(error.detail))

    @app.exception_handler(Exception)
    async def _crash(request: Request, error: Exception) -> Response:
        log.exception("unhandled error")
        if pages is not None and for_pages(request):
            return pages(request, 500, "the server failed; the error is in its log")
        return problem(500, "the server failed; the error is in its log")


def _page_detail(error: HTTPException) -> str:
    if error.status_code == 404:
        return "there is no page at this address"
    if error.status_code == 405:
        return "this page cannot be used that way"
    return str(error.detail)
