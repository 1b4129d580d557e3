"""Write what a transaction accepted: one executemany per table, projections included.

The hot tables go straight to the driver: SQLAlchemy's per-row parameter
processing costs more than SQLite's own insert. The SQL that keeps the
genealogy projections (closure, customer reach, descendant counts and stock)
is in `projections.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from lotledger.domain.model import LotKey
from lotledger.domain.quantities import to_micro
from lotledger.domain.rules import Edge, Movement
from lotledger.storage import chain_store
from lotledger.storage.ledger_state import BalanceKey, LedgerState
from lotledger.storage.projections import (
    CLOSURE_INSERT,
    COUNT_NEW,
    COUNT_PAIR,
    PAIRS,
    REACH_SHIFT,
    REACH_UPSERT,
    STOCK_DELTA,
    STOCK_SHIFT,
)
from lotledger.storage.schema import db_date

EVENT_COLUMNS = (
    "id",
    "type",
    "time",
    "location_id",
    "partner_id",
    "reference",
    "document",
    "body_hash",
    "recorded_at",
    "recorded_by",
    "client",
)

LOT_COLUMNS = ("id", "item_id", "code", "expiry", "origin", "supplier_id", "supplier_lot", "first_event_id")


@dataclass(slots=True)
class PendingWrites:
    """Rows accepted but not yet written, in the order they were accepted."""

    events: list[tuple[Any, ...]] = field(default_factory=list)
    lots: dict[LotKey, dict[str, Any]] = field(default_factory=dict)
    movements: list[tuple[str, Movement]] = field(default_factory=list)
    edges: list[tuple[str, Edge]] = field(default_factory=list)
    touched: list[tuple[str, LotKey]] = field(default_factory=list)


def driver_sql(conn: Connection, sql: str) -> str:
    """`sql` written with ? placeholders, in the driver's own paramstyle."""
    return sql if conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def _insert(conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if rows:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        conn.exec_driver_sql(driver_sql(conn, sql), rows)


def _new_lot_ids(conn: Connection, count: int) -> list[int]:
    """Ids for `count` new lots, so they go in with one executemany (INSERT ... RETURNING in parameter
    order is a statement per row). SQLite: after the largest, as its rowid would be (the transaction
    holds the write lock from BEGIN IMMEDIATE); PostgreSQL: from the id column's sequence, which
    concurrent writers share."""
    if conn.dialect.name == "sqlite":
        last = int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM lots").scalar_one())
        return list(range(last + 1, last + 1 + count))
    found: Iterable[int] = conn.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence('lots', 'id')) FROM generate_series(1, %s)", (count,)
    ).scalars()
    return sorted(int(lot_id) for lot_id in found)


def write(state: LedgerState, pending: PendingWrites, *, diff_reach: bool = False) -> None:
    """Write `pending` and the balance changes `state` holds unflushed, in foreign-key order."""
    conn = state.conn
    _insert(conn, "events", EVENT_COLUMNS, pending.events)
    if pending.events:
        state.chain = chain_store.append(conn, state.chain_head(), [_attributed(state, e) for e in pending.events])
    if pending.lots:
        keys = list(pending.lots)
        ids = _new_lot_ids(conn, len(keys))
        rows = []
        for new_id, new_key in zip(ids, keys, strict=True):
            lot = pending.lots[new_key]
            item_id = _id(state.item_row(new_key.sku), new_key.sku)
            expiry = db_date(lot["expiry"], conn.dialect)
            supplier = (lot["supplier_id"], lot["supplier_lot"])
            rows.append((new_id, item_id, lot["code"], expiry, lot["origin"], *supplier, lot["first_event_id"]))
        _insert(conn, "lots", LOT_COLUMNS, rows)
        state.lot_ids.update(zip(keys, ids, strict=True))
        state.new_lots.difference_update(keys)
    lot_id = state.lot_ids
    location_id = {code: row[0] for code, row in state.locations.items() if row is not None}
    partner_id = {code: row[0] for code, row in state.partners.items() if row is not None}
    _insert(
        conn,
        "movements",
        ("event_id", "lot_id", "location_id", "container", "kind", "qty", "partner_id"),
        [
            (
                event_id,
                lot_id[m.lot],
                location_id[m.location],
                m.container,
                m.kind,
                to_micro(m.delta),
                partner_id[m.partner] if m.partner else None,
            )
            for event_id, m in pending.movements
        ],
    )
    stock = _write_balances(state, location_id)
    for key, delta in state.received_unflushed.items():
        if key in state.received_base:  # a figure not read yet is read from the rows just written
            state.received_base[key] += delta
    state.received_unflushed.clear()
    if pending.edges:
        edges = [
            (lot_id[e.parent], lot_id[e.child], event_id, to_micro(e.parent_qty), to_micro(e.child_qty))
            for event_id, e in pending.edges
        ]
        _insert(conn, "lot_edges", ("parent_id", "child_id", "event_id", "parent_qty", "child_qty"), edges)
        if diff_reach:
            # Edges into lots that existed: the stock changes go to the ancestors as they were,
            # then each new pair moves the descendant's stock (as it is now) under its ancestor.
            _stock_changes(conn, stock)
            stock = {}
            _join_existing(conn, [(p, c) for p, c, *_ in edges])
        else:
            # Every child here is new in this write, so all its pairs are new: its lot counts
            # once under each ancestor, and its stock (all of it from this write's changes)
            # reaches them with the changes below, written after its pairs.
            conn.exec_driver_sql(driver_sql(conn, CLOSURE_INSERT), [(p, p, c, c) for p, c, *_ in edges])
            conn.exec_driver_sql(driver_sql(conn, COUNT_NEW), [(c,) for c in dict.fromkeys(c for _, c, *_ in edges)])
    _stock_changes(conn, stock)
    reach = [
        (
            partner_id[m.partner],
            _id(state.item_row(m.lot.sku), m.lot.sku),
            -to_micro(m.delta),
            1 if m.delta < 0 else -1,
            lot_id[m.lot],
            lot_id[m.lot],
        )
        for _, m in pending.movements
        if m.kind == "ship" and m.partner
    ]
    if reach:
        conn.exec_driver_sql(driver_sql(conn, REACH_UPSERT), reach)
    _insert(conn, "event_lots", ("lot_id", "event_id"), [(lot_id[lot], eid) for eid, lot in pending.touched])


