"""Capture: POST /events and /events:batch, idempotent by event id and Idempotency-Key."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from lotledger.api.deps import AppDep, JsonBody, Operator, app_of, parse_json_object
from lotledger.api.examples import EVENT_EXAMPLES
from lotledger.api.idempotency import IdempotencyKey, idempotent
from lotledger.api.schemas import request_body, responses
from lotledger.domain.errors import ValidationError
from lotledger.domain.recording import Recorded
from lotledger.services.recording import parse

router = APIRouter(tags=["capture"])
MAX_BATCH = 1000  # one transaction holds the write lock: keep it short for everyone else


def _answer(recorded: Recorded) -> dict[str, Any]:
    return {"id": recorded.id, "type": recorded.type, "duplicate": recorded.duplicate}


@router.post(
    "/events",
    status_code=201,
    summary="Record one event",
    description="One event of the vocabulary (docs/concepts.md); `type` says which. Hold, release, void and "
    "`expiry_override` need the quality role.",
    responses=responses(
        {201: "Recorded", 200: ("Recorded", "Already recorded (same id, same body): the same answer")},
        problems=(401, 403, 404, 409, 422),
    ),
    openapi_extra=request_body("Event", examples=EVENT_EXAMPLES),
)
async def record_event(request: Request, who: Operator, idempotency_key: IdempotencyKey = None) -> Response:
    # The busiest route of a plant reads its body itself (no model to
    # validate: the domain parser does that) and waits for its group commit
    # without holding a worker thread.
    raw = parse_json_object(await request.body())
    app = app_of(request)
    if idempotency_key is None:
        recorded = await asyncio.wrap_future(app.recording.submit(parse(raw), who))
        return JSONResponse(_answer(recorded), status_code=200 if recorded.duplicate else 201)

    def action() -> tuple[int, Any]:
        recorded = app.recording.submit(parse(raw), who).result()
        return (200 if recorded.duplicate else 201), _answer(recorded)

    return await run_in_threadpool(idempotent, app, who, idempotency_key, "POST /events", raw, action)


@router.post(
    "/events:batch",
    status_code=201,
    summary="Record events all or nothing",
    responses=responses({201: "RecordedBatch"}, problems=(401, 403, 404, 409, 422)),
    openapi_extra=request_body("EventBatch"),
)
def record_batch(app: AppDep, who: Operator, batch: JsonBody, idempotency_key: IdempotencyKey = None) -> Response:
    def action() -> tuple[int, Any]:
        raw = batch.get("events")
        if not isinstance(raw, list) or not raw:
            raise ValidationError("expected a non-empty list of events", "events")
        if len(raw) > MAX_BATCH:
            raise ValidationError(
                f"{len(raw)} events; a batch holds at most {MAX_BATCH}, send the rest after", "events"
            )
        events = [parse(item, f"events[{i}].") for i, item in enumerate(raw)]
        return 201, {"events": [_answer(o) for o in app.recording.record_all(events, who)]}

    return idempotent(app, who, idempotency_key, "POST /events:batch", batch, action)
