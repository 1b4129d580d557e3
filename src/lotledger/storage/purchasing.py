"""Purchase orders in the ledger's database (storage/order_store.py): the order with its tolerance, its lines
with their expected dates, and the receipts the ledger recorded against it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row

from lotledger.domain.purchasing import PURCHASE_NUMBERS, NewOrder, OrderLine, PurchaseOrder, ReceivedLot
from lotledger.domain.quantities import from_micro
from lotledger.storage import schema as t
from lotledger.storage.order_store import Moved, OrderKind, SqlOrders, decisions, line_values, moved_totals

Received = Moved
PURCHASES = OrderKind(
    what="purchase order",
    orders=t.purchase_orders,
    lines=t.purchase_order_lines,
    partner_id="supplier_id",
    partner_code="supplier",
    moved_by="receive",
    sign=1,
    numbering=PURCHASE_NUMBERS,
    line_day="expected",
)


def received_totals(
    conn: Connection, pairs: Collection[tuple[str, str]], excluding: Collection[str] = ()
) -> dict[tuple[str, str], Received]:
    """{(reference, supplier): {sku: quantity}} received, as `conn` sees the ledger."""
    return moved_totals(conn, PURCHASES, pairs, excluding)


class SqlPurchaseOrders(SqlOrders[PurchaseOrder, NewOrder]):
    kind = PURCHASES

    def _own_values(self, order: NewOrder) -> dict[str, Any]:
        return {"tolerance_bp": int(order.tolerance * 100)}

    def _line_days(self, order: NewOrder) -> list[Any]:
        return [line.expected for line in order.lines]

    def _build_line(self, row: Row[Any]) -> OrderLine:
        return OrderLine(*line_values(row))

    def _build(self, row: Row[Any], lines: tuple[Any, ...]) -> PurchaseOrder:
        tolerance = (Decimal(row.tolerance_bp) / 100).normalize() if row.tolerance_bp else Decimal(0)
        return PurchaseOrder(row.number, row.partner, lines, tolerance, **decisions(row))

    def received(self, orders: Sequence[PurchaseOrder]) -> dict[str, Received]:
        """{number: {sku: quantity}} for each order, from its supplier only."""
        return self.moved(orders)

    def received_lots(self, order: PurchaseOrder) -> list[ReceivedLot]:
        """The lots received against `order` (voided receipts left out), with their supplier lot and expiry."""
        lots = t.lots.c
        columns = (t.items.c.sku, lots.code, t.items.c.uom, lots.supplier_lot, lots.expiry)
        return [
            ReceivedLot(r.sku, r.code, from_micro(int(r[-1])), r.uom, r.supplier_lot, r.expiry)
            for r in self._moved_lots(order, columns)
        ]
