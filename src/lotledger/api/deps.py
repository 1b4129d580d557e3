"""Who is calling: bearer tokens, roles, and the Annotated aliases routes use."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator

from lotledger.bootstrap import App
from lotledger.domain.accounts import Caller
from lotledger.domain.errors import ValidationError
from lotledger.domain.recording import Attribution

_bearer = HTTPBearer(auto_error=False, description="An API token: `lotledger token create USER`.")

# Dependencies that do no I/O are async so FastAPI runs them inline instead of
# hopping to the thread pool for each (five hops a request add up under load).


def app_of(request: Request) -> App:
    app: App = request.app.state.lotledger
    return app


async def lotledger_app(request: Request) -> App:
    return app_of(request)


AppDep = Annotated[App, Depends(lotledger_app)]


def address_of(request: Request) -> str:
    """The client's address (behind a trusted reverse proxy, the one it forwarded)."""
    return request.client.host if request.client else ""


async def authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Caller:
    """The caller behind the bearer token, or 401. The access log and audit trail learn who it is."""
    if credentials is None:
        raise HTTPException(401, "send Authorization: Bearer <token>")
    accounts = app_of(request).accounts
    cached = accounts.cached_token(credentials.credentials)
    if cached is False:  # not answered lately: ask the database, off the event loop
        found = await run_in_threadpool(accounts.token_use, credentials.credentials, address_of(request))
    else:
        found = cached
    if found is None:
        raise HTTPException(401, "the token is unknown, revoked or expired, or its user is deactivated")
    request.state.username = found.user.username
    attribution = Attribution(recorded_by=f"user:{found.user.username}", client=f"token:{found.name}")
    return Caller(found.user, attribution)


def role(minimum: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency that lets through `minimum` and above, and answers 401 without a token, 403 below.

    One dependency (beside the bearer scheme that documents the header): each
    one more is another pass through FastAPI's solver on every request."""

    async def check(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> Caller:
        who = await authenticate(request, credentials)
        who.user.require(minimum, "this request")
        return who

    return check


Viewer = Annotated[Caller, Depends(role("viewer"))]
Operator = Annotated[Caller, Depends(role("operator"))]
Quality = Annotated[Caller, Depends(role("quality"))]
Admin = Annotated[Caller, Depends(role("admin"))]


def parse_json_object(body: bytes) -> dict[str, Any]:
    """A request body as a JSON object, or a 422 naming the body."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise ValidationError(f"the body is not valid JSON: {error}", "body") from None
    if not isinstance(value, dict):
        raise ValidationError(f"expected a JSON object, got {type(value).__name__}", "body")
    return value


async def json_object(request: Request) -> dict[str, Any]:
    """The body, read by the route itself: the domain validates it, the OpenAPI document describes it."""
    return parse_json_object(await request.body())


JsonBody = Annotated[dict[str, Any], Depends(json_object)]


def _iso_text(value: object) -> object:
    """Days and times as ISO 8601 text only: pydantic would read a bare number (`-0`, `1767571200`) as a Unix
    time, a day nobody meant."""
    if value is None:
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", value):
        raise ValueError(f"expected an ISO 8601 day (YYYY-MM-DD) or time, got {str(value)[:40]!r}")
    return value


IsoText = BeforeValidator(_iso_text)
