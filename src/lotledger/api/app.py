"""The FastAPI application: /api/v1 with its OpenAPI document and interactive docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request

from lotledger import __version__
from lotledger.api import admin, barcodes, capture, problems, queries
from lotledger.bootstrap import App
from lotledger.domain.errors import ValidationError
from lotledger.storage.committer import GroupCommitter

PREFIX = "/api/v1"
# Routes anyone may call: the API's own description and a liveness probe.
PUBLIC = {f"{PREFIX}/openapi.json", f"{PREFIX}/docs", f"{PREFIX}/health", f"{PREFIX}/auth/login"}


async def _no_nul_characters(request: Request) -> None:
    """Refuse NUL in the path or query: no database stores it in text, so it can only be an attack or an error."""
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        if "\x00" in str(value):
            raise ValidationError("contains a NUL character", name)


def create_app(lotledger: App) -> FastAPI:
    """The API over an already bootstrapped ledger (nothing is opened here)."""
    committer = GroupCommitter(lotledger.ledger)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        committer.close()

    api = FastAPI(
        lifespan=lifespan,
        title="lotledger",
        version=__version__,
        description="Lot traceability: capture events, trace lots, manage master data. "
        "Authenticate with `Authorization: Bearer <token>`; errors are RFC 9457 problem+json.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    api.state.lotledger = lotledger
    api.state.committer = committer
    problems.install(api)
    v1 = APIRouter(prefix=PREFIX, dependencies=[Depends(_no_nul_characters)])

    @v1.get("/health", tags=["meta"], summary="Liveness: the API answers")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    v1.include_router(capture.router)
    v1.include_router(queries.router)
    v1.include_router(admin.router)
    v1.include_router(barcodes.router)
    api.include_router(v1)
    return api
