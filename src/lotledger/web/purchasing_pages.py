"""Purchase order pages: the list with each order's status, a new order (planners: the admin role), one order
with what came of each line, its lots and receipts, and closing or cancelling it. Receiving is on the floor's
receive page (/floor/receive?po=NUMBER): the same service calls as the API and the CLI, app.purchasing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from lotledger.api.deps import app_of
from lotledger.api.problems import status_for
from lotledger.domain.errors import LotledgerError, ValidationError
from lotledger.domain.model import Item, LotKey, Partner
from lotledger.domain.purchasing import STATUSES, OrderReport
from lotledger.services.purchasing import PLANNER
from lotledger.web.floor import UNIT_CHOICES
from lotledger.web.floor_draft import words
from lotledger.web.links import order_url, segment
from lotledger.web.render import page
from lotledger.web.session import Admin, CheckedForm, Form, PageUser, Viewer

router = APIRouter()
LIST_PAGE = 50
BLANK_LINES = 5  # rows the new order form shows; "More lines" adds as many again
MAX_FORM_LINES = 50
# A status's badge, in the stylesheet's colours: still coming (warn), complete (good), cancelled (plain).
BADGES = {"open": "soon", "partly received": "soon", "received": "released", "done": "closed", "cancelled": ""}
DONE = {
    "created": "The purchase order is created.",
    "closed": "The order is closed: done with what came.",
    "cancelled": "The order is cancelled.",
}


@router.get("/orders/purchase")
def order_list(
    request: Request,
    who: Viewer,
    status: Annotated[str, Query(max_length=20)] = "",
    before: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    return _list_page(request, who, {}, status=status, before=before)


@router.post("/orders/purchase")
def create_order(request: Request, who: Admin, form: CheckedForm) -> Response:
    kept = dict(form.pairs)
    rows = _rows(form)
    if form.get("action") == "more":
        return _list_page(request, who, kept, rows=min(rows + BLANK_LINES, MAX_FORM_LINES))
    app = app_of(request)
    try:
        report = app.purchasing.create(_new_order(form, rows), who.caller)
    except LotledgerError as error:
        return _list_page(request, who, kept, rows=rows, message=words(error), code=status_for(error))
    return RedirectResponse(f"{order_url(report.order.number)}?done=created", status_code=303)


def _rows(form: Form) -> int:
    text = form.get("rows")
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and int(text) > 0):
        return BLANK_LINES
    return min(int(text), MAX_FORM_LINES)


def _new_order(form: Form, rows: int) -> dict[str, Any]:
    """The form as the service's request: the lines with an item, numbered as the service names them."""
    lines = []
    for row in range(rows):
        item = form.get(f"item_{row}")
        if not item and not form.get(f"qty_{row}"):
            continue
        line = {"item": item, "qty": form.get(f"qty_{row}"), "uom": form.get(f"uom_{row}")}
        if form.get(f"expected_{row}"):
            line["expected"] = form.get(f"expected_{row}")
        lines.append({k: v for k, v in line.items() if v})
    if not lines:
        raise ValidationError("choose an item and a quantity on at least one line", "lines")
    document: dict[str, Any] = {
        "supplier": form.get("supplier"),
        "lines": lines,
        "tolerance": form.get("tolerance") or "0",
    }
    for name in ("number", "note"):
        if form.get(name):
            document[name] = form.get(name)
    return document


def _list_page(
    request: Request,
    who: PageUser,
    kept: dict[str, str],
    *,
    status: str = "",
    before: str = "",
    rows: int = BLANK_LINES,
    message: str = "",
    code: int = 200,
) -> Response:
    app = app_of(request)
    if status and status not in STATUSES:
        status, message = "", f"There is no status {status[:20]!r}; the statuses are {', '.join(STATUSES)}."
    orders = app.purchasing.orders(status or None, None, LIST_PAGE, before or None)
    older = orders[-1].order.number if len(orders) == LIST_PAGE else None
    master = app.master_data
    planner = who.user.can(PLANNER)
    return page(
        request,
        "orders/purchase_list.html",
        who,
        code,
        section="purchase",
        orders=orders,
        chosen=status,
        statuses=STATUSES,
        older=older,
        badges=BADGES,
        order_url=order_url,
        planner=planner,
        kept=kept,
        rows=range(rows),
        row_count=rows,
        message=message,
        suppliers=[p for p in master.all(Partner) if isinstance(p, Partner) and p.role == "supplier" and p.active]
        if planner
        else [],
        items=[i for i in master.all(Item) if isinstance(i, Item) and i.active] if planner else [],
        units=UNIT_CHOICES,
    )


# --- one order ---------------------------------------------------------------------------------


@router.get("/orders/purchase/{number}")
def order_page(request: Request, who: Viewer, number: str, done: str = "") -> Response:
    report = app_of(request).purchasing.show(segment(number))
    return _order_page(request, who, report, done=DONE.get(done, ""))


@router.post("/orders/purchase/{number}/close")
def close_order(request: Request, who: Admin, number: str, form: CheckedForm) -> Response:
    return _decide(request, who, segment(number), "closed", lambda app, n: app.purchasing.close(n, who.caller))


@router.post("/orders/purchase/{number}/cancel")
def cancel_order(request: Request, who: Admin, number: str, form: CheckedForm) -> Response:
    reason = form.get("reason")
    return _decide(
        request, who, segment(number), "cancelled", lambda app, n: app.purchasing.cancel(n, reason, who.caller)
    )


def _decide(request: Request, who: PageUser, number: str, done: str, action: Any) -> Response:
    app = app_of(request)
    try:
        action(app, number)
    except LotledgerError as error:
        report = app.purchasing.show(number)
        return _order_page(request, who, report, message=words(error), status=status_for(error))
    return RedirectResponse(f"{order_url(number)}?done={done}", status_code=303)


def _order_page(
    request: Request, who: PageUser, report: OrderReport, *, done: str = "", message: str = "", status: int = 200
) -> Response:
    undecided = report.status in ("open", "partly received")
    return page(
        request,
        "orders/purchase.html",
        who,
        status,
        section="purchase",
        report=report,
        order=report.order,
        badge=BADGES[report.status],
        done=done,
        message=message,
        can_receive=undecided and who.user.can("operator"),
        can_close=undecided and report.status != "open" and who.user.can(PLANNER),
        can_cancel=report.status == "open" and who.user.can(PLANNER),
        order_url=order_url,
        lot_key=LotKey,
    )