def _attributed(state: LedgerState, row: tuple[Any, ...]) -> chain_store.Attributed:
    """What the chain hashes of an event row: id, fingerprint, recorded at (the transaction's clock), by, client."""
    return row[0], row[7], state.now, row[9], row[10]


def _id(found: tuple[int, Any] | None, code: str) -> int:
    assert found is not None, f"{code} was checked by the rules before it was written"
    return found[0]


def _write_balances(state: LedgerState, location_id: dict[str, int]) -> dict[tuple[int, int], int]:
    """Write the unflushed balance changes; returns each (lot id, location id)'s net change."""
    # Increases upsert; decreases update the row the rules read (it exists,
    # or the check would have refused). An upsert of a negative row would
    # trip CHECK (qty >= 0) on the proposed row before the conflict merges.
    increases: list[tuple[Any, ...]] = []
    decreases: list[tuple[Any, ...]] = []
    net: dict[tuple[int, int], int] = defaultdict(int)
    deltas: dict[BalanceKey, int] = state.unflushed
    for key, delta in deltas.items():
        state.base[key] = state.base.get(key, 0) + delta
        if delta:
            lot, location, container = key
            lot_id, place = state.lot_ids[lot], location_id[location]
            assert lot_id is not None, f"{lot} was written before its balances"
            net[(lot_id, place)] += delta
            if delta > 0:
                increases.append((lot_id, place, container, delta))
            else:
                decreases.append((delta, lot_id, place, container))
    deltas.clear()
    conn = state.conn
    if decreases:
        sql = "UPDATE balances SET qty = qty + ? WHERE lot_id = ? AND location_id = ? AND container = ?"
        conn.exec_driver_sql(driver_sql(conn, sql), decreases)
    if increases:
        sql = (
            "INSERT INTO balances (lot_id, location_id, container, qty) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (lot_id, location_id, container) DO UPDATE SET qty = balances.qty + excluded.qty"
        )
        conn.exec_driver_sql(driver_sql(conn, sql), increases)
    return net


def _stock_changes(conn: Connection, net: dict[tuple[int, int], int]) -> None:
    """Each lot's net change at a location, added to its ancestors' descendant stock (balances written)."""
    rows = [(place, delta, delta, lot, place, lot) for (lot, place), delta in net.items() if delta]
    if rows:
        conn.exec_driver_sql(driver_sql(conn, STOCK_DELTA), rows)


def _join_existing(conn: Connection, edges: list[tuple[Any, Any]]) -> None:
    """Add edges one by one, granting each newly joined ancestor its descendant's shipments."""
    pairs_sql, insert_sql = driver_sql(conn, PAIRS), driver_sql(conn, CLOSURE_INSERT)
    for parent, child in edges:
        params = (parent, parent, child, child)
        before = {(row[0], row[1]) for row in conn.exec_driver_sql(pairs_sql, params)}
        conn.exec_driver_sql(insert_sql, params)
        after = {(row[0], row[1]) for row in conn.exec_driver_sql(pairs_sql, params)}
        shift_pairs(conn, after - before, withdraw=False)


def shift_pairs(conn: Connection, pairs: set[tuple[int, int]], withdraw: bool) -> None:
    """Closure pairs (ancestor, descendant) added or withdrawn: move each descendant's own
    shipments, its lot count and its stock on hand into or out of its ancestor's projections."""
    if not pairs:
        return
    ordered = sorted(pairs)
    sign = -1 if withdraw else 1
    conn.exec_driver_sql(driver_sql(conn, REACH_SHIFT), [(a, -sign, -sign, d) for a, d in ordered])
    conn.exec_driver_sql(driver_sql(conn, COUNT_PAIR), [(a, sign, d) for a, d in ordered])
    conn.exec_driver_sql(driver_sql(conn, STOCK_SHIFT), [(a, sign, sign, d) for a, d in ordered])
