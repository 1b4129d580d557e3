"""Sales orders: what a customer ordered, and what the ledger says was shipped against it.

An order keeps its lines, the customer's minimum remaining shelf life and what people decided (cancelled,
closed short). What was shipped is summed from the `ship` movements whose event carries the order's number as
`reference` and its customer as `partner` (voided shipments left out; a return is its own event and does not
reduce what was shipped). Picking is first expired first out (domain/fefo.py), never a lot that would not
last the customer's minimum shelf life at the requested date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from lotledger.domain import fefo
from lotledger.domain import fields as f
from lotledger.domain.errors import Conflict, ValidationError
from lotledger.domain.model import Item
from lotledger.domain.orders import Numbering
from lotledger.domain.purchasing import order_lines
from lotledger.domain.quantities import format_qty, parse_decimal

STATUSES = ("open", "partly shipped", "shipped", "done", "cancelled")
MAX_SHELF_DAYS = 3650
SALES_NUMBERS = Numbering("SO-")
NOT_ON_ORDER = "not on the order"
MORE_THAN_OPEN = "more than still open"


@dataclass(frozen=True, slots=True)
class SalesLine:
    """One line as ordered: `qty` in `uom` as written, `ordered` the same in the item's base unit."""

    line: int
    item: str
    qty: Decimal
    uom: str
    ordered: Decimal
    base_uom: str
    requested: date | None = None


@dataclass(frozen=True, slots=True)
class SalesOrder:
    number: str
    customer: str
    lines: tuple[SalesLine, ...]
    min_shelf_days: int  # the customer wants at least this many days left on a lot at the requested date
    created_at: datetime
    created_by: str
    note: str | None = None
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def partner(self) -> str:
        return self.customer

    def line_for(self, sku: str) -> SalesLine | None:
        return next((line for line in self.lines if line.item == sku), None)


@dataclass(frozen=True, slots=True)
class NewSalesOrder:
    number: str | None
    customer: str
    lines: tuple[SalesLine, ...]
    min_shelf_days: int
    note: str | None


@dataclass(frozen=True, slots=True)
class LineProgress:
    line: SalesLine
    shipped: Decimal  # base unit, net of voided shipments
    open: Decimal  # ordered - shipped, never below 0


@dataclass(frozen=True, slots=True)
class ShippedLot:
    """A lot shipped against the order, loose or on a pallet (`sscc`), with its best-before date."""

    item: str
    lot: str
    qty: Decimal
    uom: str
    expiry: date | None
    sscc: str


@dataclass(frozen=True, slots=True)
class LinePick:
    """The lots to pick for a line's open quantity, and the lots passed over and why."""

    line: SalesLine
    good_until: date  # a lot must not expire before this day
    suggestion: fefo.Suggestion


@dataclass(frozen=True, slots=True)
class SalesSummary:
    order: SalesOrder
    status: str
    lines: list[LineProgress]


@dataclass(frozen=True, slots=True)
class SalesReport:
    """An order in full: its lines' progress, the lots shipped against it, and the pick list for what is open."""

    order: SalesOrder
    status: str
    lines: list[LineProgress]
    lots: list[ShippedLot]
    pick_list: list[LinePick]


def parse_new_order(raw: Mapping[str, Any], items: Mapping[str, Item]) -> NewSalesOrder:
    document = dict(raw)
    f.check_keys(document, {"number", "customer", "lines", "min_shelf_days", "note"}, "a sales order")
    number = f.text(document, "number", required=False)
    if number is not None:
        number = f.code(number, "number")
    customer = f.code(document.get("customer"), "customer")
    days = parse_decimal(document.get("min_shelf_days") or "0", "min_shelf_days")
    if days != days.to_integral_value() or not 0 <= days <= MAX_SHELF_DAYS:
        raise ValidationError(f"a whole number of days from 0 to {MAX_SHELF_DAYS}, got {days}", "min_shelf_days")
    note = f.text(document, "note", required=False)
    lines = order_lines(document.get("lines"), items, "a sales order", "requested")
    sales = tuple(SalesLine(li.line, li.item, li.qty, li.uom, li.ordered, li.base_uom, li.expected) for li in lines)
    return NewSalesOrder(number, customer, sales, int(days), note)


# --- what the ledger says of an order ----------------------------------------------------------------


def progress(order: SalesOrder, shipped: Mapping[str, Decimal]) -> list[LineProgress]:
    answer = []
    for line in order.lines:
        got = shipped.get(line.item, Decimal(0))
        answer.append(LineProgress(line, got, max(line.ordered - got, Decimal(0))))
    return answer


def status(order: SalesOrder, shipped: Mapping[str, Decimal]) -> str:
    """cancelled and done (closed short) as people decided; else open, partly shipped or shipped, from the
    ledger: shipped when every line went out in full."""
    if order.cancelled_at is not None:
        return "cancelled"
    lines = progress(order, shipped)
    if all(p.open == 0 for p in lines):
        return "shipped"
    if order.closed_at is not None:
        return "done"
    return "partly shipped" if any(p.shipped > 0 for p in lines) else "open"


def good_until(order: SalesOrder, line: SalesLine, today: date) -> date:
    """The day a lot must last to: the requested date (today if none or past) plus the minimum shelf life."""
    on = max(line.requested or today, today)
    return on + timedelta(days=order.min_shelf_days)


def pick_list(
    order: SalesOrder, shipped: Mapping[str, Decimal], stock: Mapping[str, list[fefo.StockLot]], location: str,
    today: date,
) -> list[LinePick]:  # fmt: skip
    """For each line still open: the lots to pick first expired first out, none held, expired or too short."""
    picks = []
    for p in progress(order, shipped):
        if p.open > 0:
            until = good_until(order, p.line, today)
            found = fefo.suggest(stock.get(p.line.item, []), p.open, location, today, until)
            picks.append(LinePick(p.line, until, found))
    return picks


def refusal(
    order: SalesOrder, shipped: Mapping[str, Decimal], lot: fefo.StockLot, item: str, qty: Decimal, today: date
) -> str | None:
    """Why the order cannot take `qty` (base unit) of `lot` of `item` now: not on the order, held, expired, too
    short a shelf life, more than still open; None when it can."""
    line = order.line_for(item)
    if line is None:
        return NOT_ON_ORDER
    why = fefo.skip_reason(lot, today, good_until(order, line, today))
    if why is not None:
        return why
    still = next(p.open for p in progress(order, shipped) if p.line.item == item)
    return MORE_THAN_OPEN if qty > still else None


def check_shippable(order: SalesOrder) -> None:
    if order.cancelled_at is not None:
        raise Conflict(f"sales order {order.number} is cancelled ({order.cancel_reason}): it ships nothing", "number")
    if order.closed_at is not None:
        raise Conflict(f"sales order {order.number} is closed: it ships nothing more", "number")


def check_cancellable(order: SalesOrder, shipped: Mapping[str, Decimal]) -> None:
    check_shippable(order)
    if any(q > 0 for q in shipped.values()):
        raise Conflict(f"sales order {order.number} has shipments: close it short instead", "number")


def check_closable(order: SalesOrder, shipped: Mapping[str, Decimal]) -> None:
    check_shippable(order)
    if status(order, shipped) == "shipped":
        raise Conflict(f"sales order {order.number} is shipped in full already: nothing to close", "number")


def refused(item: str, lot: str, why: str, order: SalesOrder, qty: Decimal, unit: str, field: str) -> Conflict:
    """The refusal of a scan or a shipment line, saying why in the floor's words."""
    return Conflict(f"{item} lot {lot} ({format_qty(qty)} {unit}) cannot go on {order.number}: {why}", field)
