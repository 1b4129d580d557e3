"""The trace queries, and a forward trace read as rows.

Each query takes a lot's relatives as a `scope` subquery (closure rows plus the
root), so a hub lot's trace is a handful of set-based joins whatever its size.
`SqlReader` builds records from them; `forward_rows` hands the rows of the
forward trace on as they are fetched, for answers written without a record per
lot (`lotledger trace --down --format json` of a hub lot).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.sql import Select

from lotledger.domain import trace as tr
from lotledger.domain.model import LotKey
from lotledger.domain.rules import CREATION_KINDS, OUTFLOW_KINDS
from lotledger.storage import schema as t
from lotledger.storage.trace import Direction, scope

_CHUNK = 5_000  # rows fetched at a time: a server-side cursor on PostgreSQL, bounded memory on both

# Each trace query is built once per direction (and kind) and takes :root and
# :max_depth as parameters, so a trace pays for SQL compilation only once.


@cache
def scope_cte(direction: Direction) -> Any:
    return scope(direction).cte(f"scope_{direction}")


@cache
def lots_query(direction: Direction) -> Select[Any]:
    lots_scope = scope_cte(direction)
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
def edges_query(direction: Direction) -> Select[Any]:
    e, lots_scope = t.lot_edges.c, scope_cte(direction)
    return (
        select(e.parent_id, e.child_id, e.event_id, e.parent_qty, e.child_qty, t.events.c.time, t.events.c.seq)
        .select_from(t.lot_edges.join(t.events))
        .where(e.child_id.in_(select(lots_scope.c.lot_id)), e.parent_id.in_(select(lots_scope.c.lot_id)))
        .order_by(t.events.c.time, e.event_id, e.parent_id, e.child_id)
    )


@cache
def flows_query(direction: Direction, kind: str) -> Select[Any]:
    """Movements of one kind by events of that kind (not voided) for lots in scope."""
    m, lots_scope = t.movements.c, scope_cte(direction)
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
            t.items.c.sku,
            t.lots.c.code,
            t.items.c.uom,
        )
        .select_from(
            t.movements.join(lots_scope, lots_scope.c.lot_id == m.lot_id)
            .join(t.events, t.events.c.id == m.event_id)
            .join(t.locations, t.locations.c.id == m.location_id)
            .join(t.lots, t.lots.c.id == m.lot_id)
            .join(t.items, t.items.c.id == t.lots.c.item_id)
            .outerjoin(t.partners, t.partners.c.id == t.events.c.partner_id)
        )
        .where(m.kind == kind, t.events.c.type == kind, ~t.voided(m.event_id))
        .order_by(t.events.c.time, m.event_id, m.lot_id, m.id)
    )


@cache
def stock_query(direction: Direction) -> Select[Any]:
    b, lots_scope = t.balances.c, scope_cte(direction)
    return (
        select(
            b.lot_id,
            t.items.c.sku,
            t.lots.c.code,
            t.locations.c.code.label("location"),
            b.container,
            b.qty,
            t.items.c.uom,
        )
        .select_from(
            t.balances.join(lots_scope, lots_scope.c.lot_id == b.lot_id)
            .join(t.locations)
            .join(t.lots, t.lots.c.id == b.lot_id)
            .join(t.items, t.items.c.id == t.lots.c.item_id)
        )
        .where(b.qty > 0)
        .order_by(b.lot_id, t.locations.c.code, b.container)
    )


@cache
def created_query(direction: Direction) -> Select[Any]:
    m, lots_scope = t.movements.c, scope_cte(direction)
    return (
        select(m.lot_id, func.sum(m.qty).label("qty"))
        .where(m.lot_id.in_(select(lots_scope.c.lot_id)), m.kind.in_(CREATION_KINDS))
        .group_by(m.lot_id)
    )


@cache
def outgoing_edges_query(direction: Direction) -> Select[Any]:
    e, lots_scope = t.lot_edges.c, scope_cte(direction)
    return (
        select(e.parent_id, e.child_id, e.event_id, e.parent_qty, e.child_qty, t.events.c.seq)
        .select_from(t.lot_edges.join(t.events))
        .where(e.parent_id.in_(select(lots_scope.c.lot_id)))
    )


def forward_rows(conn: Connection, root: LotKey, params: dict[str, int], chunked: bool = True) -> tr.ForwardRows:
    """The forward trace of `params["root"]` as rows, each query run when its rows are first asked for
    (in `conn`'s read transaction). `chunked`: fetched 5,000 at a time (a server-side cursor on PostgreSQL),
    for rows written as they come; without it, each query's rows at once (a typical lot's few rows are
    one round trip, not a cursor's three)."""
    lots, stock, shipments = _forward_row_queries()
    fetched = _fetched if chunked else _all
    return tr.ForwardRows(
        root, fetched(conn, lots, params), fetched(conn, stock, params), fetched(conn, shipments, params)
    )


@cache
def _forward_row_queries() -> tuple[Select[Any], Select[Any], Select[Any]]:
    """The queries of the records, cut to the columns of `tr.LotRow`, `tr.StockRow` and `tr.ShipmentRow`."""

    def only(query: Select[Any], *names: str) -> Select[Any]:
        columns = (query.selected_columns[name] for name in names)
        return query.with_only_columns(*columns, maintain_column_froms=True)

    lots = only(lots_query("down"), "sku", "code", "depth", "origin", "expiry", "held")
    stock = only(stock_query("down"), "sku", "code", "location", "container", "qty", "uom")
    shipment_columns = ("event_id", "time", "partner", "reference", "location", "container", "qty", "uom")
    shipments = only(flows_query("down", "ship"), "sku", "code", *shipment_columns)
    return lots.where(scope_cte("down").c.depth > 0), stock, shipments


def _fetched(conn: Connection, query: Select[Any], params: dict[str, int]) -> Iterator[Any]:
    for rows in conn.execution_options(yield_per=_CHUNK).execute(query, params).partitions():
        yield from rows  # a chunk's rows made in one go: a third of the time of one fetch a row


def _all(conn: Connection, query: Select[Any], params: dict[str, int]) -> Iterator[Any]:
    yield from conn.execute(query, params)
