"""Read the ledger: lots, traces, history, mass balance, balances, exposure.

Every query takes a lot's relatives as a `scope` subquery (closure rows plus
the root), so a hub lot's trace is a handful of set-based joins whatever its
size. Readers begin deferred on SQLite and never block the writer.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, select
from sqlalchemy.sql import Select

from lotledger.domain import trace as tr
from lotledger.domain.errors import NotFound
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro
from lotledger.domain.records import EventFilter, EventRecord, LotInfo, MassBalance
from lotledger.domain.rules import CREATION_KINDS, OUTFLOW_KINDS
from lotledger.storage import schema as t
from lotledger.storage.catalog import event_record, select_events
from lotledger.storage.engine import reading
from lotledger.storage.summary import forward_summary
from lotledger.storage.trace import MAX_DEPTH, Direction, scope

_voided = select(t.voids.c.target_id)
_LOT_ID = (
    select(t.lots.c.id)
    .select_from(t.lots.join(t.items))
    .where(t.items.c.sku == bindparam("sku"), t.lots.c.code == bindparam("code"))
)

# Each trace query is built once per direction (and kind) and takes :root and
# :max_depth as parameters, so a trace pays for SQL compilation only once.


@cache
def _scope(direction: Direction) -> Any:
    return scope(direction).cte(f"scope_{direction}")


@cache
def _lots_query(direction: Direction) -> Select[Any]:
    lots_scope = _scope(direction)
    held = select(t.holds.c.lot_id).where(t.holds.c.released_by.is_(None)).distinct().subquery("held")
    return (
        select(
            lots_scope.c.lot_id,
            lots_scope.c.depth,
            t.items.c.sku,
            t.items.c.uom,
            t.lots.c.code,
            t.lots.c.origin,
            t.lots.c.expiry,
            held.c.lot_id.is_not(None).label("held"),
        )
        .select_from(
            lots_scope.join(t.lots, t.lots.c.id == lots_scope.c.lot_id)
            .join(t.items)
            .outerjoin(held, held.c.lot_id == lots_scope.c.lot_id)
        )
        .order_by(lots_scope.c.depth, t.items.c.sku, t.lots.c.code)
    )


@cache
def _edges_query(direction: Direction) -> Select[Any]:
    e, lots_scope = t.lot_edges.c, _scope(direction)
    return (
        select(e.parent_id, e.child_id, e.event_id, e.parent_qty, e.child_qty, t.events.c.time, t.events.c.seq)
        .select_from(t.lot_edges.join(t.events))
        .where(e.child_id.in_(select(lots_scope.c.lot_id)), e.parent_id.in_(select(lots_scope.c.lot_id)))
        .order_by(t.events.c.time, e.event_id, e.parent_id, e.child_id)
    )


@cache
def _flows_query(direction: Direction, kind: str) -> Select[Any]:
    """Movements of one kind by events of that kind (not voided) for lots in scope."""
    m, lots_scope = t.movements.c, _scope(direction)
    sign = -1 if kind in OUTFLOW_KINDS else 1
    return (
        select(
            m.lot_id,
            m.event_id,
            m.container,
            (m.qty * sign).label("qty"),
            t.events.c.time,
            t.events.c.reference,
            t.partners.c.code.label("partner"),
            t.locations.c.code.label("location"),
            t.lots.c.supplier_lot,
        )
        .select_from(
            t.movements.join(lots_scope, lots_scope.c.lot_id == m.lot_id)
            .join(t.events, t.events.c.id == m.event_id)
            .join(t.locations, t.locations.c.id == m.location_id)
            .join(t.lots, t.lots.c.id == m.lot_id)
            .outerjoin(t.partners, t.partners.c.id == t.events.c.partner_id)
        )
        .where(m.kind == kind, t.events.c.type == kind, m.event_id.not_in(_voided))
        .order_by(t.events.c.time, m.event_id, m.lot_id, m.id)
    )


@cache
def _stock_query(direction: Direction) -> Select[Any]:
    b, lots_scope = t.balances.c, _scope(direction)
    return (
        select(b.lot_id, t.locations.c.code.label("location"), b.container, b.qty)
        .select_from(t.balances.join(lots_scope, lots_scope.c.lot_id == b.lot_id).join(t.locations))
        .where(b.qty > 0)
        .order_by(b.lot_id, t.locations.c.code, b.container)
    )


@cache
def _created_query(direction: Direction) -> Select[Any]:
    m, lots_scope = t.movements.c, _scope(direction)
    return (
        select(m.lot_id, func.sum(m.qty).label("qty"))
        .where(m.lot_id.in_(select(lots_scope.c.lot_id)), m.kind.in_(CREATION_KINDS))
        .group_by(m.lot_id)
    )


@cache
def _outgoing_edges_query(direction: Direction) -> Select[Any]:
    e, lots_scope = t.lot_edges.c, _scope(direction)
    return (
        select(e.parent_id, e.child_id, e.event_id, e.parent_qty, e.child_qty, t.events.c.seq)
        .select_from(t.lot_edges.join(t.events))
        .where(e.parent_id.in_(select(lots_scope.c.lot_id)))
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
        for row in conn.execute(_lots_query(direction), params):
            key = LotKey(row.sku, row.code)
            by_id[row.lot_id] = (key, row.uom)
            lots.append(tr.TraceLot(key, row.depth, row.origin, row.expiry, bool(row.held)))
        return lots, by_id

    def backward(self, key: LotKey, max_depth: int = MAX_DEPTH) -> tr.BackwardTrace:
        """Every ancestor lot with its depth, the quantities on each edge, and the receipts."""
        with reading(self.engine) as conn:
            params = {"root": self._lot_id(conn, key), "max_depth": max_depth}
            lots, by_id = self._trace_lots(conn, params, "up")
            edge_rows = conn.execute(_edges_query("up"), params)
            edges = [trace_edge(r, by_id) for r in edge_rows]
            receipt_rows = conn.execute(_flows_query("up", "receive"), params)
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
            lots, by_id = self._trace_lots(conn, params, "down")
            on_hand = self._stock(conn, params, by_id)
            shipments = [
                tr.Shipment(
                    by_id[r.lot_id][0],
                    r.event_id,
                    r.time,
                    r.partner,
                    r.reference,
                    r.location,
                    r.container,
                    from_micro(r.qty),
                    by_id[r.lot_id][1],
                )
                for r in conn.execute(_flows_query("down", "ship"), params)
            ]
        return tr.ForwardTrace(
            key, [lot for lot in lots if lot.depth > 0], on_hand, shipments, tr.customer_totals(shipments)
        )

    def forward_summary(self, key: LotKey) -> tr.ForwardSummary:
        """The forward trace in totals (all depths): lots per item, holds, customers, stock."""
        with reading(self.engine) as conn:
            return forward_summary(conn, self._lot_id(conn, key), key)

    def _stock(
        self, conn: Connection, params: dict[str, int], by_id: dict[int, tuple[LotKey, str]]
    ) -> list[tr.StockLine]:
        rows = conn.execute(_stock_query("down"), params)
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
            for r in conn.execute(_created_query("down"), params):
                created[by_id[r.lot_id][0]] = from_micro(r.qty)
            flows: dict[str, tr.FlowEvent] = {}
            for r in conn.execute(_outgoing_edges_query("down"), params):
                flow = flows.setdefault(r.event_id, tr.FlowEvent(r.seq, {}, {}))
                flow.inputs[by_id[r.parent_id][0]] = from_micro(r.parent_qty)
                if r.child_id in by_id:
                    flow.outputs[by_id[r.child_id][0]] = from_micro(r.child_qty)
            # A customer's exposure is net of what it sent back; nobody else's changes.
            shipped = [
                (by_id[r.lot_id][0], r.partner, from_micro(r.qty))
                for r in conn.execute(_flows_query("down", "ship"), params)
            ] + [
                (by_id[r.lot_id][0], r.partner, -from_micro(r.qty))
                for r in conn.execute(_flows_query("down", "return"), params)
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
