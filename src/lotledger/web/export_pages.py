"""The FSMA 204 spreadsheet and the EPCIS document from pages: a form each, and the same files as
GET /api/v1/exports/fsma204 and GET /api/v1/exports/epcis."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lotledger.api.deps import app_of
from lotledger.api.exports import epcis_document, spreadsheet
from lotledger.api.problems import status_for
from lotledger.domain.errors import LotledgerError, ValidationError
from lotledger.web.render import page
from lotledger.web.session import PageUser, Viewer

router = APIRouter()


@router.get("/exports/fsma204")
def fsma204_form(request: Request, who: Viewer) -> Response:
    return _form(request, who, {"format": "xlsx"})


@router.get("/exports/fsma204/file")
def fsma204_file(
    request: Request,
    who: Viewer,
    start: str = "",
    end: str = "",
    item: str = "",
    lot: str = "",
    all_items: bool = False,
    format: str = "xlsx",
) -> Response:
    """The download; a refused choice (an unknown item, a lot without its item) shows the form again, as filled."""
    kept = {"start": start, "end": end, "item": item, "lot": lot, "format": format, "all_items": all_items}
    try:
        if format not in ("xlsx", "csv"):
            raise ValidationError(f"expected xlsx or csv, got {format[:20]!r}", "format")
        first, last = _day(start, "from"), _day(end, "to")
        chosen: Literal["xlsx", "csv"] = "csv" if format == "csv" else "xlsx"
        return spreadsheet(app_of(request), first, last, item or None, lot or None, all_items, chosen)
    except LotledgerError as error:
        return _form(request, who, kept, str(error), status_for(error))


@router.get("/exports/epcis")
def epcis_form(request: Request, who: Viewer) -> Response:
    return _form(request, who, {}, template="recalls/epcis.html")


@router.get("/exports/epcis/file")
def epcis_file(
    request: Request, who: Viewer, start: str = "", end: str = "", item: str = "", lot: str = ""
) -> Response:
    """The download; a refused choice (an unknown lot, a lot without its item) shows the form again, as filled."""
    kept: dict[str, object] = {"start": start, "end": end, "item": item, "lot": lot}
    try:
        first, last = _day(start, "from"), _day(end, "to")
        return epcis_document(app_of(request), first, last, item or None, lot or None)
    except LotledgerError as error:
        return _form(request, who, kept, str(error), status_for(error), "recalls/epcis.html")


def _form(
    request: Request,
    who: PageUser,
    kept: dict[str, object],
    message: str = "",
    status: int = 200,
    template: str = "recalls/fsma204.html",
) -> Response:
    return page(request, template, who, status, section="recalls", kept=kept, message=message)


def _day(value: str, name: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError(f"expected a day as YYYY-MM-DD, got {value[:40]!r}", name) from None
