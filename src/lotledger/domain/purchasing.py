"""Purchase orders: what was ordered from a supplier, and what the ledger says has come of it.

An order keeps its own lines and the decisions people make about it (cancelled,
closed short). Everything else is derived from the `receive` events that carry
the order's number as their `reference` and its supplier as their `partner`:
what was received per line, what is still open, the order's status. Orders
never hold stock; the ledger does (docs/concepts.md).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from lotledger.domain import fields as f
from lotledger.domain.errors import Conflict, ValidationError
from lotledger.domain.events import LotLine
from lotledger.domain.model import Item
from lotledger.domain.orders import Numbering
from lotledger.domain.quantities import format_qty, parse_decimal, to_base
from lotledger.domain.records import EventRecord

STATUSES = ("open", "partly received", "received", "done", "cancelled")
OPEN_STATUSES = ("open", "partly received")  # what a receiver still expects something on
MAX_LINES = 200
MAX_TOLERANCE = Decimal(100)
PURCHASE_NUMBERS = Numbering("PO-")


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line as ordered: `qty` in `uom` as written, `ordered` the same in the item's base unit."""

    line: int  # 1, 2, ...
    item: str
    qty: Decimal
    uom: str
    ordered: Decimal
    base_uom: str
    expected: date | None = None


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    number: str
    supplier: str
    lines: tuple[OrderLine, ...]
    tolerance: Decimal  # percent, for over- and under-delivery alike
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
        return self.supplier

    def line_for(self, sku: str) -> OrderLine | None:
        return next((line for line in self.lines if line.item == sku), None)


@dataclass(frozen=True, slots=True)
class NewOrder:
    """A create request, checked: the number is None when lotledger is to allocate one."""

    number: str | None
    supplier: str
    lines: tuple[OrderLine, ...]
    tolerance: Decimal
    note: str | None


@dataclass(frozen=True, slots=True)
class LineProgress:
    line: OrderLine
    received: Decimal  # in the item's base unit, net of voided receipts
    open: Decimal  # ordered - received, never below 0
    limit: Decimal  # the most the line may receive: ordered x (1 + tolerance)
    complete: bool  # received within the tolerance of the ordered quantity (or more)


@dataclass(frozen=True, slots=True)
class ReceivedLot:
    item: str
    lot: str
    qty: Decimal
    uom: str
    supplier_lot: str | None
    expiry: date | None


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """An order with its status and each line's progress, as the ledger stands."""

    order: PurchaseOrder
    status: str
    lines: list[LineProgress]


@dataclass(frozen=True, slots=True)
class OrderReport:
    """An order in full: its lines' progress, the lots received against it, its receive events (voided too)."""

    order: PurchaseOrder
    status: str
    lines: list[LineProgress]
    lots: list[ReceivedLot]
    receipts: list[EventRecord]


def summarize(order: PurchaseOrder, received: Mapping[str, Decimal]) -> OrderSummary:
    return OrderSummary(order, status(order, received), progress(order, received))


class OrderReads(Protocol):
    """What a ledger's write transaction answers an order's check with (a purchase order's receipts, a sales
    order's shipments), after other writers have finished."""

    def received(self, reference: str, partner: str, excluding: Collection[str]) -> dict[str, Decimal]:
        """{sku: quantity in the base unit} received under `reference` from `partner`, voided receipts and the
        events `excluding` (the ones being recorded: a retry is not counted twice) left out."""
        ...

    def shipped(self, reference: str, partner: str, excluding: Collection[str]) -> dict[str, Decimal]:
        """{sku: quantity in the base unit} shipped under `reference` to `partner`, the same way (a sales
        order's shipment)."""
        ...


# --- reading a request ----------------------------------------------------------------------------


def parse_new_order(raw: Mapping[str, Any], items: Mapping[str, Item]) -> NewOrder:
    """A create request's fields, each named on refusal; `items` are the known active items by sku."""
    document = dict(raw)
    f.check_keys(document, {"number", "supplier", "lines", "tolerance", "note"}, "a purchase order")
    number = f.text(document, "number", required=False)
    if number is not None:
        number = f.code(number, "number")
    supplier = f.code(document.get("supplier"), "supplier")
    tolerance = parse_tolerance(document.get("tolerance", "0"))
    note = f.text(document, "note", required=False)
    lines = order_lines(document.get("lines"), items, "a purchase order", "expected")
    return NewOrder(number, supplier, tuple(lines), tolerance, note)


def order_lines(raw_lines: object, items: Mapping[str, Item], what: str, date_key: str) -> list[OrderLine]:
    """An order's lines (item, qty, uom, and a date under `date_key`), one per item, each field named on refusal
    (a sales order's lines read the same, with their requested date)."""
    if not isinstance(raw_lines, list) or not raw_lines:
        raise ValidationError(f"{what} needs at least one line", "lines")
    if len(raw_lines) > MAX_LINES:
        raise ValidationError(f"{len(raw_lines)} lines: at most {MAX_LINES} on one order", "lines")
    lines: list[OrderLine] = []
    for index, entry in enumerate(raw_lines):
        path = f"lines[{index}]."
        if not isinstance(entry, dict):
            raise ValidationError("expected an object with item, qty, uom", f"lines[{index}]")
        f.check_keys(entry, {"item", "qty", "uom", date_key}, "an order line", path)
        sku = f.code(entry.get("item"), path + "item")
        item = items.get(sku)
        if item is None:
            raise ValidationError(f"unknown or inactive item {sku!r}", path + "item")
        if any(line.item == sku for line in lines):
            raise ValidationError(f"{sku} is on the order twice: one line per item", path + "item")
        if entry.get("qty") in (None, ""):
            raise ValidationError("is required", path + "qty")
        qty = parse_decimal(entry.get("qty"), path + "qty")
        if qty <= 0:
            raise ValidationError("must be more than 0", path + "qty")
        uom = entry.get("uom") or item.uom
        try:
            ordered = to_base(qty, uom, item.uom)
        except ValidationError as error:
            raise ValidationError(error.message, path + (error.field or "qty")) from None
        when = f.calendar_date(entry.get(date_key), path + date_key)
        lines.append(OrderLine(index + 1, sku, qty, uom, ordered, item.uom, when))
    return lines


