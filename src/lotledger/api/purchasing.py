"""Purchase orders: a planner (admin) orders, the floor (operator) receives against the order, everyone reads
what came and what is open; the order's status is derived from the ledger's receive events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from lotledger.api.deps import Admin, AppDep, JsonBody, Operator, Viewer
from lotledger.api.schemas import request_body, responses
from lotledger.domain.fields import check_keys
from lotledger.domain.purchasing import OrderReport
from lotledger.interchange.jsonout import jsonable

router = APIRouter(prefix="/purchase-orders", tags=["purchase orders"])
CODE = r"^[A-Za-z0-9][A-Za-z0-9._/:\-]{0,63}$"
Number = Annotated[str, Path(pattern=CODE, max_length=64, description="The order's number, e.g. PO-00042")]
REPORT = responses({200: "PurchaseOrderReport"}, (401, 403, 404, 409, 422))


def _report(report: OrderReport, status: int = 200) -> JSONResponse:
    return JSONResponse(jsonable(report), status_code=status)


@router.post(
    "",
    status_code=201,
    summary="Create a purchase order (admin: the planner); answers the order",
    responses=responses({201: "PurchaseOrderReport"}, (401, 403, 404, 409, 422)),
    openapi_extra=request_body("NewPurchaseOrder"),
)
def create(app: AppDep, who: Admin, body: JsonBody) -> JSONResponse:
    return _report(app.purchasing.create(body, who), 201)


@router.get(
    "",
    summary="Purchase orders, newest first, with their status from the ledger",
    responses=responses({200: "PurchaseOrderList"}, (401, 422)),
)
def list_orders(
    app: AppDep,
    _: Viewer,
    status: Annotated[str | None, Query(description="open, partly received, received, done or cancelled")] = None,
    supplier: Annotated[str | None, Query(pattern=CODE, max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[str | None, Query(pattern=CODE, max_length=64, description="next_before of the page")] = None,
) -> JSONResponse:
    found = app.purchasing.orders(status, supplier, limit, before)
    after = found[-1].order.number if len(found) == limit else None
    return JSONResponse({"orders": jsonable(found), "next_before": after})


@router.get(
    "/{number}", summary="An order: each line's received and open quantity, its lots and receipts", responses=REPORT
)
def show(app: AppDep, _: Viewer, number: Number) -> JSONResponse:
    return _report(app.purchasing.show(number))


@router.post(
    "/{number}/receipts",
    status_code=201,
    summary="Receive against the order (operator): a receive event; refused beyond a line's tolerance",
    responses=responses({201: "PurchaseReceiptRecorded"}, (401, 403, 404, 409, 422)),
    openapi_extra=request_body("PurchaseReceipt"),
)
def receive(app: AppDep, who: Operator, number: Number, body: JsonBody) -> JSONResponse:
    recorded, report = app.purchasing.receive(number, body, who)
    answer: dict[str, Any] = {"event": jsonable(recorded), "order": jsonable(report)}
    return JSONResponse(answer, status_code=200 if recorded.duplicate else 201)


@router.post(
    "/{number}:cancel",
    summary="Cancel an order nothing was received on (admin)",
    responses=REPORT,
    openapi_extra=request_body("CancelPurchaseOrder"),
)
def cancel(app: AppDep, who: Admin, number: Number, body: JsonBody) -> JSONResponse:
    check_keys(body, {"reason"}, "cancelling a purchase order")
    return _report(app.purchasing.cancel(number, body.get("reason"), who))


@router.post(
    "/{number}:close",
    summary="Close an order short: done with what came, no more receipts (admin)",
    responses=REPORT,
    openapi_extra=request_body("ClosePurchaseOrder"),
)
def close(app: AppDep, who: Admin, number: Number, body: JsonBody) -> JSONResponse:
    check_keys(body, set(), "closing a purchase order")
    return _report(app.purchasing.close(number, who))
