"""Sales order pages: the list with each order's status and a new order (planners: the admin role); one order
with its lines, the FEFO pick list, the lots shipped, a pick-by-scan form that records the shipment (the floor:
operator), closing or cancelling it, and its delivery note. The same service calls as the API: app.selling."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lotledger.api.deps import app_of
from lotledger.api.problems import status_for
from lotledger.domain.errors import LotledgerError, ValidationError
from lotledger.domain.model import Item, Location, Partner
from lotledger.domain.selling import SalesReport
from lotledger.services.selling import PLANNER
from lotledger.web.floor import UNIT_CHOICES
from lotledger.web.floor_draft import words
from lotledger.web.links import lot_url, pallet_url, sales_order_url, segment
from lotledger.web.purchasing_pages import BLANK_LINES, _rows
from lotledger.web.render import page
from lotledger.web.session import Admin, CheckedForm, Form, Operator, PageUser, Viewer

router = APIRouter()
LIST_PAGE = 50
BADGES = {"open": "soon", "partly shipped": "soon", "shipped": "released", "done": "closed", "cancelled": ""}
DONE = {
    "created": "The sales order is created.",
    "shipped": "The shipment is recorded.",
    "closed": "The order is closed: done with what went out.",
    "cancelled": "The order is cancelled.",
}


@router.get("/orders/sales")
def order_list(request: Request, who: Viewer) -> Response:
    return _list_page(request, who, {})


@router.post("/orders/sales")
def create_order(request: Request, who: Admin, form: CheckedForm) -> Response:
    rows = _rows(form)
    try:
        report = app_of(request).selling.create(_new_order(form, rows), who.caller)
    except LotledgerError as error:
        return _list_page(request, who, dict(form.pairs), message=words(error), code=status_for(error))
    return RedirectResponse(f"{sales_order_url(report.order.number)}?done=created", status_code=303)


def _new_order(form: Form, rows: int) -> dict[str, Any]:
    lines = []
    for row in range(rows):
        line = {name: form.get(f"{name}_{row}") for name in ("item", "qty", "uom", "requested")}
        if line["item"] or line["qty"]:
            lines.append({k: v for k, v in line.items() if v})
    if not lines:
        raise ValidationError("choose an item and a quantity on at least one line", "lines")
    document: dict[str, Any] = {"customer": form.get("customer"), "lines": lines}
    for name in ("number", "note", "min_shelf_days"):
        if form.get(name):
            document[name] = form.get(name)
    return document


def _list_page(
    request: Request, who: PageUser, kept: dict[str, str], *, message: str = "", code: int = 200
) -> Response:
    app = app_of(request)
    master, planner = app.master_data, who.user.can(PLANNER)
    customers = [p for p in master.all(Partner) if isinstance(p, Partner) and p.role == "customer" and p.active]
    return page(
        request,
        "orders/sales_list.html",
        who,
        code,
        section="sales",
        orders=app.selling.orders(None, LIST_PAGE),
        badges=BADGES,
        order_url=sales_order_url,
        planner=planner,
        kept=kept,
        rows=range(BLANK_LINES),
        row_count=BLANK_LINES,
        message=message,
        customers=customers if planner else [],
        items=[i for i in master.all(Item) if isinstance(i, Item) and i.active] if planner else [],
        units=UNIT_CHOICES,
    )


# --- one order ---------------------------------------------------------------------------------


@router.get("/orders/sales/{number}")
def order_page(request: Request, who: Viewer, number: str, done: str = "") -> Response:
    return _order_page(request, who, app_of(request).selling.show(segment(number)), done=DONE.get(done, ""))


@router.post("/orders/sales/{number}/scan")
def scan(request: Request, who: Operator, number: str, form: CheckedForm) -> Response:
    """Picking by scan: a good scan joins the shipment draft (kept in the form), a lot the order cannot take is
    refused with why; "Ship" records the draft as one ship event."""
    app, number = app_of(request), segment(number)
    draft = [entry for entry in map(_entry, form.all("draft")) if entry]
    try:
        if form.get("action") == "ship":
            app.selling.ship_draft(number, draft, form.get("location"), who.caller)
            return RedirectResponse(f"{sales_order_url(number)}?done=shipped", status_code=303)
        draft.append(app.selling.scan(number, form.get("scan"), form.get("qty") or None, draft))
    except LotledgerError as error:
        report = app.selling.show(number)
        return _order_page(request, who, report, message=words(error), status=status_for(error), kept=form, draft=draft)
    return _order_page(request, who, app.selling.show(number), kept=form, draft=draft, added=True)


def _encoded(entry: dict[str, Any]) -> str:
    """A draft entry as one hidden field: codes hold no "|"."""
    if "containers" in entry:
        return "|".join(("pallet", entry["containers"][0], entry.get("location", "")))
    line = entry["line"]
    return "|".join(("lot", line["item"], line["lot"], line["qty"], line["uom"], entry.get("location", ""),
                     line.get("container", "")))  # fmt: skip


def _entry(text: str) -> dict[str, Any] | None:
    parts = text.split("|")
    if parts[0] == "pallet" and len(parts) == 3:
        return {"containers": [parts[1]], "location": parts[2]}
    if parts[0] == "lot" and len(parts) == 7:
        line = {"item": parts[1], "lot": parts[2], "qty": parts[3], "uom": parts[4]}
        if parts[6]:
            line["container"] = parts[6]
        return {"line": line, "location": parts[5]}
    return None  # not what this page wrote: left out


@router.post("/orders/sales/{number}/close")
def close_order(request: Request, who: Admin, number: str, form: CheckedForm) -> Response:
    return _decide(request, who, segment(number), "closed", lambda app, n: app.selling.close(n, who.caller))


@router.post("/orders/sales/{number}/cancel")
def cancel_order(request: Request, who: Admin, number: str, form: CheckedForm) -> Response:
    reason = form.get("reason")
    return _decide(request, who, segment(number), "cancelled", lambda app, n: app.selling.cancel(n, reason, who.caller))


@router.get("/orders/sales/{number}/delivery-note.pdf")
def delivery_note(request: Request, who: Viewer, number: str) -> Response:
    number = segment(number)
    pdf = app_of(request).selling.delivery_note(number)
    headers = {"Content-Disposition": f'inline; filename="delivery-note-{number.replace("/", "_")}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


def _decide(request: Request, who: PageUser, number: str, done: str, action: Any) -> Response:
    app = app_of(request)
    try:
        action(app, number)
    except LotledgerError as error:
        return _order_page(request, who, app.selling.show(number), message=words(error), status=status_for(error))
    return RedirectResponse(f"{sales_order_url(number)}?done={done}", status_code=303)


def _order_page(
    request: Request,
    who: PageUser,
    report: SalesReport,
    *,
    done: str = "",
    message: str = "",
    status: int = 200,
    kept: Form | None = None,
    draft: list[dict[str, Any]] | None = None,
    added: bool = False,
) -> Response:
    app = app_of(request)
    undecided = report.status in ("open", "partly shipped")
    places = [loc for loc in app.master_data.all(Location) if isinstance(loc, Location) and loc.active]
    return page(
        request,
        "orders/sales.html",
        who,
        status,
        section="sales",
        report=report,
        order=report.order,
        badge=BADGES[report.status],
        done=done,
        message=message,
        kept={"location": kept.get("location")} if kept else {},
        draft=[(entry, _encoded(entry)) for entry in draft or []],
        added=added,
        locations=places,
        can_pick=undecided and who.user.can("operator"),
        can_close=undecided and report.status != "open" and who.user.can(PLANNER),
        can_cancel=report.status == "open" and who.user.can(PLANNER),
        order_url=sales_order_url,
        lot_url=lot_url,
        pallet_url=pallet_url,
    )
