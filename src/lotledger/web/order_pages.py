"""What the pages of purchase and sales orders share: the list (newest first with their status, filtered by
status, and a new order form for planners) and closing or cancelling one order. A kind names what differs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from lotledger.api.deps import app_of
from lotledger.api.problems import status_for
from lotledger.bootstrap import App
from lotledger.domain.errors import LotledgerError, ValidationError
from lotledger.domain.model import Item, Partner
from lotledger.web.floor import UNIT_CHOICES
from lotledger.web.floor_draft import words
from lotledger.web.links import segment
from lotledger.web.render import page
from lotledger.web.session import Admin, CheckedForm, Form, PageUser, Viewer

LIST_PAGE = 50
BLANK_LINES = 5  # rows the new order form shows; "More lines" adds as many again
MAX_FORM_LINES = 50


@dataclass(frozen=True, slots=True)
class OrderList:
    section: str  # the navigation's section: purchase, sales
    url: str  # the list's path
    title: str  # "Purchase orders"
    one: str  # "purchase order"
    numbers: str  # "PO": how the next number starts
    order_url: Callable[[str], str]
    orders: Callable[[App], Any]  # the service: app.purchasing, app.selling
    statuses: tuple[str, ...]
    badges: dict[str, str]
    partner: str  # the partner's field and role: supplier, customer
    moved: str  # the progress's field: received, shipped
    day: str  # the line's date field: expected, requested
    own: tuple[str, str, str, str]  # the order's own field: name, label, default, inputmode
    note_label: str


def add_list_routes(router: APIRouter, kind: OrderList) -> None:
    """GET the list (of a status, from an older page), POST a new order (planners)."""

    def order_list(
        request: Request,
        who: Viewer,
        status: Annotated[str, Query(max_length=20)] = "",
        before: Annotated[str, Query(max_length=64)] = "",
    ) -> Response:
        return _list_page(kind, request, who, {}, status=status, before=before)

    def create_order(request: Request, who: Admin, form: CheckedForm) -> Response:
        kept = dict(form.pairs)
        rows = _rows(form)
        if form.get("action") == "more":
            return _list_page(kind, request, who, kept, rows=min(rows + BLANK_LINES, MAX_FORM_LINES))
        try:
            report = kind.orders(app_of(request)).create(_new_order(kind, form, rows), who.caller)
        except LotledgerError as error:
            return _list_page(kind, request, who, kept, rows=rows, message=words(error), code=status_for(error))
        return RedirectResponse(f"{kind.order_url(report.order.number)}?done=created", status_code=303)

    router.add_api_route(kind.url, order_list, methods=["GET"])
    router.add_api_route(kind.url, create_order, methods=["POST"])


ShowPage = Callable[..., Response]  # (request, who, report, *, message=, status=): the kind's order page


def add_decision_routes(router: APIRouter, kind: OrderList, show: ShowPage) -> None:
    """POST close (done with what was moved) and cancel (nothing moved, with a reason): planners."""

    def close_order(request: Request, who: Admin, number: str, form: CheckedForm) -> Response:
        return _decide(kind, show, request, who, segment(number), "closed", lambda s, n: s.close(n, who.caller))

    def cancel_order(request: Request, who: Admin, number: str, form: CheckedForm) -> Response:
        reason = form.get("reason")
        return _decide(
            kind, show, request, who, segment(number), "cancelled", lambda s, n: s.cancel(n, reason, who.caller)
        )

    router.add_api_route(f"{kind.url}/{{number}}/close", close_order, methods=["POST"])
    router.add_api_route(f"{kind.url}/{{number}}/cancel", cancel_order, methods=["POST"])


def _decide(
    kind: OrderList,
    show: ShowPage,
    request: Request,
    who: PageUser,
    number: str,
    done: str,
    action: Callable[[Any, str], object],
) -> Response:
    service = kind.orders(app_of(request))
    try:
        action(service, number)
    except LotledgerError as error:
        return show(request, who, service.show(number), message=words(error), status=status_for(error))
    return RedirectResponse(f"{kind.order_url(number)}?done={done}", status_code=303)


def _rows(form: Form) -> int:
    text = form.get("rows")
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and int(text) > 0):
        return BLANK_LINES
    return min(int(text), MAX_FORM_LINES)


def _new_order(kind: OrderList, form: Form, rows: int) -> dict[str, Any]:
    """The form as the service's request: the lines with an item or a quantity, as the service names them."""
    lines = []
    for row in range(rows):
        line = {name: form.get(f"{name}_{row}") for name in ("item", "qty", "uom", kind.day)}
        if line["item"] or line["qty"]:
            lines.append({k: v for k, v in line.items() if v})
    if not lines:
        raise ValidationError("choose an item and a quantity on at least one line", "lines")
    own, _, default, _ = kind.own
    document: dict[str, Any] = {kind.partner: form.get(kind.partner), "lines": lines, own: form.get(own) or default}
    for name in ("number", "note"):
        if form.get(name):
            document[name] = form.get(name)
    return document


def _list_page(
    kind: OrderList,
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
    if status and status not in kind.statuses:
        status, message = "", f"There is no status {status[:20]!r}; the statuses are {', '.join(kind.statuses)}."
    orders = kind.orders(app).orders(status or None, None, LIST_PAGE, before or None)
    master, planner = app.master_data, who.user.can("admin")
    partners = [p for p in master.all(Partner) if isinstance(p, Partner) and p.role == kind.partner and p.active]
    return page(
        request,
        "orders/order_list.html",
        who,
        code,
        section=kind.section,
        kind=kind,
        orders=orders,
        chosen=status,
        older=orders[-1].order.number if len(orders) == LIST_PAGE else None,
        planner=planner,
        kept=kept,
        rows=range(rows),
        row_count=rows,
        message=message,
        partners=partners if planner else [],
        items=[i for i in master.all(Item) if isinstance(i, Item) and i.active] if planner else [],
        units=UNIT_CHOICES,
    )
