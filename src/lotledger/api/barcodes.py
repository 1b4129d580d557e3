"""Scanning and labels: POST /scan, GET /labels/lot and /labels/pallet, POST /sscc."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from lotledger.api.deps import AppDep, JsonBody, Operator, Viewer
from lotledger.api.schemas import request_body, responses
from lotledger.barcodes.render import MEDIA_TYPES, render
from lotledger.domain.errors import ValidationError
from lotledger.interchange.jsonout import jsonable

router = APIRouter(tags=["barcodes"])
Format = Literal["svg", "png", "pdf", "zpl"]


@router.post(
    "/scan",
    summary="What a scanned barcode refers to: item, lot, container, stock, status",
    responses=responses({200: "ScanResolution"}, (401, 404, 422)),
    openapi_extra=request_body("ScanRequest", {"data": "]C1010950600013435210W-0001"}),
)
def scan(app: AppDep, _: Viewer, body: JsonBody) -> JSONResponse:
    data = body.get("data")
    if not isinstance(data, str):
        raise ValidationError("expected the scanned text as a string", "data")
    return JSONResponse(jsonable(app.barcodes.resolve_scan(data)))


def file_answer(content: bytes, fmt: str, name: str) -> Response:
    # Lot codes may hold " ; and other characters a header must not carry as they are.
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    disposition = f"inline; filename=\"{safe}.{fmt}\"; filename*=UTF-8''{quote(name)}.{fmt}"
    return Response(content, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})


# A label answers in the format asked for; a refusal is a problem document like any other.
_LABEL = {
    **responses({}, (401, 404, 422)),
    200: {
        "description": "The label file",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA_TYPES.values()},
    },
}


@router.get("/labels/lot", summary="A lot label: GS1-128, GS1 DataMatrix or GS1 Digital Link QR", responses=_LABEL)
def lot_label_file(
    app: AppDep,
    _: Viewer,
    item: Annotated[str, Query(min_length=1, max_length=64)],
    lot: Annotated[str, Query(min_length=1, max_length=20)],
    symbol: Literal["gs1-128", "datamatrix", "qr"] = "gs1-128",
    format: Format = "svg",
) -> Response:
    return file_answer(
        render([app.barcodes.lot_label(item, lot, symbol)], format), format, f"{item}-{lot}".replace("/", "_")
    )


@router.get("/labels/pallet", summary="A pallet label: the SSCC in GS1-128 and the pallet's contents", responses=_LABEL)
def pallet_label_file(
    app: AppDep, _: Viewer, sscc: Annotated[str, Query(min_length=1, max_length=18)], format: Format = "pdf"
) -> Response:
    return file_answer(render([app.barcodes.pallet_label(sscc)], format), format, sscc)


@router.post(
    "/sscc",
    status_code=201,
    summary="Allocate new SSCCs from the configured GS1 company prefix",
    responses=responses({201: "SsccList"}, (401, 403, 422)),
    openapi_extra=request_body("SsccRequest", {"count": 1}),
)
def allocate_sscc(app: AppDep, who: Operator, body: JsonBody) -> JSONResponse:
    return JSONResponse({"ssccs": app.barcodes.allocate_ssccs(who, body.get("count", 1))}, status_code=201)
