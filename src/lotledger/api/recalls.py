"""Recalls: open one (or a drill), read its report, hold what is on hand, record what each customer was told
and did, print the notices, close it. Quality records; every role reads."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse

from lotledger.api.deps import AppDep, JsonBody, Viewer
from lotledger.api.schemas import request_body, responses
from lotledger.bootstrap import App
from lotledger.domain.recall import RecallReport
from lotledger.interchange.jsonout import jsonable

router = APIRouter(prefix="/recalls", tags=["recalls"])
RecallId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The recall's number")]
CODE = r"^[A-Za-z0-9][A-Za-z0-9._/:\-]{0,63}$"
CustomerCode = Annotated[str, Path(pattern=CODE, description="The customer")]
REPORT = responses({200: "RecallReport"}, (401, 403, 404, 409, 422))


def _report(report: RecallReport, status: int = 200) -> JSONResponse:
    return JSONResponse(jsonable(report), status_code=status)


@router.post(
    "",
    status_code=201,
    summary="Open a recall or a mock drill; answers the report",
    responses=responses({201: "RecallReport"}, (401, 403, 404, 409, 422)),
    openapi_extra=request_body("NewRecall"),
)
def open_recall(app: AppDep, who: Viewer, body: JsonBody) -> JSONResponse:
    return _report(app.recalls.open(body, who), 201)


@router.get("", summary="Every recall and drill, newest first", responses=responses({200: "RecallList"}, (401, 422)))
def list_recalls(app: AppDep, _: Viewer, kind: Literal["recall", "mock"] | None = None) -> JSONResponse:
    listed = [{"case": case, "traced": traced} for case, traced in app.recalls.cases(kind)]
    return JSONResponse({"recalls": jsonable(listed)})


@router.get("/{recall_id}", summary="A recall's report as the ledger stands now", responses=REPORT)
def recall_report(app: AppDep, _: Viewer, recall_id: RecallId) -> JSONResponse:
    return _report(app.recalls.report(recall_id))


@router.post(
    "/{recall_id}/hold",
    summary="Hold everything affected still on hand",
    responses=REPORT,
    openapi_extra=request_body("RecallHold"),
)
def hold(app: AppDep, who: Viewer, recall_id: RecallId, body: JsonBody) -> JSONResponse:
    return _report(app.recalls.hold(recall_id, who, body.get("location")))


@router.post(
    "/{recall_id}/customers/{customer}/notified",
    summary="Record that a customer was told, and how",
    responses=REPORT,
    openapi_extra=request_body("CustomerNotified"),
)
def notified(app: AppDep, who: Viewer, recall_id: RecallId, customer: CustomerCode, body: JsonBody) -> JSONResponse:
    return _report(app.recalls.notified(recall_id, customer, body, who))


@router.post(
    "/{recall_id}/customers/{customer}/acknowledged",
    summary="Record that a customer confirmed the notice",
    responses=REPORT,
    openapi_extra=request_body("RecallNote"),
)
def acknowledged(app: AppDep, who: Viewer, recall_id: RecallId, customer: CustomerCode, body: JsonBody) -> JSONResponse:
    return _report(app.recalls.acknowledged(recall_id, customer, body, who))


@router.post(
    "/{recall_id}/customers/{customer}/disposals",
    summary="Record what a customer destroyed (a return is a return event)",
    responses=REPORT,
    openapi_extra=request_body("Disposal"),
)
def disposed(app: AppDep, who: Viewer, recall_id: RecallId, customer: CustomerCode, body: JsonBody) -> JSONResponse:
    return _report(app.recalls.disposed(recall_id, customer, body, who))


@router.post(
    "/{recall_id}/close",
    summary="Close a recall: nothing more is recorded on it",
    responses=REPORT,
    openapi_extra=request_body("RecallNote"),
)
def close(app: AppDep, who: Viewer, recall_id: RecallId, body: JsonBody) -> JSONResponse:
    return _report(app.recalls.close(recall_id, body, who))


@router.get(
    "/{recall_id}/notices",
    response_class=Response,
    summary="The customer notices: PDF (a page a customer) or CSV (a row a line shipped)",
    responses={
        **responses({}, (401, 404, 422)),
        200: {
            "description": "The notices",
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
    },
)
def notices(
    app: AppDep,
    _: Viewer,
    recall_id: RecallId,
    format: Literal["pdf", "csv"] = "pdf",
    customer: Annotated[
        str | None, Query(pattern=CODE, max_length=64, description="Only this customer's notice")
    ] = None,
) -> Response:
    return notices_file(app, recall_id, format, customer)


def notices_file(app: App, recall_id: int, format: Literal["pdf", "csv"], customer: str | None = None) -> Response:
    """The notices as a download (the pages give the same file)."""
    from lotledger.interchange.recall_notices import notices_csv, notices_pdf

    made = app.recalls.notices(recall_id, customer)
    zone = app.settings.zone
    name = f"recall-{recall_id}-notices{'-' + customer if customer else ''}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name.replace("/", "_")}"'}
    if format == "csv":
        return StreamingResponse(notices_csv(made, zone), media_type="text/csv", headers=headers)
    return Response(notices_pdf(made, zone, app.recalls.sender()), media_type="application/pdf", headers=headers)
