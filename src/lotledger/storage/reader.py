"""Read the ledger: lots, traces, history, mass balance, balances, exposure.

Every query takes a lot's relatives as a `scope` subquery (closure rows plus
the root), so a hub lot's trace is a handful of set-based joins whatever its
size. Readers begin deferred on SQLite and never block the writer.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, exists, func, select
from sqlalchemy.sql import Select

from lotledger.domain import trace as tr
from lotledger.domain.errors import NotFound
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro
from lotledger.domain.rules import INFLOW_KINDS, OUTFLOW_KINDS
from lotledger.storage import schema as t
from lotledger.storage.summary import forward_summary
from lotledger.storage.trace import MAX_DEPTH, Direction, scope


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    event_id: str
    type: str
    time: datetime
    location: str
    reference: str | None
    recorded_at: datetime
    recorded_by: str
    client: str
    voided_by: str | None
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MassBalance:
    lot: LotKey
    uom: str
    received: Decimal
    produced: Decimal
    returned: Decimal
    consumed: Decimal
    shipped: Decimal
    adjusted: Decimal
    on_hand: Decimal

    @property
    def inflow(self) -> Decimal:
        return self.received + self.produced + self.returned

    @property
    def outflow(self) -> Decimal:
        return self.consumed + self.shipped

    @property
    def difference(self) -> Decimal:
        """in + adjustments - out - on hand: zero when the books add up."""
        return self.inflow + self.adjusted - self.outflow - self.on_hand


@dataclass(frozen=True, slots=True)
class LotInfo:
    id: int
    lot: LotKey
    item_name: str
    uom: str
    expiry: Any
    origin: str
    supplier: str | None
    supplier_lot: str | None
    holds: list[str]


_active_holds = select(t.holds.c.lot_id).where(t.holds.c.released_by.is_(None))
_voided = select(t.voids.c.target_id)


def _lot_columns(query_scope: Any) -> Select[Any]:
    return (
        select(
            query_scope.c.lot_id,
            query_scope.c.depth,
            t.items.c.sku,
            t.items.c.uom,
            t.lots.c.code,
            t.lots.c.origin,
            t.lots.c.expiry,
            exists(_active_holds.where(t.holds.c.lot_id == query_scope.c.lot_id)).label("held"),
        )
        .select_from(query_scope.join(t.lots, t.lots.c.id == query_scope.c.lot_id).join(t.items))
        .order_by(query_scope.c.depth, t.items.c.sku, t.lots.c.code)
    )


class SqlReader:
    """Queries over the ledger; each method opens its own read transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(readonly=True) as conn, conn.begin():
            yield conn

    # --- lots -------------------------------------------------------------------

    def lot(self, key: LotKey) -> LotInfo:
        with self._read() as conn:
            return self._lot(conn, key)

    def _lot(self, conn: Connection, key: LotKey) -> LotInfo:
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
        return LotInfo(
            row.id,
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
        with self._read() as conn:
            rows = conn.execute(
                select(t.items.c.sku, t.lots.c.code)
                .select_from(t.lots.join(t.items))
                .where((t.lots.c.code == code) | (t.lots.c.supplier_lot == code))
                .order_by(t.items.c.sku, t.lots.c.code)
            )
            return [LotKey(r.sku, r.code) for r in rows]

    # --- traces -----------------------------------------------------------------

    def _trace_lots(
        self, conn: Connection, root: int, direction: Direction, max_depth: int
    ) -> tuple[Any, list[tr.TraceLot], dict[int, tuple[LotKey, str]]]:
        lots_scope = scope(root, direction, max_depth).cte("lots_scope")
        lots, by_id = [], {}
        for row in conn.execute(_lot_columns(lots_scope)):
            key = LotKey(row.sku, row.code)
            by_id[row.lot_id] = (key, row.uom)
            lots.append(tr.TraceLot(key, row.depth, row.origin, row.expiry, bool(row.held)))
        return lots_scope, lots, by_id

    def backward(self, key: LotKey, max_depth: int = MAX_DEPTH) -> tr.BackwardTrace:
        """Every ancestor lot with its depth, the quantities on each edge, and the receipts."""
        with self._read() as conn:
            root = self._lot(conn, key).id
            lots_scope, lots, by_id = self._trace_lots(conn, root, "up", max_depth)
            e = t.lot_edges.c
            edge_rows = conn.execute(
                select(e.parent_id, e.child_id, e.event_id, e.parent_qty, e.child_qty, t.events.c.time)
                .select_from(t.lot_edges.join(t.events))
                .where(e.child_id.in_(select(lots_scope.c.lot_id)), e.parent_id.in_(select(lots_scope.c.lot_id)))
                .order_by(t.events.c.time, e.event_id, e.parent_id, e.child_id)
            )
            edges = [
                tr.TraceEdge(
                    by_id[r.parent_id][0],
                    by_id[r.child_id][0],
                    r.event_id,
                    r.time,
                    from_micro(r.parent_qty),
                    by_id[r.parent_id][1],
                    from_micro(r.child_qty),
                    by_id[r.child_id][1],
                )
                for r in edge_rows
            ]
            receipt_rows = conn.execute(self._flows(lots_scope, "receive").add_columns(t.lots.c.supplier_lot))
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

    def _flows(self, lots_scope: Any, kind: str) -> Select[Any]:
        """Movements of one kind by events of that kind (not voided) for lots in scope."""
        m = t.movements.c
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

    def forward(self, key: LotKey, max_depth: int = MAX_DEPTH) -> tr.ForwardTrace:
        """Every descendant lot, what is on hand and where, and what went to which customer."""
        with self._read() as conn:
            root = self._lot(conn, key).id
            lots_scope, lots, by_id = self._trace_lots(conn, root, "down", max_depth)
            on_hand = self._stock(conn, lots_scope, by_id)
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
                for r in conn.execute(self._flows(lots_scope, "ship"))
            ]
        return tr.ForwardTrace(
            key, [lot for lot in lots if lot.depth > 0], on_hand, shipments, tr.customer_totals(shipments)
        )

    def forward_summary(self, key: LotKey) -> tr.ForwardSummary:
        """The forward trace in totals (all depths): lots per item, holds, customers, stock."""
        with self._read() as conn:
            return forward_summary(conn, self._lot(conn, key).id, key)

    def _stock(self, conn: Connection, lots_scope: Any, by_id: dict[int, tuple[LotKey, str]]) -> list[tr.StockLine]:
        b = t.balances.c
        rows = conn.execute(
            select(b.lot_id, t.locations.c.code.label("location"), b.container, b.qty)
            .select_from(t.balances.join(lots_scope, lots_scope.c.lot_id == b.lot_id).join(t.locations))
            .where(b.qty > 0)
            .order_by(b.lot_id, t.locations.c.code, b.container)
        )
        return [
            tr.StockLine(by_id[r.lot_id][0], r.location, r.container, from_micro(r.qty), by_id[r.lot_id][1])
            for r in rows
        ]

    def exposure(self, key: LotKey, max_depth: int = MAX_DEPTH) -> tr.Exposure:
        """How much of this lot reached each downstream lot, each customer, and stock."""
        with self._read() as conn:
            info = self._lot(conn, key)
            lots_scope, _lots, by_id = self._trace_lots(conn, info.id, "down", max_depth)
            m, e = t.movements.c, t.lot_edges.c
            created: dict[LotKey, Decimal] = defaultdict(Decimal)
            for r in conn.execute(
                select(m.lot_id, func.sum(m.qty).label("qty"))
                .where(m.lot_id.in_(select(lots_scope.c.lot_id)), m.kind.in_(INFLOW_KINDS))
                .group_by(m.lot_id)
            ):
                created[by_id[r.lot_id][0]] = from_micro(r.qty)
            flows: dict[str, tr.FlowEvent] = {}
            for r in conn.execute(
                select(e.parent_id, e.child_id, e.event_id, e.parent_qty, e.child_qty, t.events.c.seq)
                .select_from(t.lot_edges.join(t.events))
                .where(e.parent_id.in_(select(lots_scope.c.lot_id)))
            ):
                flow = flows.setdefault(r.event_id, tr.FlowEvent(r.seq, {}, {}))
                flow.inputs[by_id[r.parent_id][0]] = from_micro(r.parent_qty)
                if r.child_id in by_id:
                    flow.outputs[by_id[r.child_id][0]] = from_micro(r.child_qty)
            shipped = [
                (by_id[r.lot_id][0], r.partner, from_micro(r.qty))
                for r in conn.execute(self._flows(lots_scope, "ship"))
            ]
            stock: dict[LotKey, Decimal] = defaultdict(Decimal)
            for line in self._stock(conn, lots_scope, by_id):
                stock[line.lot] += line.qty
        return tr.exposure(key, info.uom, created, list(flows.values()), shipped, stock)

    # --- history, mass balance, balances -------------------------------------------

    def history(self, key: LotKey) -> list[HistoryEntry]:
        """Every event touching the lot, voided ones marked, in time order."""
        with self._read() as conn:
            root = self._lot(conn, key).id
            ev = t.events.c
            rows = conn.execute(
                select(
                    ev.id,
                    ev.type,
                    ev.time,
                    ev.reference,
                    ev.recorded_at,
                    ev.recorded_by,
                    ev.client,
                    ev.document,
                    t.locations.c.code.label("location"),
                    t.voids.c.void_id,
                )
                .select_from(
                    t.event_lots.join(t.events, ev.id == t.event_lots.c.event_id)
                    .join(t.locations)
                    .outerjoin(t.voids, t.voids.c.target_id == ev.id)
                )
                .where(t.event_lots.c.lot_id == root)
                .order_by(ev.time, ev.seq)
            )
            return [
                HistoryEntry(
                    r.id,
                    r.type,
                    r.time,
                    r.location,
                    r.reference,
                    r.recorded_at,
                    r.recorded_by,
                    r.client,
                    r.void_id,
                    json.loads(r.document),
                )
                for r in rows
            ]

    def mass_balance(self, key: LotKey) -> MassBalance:
        """In, out, adjustments and on hand for one lot, in its item's base unit."""
        with self._read() as conn:
            info = self._lot(conn, key)
            m = t.movements.c
            sums = {
                r.kind: from_micro(r.qty)
                for r in conn.execute(
                    select(m.kind, func.sum(m.qty).label("qty")).where(m.lot_id == info.id).group_by(m.kind)
                )
            }
            on_hand: int = conn.execute(
                select(func.coalesce(func.sum(t.balances.c.qty), 0)).where(t.balances.c.lot_id == info.id)
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
        self, *, location: str | None = None, sku: str | None = None, lot: str | None = None
    ) -> list[tr.StockLine]:
        """Stock on hand now, optionally for one location (and everything under it), item or lot code."""
        with self._read() as conn:
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


__all__ = ["HistoryEntry", "LotInfo", "MassBalance", "SqlReader"]
