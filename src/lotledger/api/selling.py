"""Sales orders: a planner (admin) takes the order, the floor (operator) ships against it, everyone reads the
pick list and what went out; the order's status is derived from the ledger's ship events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response

from lotledger.api.deps import Admin, AppDep, JsonBody, Operator, Viewer
from lotledger.api.purchasing import CODE
from lotledger.api.schemas import request_body, responses
from lotledger.domain.fields import check_keys
from lotledger.domain.selling import SalesReport
from lotledger.interchange.jsonout import jsonable

router = APIRouter(prefix="/sales-orders", tags=["sales orders"])
Number = Annotated[str, Path(pattern=CODE, max_length=64, description="The order's number, e.g. SO-00042")]
PDF = {"type": "string", "format": "binary"}
REPORT = responses({200: "SalesOrderReport"}, (401, 403, 404, 409, 422))


def _report(report: SalesReport, status: int = 200) -> JSONResponse:
    return JSONResponse(jsonable(report), status_code=status)


@router.post(
    "",
    status_code=201,
    summary="Create a sales order (admin: the planner); answers the order with its pick list",
    responses=responses({201: "SalesOrderReport"}, (401, 403, 404, 409, 422)),
    openapi_extra=request_body("NewSalesOrder"),
)
def create(app: AppDep, who: Admin, body: JsonBody) -> JSONResponse:
    return _report(app.selling.create(body, who), 201)


@router.get(
    "",
    summary="Sales orders, newest first, with their status from the ledger",
    responses=responses({200: "SalesOrderList"}, (401, 422)),
)
def list_orders(
    app: AppDep,
    _: Viewer,
    status: Annotated[str | None, Query(description="open, partly shipped, shipped, done or cancelled")] = None,
    customer: Annotated[str | None, Query(pattern=CODE, max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[str | None, Query(pattern=CODE, max_length=64, description="next_before of the page")] = None,
) -> JSONResponse:
    found = app.selling.orders(status, customer, limit, before)
    after = found[-1].order.number if len(found) == limit else None
    return JSONResponse({"orders": jsonable(found), "next_before": after})


@router.get("/{number}", summary="An order: lines shipped and open, lots shipped, the FEFO pick list", responses=REPORT)
def show(app: AppDep, _: Viewer, number: Number) -> JSONResponse:
    return _report(app.selling.show(number))


@router.post(
    "/{number}/shipments",
    status_code=201,
    summary="Ship against the order (operator): a ship event; a lot the order cannot take is refused with why",
    responses=responses({201: "SalesShipmentRecorded"}, (401, 403, 404, 409, 422)),
    openapi_extra=request_body("SalesShipment"),
)
def ship(app: AppDep, who: Operator, number: Number, body: JsonBody) -> JSONResponse:
    recorded, report = app.selling.ship(number, body, who)
    answer: dict[str, Any] = {"event": jsonable(recorded), "order": jsonable(report)}
    return JSONResponse(answer, status_code=200 if recorded.duplicate else 201)


@router.post(
    "/{number}:cancel",
    summary="Cancel an order nothing was shipped on (admin)",
    responses=REPORT,
    openapi_extra=request_body("CancelSalesOrder"),
)
def cancel(app: AppDep, who: Admin, number: Number, body: JsonBody) -> JSONResponse:
    check_keys(body, {"reason"}, "cancelling a sales order")
    return _report(app.selling.cancel(number, body.get("reason"), who))


@router.post(
    "/{number}:close",
    summary="Close an order short: done with what went out, nothing more ships (admin)",
    responses=REPORT,
    openapi_extra=request_body("CloseSalesOrder"),
)
def close(app: AppDep, who: Admin, number: Number, body: JsonBody) -> JSONResponse:
    check_keys(body, set(), "closing a sales order")
    return _report(app.selling.close(number, who))


@router.get(
    "/{number}/delivery-note.pdf",
    response_class=Response,
    summary="The delivery note: the order, the customer's address, lots, best-before dates, SSCCs shipped so far",
    responses={
        **responses({}, (401, 404, 422)),
        200: {"description": "The PDF", "content": {"application/pdf": {"schema": PDF}}},
    },
)
def delivery_note(app: AppDep, _: Viewer, number: Number) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="delivery-note-{number.replace("/", "_")}.pdf"'}
    return Response(app.selling.delivery_note(number), media_type="application/pdf", headers=headers)
