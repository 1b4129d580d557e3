"""Read routes: events, lots and their traces, balances, holds."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from lotledger.api.deps import AppDep, Viewer
from lotledger.domain.errors import ValidationError
from lotledger.domain.model import LotKey
from lotledger.interchange.jsonout import jsonable
from lotledger.storage.catalog import EventFilter
from lotledger.storage.trace import MAX_DEPTH

router = APIRouter(tags=["query"])
Item = Annotated[str, Query(min_length=1, max_length=64, description="The item's sku")]
Lot = Annotated[str, Query(min_length=1, max_length=20, description="The lot code")]
Depth = Annotated[int, Query(ge=1, le=MAX_DEPTH, description="Stop this many production steps away")]


def _json(value: Any) -> JSONResponse:
    return JSONResponse(jsonable(value))


def _cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode()


def _after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, seq = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        if kind != "seq" or not 0 <= int(seq) < 2**63:
            raise ValueError
        return int(seq)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(f"not a cursor this API gave out: {cursor!r}", "cursor") from None


@router.get("/events", summary="Events in recording order, filtered, a page at a time")
def list_events(
    app: AppDep,
    _: Viewer,
    type: Annotated[str | None, Query(max_length=16)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    item: Annotated[str | None, Query(max_length=64)] = None,
    lot: Annotated[str | None, Query(max_length=20)] = None,
    location: Annotated[str | None, Query(max_length=64)] = None,
    partner: Annotated[str | None, Query(max_length=64)] = None,
    reference: Annotated[str | None, Query(max_length=128)] = None,
    cursor: Annotated[str | None, Query(max_length=64, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONResponse:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise ValidationError("needs a UTC offset, such as Z or +01:00", name)
    where = EventFilter(type, since, until, item, lot, location, partner, reference)
    events = app.catalog.events(where, _after(cursor), limit)
    next_cursor = _cursor(events[-1].seq) if len(events) == limit else None
    return _json({"events": events, "next_cursor": next_cursor})


@router.get("/lots", summary="Find lots by lot code, supplier lot code or SSCC")
def find_lots(
    app: AppDep,
    _: Viewer,
    code: Annotated[str | None, Query(max_length=64, description="A lot code or a supplier's lot code")] = None,
    sscc: Annotated[str | None, Query(max_length=18, description="A container that held the lots")] = None,
) -> JSONResponse:
    if not code and not sscc:
        raise ValidationError("give code or sscc", "code")
    found: list[LotKey] = []
    if code:
        found += app.reader.find_lots(code)
    if sscc:
        found += app.catalog.lots_in_container(sscc)
    return _json({"lots": sorted(set(found))})


@router.get("/lots/detail", summary="One lot: item, expiry, origin, supplier, holds")
def lot_detail(app: AppDep, _: Viewer, item: Item, lot: Lot) -> JSONResponse:
    return _json(app.reader.lot(LotKey(item, lot)))


@router.get("/lots/history", summary="Every event touching a lot, voided ones marked")
def lot_history(app: AppDep, _: Viewer, item: Item, lot: Lot) -> JSONResponse:
    return _json({"lot": LotKey(item, lot), "history": app.reader.history(LotKey(item, lot))})


@router.get("/lots/trace", summary="Backward, forward or both")
def lot_trace(
    app: AppDep,
    _: Viewer,
    item: Item,
    lot: Lot,
    direction: Literal["up", "down", "both"] = "both",
    depth: Depth = MAX_DEPTH,
) -> JSONResponse:
    key = LotKey(item, lot)
    backward = app.reader.backward(key, depth) if direction in ("up", "both") else None
    forward = app.reader.forward(key, depth) if direction in ("down", "both") else None
    return _json({"lot": key, "backward": backward, "forward": forward})


@router.get("/lots/summary", summary="The forward trace in totals: lots per item, customers, stock")
def lot_summary(app: AppDep, _: Viewer, item: Item, lot: Lot) -> JSONResponse:
    return _json(app.reader.forward_summary(LotKey(item, lot)))


@router.get("/lots/massbalance", summary="In, out, adjustments, on hand, difference")
def lot_mass_balance(app: AppDep, _: Viewer, item: Item, lot: Lot) -> JSONResponse:
    return _json(app.reader.mass_balance(LotKey(item, lot)))


@router.get("/lots/exposure", summary="How much of the lot reached each downstream lot and customer")
def lot_exposure(app: AppDep, _: Viewer, item: Item, lot: Lot) -> JSONResponse:
    return _json(app.reader.exposure(LotKey(item, lot)))


@router.get("/balances", summary="Stock on hand by lot, location and container")
def balances(
    app: AppDep,
    _: Viewer,
    location: Annotated[str | None, Query(max_length=64)] = None,
    item: Annotated[str | None, Query(max_length=64)] = None,
    lot: Annotated[str | None, Query(max_length=20)] = None,
) -> JSONResponse:
    return _json({"balances": app.reader.balances(location=location, sku=item, lot=lot)})


@router.get("/containers/{sscc}", summary="What a container (pallet, case) holds now")
def container(app: AppDep, _: Viewer, sscc: str) -> JSONResponse:
    contents = app.reader.balances(container=sscc)
    return _json({"sscc": sscc, "contents": contents, "lots": app.catalog.lots_in_container(sscc)})


@router.get("/holds", summary="Every quality hold in force")
def holds(app: AppDep, _: Viewer) -> JSONResponse:
    return _json({"holds": app.catalog.holds()})
