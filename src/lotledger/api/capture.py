"""Capture: POST /events and /events:batch, idempotent by event id and Idempotency-Key."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from lotledger.api.deps import AppDep, Operator, app_of
from lotledger.bootstrap import App
from lotledger.domain.accounts import Caller
from lotledger.domain.errors import ValidationError
from lotledger.domain.recording import Recorded
from lotledger.services.recording import parse

router = APIRouter(tags=["capture"])
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", max_length=255, description="Retry with the same key: the first answer is replayed."
    ),
]
EVENT_EXAMPLE = {
    "type": "receive",
    "time": "2026-11-25T08:00:00+01:00",
    "location": "RAW",
    "partner": "MILLCO",
    "reference": "PO-4711",
    "lines": [{"item": "FLOUR", "lot": "F-4711", "qty": "1000", "uom": "kg", "supplier_lot": "M-77"}],
}


def _answer(recorded: Recorded) -> dict[str, Any]:
    return {"id": recorded.id, "type": recorded.type, "duplicate": recorded.duplicate}


def _idempotent(
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


_EVENT_BODY = {
    "required": True,
    "description": "An event of the vocabulary (docs/concepts.md)",
    "content": {"application/json": {"schema": {"type": "object"}, "example": EVENT_EXAMPLE}},
}


@router.post(
    "/events",
    status_code=201,
    summary="Record one event",
    responses={200: {"description": "Already recorded (same id, same body): the same answer"}},
    openapi_extra={"requestBody": _EVENT_BODY},
)
async def record_event(request: Request, who: Operator, idempotency_key: IdempotencyKey = None) -> Response:
    # The busiest route of a plant reads its body itself (no model to
    # validate: the domain parser does that) and waits for its group commit
    # without holding a worker thread.
    raw = _json_object(await request.body())
    app = app_of(request)
    if idempotency_key is None:
        recorded = await asyncio.wrap_future(app.recording.submit(parse(raw), who))
        return JSONResponse(_answer(recorded), status_code=200 if recorded.duplicate else 201)

    def action() -> tuple[int, Any]:
        recorded = app.recording.submit(parse(raw), who).result()
        return (200 if recorded.duplicate else 201), _answer(recorded)

    return await run_in_threadpool(_idempotent, app, who, idempotency_key, "POST /events", raw, action)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError(f"the body is not valid JSON: {error}", "body") from None
    if not isinstance(value, dict):
        raise ValidationError(f"expected a JSON object, got {type(value).__name__}", "body")
    return value


@router.post("/events:batch", status_code=201, summary="Record events all or nothing")
def record_batch(
    app: AppDep,
    who: Operator,
    batch: Annotated[dict[str, Any], Body(examples=[{"events": [EVENT_EXAMPLE]}])],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    def action() -> tuple[int, Any]:
        raw = batch.get("events")
        if not isinstance(raw, list) or not raw:
            raise ValidationError("expected a non-empty list of events", "events")
        events = [parse(item, f"events[{i}].") for i, item in enumerate(raw)]
        return 201, {"events": [_answer(o) for o in app.recording.record_all(events, who)]}

    return _idempotent(app, who, idempotency_key, "POST /events:batch", batch, action)
