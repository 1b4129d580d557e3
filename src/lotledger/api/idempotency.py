"""Idempotency-Key: a client that retries a write after a lost answer gets the first answer, not a second write."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse, Response

from lotledger.bootstrap import App
from lotledger.domain.accounts import Caller

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", max_length=255, description="Retry with the same key: the first answer is replayed."
    ),
]


def idempotent(
    app: App, who: Caller, key: str | None, route: str, body: Any, action: Callable[[], tuple[int, Any]]
) -> Response:
    """Run `action` once per Idempotency-Key; a retry gets the first answer, another body a 409."""
    if key is None:
        status, payload = action()
        return JSONResponse(payload, status_code=status)
    request_hash = hashlib.sha256((route + json.dumps(body, sort_keys=True)).encode()).hexdigest()

    def work() -> tuple[int, str]:
        status, payload = action()
        return status, json.dumps(payload)

    status, text = app.accounts.once(who.user, key, request_hash, work)
    return Response(text, status_code=status, media_type="application/json")
