"""Sales orders in the ledger's database: the order and its lines, and what the ledger shipped against them.

What was shipped is summed from the movements of the `ship` events whose reference is the order's number and
whose partner is its customer; a voided shipment is left out (its void's reversals would net it out the same).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Select, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lotledger.domain.errors import AlreadyExists, NotFound
from lotledger.domain.quantities import from_micro
from lotledger.domain.selling import (
    NewSalesOrder,
    SalesLine,
    SalesOrder,
    ShippedLot,
    allocated_number,
    allocated_sequence,
)
from lotledger.storage import schema as t
from lotledger.storage.chain_store import read_head
from lotledger.storage.engine import reading
from lotledger.storage.order_lines import insert_lines

Shipped = dict[str, Decimal]  # sku -> quantity in the item's base unit
_ALLOCATE_TRIES = 5


def _shipped_under(
    query: Select[Any], pairs: Collection[tuple[str, str]], excluding: Collection[str] = ()
) -> Select[Any]:
    """`query` over ship movements of events under (reference, customer) pairs, not voided, not `excluding`."""
    e, m = t.events.c, t.movements.c
    voided = exists().where(t.voids.c.target_id == e.id)
    query = (
        query.select_from(
            t.movements.join(t.events, m.event_id == e.id)
            .join(t.partners, t.partners.c.id == e.partner_id)
            .join(t.lots, t.lots.c.id == m.lot_id)
            .join(t.items, t.items.c.id == t.lots.c.item_id)
        )
        .where(e.type == "ship", m.kind == "ship", e.reference.in_(sorted({r for r, _ in pairs})), ~voided)
        .where(t.partners.c.code.in_(sorted({c for _, c in pairs})))
    )
    return query.where(e.id.not_in(sorted(excluding))) if excluding else query


def shipped_totals(
    conn: Connection, pairs: Collection[tuple[str, str]], excluding: Collection[str] = ()
) -> dict[tuple[str, str], Shipped]:
    """{(reference, customer): {sku: quantity}} shipped, as `conn` sees the ledger (a guard's read, too)."""
    found: dict[tuple[str, str], Shipped] = {pair: {} for pair in pairs}
    if not pairs:
        return found
    e = t.events.c
    query = _shipped_under(
        select(e.reference, t.partners.c.code, t.items.c.sku, func.sum(t.movements.c.qty)), pairs, excluding
    ).group_by(e.reference, t.partners.c.code, t.items.c.sku)
    for row in conn.execute(query):
        pair = (str(row[0]), str(row[1]))
        if pair in found:
            found[pair][str(row[2])] = -from_micro(int(row[3]))  # ship movements take stock out
    return found


def _pairs(orders: Sequence[SalesOrder]) -> list[tuple[str, str]]:
    return [(o.number, o.customer) for o in orders]


class SqlSalesOrders:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.clock = clock

    def create(self, order: NewSalesOrder, by: str) -> SalesOrder:
        """Keep a new order; allocate the next SO-nnnnn when it has no number (retried if another took it)."""
        for _ in range(_ALLOCATE_TRIES):
            try:
                with self.engine.begin() as conn:
                    number = order.number or self._next_number(conn)
                    self._insert(conn, order, number, by)
                return self.order(number)
            except IntegrityError:
                if order.number is not None:
                    raise AlreadyExists(f"sales order {order.number} exists already", "number") from None
        raise AlreadyExists("could not allocate a sales order number: try again", "number")

    def decide(
        self, number: str, check: Callable[[SalesOrder, Shipped], None], values: Mapping[str, Any]
    ) -> SalesOrder:
        """Set `values` (cancelled or closed) if `check` passes on the order and its shipments as they stand,
        taking the ledger writers' turn so no shipment lands between the check and the change."""
        with self.engine.begin() as conn:
            read_head(conn, for_update=True)
            found = self._orders(conn, [number])
            if not found:
                raise NotFound(f"no sales order {number}", "number")
            check(found[0], shipped_totals(conn, _pairs(found))[(number, found[0].customer)])
            conn.execute(update(t.sales_orders).where(t.sales_orders.c.number == number).values(**values))
        return self.order(number)

    def order(self, number: str) -> SalesOrder:
        with reading(self.engine) as conn:
            found = self._orders(conn, [number])
        if not found:
            raise NotFound(f"no sales order {number}", "number")
        return found[0]

    def orders(self, customer: str | None, limit: int, before: str | None = None) -> list[SalesOrder]:
        """Newest first: `limit` orders (of `customer`) below `before`."""
        so = t.sales_orders.c
        query = select(so.number).order_by(so.id.desc()).limit(limit)
        if customer is not None:
            partner = select(t.partners.c.id).where(t.partners.c.code == customer).scalar_subquery()
            query = query.where(so.customer_id == partner)
        if before is not None:
            query = query.where(so.id < select(so.id).where(so.number == before).scalar_subquery())
        with reading(self.engine) as conn:
            return self._orders(conn, list(conn.execute(query).scalars()))

    def shipped(self, orders: Sequence[SalesOrder]) -> dict[str, Shipped]:
        with reading(self.engine) as conn:
            found = shipped_totals(conn, _pairs(orders))
        return {number: found[(number, customer)] for number, customer in _pairs(orders)}

    def shipped_lots(self, order: SalesOrder) -> list[ShippedLot]:
        """The lots shipped against `order`, by pallet (SSCC, "" when loose), with their best-before date."""
        lots, m = t.lots.c, t.movements.c
        columns = (t.items.c.sku, lots.code, t.items.c.uom, lots.expiry, m.container)
        query = (
            _shipped_under(select(*columns, func.sum(m.qty)), _pairs([order]))
            .group_by(*columns)
            .order_by(t.items.c.sku, lots.code, m.container)
        )
        with reading(self.engine) as conn:
            return [
                ShippedLot(r.sku, r.code, -from_micro(int(r[-1])), r.uom, r.expiry, r.container)
                for r in conn.execute(query)
            ]

    def _next_number(self, conn: Connection) -> str:
        """One past the highest SO-nnnnn of the orders, and never a number an event carries as reference."""
        so, reference = t.sales_orders.c.number, t.events.c.reference
        taken: list[str] = list(conn.execute(select(so).where(so.like("SO-%"))).scalars())
        numbers = [allocated_sequence(n) for n in taken]
        candidate = max((n for n in numbers if n is not None), default=0) + 1
        while conn.execute(select(reference).where(reference == allocated_number(candidate)).limit(1)).first():
            candidate += 1
        return allocated_number(candidate)

    def _insert(self, conn: Connection, order: NewSalesOrder, number: str, by: str) -> None:
        customer: int = conn.execute(select(t.partners.c.id).where(t.partners.c.code == order.customer)).scalar_one()
        order_id = conn.execute(
            insert(t.sales_orders).values(
                number=number,
                customer_id=customer,
                min_shelf_days=order.min_shelf_days,
                note=order.note,
                created_at=self.clock(),
                created_by=by,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        insert_lines(
            conn, t.sales_order_lines, order_id, order.lines, [line.requested for line in order.lines], "requested"
        )

    def _orders(self, conn: Connection, numbers: list[str]) -> list[SalesOrder]:
        if not numbers:
            return []
        so, sol = t.sales_orders.c, t.sales_order_lines.c
        rows = {
            r.number: r
            for r in conn.execute(
                select(t.sales_orders, t.partners.c.code.label("customer"))
                .select_from(t.sales_orders.join(t.partners))
                .where(so.number.in_(numbers))
            )
        }
        lines: dict[int, list[SalesLine]] = {r.id: [] for r in rows.values()}
        for r in conn.execute(
            select(sol.order_id, sol.line, t.items.c.sku, sol.qty, sol.uom, sol.ordered, sol.requested)
            .add_columns(t.items.c.uom.label("base"))
            .select_from(t.sales_order_lines.join(t.items))
            .where(sol.order_id.in_(list(lines)))
            .order_by(sol.order_id, sol.line)
        ):
            lines[r.order_id].append(
                SalesLine(r.line, r.sku, Decimal(r.qty), r.uom, from_micro(int(r.ordered)), r.base, r.requested)
            )
        return [
            SalesOrder(
                r.number,
                r.customer,
                tuple(lines[r.id]),
                r.min_shelf_days,
                r.created_at,
                r.created_by,
                r.note,
                r.cancelled_at,
                r.cancelled_by,
                r.cancel_reason,
                r.closed_at,
                r.closed_by,
            )
            for r in (rows[n] for n in numbers if n in rows)
        ]
