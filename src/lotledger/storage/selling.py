"""Sales orders in the ledger's database (storage/order_store.py): the order with the customer's minimum shelf
life, its lines with their requested dates, and the shipments the ledger recorded against it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, Row

from lotledger.domain.quantities import from_micro
from lotledger.domain.selling import SALES_NUMBERS, NewSalesOrder, SalesLine, SalesOrder, ShippedLot
from lotledger.storage import schema as t
from lotledger.storage.order_store import Moved, OrderKind, SqlOrders, decisions, line_values, moved_totals

Shipped = Moved
SALES = OrderKind(
    what="sales order",
    orders=t.sales_orders,
    lines=t.sales_order_lines,
    partner_id="customer_id",
    partner_code="customer",
    moved_by="ship",
    sign=-1,
    numbering=SALES_NUMBERS,
    line_day="requested",
)


def shipped_totals(
    conn: Connection, pairs: Collection[tuple[str, str]], excluding: Collection[str] = ()
) -> dict[tuple[str, str], Shipped]:
    """{(reference, customer): {sku: quantity}} shipped, as `conn` sees the ledger (a guard's read, too)."""
    return moved_totals(conn, SALES, pairs, excluding)


class SqlSalesOrders(SqlOrders[SalesOrder, NewSalesOrder]):
    kind = SALES

    def _own_values(self, order: NewSalesOrder) -> dict[str, Any]:
        return {"min_shelf_days": order.min_shelf_days}

    def _line_days(self, order: NewSalesOrder) -> list[Any]:
        return [line.requested for line in order.lines]

    def _build_line(self, row: Row[Any]) -> SalesLine:
        return SalesLine(*line_values(row))

    def _build(self, row: Row[Any], lines: tuple[Any, ...]) -> SalesOrder:
        return SalesOrder(row.number, row.partner, lines, row.min_shelf_days, **decisions(row))

    def shipped(self, orders: Sequence[SalesOrder]) -> dict[str, Shipped]:
        return self.moved(orders)

    def shipped_lots(self, order: SalesOrder) -> list[ShippedLot]:
        """The lots shipped against `order`, by pallet (SSCC, "" when loose), with their best-before date."""
        lots = t.lots.c
        columns = (t.items.c.sku, lots.code, t.items.c.uom, lots.expiry, t.movements.c.container)
        return [
            ShippedLot(r.sku, r.code, -from_micro(int(r[-1])), r.uom, r.expiry, r.container)
            for r in self._moved_lots(order, columns)
        ]
