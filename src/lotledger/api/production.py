"""Recipes and work orders: save a recipe version, open a work order, read it with the lots to take and its
variance, record its production, cancel or close it. Quality saves recipes; operators run work orders."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response

from lotledger.api.deps import AppDep, JsonBody, Operator, Quality, Viewer
from lotledger.api.idempotency import IdempotencyKey, idempotent
from lotledger.api.orders import CODE
from lotledger.api.schemas import request_body, responses
from lotledger.domain.production import NUMBER, WorkOrderReport
from lotledger.interchange.jsonout import jsonable

router = APIRouter(tags=["production"])

Sku = Annotated[str, Path(pattern=CODE, description="The recipe's output item")]
Number = Annotated[str, Path(pattern=f"^{NUMBER.pattern}$", description="The work order's number, e.g. WO-00042")]
REPORT = responses({200: "WorkOrderReport"}, (401, 403, 404, 409, 422))


def label_url(item: str, lot: str) -> str:
    """Where an output lot's GS1-128 label is printed from (PDF)."""
    return "/api/v1/labels/lot?" + urlencode({"item": item, "lot": lot, "format": "pdf"})


def report_json(report: WorkOrderReport) -> dict[str, Any]:
    answer: dict[str, Any] = jsonable(report)
    for made in answer["made"]:
        made["label"] = label_url(report.order.recipe.item, made["lot"])
    return answer


@router.post(
    "/recipes",
    status_code=201,
    summary="Save a recipe's next version (quality)",
    responses=responses({201: "Recipe"}, (401, 403, 404, 409, 422)),
    openapi_extra=request_body("NewRecipe"),
)
def add_recipe(app: AppDep, who: Quality, body: JsonBody) -> JSONResponse:
    return JSONResponse(jsonable(app.production.add_recipe(body, who)), status_code=201)


@router.get("/recipes", summary="The latest version of every recipe", responses=responses({200: "RecipeList"}, (401,)))
def recipes(app: AppDep, _: Viewer) -> JSONResponse:
    return JSONResponse({"recipes": jsonable(app.production.recipes())})


@router.get(
    "/recipes/{sku}",
    summary="Every version of a recipe, newest first",
    responses=responses({200: "RecipeVersions"}, (401, 404, 422)),
)
def recipe_versions(app: AppDep, _: Viewer, sku: Sku) -> JSONResponse:
    return JSONResponse({"item": sku, "versions": jsonable(app.production.versions(sku))})


@router.post(
    "/work-orders",
    status_code=201,
    summary="Open a work order on a recipe (operator)",
    responses=responses({201: "WorkOrderReport"}, (401, 403, 404, 409, 422)),
    openapi_extra=request_body("NewWorkOrder"),
)
def create_work_order(app: AppDep, who: Operator, body: JsonBody) -> JSONResponse:
    return JSONResponse(report_json(app.production.create(body, who)), status_code=201)


@router.get(
    "/work-orders",
    summary="Work orders, newest first, with their status from the ledger",
    responses=responses({200: "WorkOrderList"}, (401, 422)),
)
def work_orders(
    app: AppDep,
    _: Viewer,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[str | None, Query(pattern=f"^{NUMBER.pattern}$", description="The next page")] = None,
) -> JSONResponse:
    listed = app.production.work_orders(limit, before)
    rows = [{"order": order, "status": status, "produced": produced} for order, status, produced in listed]
    after = listed[-1][0].number if len(listed) == limit else None
    return JSONResponse({"work_orders": jsonable(rows), "next_before": after})


@router.get(
    "/work-orders/{number}",
    summary="A work order: status, lots to take (FEFO), consumption, output, yield and variance",
    responses=REPORT,
)
def work_order(app: AppDep, _: Viewer, number: Number) -> JSONResponse:
    return JSONResponse(report_json(app.production.report(number)))


@router.post(
    "/work-orders/{number}/production",
    status_code=201,
    summary="Record production: the lots consumed and the output, as a produce event with the order's number",
    responses=responses({201: "ProductionRecorded"}, (401, 403, 404, 409, 422)),
    openapi_extra=request_body("Production"),
)
def produce(
    app: AppDep, who: Operator, number: Number, body: JsonBody, idempotency_key: IdempotencyKey = None
) -> Response:
    # A retry cannot rely on an event id: the output's pattern lot code would differ on the second try.
    def action() -> tuple[int, Any]:
        event_id, report = app.production.produce(number, body, who)
        return 201, {"event_id": event_id, "work_order": report_json(report)}

    return idempotent(app, who, idempotency_key, f"POST /work-orders/{number}/production", body, action)


@router.post(
    "/work-orders/{number}:cancel",
    summary="Cancel a work order that produced nothing",
    responses=REPORT,
    openapi_extra=request_body("WorkOrderCancel"),
)
def cancel(app: AppDep, who: Operator, number: Number, body: JsonBody) -> JSONResponse:
    return JSONResponse(report_json(app.production.cancel(number, body, who)))


@router.post(
    "/work-orders/{number}:close",
    summary="Close a work order short: done with what it made",
    responses=REPORT,
    openapi_extra=request_body("WorkOrderClose"),
)
def close(app: AppDep, who: Operator, number: Number, body: JsonBody) -> JSONResponse:
    return JSONResponse(report_json(app.production.close(number, body, who)))
