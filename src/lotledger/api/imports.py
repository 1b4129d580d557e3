"""POST /imports: a file (JSON Lines, CSV, XLSX; told by content) imported or dry-run; GET its templates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from lotledger.api.deps import Operator, Viewer, app_of
from lotledger.api.schemas import responses
from lotledger.bootstrap import App
from lotledger.domain.accounts import Caller
from lotledger.interchange.sheet_columns import COLUMNS
from lotledger.interchange.sheet_mapping import NO_MAPPING, mapping_from_json
from lotledger.interchange.sheet_templates import (
    CSV_MEDIA_TYPE,
    TEMPLATE_TYPES,
    XLSX_MEDIA_TYPE,
    TemplateFormat,
    file_name,
    template,
)
from lotledger.interchange.sheets import ReadOptions
from lotledger.services.importing import import_file, read_options

router = APIRouter(tags=["imports"])
MAX_IMPORT = 32 * 1024 * 1024  # a year's register as XLSX; larger files: split them, or the CLI
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_FILE_TYPES = ("application/x-ndjson", "text/csv", XLSX_MEDIA_TYPE, "application/ld+json")
_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file itself, as the request body (at most 32 MiB): its kind is told by its content.",
        "content": dict.fromkeys(_FILE_TYPES, _BINARY),
    }
}


def answer(app: App, data: bytes, options: ReadOptions, who: Caller, dry_run: bool) -> dict[str, object]:
    """The import's report as the API answers it (the page shows the same)."""
    kind, report = import_file(app.recording, app.master_data, data, options, who, dry_run)
    return {
        "format": kind,
        "dry_run": dry_run,
        "stored": report.events,
        "already_recorded": report.duplicates,
        "master_saved": report.master,
        "master_unchanged": report.master_unchanged,
        "created": [{"kind": kind, "code": code} for kind, code in report.created],
        "refused": report.refused,
        "errors": [{"row": e.line, "column": e.field, "reason": e.message} for e in report.errors],
    }


@router.post(
    "/imports",
    summary="Import a file of events and master data: JSON Lines, CSV or XLSX (a legacy lot register)",
    description="The body is the file. Good rows are stored, bad ones answered with their row, column and "
    "reason; the same file again stores nothing twice. `dry_run=true` checks every row against the ledger's "
    "rules (stock, holds, unknown items; earlier rows of the file count) and writes nothing. Master data rows "
    "need the admin role, holds and releases the quality role. Other column names: a mapping (docs: the "
    "README's spreadsheet import) as JSON in the `X-Import-Mapping` header.",
    openapi_extra=_BODY,
    responses=responses({200: "ImportAnswer"}, (401, 403, 413, 422)),
)
async def import_a_file(
    request: Request,
    who: Operator,
    dry_run: Annotated[bool, Query(description="Check every row and write nothing")] = False,
    type: Annotated[
        str | None,
        Query(max_length=20, description="The type of every row of a CSV", json_schema_extra={"enum": list(COLUMNS)}),
    ] = None,
    mapping: Annotated[
        str | None,
        Header(alias="X-Import-Mapping", max_length=8192, description="A column mapping as a JSON object"),
    ] = None,
) -> Response:
    data = await request.body()
    chosen = mapping_from_json(mapping) if mapping else NO_MAPPING
    app = app_of(request)
    options = read_options(app.settings, app.master_data, type, chosen)
    payload = await run_in_threadpool(answer, app, data, options, who, dry_run)
    return JSONResponse(payload)


@router.get(
    "/imports/templates/{type}",
    summary="An import template: lotledger's columns for a record type, with example rows",
    description="`all`: every type (an XLSX sheet per type, or one CSV table with a `type` column).",
    responses={
        **responses({}, (401, 422)),
        200: {
            "description": "The template",
            "content": {CSV_MEDIA_TYPE: _BINARY, XLSX_MEDIA_TYPE: _BINARY},
        },
    },
    response_class=Response,
)
def import_template(
    _: Viewer,
    type: Annotated[str, Path(max_length=20, json_schema_extra={"enum": list(TEMPLATE_TYPES)})],
    format: TemplateFormat = "csv",
) -> Response:
    return template_download(type, format)


def template_download(kind: str, format: TemplateFormat) -> Response:
    """The template as a download (the import page links the same file)."""
    headers = {"Content-Disposition": f'attachment; filename="{file_name(kind, format)}"'}
    media = CSV_MEDIA_TYPE if format == "csv" else XLSX_MEDIA_TYPE
    return Response(template(kind, format), media_type=media, headers=headers)
