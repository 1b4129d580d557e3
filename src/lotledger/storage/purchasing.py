"""Purchase orders in the ledger's database: the order and its lines, and what the ledger received against them.

What was received is summed from the movements of the `receive` events whose
reference is the order's number and whose partner is its supplier; a voided
receipt is left out (its void's reversals would net it out the same).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Select, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lotledger.domain.errors import AlreadyExists, NotFound
from lotledger.domain.purchasing import (
    NewOrder,
    OrderLine,
    PurchaseOrder,
    ReceivedLot,
    allocated_number,
    allocated_sequence,
)
from lotledger.domain.quantities import from_micro
from lotledger.storage import schema as t
from lotledger.storage.chain_store import read_head
from lotledger.storage.engine import reading
from lotledger.storage.order_lines import insert_lines

Received = dict[str, Decimal]  # sku -> quantity in the item's base unit
_ALLOCATE_TRIES = 5


def _against(query: Select[Any], pairs: Collection[tuple[str, str]], excluding: Collection[str] = ()) -> Select[Any]:
    """`query` over receipt movements narrowed to receive events under (reference, supplier) pairs, not voided."""
    e, m = t.events.c, t.movements.c
    voided = exists().where(t.voids.c.target_id == e.id)
    query = (
        query.select_from(
            t.movements.join(t.events, m.event_id == e.id)
            .join(t.partners, t.partners.c.id == e.partner_id)
            .join(t.lots, t.lots.c.id == m.lot_id)
            .join(t.items, t.items.c.id == t.lots.c.item_id)
        )
        .where(e.type == "receive", e.reference.in_(sorted({r for r, _ in pairs})), ~voided)
        .where(t.partners.c.code.in_(sorted({s for _, s in pairs})))
    )
    return query.where(e.id.not_in(sorted(excluding))) if excluding else query


def received_totals(
    conn: Connection, pairs: Collection[tuple[str, str]], excluding: Collection[str] = ()
) -> dict[tuple[str, str], Received]:
    """{(reference, supplier): {sku: quantity}} received, as `conn` sees the ledger."""
    if not pairs:
        return {}
    e = t.events.c
    query = _against(
        select(e.reference, t.partners.c.code, t.items.c.sku, func.sum(t.movements.c.qty)), pairs, excluding
    ).group_by(e.reference, t.partners.c.code, t.items.c.sku)
    found: dict[tuple[str, str], Received] = {pair: {} for pair in pairs}
    for row in conn.execute(query):
        pair = (str(row[0]), str(row[1]))
        if pair in found:
            found[pair][str(row[2])] = from_micro(int(row[3]))
    return found


class SqlPurchaseOrders:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.clock = clock

    # --- writing ----------------------------------------------------------------------------

    def create(self, order: NewOrder, by: str) -> PurchaseOrder:
        """Keep a new order; allocate the next PO-nnnnn when it has no number (retried if another took it)."""
        for _ in range(_ALLOCATE_TRIES):
            try:
                with self.engine.begin() as conn:
                    number = order.number or self._next_number(conn)
                    self._insert(conn, order, number, by)
                return self.order(number)
            except IntegrityError:
                if order.number is not None:
                    raise AlreadyExists(f"purchase order {order.number} exists already", "number") from None
        raise AlreadyExists("could not allocate a purchase order number: try again", "number")

    def decide(
        self, number: str, check: Callable[[PurchaseOrder, Received], None], values: Mapping[str, Any]
    ) -> PurchaseOrder:
        """Set `values` (cancelled or closed) if `check` passes on the order and its receipts as they stand.

        The ledger's writers take turns at the chain head; so does this, so no receipt is recorded between
        the check and the change (and a receipt's own check sees the change)."""
        with self.engine.begin() as conn:
            read_head(conn, for_update=True)
            found = self._orders(conn, [number])
            if not found:
                raise NotFound(f"no purchase order {number}", "number")
            order = found[0]
            check(order, received_totals(conn, [(order.number, order.supplier)])[(order.number, order.supplier)])
            conn.execute(update(t.purchase_orders).where(t.purchase_orders.c.number == number).values(**values))
        return self.order(number)

    # --- reading -----------------------------------------------------------------------------

    def order(self, number: str) -> PurchaseOrder:
        with reading(self.engine) as conn:
            found = self._orders(conn, [number])
        if not found:
            raise NotFound(f"no purchase order {number}", "number")
        return found[0]

    def orders(
        self, supplier: str | None, decided: str | None, limit: int, before: str | None = None
    ) -> list[PurchaseOrder]:
        """Newest first: `limit` orders (of `supplier`; `decided` cancelled / closed / undecided) below `before`."""
        po = t.purchase_orders.c
        query = select(po.number).order_by(po.id.desc()).limit(limit)
        if supplier is not None:
            partner = select(t.partners.c.id).where(t.partners.c.code == supplier).scalar_subquery()
            query = query.where(po.supplier_id == partner)
        if decided == "cancelled":
            query = query.where(po.cancelled_at.is_not(None))
        elif decided == "closed":
            query = query.where(po.cancelled_at.is_(None), po.closed_at.is_not(None))
        elif decided == "undecided":
            query = query.where(po.cancelled_at.is_(None), po.closed_at.is_(None))
        if before is not None:
            query = query.where(po.id < select(po.id).where(po.number == before).scalar_subquery())
        with reading(self.engine) as conn:
            return self._orders(conn, list(conn.execute(query).scalars()))

    def received(self, orders: Sequence[PurchaseOrder]) -> dict[str, Received]:
        """{number: {sku: quantity}} for each order, from its supplier only."""
        pairs = [(o.number, o.supplier) for o in orders]
        with reading(self.engine) as conn:
            found = received_totals(conn, pairs)
        return {number: found[(number, supplier)] for number, supplier in pairs}

    def received_lots(self, order: PurchaseOrder) -> list[ReceivedLot]:
        """The lots received against `order` (voided receipts left out), with their supplier lot and expiry."""
        lots = t.lots.c
        query = (
            _against(
                select(
                    t.items.c.sku, lots.code, t.items.c.uom, lots.supplier_lot, lots.expiry, func.sum(t.movements.c.qty)
                ),
                [(order.number, order.supplier)],
            )
            .group_by(t.items.c.sku, lots.code, t.items.c.uom, lots.supplier_lot, lots.expiry)
            .order_by(t.items.c.sku, lots.code)
        )
        with reading(self.engine) as conn:
            return [
                ReceivedLot(r.sku, r.code, from_micro(int(r[-1])), r.uom, r.supplier_lot, r.expiry)
                for r in conn.execute(query)
            ]

    # --- rows ------------------------------------------------------------------------------------

    def _next_number(self, conn: Connection) -> str:
        """One past the highest PO-nnnnn of the orders and of the ledger's references, and never a number the
        ledger carries already: an allocated number names no receipts recorded before its order."""
        po, reference = t.purchase_orders.c.number, t.events.c.reference
        numbers: list[str] = list(conn.execute(select(po).where(po.like("PO-%"))).scalars())
        numbered = [allocated_sequence(n) for n in numbers]
        highest = max((n for n in numbered if n is not None), default=0)
        # The references by the index, highest first (PO-99999 sorts above PO-100000: the loop below steps on).
        latest = select(reference).where(reference >= "PO-0", reference < "PO-:").order_by(reference.desc())
        references: list[str | None] = list(conn.execute(latest.limit(20)).scalars())
        for text in references:
            highest = max(highest, allocated_sequence(text or "") or 0)
        candidate = highest + 1
        while conn.execute(select(reference).where(reference == allocated_number(candidate)).limit(1)).first():
            candidate += 1
        return allocated_number(candidate)

    def _insert(self, conn: Connection, order: NewOrder, number: str, by: str) -> None:
        supplier: int = conn.execute(select(t.partners.c.id).where(t.partners.c.code == order.supplier)).scalar_one()
        order_id = conn.execute(
            insert(t.purchase_orders).values(
                number=number,
                supplier_id=supplier,
                tolerance_bp=int(order.tolerance * 100),
                note=order.note,
                created_at=self.clock(),
                created_by=by,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        insert_lines(
            conn, t.purchase_order_lines, order_id, order.lines, [line.expected for line in order.lines], "expected"
        )

    def _orders(self, conn: Connection, numbers: list[str]) -> list[PurchaseOrder]:
        if not numbers:
            return []
        po = t.purchase_orders.c
        rows = {
            r.number: r
            for r in conn.execute(
                select(t.purchase_orders, t.partners.c.code.label("supplier"))
                .select_from(t.purchase_orders.join(t.partners))
                .where(po.number.in_(numbers))
            )
        }
        lines: dict[int, list[OrderLine]] = {r.id: [] for r in rows.values()}
        pol = t.purchase_order_lines.c
        for r in conn.execute(
            select(pol.order_id, pol.line, t.items.c.sku, pol.qty, pol.uom, pol.ordered, pol.expected)
            .add_columns(t.items.c.uom.label("base"))
            .select_from(t.purchase_order_lines.join(t.items))
            .where(pol.order_id.in_(list(lines)))
            .order_by(pol.order_id, pol.line)
        ):
            lines[r.order_id].append(
                OrderLine(r.line, r.sku, Decimal(r.qty), r.uom, from_micro(int(r.ordered)), r.base, r.expected)
            )
        return [
            PurchaseOrder(
                r.number,
                r.supplier,
                tuple(lines[r.id]),
                (Decimal(r.tolerance_bp) / 100).normalize() if r.tolerance_bp else Decimal(0),
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
