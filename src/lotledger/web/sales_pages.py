"""Sales order pages: the list with each order's status and a new order (planners: the admin role); one order
with its lines, the FEFO pick list, the lots shipped, a pick-by-scan form that records the shipment (the floor:
operator), closing or cancelling it, and its delivery note. The same service calls as the API: app.selling."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lotledger.api.deps import app_of
from lotledger.api.problems import status_for
from lotledger.domain.errors import LotledgerError
from lotledger.domain.model import Location
from lotledger.domain.selling import STATUSES, SalesReport
from lotledger.services.selling import PLANNER
from lotledger.web.floor_draft import words
from lotledger.web.links import lot_url, pallet_url, sales_order_url, segment
from lotledger.web.order_pages import OrderList, add_decision_routes, add_list_routes
from lotledger.web.render import page
from lotledger.web.session import CheckedForm, Form, Operator, PageUser, Viewer

router = APIRouter()
BADGES = {"open": "soon", "partly shipped": "soon", "shipped": "released", "done": "closed", "cancelled": ""}
DONE = {
    "created": "The sales order is created.",
    "shipped": "The shipment is recorded.",
    "closed": "The order is closed: done with what went out.",
    "cancelled": "The order is cancelled.",
}


KIND = OrderList(
    section="sales",
    url="/orders/sales",
    title="Sales orders",
    one="sales order",
    numbers="SO",
    order_url=sales_order_url,
    orders=lambda app: app.selling,
    statuses=STATUSES,
    badges=BADGES,
    partner="customer",
    moved="shipped",
    day="requested",
    own=("min_shelf_days", "Minimum remaining shelf life, days", "0", "numeric"),
    note_label="Note for the pickers",
)
add_list_routes(router, KIND)


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


@router.get("/orders/sales/{number}/delivery-note.pdf")
def delivery_note(request: Request, who: Viewer, number: str) -> Response:
    number = segment(number)
    pdf = app_of(request).selling.delivery_note(number)
    headers = {"Content-Disposition": f'inline; filename="delivery-note-{number.replace("/", "_")}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


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


add_decision_routes(router, KIND, _order_page)
