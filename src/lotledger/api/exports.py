"""GET /exports/fsma204: FSMA 204's sortable spreadsheet, as XLSX or CSV; GET /exports/epcis: GS1 EPCIS 2.0."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from lotledger.api.deps import AppDep, IsoText, Viewer
from lotledger.api.downloads import spooled
from lotledger.api.schemas import responses
from lotledger.bootstrap import App
from lotledger.domain.errors import ValidationError
from lotledger.domain.model import LotKey
from lotledger.interchange.epcis_out import MEDIA_TYPE as EPCIS_MEDIA_TYPE
from lotledger.interchange.fsma204 import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, csv_lines, write_xlsx

router = APIRouter(tags=["exports"])
MEDIA_TYPES = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}

_SPREADSHEET = {
    **responses({}, (401, 422)),
    200: {
        "description": "The spreadsheet: XLSX with a sheet per critical tracking event, or one CSV table",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA_TYPES.values()},
    },
}


@router.get(
    "/exports/fsma204",
    summary="FSMA 204 electronic sortable spreadsheet: receipts, shipments, transformations and their KDEs",
    description="Without `item`, `lot` or `all_items`, the items flagged as on FDA's Food Traceability List. "
    "Days are in the plant's time zone, both included. Every row says which required KDE it lacks; "
    "the XLSX adds a sheet of them and the completeness per CTE.",
    responses=_SPREADSHEET,
    response_class=Response,  # a file: no JSON answer to document beside it
)
def fsma204(
    app: AppDep,
    _: Viewer,
    start: Annotated[date | None, Query(alias="from", description="First day (YYYY-MM-DD)"), IsoText] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day, included"), IsoText] = None,
    item: Annotated[str | None, Query(min_length=1, max_length=64, description="Only this item's sku")] = None,
    lot: Annotated[str | None, Query(min_length=1, max_length=20, description="Only this lot of `item`")] = None,
    all_items: Annotated[bool, Query(description="Every item, not only those on the list")] = False,
    format: Literal["xlsx", "csv"] = "xlsx",
) -> Response:
    return spreadsheet(app, start, end, item, lot, all_items, format)


def spreadsheet(
    app: App,
    start: date | None,
    end: date | None,
    item: str | None,
    lot: str | None,
    all_items: bool,
    format: Literal["xlsx", "csv"],
) -> Response:
    """The spreadsheet as a download, its selection checked before the first row (the pages give the same file)."""
    if lot is not None and item is None:
        raise ValidationError("a lot code is an item's: give the item too", "lot")
    service = app.fsma204
    chosen = service.select(start, end, item, None if lot is None else LotKey(item or "", lot), all_items)
    export = service.export(chosen)
    headers = {"Content-Disposition": f'attachment; filename="{_file_name(start, end, item, lot, format)}"'}
    if format == "csv":
        chunks = (chunk.encode() for chunk in csv_lines(export.rows()))
        return StreamingResponse(chunks, media_type=CSV_MEDIA_TYPE, headers=headers)
    workbook = spooled(lambda target: write_xlsx(export, export.rows(), target))
    return StreamingResponse(workbook, media_type=XLSX_MEDIA_TYPE, headers=headers)


def _file_name(
    start: date | None, end: date | None, item: str | None, lot: str | None, fmt: str, name: str = "fsma204"
) -> str:
    """NAME[_ITEM[_LOT]][_FROM][_TO].fmt: letters, digits, - and _ only, so it needs no escaping."""
    parts = [name, item, lot, start and f"from-{start}", end and f"to-{end}"]
    return "_".join(re.sub(r"[^A-Za-z0-9-]", "-", str(part)) for part in parts if part) + f".{fmt}"


_EPCIS = {
    **responses({}, (401, 422)),
    200: {
        "description": "An EPCIS 2.0 JSON-LD document: master data in the header, one event per ledger event",
        "content": {EPCIS_MEDIA_TYPE: {"schema": {"type": "object"}}},
    },
}


@router.get(
    "/exports/epcis",
    summary="GS1 EPCIS 2.0 document of the ledger's events, with the master data they use",
    description="Every event, or those of the days `from`..`to` (the plant's zone, both included), or those of "
    "the backward and forward trace of the lot `item` + `lot`. A void is its event written again with an "
    "errorDeclaration. The mapping is in docs/epcis.md.",
    responses=_EPCIS,
    response_class=Response,  # a streamed file: no JSON answer to document beside it
)
def epcis(
    app: AppDep,
    _: Viewer,
    start: Annotated[date | None, Query(alias="from", description="First day (YYYY-MM-DD)"), IsoText] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day, included"), IsoText] = None,
    item: Annotated[str | None, Query(min_length=1, max_length=64, description="The sku of `lot`")] = None,
    lot: Annotated[str | None, Query(min_length=1, max_length=20, description="Only this lot's trace")] = None,
) -> Response:
    return epcis_document(app, start, end, item, lot)


def epcis_document(app: App, start: date | None, end: date | None, item: str | None, lot: str | None) -> Response:
    """The document as a streamed download, its selection checked before the first event (the page gives the same)."""
    if (item is None) != (lot is None):
        raise ValidationError("a lot is named by its item and its code: give both", "item" if lot else "lot")
    service = app.epcis_export
    document = service.export(service.select(start, end, None if item is None or lot is None else LotKey(item, lot)))
    name = _file_name(start, end, item, lot, "jsonld", "epcis")
    chunks = (chunk.encode() for chunk in document.chunks())
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(chunks, media_type=EPCIS_MEDIA_TYPE, headers=headers)
