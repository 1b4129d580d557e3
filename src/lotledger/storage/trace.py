"""The trace SQL: genealogy over lot_edges and its closure, the same on both backends.

Two ways to find a lot's relatives, which must agree (tests prove it):

- `walk`: a recursive CTE over lot_edges. UNION on (lot, depth) keeps each lot
  once per level, so rework loops end at the depth limit instead of spinning.
- the closure table `lot_closure`, kept by the ledger as edges arrive: a hub
  lot's 200,000 descendants are one index range, not 200,000 recursive steps.

Traces read the closure; `walk` rebuilds it after a void removes edges.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, Literal

from sqlalchemy import Connection, Integer, bindparam, delete, literal, select, text, union_all
from sqlalchemy.sql import Select

from lotledger.storage import schema as t

MAX_DEPTH = 256  # genealogy deeper than this is cut, here and in the closure
Direction = Literal["up", "down"]

_WALK_SQL = """
    WITH RECURSIVE walk(lot_id, depth) AS (
        SELECT {far}, 1 FROM lot_edges WHERE {near} = :root
        UNION
        SELECT e.{far}, w.depth + 1 FROM lot_edges e JOIN walk w ON e.{near} = w.lot_id
        WHERE w.depth < :max_depth
    )
    SELECT lot_id, MIN(depth) AS depth FROM walk WHERE lot_id <> :root GROUP BY lot_id
    """
_WALK = {
    "up": text(_WALK_SQL.format(near="child_id", far="parent_id")),
    "down": text(_WALK_SQL.format(near="parent_id", far="child_id")),
}


def walk(conn: Connection, root: int, direction: Direction, max_depth: int = MAX_DEPTH) -> dict[int, int]:
    """Relatives of `root` with their shortest depth, by recursive SQL over lot_edges."""
    rows = conn.execute(_WALK[direction], {"root": root, "max_depth": max_depth})
    return {row.lot_id: row.depth for row in rows}


def relatives(conn: Connection, root: int, direction: Direction, max_depth: int = MAX_DEPTH) -> dict[int, int]:
    """Relatives of `root` with their shortest depth, from the closure table."""
    rows = conn.execute(scope(direction, include_root=False), {"root": root, "max_depth": max_depth})
    return {row.lot_id: row.depth for row in rows}


@cache
def scope(direction: Direction, include_root: bool = True) -> Select[Any]:
    """SELECT lot_id, depth of the relatives of :root within :max_depth (and :root at depth 0).

    Built once per shape and cached: a trace pays for SQL compilation only once."""
    closure = t.lot_closure.c
    mine, theirs = (
        (closure.descendant_id, closure.ancestor_id)
        if direction == "up"
        else (closure.ancestor_id, closure.descendant_id)
    )
    related = select(theirs.label("lot_id"), closure.depth.label("depth")).where(
        mine == bindparam("root"), closure.depth <= bindparam("max_depth")
    )
    if not include_root:
        return related
    root = select(bindparam("root", type_=Integer).label("lot_id"), literal(0).label("depth"))
    return union_all(related, root).subquery().select()


def rebuild_closure(conn: Connection, lot_ids: list[int]) -> set[tuple[int, int]]:
    """Recompute the ancestors of these lots and everything below them (after edges were removed).

    Returns the (ancestor, descendant) pairs that no longer hold, so projections
    built on the closure (lot_reach) can take the descendant's share back."""
    closure = t.lot_closure.c
    below: Iterable[int] = conn.execute(
        select(closure.descendant_id).where(closure.ancestor_id.in_(bindparam("ids", expanding=True))),
        {"ids": lot_ids},
    ).scalars()
    affected = sorted(set(lot_ids) | set(below))
    old = {
        (r.ancestor_id, r.descendant_id)
        for r in conn.execute(
            select(closure.ancestor_id, closure.descendant_id).where(closure.descendant_id.in_(affected))
        )
    }
    items = {
        r.id: r.item_id for r in conn.execute(select(t.lots.c.id, t.lots.c.item_id).where(t.lots.c.id.in_(affected)))
    }
    conn.execute(delete(t.lot_closure).where(closure.descendant_id.in_(affected)))
    new: set[tuple[int, int]] = set()
    for lot_id in affected:
        ancestors = walk(conn, lot_id, "up")
        if ancestors:
            conn.execute(
                t.lot_closure.insert(),
                [
                    {"ancestor_id": a, "descendant_id": lot_id, "depth": d, "item_id": items[lot_id]}
                    for a, d in ancestors.items()
                ],
            )
            new.update((a, lot_id) for a in ancestors)
    return old - new
