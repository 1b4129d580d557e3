"""What purchase and sales orders store alike: their lines, each as ordered and in the item's base unit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from sqlalchemy import Connection, Table, insert, select

from lotledger.domain.quantities import to_micro
from lotledger.storage import schema as t


class OrderLine(Protocol):
    @property
    def line(self) -> int: ...
    @property
    def item(self) -> str: ...
    @property
    def qty(self) -> Decimal: ...
    @property
    def uom(self) -> str: ...
    @property
    def ordered(self) -> Decimal: ...


def insert_lines(
    conn: Connection, table: Table, order_id: int, lines: Sequence[OrderLine], dates: Sequence[date | None], day: str
) -> None:
    """Store an order's lines: the quantity as written, the ordered quantity in micro base units, and each
    line's date under `day` (expected for a purchase, requested for a sale)."""
    skus = [line.item for line in lines]
    items = {
        row.sku: row.id for row in conn.execute(select(t.items.c.sku, t.items.c.id).where(t.items.c.sku.in_(skus)))
    }
    conn.execute(
        insert(table),
        [
            {
                "order_id": order_id,
                "line": line.line,
                "item_id": items[line.item],
                "qty": format(line.qty.normalize(), "f"),
                "uom": line.uom,
                "ordered": to_micro(line.ordered),
                day: when,
            }
            for line, when in zip(lines, dates, strict=True)
        ],
    )
