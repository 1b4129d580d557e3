"""The page of one lot (status, stock, timeline, mass balance, customers, genealogy) and of one event.

Quality holds and releases a lot (alone or with everything made from it) and
voids an event here; each is an event recorded through the one write path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lotledger.api.deps import app_of
from lotledger.domain import genealogy as gen
from lotledger.domain.errors import Conflict, LotledgerError, NotFound, ValidationError
from lotledger.domain.events import SCOPES
from lotledger.domain.model import LotKey
from lotledger.services.recording import parse
from lotledger.web.links import event_url, lot_key, lot_url, segment
from lotledger.web.lot_picture import drawing, node_id, picture_url
from lotledger.web.render import page
from lotledger.web.session import CheckedForm, PageRefused, PageUser, Quality, Viewer

router = APIRouter()
TIMELINE = 50  # events a page of the timeline shows
EXPOSURE_UP_TO = 60  # descendants drawn one by one: few enough to attribute quantities to customers
DONE = {  # after a redirect: what was recorded (never text from the URL on the page)
    "hold": "The hold is recorded.",
    "release": "The release is recorded.",
    "void": "The event is voided.",
}


@router.get("/lots/{sku}/{code}")
def lot_page(
    request: Request, who: Viewer, sku: str, code: str, up: str = "", down: str = "", expand: str = "", before: str = ""
) -> Response:
    """Everything about one lot; `up`/`down`: genealogy levels, `expand`: a group opened, `before`: older events."""
    view = {"up": up, "down": down, "expand": expand, "before": before, "done": request.query_params.get("done", "")}
    return _lot(request, who, lot_key(sku, code), view)


def _depth(text: str, name: str) -> int:
    if not text.strip():
        return gen.DEFAULT_DEPTH
    if not (text.strip().isascii() and text.strip().isdigit()) or not 0 <= int(text) <= gen.MOST_DEPTH:
        raise PageRefused(422, f"{name}: expected a number of levels from 0 to {gen.MOST_DEPTH}, got {text[:20]!r}")
    return int(text)


def _lot(
    request: Request, who: PageUser, key: LotKey, view: dict[str, str], status: int = 200, **form: Any
) -> Response:
    app = app_of(request)
    up, down = _depth(view.get("up", ""), "up"), _depth(view.get("down", ""), "down")
    try:
        info = app.queries.lot(key)
        expand = gen.Expand.parse(view["expand"]) if view.get("expand") else None
        picture = app.genealogy.picture(key, up, down, expand)
        timeline = app.timeline.lot_events(key, view.get("before") or None, TIMELINE)
    except NotFound as error:
        raise PageRefused(404, f"{error.message}: no lot {key.code} of item {key.sku} is in the ledger") from None
    except ValidationError as error:
        raise PageRefused(422, str(error)) from None
    today = datetime.now(app.settings.zone).date()
    few = not any(level > 0 for level in picture.groups) and not picture.deeper.get("down")
    context = {
        "key": key,
        "info": info,
        "expired": gen.is_expired(info.expiry, today),
        "balances": app.queries.balances(sku=key.sku, lot=key.code),
        "timeline": timeline,
        "older": f"{lot_url(key)}?before={timeline.more}#timeline" if timeline.more else "",
        "mass": app.queries.mass_balance(key),
        "customers": app.genealogy.customers(key),
        "exposure": app.queries.exposure(key) if few else None,
        "picture": picture,
        "svg": drawing(picture, up, down, lambda r: _state(r, today)),
        "deeper": {
            "up": picture_url(key, min(up + 3, gen.MOST_DEPTH), down) if picture.deeper.get("up") else "",
            "down": picture_url(key, up, min(down + 3, gen.MOST_DEPTH)) if picture.deeper.get("down") else "",
        },
        "opened": picture_url(key, up, down) if expand else "",
        "done": DONE.get(view.get("done", ""), ""),
        "scopes": SCOPES,
        "node_id": node_id,
        "form": {"reason": "", "scope": "lot", "action": "", **form.pop("fields", {})},
        **form,
    }
    return page(request, "lots/lot.html", who, status, section="", **context)


def _state(relative: gen.Relative, today: Any) -> str:
    if relative.held:
        return "held"
    if gen.is_expired(relative.expiry, today):
        return f"expired {relative.expiry}"
    return f"expires {relative.expiry}" if relative.expiry else ""


@router.post("/lots/{sku}/{code}/hold")
def hold(request: Request, who: Quality, form: CheckedForm, sku: str, code: str) -> Response:
    return _decide(request, who, form, lot_key(sku, code), "hold")


@router.post("/lots/{sku}/{code}/release")
def release(request: Request, who: Quality, form: CheckedForm, sku: str, code: str) -> Response:
    return _decide(request, who, form, lot_key(sku, code), "release")


def _decide(request: Request, who: PageUser, form: CheckedForm, key: LotKey, kind: str) -> Response:
    """Record a hold or release of the lot (and, scope downstream, of everything made from it)."""
    app = app_of(request)
    reason, scope = form.get("reason"), form.get("scope", "lot")
    fields = {"reason": reason, "scope": scope, "action": kind}
    view = {"up": "", "down": "", "expand": "", "before": ""}
    if not reason:
        message = f"Give the reason for the {kind}: nothing was recorded."
        return _lot(request, who, key, view, 422, message=message, fields=fields)
    try:
        location = _where(request, key)
        event = parse(
            {
                "type": kind,
                "time": datetime.now(app.settings.zone).isoformat(),
                "location": location,
                "reason": reason,
                "scope": scope,
                "lots": [{"item": key.sku, "lot": key.code}],
            }
        )
        app.recording.record(event, who.caller)
    except NotFound as error:
        raise PageRefused(404, f"{error.message}: no lot {key.code} of item {key.sku} is in the ledger") from None
    except LotledgerError as error:
        status = 409 if isinstance(error, Conflict) else 422
        return _lot(request, who, key, view, status, message=f"Not recorded: {error}", fields=fields)
    return RedirectResponse(f"{lot_url(key)}?done={kind}", status_code=303)


def _where(request: Request, key: LotKey) -> str:
    """Where a hold is recorded: where the lot is (the first place with stock), else where it began."""
    app = app_of(request)
    stock = app.queries.balances(sku=key.sku, lot=key.code)
    if stock:
        return stock[0].location
    first = app.timeline.lot_events(key, None, 1).events  # NotFound for a lot the ledger does not know
    return first[0].location if first else ""


@router.get("/events/{event_id}")
def event_page(request: Request, who: Viewer, event_id: str) -> Response:
    event_id = segment(event_id)
    return _event(request, who, event_id)


def _event(request: Request, who: PageUser, event_id: str, status: int = 200, **form: Any) -> Response:
    try:
        record = app_of(request).timeline.event(event_id)
    except NotFound as error:
        raise PageRefused(404, error.message) from None
    done = DONE.get(request.query_params.get("done", ""), "")
    context = {"e": record, "lots": _lots_named(record.document), "lot_key": _lot_key, "done": done, "reason": ""}
    context.update(form)
    return page(request, "lots/event.html", who, status, section="", **context)


def _lot_key(line: dict[str, Any]) -> LotKey:
    return LotKey(str(line["item"]), str(line["lot"]))


def _lots_named(document: dict[str, Any]) -> list[LotKey]:
    """The lots an event's document names, in the order it names them, each once."""
    found: dict[LotKey, None] = {}
    for name in ("lines", "inputs", "outputs", "lots"):
        for line in document.get(name) or []:
            if isinstance(line, dict) and "item" in line and "lot" in line:
                found[_lot_key(line)] = None
    return list(found)


@router.post("/events/{event_id}/void")
def void(request: Request, who: Quality, form: CheckedForm, event_id: str) -> Response:
    event_id = segment(event_id)
    """Void an event: its effects are taken back; the event stays in the record, marked voided."""
    app = app_of(request)
    reason = form.get("reason")
    if not reason:
        return _event(request, who, event_id, 422, message="Give the reason for the void: nothing was recorded.")
    try:
        target = app.timeline.event(event_id)
        event = parse(
            {
                "type": "void",
                "time": datetime.now(app.settings.zone).isoformat(),
                "location": target.location,
                "target": target.id,
                "reason": reason,
            }
        )
        app.recording.record(event, who.caller)
    except NotFound as error:
        raise PageRefused(404, error.message) from None
    except LotledgerError as error:
        status = 409 if isinstance(error, Conflict) else 422
        return _event(request, who, event_id, status, message=f"Not recorded: {error}", reason=reason)
    return RedirectResponse(f"{event_url(event_id)}?done=void", status_code=303)
