"""The FastAPI application: /api/v1 with its OpenAPI document and interactive docs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lotledger import __version__
from lotledger.api import (
    admin,
    barcodes,
    capture,
    docs,
    exports,
    imports,
    problems,
    production,
    purchasing,
    queries,
    recalls,
    selling,
)
from lotledger.api.access import AccessLog
from lotledger.api.problems import problem
from lotledger.api.schemas import install_openapi, responses
from lotledger.bootstrap import App, bootstrap
from lotledger.config import Settings
from lotledger.web import app as web

log = logging.getLogger("lotledger.api")
PREFIX = "/api/v1"
MAX_BODY = 4 * 1024 * 1024  # a batch of 1,000 events fits with room to spare
LARGER_BODIES = {f"{PREFIX}/imports": imports.MAX_IMPORT, "/imports/check": imports.MAX_IMPORT}  # files


class RefuseNul:
    """Refuse NUL in the path or query before routing: no database stores it in text.

    A plain ASGI middleware: one bytes search per request, where a dependency
    would cost every route a pass through FastAPI's dependency solver."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query: bytes = scope.get("query_string", b"")
            if b"%00" in query or "\x00" in scope.get("path", ""):
                names = [name for name, value in parse_qsl(query.decode("latin-1")) if "\x00" in value]
                field = names[0] if names else "path"
                await _refusal(scope, 422, "contains a NUL character", field)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _refusal(scope: Scope, status: int, detail: str, field: str) -> Response:
    """A refusal before routing: problem+json under the API, the error page elsewhere."""
    if scope.get("path", "").startswith(f"{PREFIX}/"):
        return problem(status, detail, field)
    return web.error_page(Request(scope), status, f"{field}: {detail}")


class LimitBody:
    """Refuse a body larger than `limit` bytes with a 413, before it is read in full.

    A declared Content-Length is checked at once; a chunked body is counted as
    it arrives and cut off at the limit."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.larger = LARGER_BODIES if larger is None else larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.limit)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        detail = f"the body is larger than {limit // 1024 // 1024} MiB; send less at a time"
        await _refusal(scope, 413, detail, "body")(scope, receive, send)


# Pages load scripts, styles and images from lotledger alone (nothing inline, no CDN);
# JSON answers are never framed or run.
CONTENT_SECURITY_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY),
]


class SecurityHeaders:
    """Every answer says: do not guess content types, do not frame me, send no referrer, run only my scripts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class _TooLarge(Exception):
    pass


def app_from_env() -> FastAPI:
    """The API over the database LOTLEDGER_DB names (for `lotledger serve --workers N`)."""
    return create_app(bootstrap(Settings.from_env(), migrate=False))


def create_app(lotledger: App) -> FastAPI:
    """The API over an already bootstrapped ledger (nothing is opened here)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        lotledger.recording.close()  # the group commit in flight finishes
        lotledger.accounts.close()  # the audit trail is written

    api = FastAPI(
        lifespan=lifespan,
        title="lotledger",
        version=__version__,
        description="Lot traceability: capture events, trace lots, manage master data. "
        "Authenticate with `Authorization: Bearer <token>`; errors are RFC 9457 problem+json.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # served by lotledger itself below, not from a CDN
        redoc_url=None,
    )
    api.state.lotledger = lotledger
    problems.install(api, f"{PREFIX}/", pages=web.error_page)
    install_openapi(api)
    api.add_middleware(RefuseNul)
    api.add_middleware(LimitBody)
    api.add_middleware(SecurityHeaders)
    api.add_middleware(AccessLog, audit=lotledger.accounts.audit.note)  # outermost: sees every answer
    docs.install(api, f"{PREFIX}/docs", f"{PREFIX}/openapi.json")
    v1 = APIRouter(prefix=PREFIX)

    @v1.get(
        "/health",
        tags=["meta"],
        summary="Readiness: the API answers and its database does, at the schema this version needs",
        responses=responses({200: "Health"}, problems=(503,)),
    )
    def health() -> Response:
        try:
            current, head = lotledger.schema_revision()
        except Exception as error:  # whatever the driver raises: the answer is the same
            log.error("health check: the database does not answer", extra={"fields": {"error": str(error)}})
            return problem(503, f"the database does not answer: {type(error).__name__}", "database")
        if current != head:
            return problem(503, f"the database schema is at {current}, this version needs {head}: run lotledger init")
        return JSONResponse({"status": "ok", "database": "ok", "schema": current})

    v1.include_router(capture.router)
    v1.include_router(queries.router)
    v1.include_router(admin.router)
    v1.include_router(barcodes.router)
    v1.include_router(exports.router)
    v1.include_router(imports.router)
    v1.include_router(recalls.router)
    v1.include_router(purchasing.router)
    v1.include_router(production.router)
    v1.include_router(selling.router)
    api.include_router(v1)
    web.install(api)
    return api
