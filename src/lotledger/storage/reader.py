"""Read the ledger: lots, traces, history, mass balance, balances, exposure.

Every query takes a lot's relatives as a `scope` subquery (closure rows plus
the root), so a hub lot's trace is a handful of set-based joins whatever its
size. Readers begin deferred on SQLite and never block the writer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, select

from lotledger.domain import trace as tr
from lotledger.domain.errors import NotFound
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro
from lotledger.domain.records import EventFilter, EventRecord, LotInfo, MassBalance
from lotledger.storage import schema as t
from lotledger.storage.catalog import event_record, select_events
from lotledger.storage.engine import reading
from lotledger.storage.summary import forward_summary
from lotledger.storage.trace import MAX_DEPTH, Direction
from lotledger.storage.trace_queries import (
    created_query,
    edges_query,
    flows_query,
    forward_rows,
    lots_query,
    outgoing_edges_query,
    stock_query,
)

_LOT_ID = (
    select(t.lots.c.id)
    .select_from(t.lots.join(t.items))
    .where(t.items.c.sku == bindparam("sku"), t.lots.c.code == bindparam("code"))
)


def trace_edge(row: Any, by_id: dict[int, tuple[LotKey, str]]) -> tr.TraceEdge:
    """An edge of the genealogy from its row (parent, child, event, quantities), lots named by id."""
    parent, parent_uom = by_id[row.parent_id]
    child, child_uom = by_id[row.child_id]
    qty_in, qty_out = from_micro(row.parent_qty), from_micro(row.child_qty)
    return tr.TraceEdge(parent, child, row.event_id, row.time, qty_in, parent_uom, qty_out, child_uom)


class SqlReader:
    """Queries over the ledger; each method opens its own read transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- lots -------------------------------------------------------------------

    def lot(self, key: LotKey) -> LotInfo:
        with reading(self.engine) as conn:
            return self._lot(conn, key)[1]

    def _lot(self, conn: Connection, key: LotKey) -> tuple[int, LotInfo]:
        row = conn.execute(
            select(t.lots, t.items.c.name, t.items.c.uom, t.partners.c.code.label("supplier"))
            .select_from(t.lots.join(t.items).outerjoin(t.partners, t.partners.c.id == t.lots.c.supplier_id))
            .where(t.items.c.sku == key.sku, t.lots.c.code == key.code)
        ).first()
        if row is None:
            raise NotFound(f"unknown lot {key}", "lot")
        holds = conn.execute(
            select(t.holds.c.event_id, t.holds.c.reason).where(
                t.holds.c.lot_id == row.id, t.holds.c.released_by.is_(None)
            )
        ).all()
        return row.id, LotInfo(
            key,
            row.name,
            row.uom,
            row.expiry,
            row.origin,
            row.supplier,
            row.supplier_lot,
            [f"hold {h.event_id}: {h.reason}" for h in holds],
        )

    def find_lots(self, code: str) -> list[LotKey]:
        """Lots whose own code or supplier lot code is `code`."""
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(t.items.c.sku, t.lots.c.code)
                .select_from(t.lots.join(t.items))
                .where((t.lots.c.code == code) | (t.lots.c.supplier_lot == code))
                .order_by(t.items.c.sku, t.lots.c.code)
            )
            return [LotKey(r.sku, r.code) for r in rows]

    # --- traces -----------------------------------------------------------------

    def _lot_id(self, conn: Connection, key: LotKey) -> int:
        lot_id = conn.execute(_LOT_ID, {"sku": key.sku, "code": key.code}).scalar()
        if lot_id is None:
            raise NotFound(f"unknown lot {key}", "lot")
        return int(lot_id)

    def _trace_lots(
        self, conn: Connection, params: dict[str, int], direction: Direction
    ) -> tuple[list[tr.TraceLot], dict[int, tuple[LotKey, str]]]:
        lots, by_id = [], {}
        for row in conn.execute(lots_query(direction), params):
            key = LotKey(row.sku, row.code)
            by_id[row.lot_id] = (key, row.uom)
            lots.append(tr.TraceLot(key, row.depth, row.origin, row.expiry, bool(row.held)))
        return lots, by_id

    def backward(self, key: LotKey, max_depth: int = MAX_DEPTH) -> tr.BackwardTrace:
        """Every ancestor lot with its depth, the quantities on each edge, and the receipts."""
        with reading(self.engine) as conn:
            params = {"root": self._lot_id(conn, key), "max_depth": max_depth}
            lots, by_id = self._trace_lots(conn, params, "up")
            edge_rows = conn.execute(edges_query("up"), params)
            edges = [trace_edge(r, by_id) for r in edge_rows]
            receipt_rows = conn.execute(flows_query("up", "receive"), params)
            receipts = [
                tr.Receipt(
                    by_id[r.lot_id][0],
                    r.event_id,
                    r.time,
                    r.partner,
                    r.supplier_lot,
                    r.reference,
                    r.location,
                    from_micro(r.qty),
                    by_id[r.lot_id][1],
                )
                for r in receipt_rows
            ]
        return tr.BackwardTrace(key, [lot for lot in lots if lot.depth > 0], edges, receipts)

    def forward(self, key: LotKey, max_depth: int = MAX_DEPTH) -> tr.ForwardTrace:
        """Every descendant lot, what is on hand and where, and what went to which customer."""
        with reading(self.engine) as conn:
            params = {"root": self._lot_id(conn, key), "max_depth": max_depth}
            return tr.forward_trace(forward_rows(conn, key, params, chunked=False))

    @contextmanager
    def forward_rows(self, key: LotKey, max_depth: int = MAX_DEPTH) -> Iterator[tr.ForwardRows]:
        """The forward trace as rows, read while the context is open (an unknown lot fails on entry)."""
        with reading(self.engine) as conn:
            yield forward_rows(conn, key, {"root": self._lot_id(conn, key), "max_depth": max_depth})

    def forward_summary(self, key: LotKey) -> tr.ForwardSummary:
        """The forward trace in totals (all depths): lots per item, holds, customers, stock."""
        with reading(self.engine) as conn:
            return forward_summary(conn, self._lot_id(conn, key), key)

    def _stock(
        self, conn: Connection, params: dict[str, int], by_id: dict[int, tuple[LotKey, str]]
    ) -> list[tr.StockLine]:
        rows = conn.execute(stock_query("down"), params)
        return [
            tr.StockLine(by_id[r.lot_id][0], r.location, r.container, from_micro(r.qty), by_id[r.lot_id][1])
            for r in rows
        ]

    def exposure(self, key: LotKey, max_depth: int = MAX_DEPTH) -> tr.Exposure:
        """How much of this lot reached each downstream lot, each customer, and stock."""
        with reading(self.engine) as conn:
            lot_id, info = self._lot(conn, key)
            params = {"root": lot_id, "max_depth": max_depth}
            _lots, by_id = self._trace_lots(conn, params, "down")
            created: dict[LotKey, Decimal] = defaultdict(Decimal)
            for r in conn.execute(created_query("down"), params):
                created[by_id[r.lot_id][0]] = from_micro(r.qty)
            flows: dict[str, tr.FlowEvent] = {}
            for r in conn.execute(outgoing_edges_query("down"), params):
                flow = flows.setdefault(r.event_id, tr.FlowEvent(r.seq, {}, {}))
                flow.inputs[by_id[r.parent_id][0]] = from_micro(r.parent_qty)
                if r.child_id in by_id:
                    flow.outputs[by_id[r.child_id][0]] = from_micro(r.child_qty)
            # A customer's exposure is net of what it sent back; nobody else's changes.
            shipped = [
                (by_id[r.lot_id][0], r.partner, from_micro(r.qty))
                for r in conn.execute(flows_query("down", "ship"), params)
            ] + [
                (by_id[r.lot_id][0], r.partner, -from_micro(r.qty))
                for r in conn.execute(flows_query("down", "return"), params)
            ]
            stock: dict[LotKey, Decimal] = defaultdict(Decimal)
            for line in self._stock(conn, params, by_id):
                stock[line.lot] += line.qty
        return tr.exposure(key, info.uom, created, list(flows.values()), shipped, stock)

    # --- history, mass balance, balances -------------------------------------------

    def history(self, key: LotKey) -> list[EventRecord]:
        """Every event touching the lot, voided ones marked, in time order."""
        with reading(self.engine) as conn:
            self._lot_id(conn, key)
            query = select_events(EventFilter(item=key.sku, lot=key.code)).order_by(t.events.c.time, t.events.c.seq)
            return [event_record(row) for row in conn.execute(query)]

    def mass_balance(self, key: LotKey) -> MassBalance:
        """In, out, adjustments and on hand for one lot, in its item's base unit."""
        with reading(self.engine) as conn:
            lot_id, info = self._lot(conn, key)
            m = t.movements.c
            sums = {
                r.kind: from_micro(r.qty)
                for r in conn.execute(
                    select(m.kind, func.sum(m.qty).label("qty")).where(m.lot_id == lot_id).group_by(m.kind)
                )
            }
            on_hand: int = conn.execute(
                select(func.coalesce(func.sum(t.balances.c.qty), 0)).where(t.balances.c.lot_id == lot_id)
            ).scalar_one()
        zero = Decimal(0)
        return MassBalance(
            key,
            info.uom,
            sums.get("receive", zero),
            sums.get("produce", zero),
            sums.get("return", zero),
            -sums.get("consume", zero),
            -sums.get("ship", zero),
            sums.get("adjust", zero),
            from_micro(on_hand),
        )

    def balances(
        self,
        *,
        location: str | None = None,
        sku: str | None = None,
        lot: str | None = None,
        container: str | None = None,
    ) -> list[tr.StockLine]:
        """Stock on hand now, optionally for one location (and everything under it), item, lot code or container."""
        with reading(self.engine) as conn:
            b = t.balances.c
            query = (
                select(
                    t.items.c.sku,
                    t.items.c.uom,
                    t.lots.c.code,
                    t.locations.c.code.label("location"),
                    b.container,
                    b.qty,
                )
                .select_from(t.balances.join(t.lots).join(t.items).join(t.locations))
                .where(b.qty > 0)
                .order_by(t.items.c.sku, t.lots.c.code, t.locations.c.code, b.container)
            )
            if location is not None:
                query = query.where(t.locations.c.code.in_(self._location_subtree(conn, location)))
            if sku is not None:
                query = query.where(t.items.c.sku == sku)
            if lot is not None:
                query = query.where(t.lots.c.code == lot)
            if container is not None:
                query = query.where(b.container == container)
            return [
                tr.StockLine(LotKey(r.sku, r.code), r.location, r.container, from_micro(r.qty), r.uom)
                for r in conn.execute(query)
            ]

    def _location_subtree(self, conn: Connection, code: str) -> list[str]:
        rows = conn.execute(select(t.locations.c.id, t.locations.c.code, t.locations.c.parent_id)).all()
        if code not in {r.code for r in rows}:
            raise NotFound(f"unknown location {code!r}", "location")
        children: dict[int | None, list[Any]] = defaultdict(list)
        for r in rows:
            children[r.parent_id].append(r)
        found, stack = [], [r for r in rows if r.code == code]
        while stack:
            node = stack.pop()
            found.append(node.code)
            stack.extend(children[node.id])
        return found


__all__ = ["SqlReader"]
