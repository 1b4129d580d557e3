"""Read routes: events, lots and their traces, balances, holds."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from lotledger.api.deps import AppDep, IsoText, Viewer
from lotledger.api.downloads import FormatQuery, list_file, with_files
from lotledger.api.schemas import responses
from lotledger.domain.model import LotKey
from lotledger.domain.records import EventFilter
from lotledger.interchange import lists
from lotledger.interchange.jsonout import jsonable
from lotledger.interchange.tables import Table, Value, file_name
from lotledger.services.queries import MAX_DEPTH

if TYPE_CHECKING:
    from lotledger.bootstrap import App
    from lotledger.domain.trace import BackwardTrace

router = APIRouter(tags=["query"])
Item = Annotated[str, Query(min_length=1, max_length=64, description="The item's sku")]
Lot = Annotated[str, Query(min_length=1, max_length=20, description="The lot code")]
Depth = Annotated[int, Query(ge=1, le=MAX_DEPTH, description="Stop this many production steps away")]


def _json(value: Any) -> JSONResponse:
    return JSONResponse(jsonable(value))


@router.get(
    "/events",
    responses=with_files(responses({200: "EventsPage"}, (401, 422)), "every event matching the filter"),
    summary="Events in recording order, filtered, a page at a time",
    description="With `format=csv` or `xlsx`, one file of every event the filter matches (after `cursor` if "
    "given; `limit` pages JSON only): a row an event, its document as JSON in the last column.",
)
def list_events(
    app: AppDep,
    _: Viewer,
    type: Annotated[str | None, Query(max_length=16)] = None,
    since: Annotated[datetime | None, IsoText] = None,
    until: Annotated[datetime | None, IsoText] = None,
    item: Annotated[str | None, Query(max_length=64)] = None,
    lot: Annotated[str | None, Query(max_length=20)] = None,
    location: Annotated[str | None, Query(max_length=64)] = None,
    partner: Annotated[str | None, Query(max_length=64)] = None,
    reference: Annotated[str | None, Query(max_length=128)] = None,
    cursor: Annotated[str | None, Query(max_length=64, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    format: FormatQuery = "json",
) -> Response:
    where = EventFilter(type, since, until, item, lot, location, partner, reference)
    if format != "json":
        log = app.queries.event_log(where, cursor)
        return list_file(lists.events_table(log, file_name("events", type, item, lot)), format)
    return _json(app.queries.events(where, cursor, limit))


@router.get(
    "/lots",
    responses=responses({200: "LotList"}, (401, 422)),
    summary="Find lots by lot code, supplier lot code or SSCC",
)
def find_lots(
    app: AppDep,
    _: Viewer,
    code: Annotated[str | None, Query(max_length=64, description="A lot code or a supplier's lot code")] = None,
    sscc: Annotated[str | None, Query(max_length=18, description="A container that held the lots")] = None,
) -> JSONResponse:
    return _json({"lots": app.queries.find_lots(code, sscc)})


@router.get(
    "/lots/detail",
    responses=responses({200: "LotDetail"}, (401, 404, 422)),
    summary="One lot: item, expiry, origin, supplier, holds",
)
def lot_detail(app: AppDep, _: Viewer, item: Item, lot: Lot) -> JSONResponse:
    return _json(app.queries.lot(LotKey(item, lot)))


@router.get(
    "/lots/history",
    responses=with_files(responses({200: "LotHistory"}, (401, 404, 422)), "the history"),
    summary="Every event touching a lot, voided ones marked",
)
def lot_history(app: AppDep, _: Viewer, item: Item, lot: Lot, format: FormatQuery = "json") -> Response:
    key = LotKey(item, lot)
    history = app.queries.history(key)
    if format != "json":
        return list_file(lists.history_table(key, history), format)
    return _json({"lot": key, "history": history})


@router.get(
    "/lots/trace",
    responses=with_files(responses({200: "Trace"}, (401, 404, 422)), "one table of the trace"),
    summary="Backward, forward or both",
    description="With `format=csv` or `xlsx`, one table: a row per lot reached, genealogy edge, receipt, "
    "shipment and stock line, `direction`, `level` and `record` saying which (the customers' totals are left out).",
)
def lot_trace(
    app: AppDep,
    _: Viewer,
    item: Item,
    lot: Lot,
    direction: Literal["up", "down", "both"] = "both",
    depth: Depth = MAX_DEPTH,
    format: FormatQuery = "json",
) -> Response:
    key = LotKey(item, lot)
    backward = app.queries.backward(key, depth) if direction in ("up", "both") else None
    if format != "json":
        if direction == "up":
            return list_file(lists.trace_table(key, backward, None), format)
        return list_file(_forward_table(app, key, backward, depth), format)
    forward = app.queries.forward(key, depth) if direction in ("down", "both") else None
    return _json({"lot": key, "backward": backward, "forward": forward})


def _forward_table(app: App, key: LotKey, backward: BackwardTrace | None, depth: int) -> Table:
    """The trace's table, its forward rows written as they are read: the read opens now (an unknown
    lot is a 404 before the answer starts) and ends with the last row, or with the answer."""
    reading = app.queries.forward_rows(key, depth)
    table = lists.trace_table(key, backward, reading.__enter__())

    def rows() -> Iterator[Sequence[Value]]:
        try:
            yield from table.rows
        finally:
            reading.__exit__(None, None, None)

    return dataclasses.replace(table, rows=rows())


@router.get(
    "/lots/summary",
    responses=responses({200: "ForwardSummary"}, (401, 404, 422)),
    summary="The forward trace in totals: lots per item, customers, stock",
)
def lot_summary(app: AppDep, _: Viewer, item: Item, lot: Lot) -> JSONResponse:
    return _json(app.queries.forward_summary(LotKey(item, lot)))


@router.get(
    "/lots/massbalance",
    responses=responses({200: "MassBalance"}, (401, 404, 422)),
    summary="In, out, adjustments, on hand, difference",
)
def lot_mass_balance(app: AppDep, _: Viewer, item: Item, lot: Lot) -> JSONResponse:
    return _json(app.queries.mass_balance(LotKey(item, lot)))


@router.get(
    "/lots/exposure",
    responses=responses({200: "Exposure"}, (401, 404, 422)),
    summary="How much of the lot reached each downstream lot and customer",
)
def lot_exposure(app: AppDep, _: Viewer, item: Item, lot: Lot) -> JSONResponse:
    return _json(app.queries.exposure(LotKey(item, lot)))


@router.get(
    "/balances",
    responses=with_files(responses({200: "Balances"}, (401, 404, 422)), "the stock lines"),
    summary="Stock on hand by lot, location and container",
)
def balances(
    app: AppDep,
    _: Viewer,
    location: Annotated[str | None, Query(max_length=64)] = None,
    item: Annotated[str | None, Query(max_length=64)] = None,
    lot: Annotated[str | None, Query(max_length=20)] = None,
    format: FormatQuery = "json",
) -> Response:
    lines = app.queries.balances(location=location, sku=item, lot=lot)
    if format != "json":
        return list_file(lists.balances_table(lines, location, item, lot), format)
    return _json({"balances": lines})


@router.get(
    "/containers/{sscc}",
    responses=responses({200: "ContainerContents"}, (401, 404, 422)),
    summary="What a container (pallet, case) holds now",
)
def container(app: AppDep, _: Viewer, sscc: str) -> JSONResponse:
    return _json(app.queries.container(sscc))


@router.get("/holds", responses=responses({200: "Holds"}, (401, 422)), summary="Every quality hold in force")
def holds(app: AppDep, _: Viewer) -> JSONResponse:
    return _json({"holds": app.queries.holds()})
