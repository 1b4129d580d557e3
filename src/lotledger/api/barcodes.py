"""Scanning and labels: POST /scan, GET /labels/lot and /labels/pallet, POST /sscc."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse, Response

from lotledger.api.deps import AppDep, Operator, Viewer
from lotledger.barcodes.render import MEDIA_TYPES, render
from lotledger.domain.errors import ValidationError
from lotledger.interchange.jsonout import jsonable
from lotledger.services.barcodes import label_for_lot, label_for_pallet, resolve_scan

router = APIRouter(tags=["barcodes"])
Format = Literal["svg", "png", "pdf", "zpl"]


@router.post("/scan", summary="What a scanned barcode refers to: item, lot, container, stock, status")
def scan(
    app: AppDep, _: Viewer, body: Annotated[dict[str, Any], Body(examples=[{"data": "]C1010950600013435210LOT-42"}])]
) -> JSONResponse:
    data = body.get("data")
    if not isinstance(data, str):
        raise ValidationError("expected the scanned text as a string", "data")
    return JSONResponse(jsonable(resolve_scan(app, data)))


def _file(content: bytes, fmt: str, name: str) -> Response:
    return Response(
        content, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": f'inline; filename="{name}.{fmt}"'}
    )


@router.get("/labels/lot", summary="A lot label: GS1-128, GS1 DataMatrix or GS1 Digital Link QR")
def lot_label_file(
    app: AppDep,
    _: Viewer,
    item: Annotated[str, Query(min_length=1, max_length=64)],
    lot: Annotated[str, Query(min_length=1, max_length=20)],
    symbol: Literal["gs1-128", "datamatrix", "qr"] = "gs1-128",
    format: Format = "svg",
) -> Response:
    return _file(render([label_for_lot(app, item, lot, symbol)], format), format, f"{item}-{lot}".replace("/", "_"))


@router.get("/labels/pallet", summary="A pallet label: the SSCC in GS1-128 and the pallet's contents")
def pallet_label_file(
    app: AppDep, _: Viewer, sscc: Annotated[str, Query(min_length=1, max_length=18)], format: Format = "pdf"
) -> Response:
    return _file(render([label_for_pallet(app, sscc)], format), format, sscc)


@router.post("/sscc", status_code=201, summary="Allocate new SSCCs from the configured GS1 company prefix")
def allocate_sscc(
    app: AppDep, _: Operator, body: Annotated[dict[str, Any], Body(examples=[{"count": 1}])]
) -> JSONResponse:
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int):
        raise ValidationError(f"expected a whole number, got {count!r}", "count")
    prefix = app.settings.gs1_company_prefix
    if prefix is None:
        raise ValidationError("no GS1 company prefix is configured: set LOTLEDGER_GS1_PREFIX", "company_prefix")
    return JSONResponse({"ssccs": app.ssccs.allocate(prefix, app.settings.sscc_extension, count)}, status_code=201)