def parse_tolerance(value: object) -> Decimal:
    """A percent from 0 to 100, to hundredths of a percent."""
    tolerance = parse_decimal(value, "tolerance")
    if not Decimal(0) <= tolerance <= MAX_TOLERANCE:
        raise ValidationError(f"a tolerance is a percent from 0 to 100, got {format_qty(tolerance)}", "tolerance")
    if tolerance != tolerance.quantize(Decimal("0.01")):
        raise ValidationError("a tolerance is written to hundredths of a percent at most", "tolerance")
    return tolerance.normalize() if tolerance else Decimal(0)


# --- what the ledger says of an order ---------------------------------------------------------------


def line_limit(line: OrderLine, tolerance: Decimal) -> Decimal:
    return line.ordered * (1 + tolerance / 100)


def progress(order: PurchaseOrder, received: Mapping[str, Decimal]) -> list[LineProgress]:
    answer = []
    for line in order.lines:
        got = received.get(line.item, Decimal(0))
        enough = line.ordered * (1 - order.tolerance / 100)
        still = max(line.ordered - got, Decimal(0))
        answer.append(LineProgress(line, got, still, line_limit(line, order.tolerance), got >= enough))
    return answer


def status(order: PurchaseOrder, received: Mapping[str, Decimal]) -> str:
    """cancelled and done (closed short) as people decided; else open, partly received or received, from the
    ledger: received when every line came within the tolerance of its quantity."""
    if order.cancelled_at is not None:
        return "cancelled"
    lines = progress(order, received)
    if all(p.complete for p in lines):
        return "received"
    if order.closed_at is not None:
        return "done"
    return "partly received" if any(p.received > 0 for p in lines) else "open"


def check_receivable(order: PurchaseOrder) -> None:
    """A cancelled order, or one closed short, takes no more receipts."""
    if order.cancelled_at is not None:
        why = f"purchase order {order.number} is cancelled ({order.cancel_reason}): it takes no receipts"
        raise Conflict(why, "reference")
    if order.closed_at is not None:
        raise Conflict(f"purchase order {order.number} is closed: it takes no more receipts", "reference")


def check_receipt(
    order: PurchaseOrder, partner: str, lines: Sequence[LotLine], received: Mapping[str, Decimal]
) -> None:
    """A receipt of `lines` (as the event writes them) against `order`, with `received` already on it: from the
    order's supplier, only its items, no line beyond its tolerance."""
    check_receivable(order)
    if partner != order.supplier:
        raise ValidationError(f"purchase order {order.number} is from {order.supplier}, not {partner}", "partner")
    adding: dict[str, Decimal] = {}
    last: dict[str, int] = {}
    for index, entry in enumerate(lines):
        line = order.line_for(entry.item)
        if line is None:
            raise ValidationError(f"{entry.item} is not on purchase order {order.number}", f"lines[{index}].item")
        try:
            qty = to_base(entry.qty, entry.uom, line.base_uom)
        except ValidationError as error:
            raise ValidationError(error.message, f"lines[{index}].{error.field or 'qty'}") from None
        adding[entry.item] = adding.get(entry.item, Decimal(0)) + qty
        last[entry.item] = index
    for sku, qty in adding.items():
        line = order.line_for(sku)
        assert line is not None
        already = received.get(sku, Decimal(0))
        limit = line_limit(line, order.tolerance)
        if already + qty > limit:
            unit = line.base_uom
            raise Conflict(
                f"line {line.line} ({sku}) of {order.number}: ordered {format_qty(line.ordered)} {unit}, received "
                f"{format_qty(already)} {unit}; {format_qty(qty)} {unit} more would make {format_qty(already + qty)} "
                f"{unit}, beyond the {format_qty(order.tolerance)}% tolerance ({format_qty(limit)} {unit} at most)",
                f"lines[{last[sku]}].qty",
            )


def check_cancellable(order: PurchaseOrder, received: Mapping[str, Decimal]) -> None:
    check_receivable(order)
    got = {sku: qty for sku, qty in received.items() if qty > 0}
    if got:
        raise Conflict(
            f"purchase order {order.number} has receipts ({', '.join(sorted(got))}): close it short instead, or "
            "void the receipts first",
            "number",
        )


def check_closable(order: PurchaseOrder, received: Mapping[str, Decimal]) -> None:
    check_receivable(order)
    if status(order, received) == "received":
        raise Conflict(f"purchase order {order.number} is received in full already: nothing to close", "number")
