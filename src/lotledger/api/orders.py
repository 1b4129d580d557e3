"""The routes purchase and sales orders share: create (admin: the planner), list by status and partner, show,
record against the order (operator: a receipt or a shipment), cancel and close (admin). The order's status is
derived from the ledger's events; a kind names its service, its partner and its words."""

# No `from __future__ import annotations`: the routes are made in a function, and FastAPI must read their
# parameter annotations (which name this kind's words) when they are made, not later by name.

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from lotledger.api.deps import Admin, AppDep, JsonBody, Operator, Viewer
from lotledger.api.schemas import request_body, responses
from lotledger.bootstrap import App
from lotledger.domain.fields import check_keys
from lotledger.interchange.jsonout import jsonable

CODE = r"^[A-Za-z0-9][A-Za-z0-9._/:\-]{0,63}$"
Number = Annotated[str, Path(pattern=CODE, max_length=64, description="The order's number, e.g. PO-00042, SO-00042")]


@dataclass(frozen=True, slots=True)
class OrderRoutes:
    prefix: str  # "/purchase-orders"
    one: str  # "purchase order"
    schema: str  # "Purchase": the OpenAPI schemas are New{schema}Order, {schema}OrderReport, ...
    service: Callable[[App], Any]
    partner: str  # "supplier": the list's filter
    statuses: str  # the list's status choices, in words
    moves: tuple[str, str, str]  # path, schema and method of what is recorded against an order
    words: dict[str, str]  # summaries: create, show, record, cancel, close


def order_router(kind: OrderRoutes) -> APIRouter:
    router = APIRouter(prefix=kind.prefix, tags=[f"{kind.one}s"])
    report_answer = responses({200: f"{kind.schema}OrderReport"}, (401, 403, 404, 409, 422))
    moves_path, moves_schema, moves_method = kind.moves

    def report(value: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(jsonable(value), status_code=status)

    @router.post(
        "",
        status_code=201,
        summary=kind.words["create"],
        responses=responses({201: f"{kind.schema}OrderReport"}, (401, 403, 404, 409, 422)),
        openapi_extra=request_body(f"New{kind.schema}Order"),
    )
    def create(app: AppDep, who: Admin, body: JsonBody) -> JSONResponse:
        return report(kind.service(app).create(body, who), 201)

    @router.get(
        "",
        summary=f"{kind.one.capitalize()}s, newest first, with their status from the ledger",
        responses=responses({200: f"{kind.schema}OrderList"}, (401, 422)),
    )
    def list_orders(
        app: AppDep,
        _: Viewer,
        status: Annotated[str | None, Query(description=kind.statuses)] = None,
        partner: Annotated[str | None, Query(alias=kind.partner, pattern=CODE, max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        before: Annotated[str | None, Query(pattern=CODE, max_length=64, description="next_before of the page")] = None,
    ) -> JSONResponse:
        found = kind.service(app).orders(status, partner, limit, before)
        after = found[-1].order.number if len(found) == limit else None
        return JSONResponse({"orders": jsonable(found), "next_before": after})

    @router.get("/{number}", summary=kind.words["show"], responses=report_answer)
    def show(app: AppDep, _: Viewer, number: Number) -> JSONResponse:
        return report(kind.service(app).show(number))

    @router.post(
        f"/{{number}}/{moves_path}",
        status_code=201,
        summary=kind.words["record"],
        responses=responses({201: f"{moves_schema}Recorded"}, (401, 403, 404, 409, 422)),
        openapi_extra=request_body(moves_schema),
    )
    def record(app: AppDep, who: Operator, number: Number, body: JsonBody) -> JSONResponse:
        recorded, order = getattr(kind.service(app), moves_method)(number, body, who)
        answer: dict[str, Any] = {"event": jsonable(recorded), "order": jsonable(order)}
        return JSONResponse(answer, status_code=200 if recorded.duplicate else 201)

    @router.post(
        "/{number}:cancel",
        summary=kind.words["cancel"],
        responses=report_answer,
        openapi_extra=request_body(f"Cancel{kind.schema}Order"),
    )
    def cancel(app: AppDep, who: Admin, number: Number, body: JsonBody) -> JSONResponse:
        check_keys(body, {"reason"}, f"cancelling a {kind.one}")
        return report(kind.service(app).cancel(number, body.get("reason"), who))

    @router.post(
        "/{number}:close",
        summary=kind.words["close"],
        responses=report_answer,
        openapi_extra=request_body(f"Close{kind.schema}Order"),
    )
    def close(app: AppDep, who: Admin, number: Number, body: JsonBody) -> JSONResponse:
        check_keys(body, set(), f"closing a {kind.one}")
        return report(kind.service(app).close(number, who))

    return router
