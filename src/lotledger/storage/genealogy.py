"""The reads behind a lot's genealogy picture and its customers, bounded whatever the lot's size.

A hub lot has 200,000 descendants, so nothing here walks them all: levels are
counted per depth and item from the closure in one index range, lots are read
for small levels or the first few of a group, and edges are looked up by their
primary key between lots already chosen (never a lot's whole fan-out).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, select
from sqlalchemy.sql import Select

from lotledger.domain import trace as tr
from lotledger.domain.errors import NotFound
from lotledger.domain.genealogy import Direction, LevelCount, Relative
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro
from lotledger.storage import schema as t
from lotledger.storage.engine import reading
from lotledger.storage.reader import trace_edge

_c, _e, _lots, _items = t.lot_closure.c, t.lot_edges.c, t.lots.c, t.items.c


@cache
def _relatives(direction: Direction) -> tuple[Any, Any]:
    """(the relative's lot id, the lot of the picture) columns of the closure, seen from `direction`."""
    return (_c.ancestor_id, _c.descendant_id) if direction == "up" else (_c.descendant_id, _c.ancestor_id)


EXACT_UP_TO = 2000  # an item with more descendants than this is not counted per depth (a hub's 68,000 dough lots)
_counts = t.descendant_counts.c
_PER_ITEM = (  # kept per ancestor and item: a hub's 2,000,000 descendants counted by reading a few rows
    select(_counts.item_id, _counts.lots).where(_counts.ancestor_id == bindparam("root"), _counts.lots != 0)
)
_PER_DEPTH = (
    select(_c.depth, _c.item_id, func.count().label("lots"))
    .where(_c.ancestor_id == bindparam("root"), _c.item_id.in_(bindparam("items", expanding=True)))
    .group_by(_c.depth, _c.item_id)
)
_FIRST = (
    select(_c.depth).where(_c.ancestor_id == bindparam("root"), _c.item_id == bindparam("item")).limit(8).subquery()
)
_FIRST_DEPTH = select(func.min(_FIRST.c.depth))
_UP = (
    select(_c.depth, t.lots.c.item_id, func.count().label("lots"))
    .select_from(t.lot_closure.join(t.lots, t.lots.c.id == _c.ancestor_id))
    .where(_c.descendant_id == bindparam("root"), _c.depth <= bindparam("max_depth"))
    .group_by(_c.depth, t.lots.c.item_id)
)


def _descendant_levels(conn: Connection, root: int, max_depth: int) -> list[tuple[int, int, int, bool]]:
    """(depth, item id, lots, all depths?) of a lot's descendants, without reading each of a hub's lots:
    items with few descendants are counted per depth, the others placed at the depth of their first few."""
    per_item = {r.item_id: r.lots for r in conn.execute(_PER_ITEM, {"root": root})}
    few = [item for item, lots in per_item.items() if lots <= EXACT_UP_TO]
    found = [
        (r.depth, r.item_id, r.lots, False)
        for r in (conn.execute(_PER_DEPTH, {"root": root, "items": few}) if few else [])
        if r.depth <= max_depth
    ]
    for item, lots in per_item.items():
        if lots > EXACT_UP_TO:
            depth: int = conn.execute(_FIRST_DEPTH, {"root": root, "item": item}).scalar_one()
            found += [(depth, item, lots, True)] if depth <= max_depth else []
    return found


_HELD = select(t.holds.c.lot_id).where(t.holds.c.lot_id == t.lots.c.id, t.holds.c.released_by.is_(None)).exists()
_ITEM_ID = select(_items.id).where(_items.sku == bindparam("sku"))
# By code (indexed), then the item: a code is rarely shared by many items.
_LOTS = (
    select(_lots.id, _items.sku, _items.uom, _lots.code)
    .select_from(t.lots.join(t.items))
    .where(_lots.code.in_(bindparam("codes", expanding=True)))
)
# Both ends given: each pair is a primary-key lookup, never a hub lot's whole fan-out.
_EDGES = (
    select(_e.parent_id, _e.child_id, _e.event_id, _e.parent_qty, _e.child_qty, t.events.c.time)
    .select_from(t.lot_edges.join(t.events))
    .where(
        _e.parent_id.in_(bindparam("parents", expanding=True)), _e.child_id.in_(bindparam("children", expanding=True))
    )
    .order_by(t.events.c.time, _e.event_id)
)
_REACH = (
    select(t.partners.c.code, _items.sku, _items.uom, t.lot_reach.c.qty, t.lot_reach.c.lines)
    .select_from(
        t.lot_reach.join(t.partners, t.partners.c.id == t.lot_reach.c.partner_id).join(
            t.items, _items.id == t.lot_reach.c.item_id
        )
    )
    .where(t.lot_reach.c.ancestor_id == bindparam("root"), (t.lot_reach.c.qty != 0) | (t.lot_reach.c.lines != 0))
    .order_by(t.partners.c.code, _items.sku)
)


@cache
def _relatives_query(direction: Direction, of_item: bool) -> Select[Any]:
    relative, root = _relatives(direction)
    query = (
        select(_items.sku, _lots.code, _lots.expiry, _c.depth, _HELD.label("held"))
        .select_from(t.lot_closure.join(t.lots, t.lots.c.id == relative).join(t.items))
        .where(root == bindparam("root"), _c.depth.in_(bindparam("depths", expanding=True)))
        .order_by(relative)
        .limit(bindparam("limit"))
    )
    if of_item:  # down, the closure's own item column keeps the scan on its (ancestor, item) index
        query = query.where((_c.item_id if direction == "down" else _lots.item_id) == bindparam("item"))
    return query


class SqlGenealogy:
    """Levels, lots and edges of a lot's genealogy; what its descendants shipped to whom."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def levels(self, key: LotKey, direction: Direction, max_depth: int) -> list[LevelCount]:
        """Relatives per depth (1..max_depth) and item (an item's many descendants: at the depth of its first)."""
        with reading(self.engine) as conn:
            root = lot_id_of(conn, key)
            skus: dict[int, str] = {r.id: r.sku for r in conn.execute(select(_items.id, _items.sku))}
            if direction == "down":
                found = _descendant_levels(conn, root, max_depth)
            else:  # ancestors are few (a hub has them on the down side): counted per depth
                rows = conn.execute(_UP, {"root": root, "max_depth": max_depth})
                found = [(r.depth, r.item_id, r.lots, False) for r in rows]
        counts = [LevelCount(depth, skus[item], lots, spread) for depth, item, lots, spread in found]
        return sorted(counts, key=lambda c: (c.depth, c.item))

    def relatives(
        self, key: LotKey, direction: Direction, depths: Sequence[int], item: str | None = None, limit: int = 1000
    ) -> list[Relative]:
        """Relatives at these depths (of one item), the first `limit` in the order they were made."""
        with reading(self.engine) as conn:
            params = {"root": lot_id_of(conn, key), "depths": list(depths), "limit": limit}
            if item is not None:
                params["item"] = conn.execute(_ITEM_ID, {"sku": item}).scalar()
                if params["item"] is None:
                    return []
            rows = conn.execute(_relatives_query(direction, item is not None), params)
            return [Relative(LotKey(r.sku, r.code), r.depth, bool(r.held), r.expiry) for r in rows]

    def edges(self, parents: Sequence[LotKey], children: Sequence[LotKey]) -> list[tr.TraceEdge]:
        """The edges from any of `parents` into any of `children`, per event (primary-key lookups only)."""
        if not parents or not children:
            return []
        with reading(self.engine) as conn:
            known = _lot_uoms(conn, {*parents, *children})
            parent_ids, child_ids = (
                [known[p][0] for p in parents if p in known],
                [known[c][0] for c in children if c in known],
            )
            if not parent_ids or not child_ids:
                return []
            by_id = {lot_id: (lot, uom) for lot, (lot_id, uom) in known.items()}
            rows = conn.execute(_EDGES, {"parents": parent_ids, "children": child_ids})
            return [trace_edge(r, by_id) for r in rows]

    def customers(self, key: LotKey) -> list[tr.CustomerReach]:
        """What each customer received of each item from this lot and everything made from it (a few rows)."""
        with reading(self.engine) as conn:
            rows = conn.execute(_REACH, {"root": lot_id_of(conn, key)})
            return [tr.CustomerReach(x.code, x.sku, from_micro(x.qty), x.uom, x.lines) for x in rows]


def lot_id_of(conn: Connection, key: LotKey) -> int:
    """The lot's row id, or NotFound naming it."""
    found = _lot_uoms(conn, {key})
    if key not in found:
        raise NotFound(f"unknown lot {key}", "lot")
    return found[key][0]


def _lot_uoms(conn: Connection, keys: set[LotKey]) -> dict[LotKey, tuple[int, str]]:
    """Each known lot's id and its item's unit."""
    rows = conn.execute(_LOTS, {"codes": sorted({lot.code for lot in keys})})
    return {LotKey(r.sku, r.code): (r.id, r.uom) for r in rows if LotKey(r.sku, r.code) in keys}
