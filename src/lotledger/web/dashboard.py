"""The dashboard (what needs quality's attention now) and the page of one pallet."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lotledger.api.deps import app_of
from lotledger.domain.dashboard import LISTED, SOON_DAYS
from lotledger.domain.errors import NotFound, ValidationError
from lotledger.web.links import segment
from lotledger.web.render import page
from lotledger.web.session import PageRefused, Viewer

router = APIRouter()


@router.get("/")
def dashboard(request: Request, who: Viewer, days: str = "") -> Response:
    """Holds, expired and expiring stock, open recalls, the latest events; `days`: what "expiring soon" means."""
    dashboard = app_of(request).dashboard
    message = ""
    try:
        overview = dashboard.overview(int(days) if days.strip() else SOON_DAYS)
    except (ValueError, ValidationError):
        message = f"“{days[:20]}” is not a number of days from 0 to 366: showing the next {SOON_DAYS} days"
        overview = dashboard.overview(SOON_DAYS)
    status = 422 if message else 200
    return page(
        request,
        "quality/dashboard.html",
        who,
        status,
        section="home",
        o=overview,
        message=message,
        most=LISTED,
    )


@router.get("/pallets/{sscc}")
def pallet(request: Request, who: Viewer, sscc: str) -> Response:
    """Where a pallet is, what is on it, what it was packed with, and what happened to it."""
    sscc = segment(sscc)
    try:
        found = app_of(request).pallets.pallet(sscc)
    except ValidationError as error:
        raise PageRefused(404, f"{sscc[:40]!r} is not an SSCC: {error.message}") from None
    except NotFound as error:
        raise PageRefused(404, error.message) from None
    return page(request, "quality/pallet.html", who, section="", p=found, most=LISTED)
