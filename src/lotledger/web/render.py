"""Pages from templates: the plant's time zone, quantities as people write them, escaping always on."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from lotledger.api.deps import app_of
from lotledger.web.links import event_url, lot_url, pallet_url
from lotledger.web.session import PageUser

templates = Jinja2Templates(directory=str(files("lotledger.web") / "templates"))


def plant_time(value: datetime | str | None, request: Request) -> str:
    """A moment in the plant's time zone, with the zone's abbreviation: 2026-01-08 09:00 CET."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(app_of(request).settings.zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def quantity(value: Decimal | int | str | None) -> str:
    """12, 12.5, 1,250.125: no trailing zeros, thousands grouped."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def day(value: date | str | None) -> str:
    if value is None or value == "":
        return ""
    return value if isinstance(value, str) else value.isoformat()


def counted(number: int, noun: str) -> str:
    """1 line, 2 lines, 20,002 lots."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


templates.env.filters["quantity"] = quantity
templates.env.filters["counted"] = counted
templates.env.filters["day"] = day
templates.env.globals.update(lot_url=lot_url, pallet_url=pallet_url, event_url=event_url)


def page(request: Request, template: str, who: PageUser | None, status: int = 200, **context: Any) -> HTMLResponse:
    """Render `template` for `who` (None on the login and error pages), in the plant's time zone."""
    settings = app_of(request).settings
    context.update(
        who=who,
        zone=settings.timezone,
        when=lambda value: plant_time(value, request),
    )
    answer = templates.TemplateResponse(request, template, context, status_code=status)
    answer.headers["Cache-Control"] = "no-store"  # pages show live stock and a CSRF value: never cached
    return answer
