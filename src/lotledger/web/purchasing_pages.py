"""Purchase order pages: the list with each order's status, a new order (planners: the admin role), one order
with what came of each line, its lots and receipts, and closing or cancelling it. Receiving is on the floor's
receive page (/floor/receive?po=NUMBER): the same service calls as the API and the CLI, app.purchasing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lotledger.api.deps import app_of
from lotledger.api.problems import status_for
from lotledger.domain.errors import LotledgerError
from lotledger.domain.model import LotKey
from lotledger.domain.purchasing import STATUSES, OrderReport
from lotledger.services.purchasing import PLANNER
from lotledger.web.floor_draft import words
from lotledger.web.links import order_url, segment
from lotledger.web.order_lists import OrderList, add_list_routes
from lotledger.web.render import page
from lotledger.web.session import Admin, CheckedForm, PageUser, Viewer

router = APIRouter()
# A status's badge, in the stylesheet's colours: still coming (warn), complete (good), cancelled (plain).
BADGES = {"open": "soon", "partly received": "soon", "received": "released", "done": "closed", "cancelled": ""}
DONE = {
    "created": "The purchase order is created.",
    "closed": "The order is closed: done with what came.",
    "cancelled": "The order is cancelled.",
}


add_list_routes(
    router,
    OrderList(
        section="purchase",
        url="/orders/purchase",
        title="Purchase orders",
        one="purchase order",
        numbers="PO",
        order_url=order_url,
        orders=lambda app: app.purchasing,
        statuses=STATUSES,
        badges=BADGES,
        partner="supplier",
        moved="received",
        day="expected",
        own=("tolerance", "Tolerance, %", "0", "decimal"),
        note_label="Note for the receivers",
    ),
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
