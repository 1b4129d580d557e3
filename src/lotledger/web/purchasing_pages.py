"""Purchase order pages: the list with each order's status, a new order (planners: the admin role), one order
with what came of each line, its lots and receipts, and closing or cancelling it. Receiving is on the floor's
receive page (/floor/receive?po=NUMBER): the same service calls as the API and the CLI, app.purchasing."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lotledger.api.deps import app_of
from lotledger.domain.model import LotKey
from lotledger.domain.purchasing import STATUSES, OrderReport
from lotledger.services.purchasing import PLANNER
from lotledger.web.links import order_url, segment
from lotledger.web.order_pages import OrderList, add_decision_routes, add_list_routes
from lotledger.web.render import page
from lotledger.web.session import PageUser, Viewer

router = APIRouter()
# A status's badge, in the stylesheet's colours: still coming (warn), complete (good), cancelled (plain).
BADGES = {"open": "soon", "partly received": "soon", "received": "released", "done": "closed", "cancelled": ""}
DONE = {
    "created": "The purchase order is created.",
    "closed": "The order is closed: done with what came.",
    "cancelled": "The order is cancelled.",
}


KIND = OrderList(
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
)
add_list_routes(router, KIND)


# --- one order ---------------------------------------------------------------------------------


@router.get("/orders/purchase/{number}")
def order_page(request: Request, who: Viewer, number: str, done: str = "") -> Response:
    report = app_of(request).purchasing.show(segment(number))
    return _order_page(request, who, report, done=DONE.get(done, ""))


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


add_decision_routes(router, KIND, _order_page)
