"""A forward trace in totals, read from the closure and lot_reach projections.

Every query here is bounded by the number of items, customers and locations,
or is one pass over the closure's index range, so a hub lot with 200,000
descendant lots answers as fast as the figures allow (docs/performance.md).
"""

from __future__ import annotations

from sqlalchemy import Connection, select, text

from lotledger.domain import trace as tr
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro
from lotledger.storage import schema as t

_BY_ITEM = text("SELECT item_id, COUNT(*) AS lots FROM lot_closure WHERE ancestor_id = :root GROUP BY item_id")
_REACH = text(
    "SELECT partner_id, item_id, qty, lines FROM lot_reach WHERE ancestor_id = :root AND (qty <> 0 OR lines <> 0)"
)
# The root's own stock and its descendants' are read apart: a UNION of the two
# would be materialised, which costs a hub lot more than the join itself.
_ON_HAND = text(
    """SELECT b.location_id, c.item_id, SUM(b.qty) AS qty, COUNT(DISTINCT b.lot_id) AS lots
    FROM lot_closure c JOIN balances b ON b.lot_id = c.descendant_id
    WHERE c.ancestor_id = :root AND b.qty > 0 GROUP BY b.location_id, c.item_id
    UNION ALL
    SELECT b.location_id, l.item_id, SUM(b.qty), COUNT(DISTINCT b.lot_id)
    FROM balances b JOIN lots l ON l.id = b.lot_id
    WHERE b.lot_id = :root AND b.qty > 0 GROUP BY b.location_id, l.item_id"""
)
# Holds are few: look each one up in the closure rather than walk the descendants.
_HELD = text(
    """SELECT COUNT(DISTINCT h.lot_id) FROM holds h WHERE h.released_by IS NULL AND (h.lot_id = :root
       OR EXISTS (SELECT 1 FROM lot_closure c WHERE c.ancestor_id = :root AND c.descendant_id = h.lot_id))"""
)


def forward_summary(conn: Connection, root: int, key: LotKey) -> tr.ForwardSummary:
    """Descendant lots per item, holds, customer reach and stock on hand, for lot `root`."""
    items = {r.id: (r.sku, r.uom) for r in conn.execute(select(t.items.c.id, t.items.c.sku, t.items.c.uom))}
    partners = {r.id: r.code for r in conn.execute(select(t.partners.c.id, t.partners.c.code))}
    locations = {r.id: r.code for r in conn.execute(select(t.locations.c.id, t.locations.c.code))}
    params = {"root": root}
    by_item = {items[r.item_id][0]: r.lots for r in conn.execute(_BY_ITEM, params)}
    customers = [
        tr.CustomerReach(partners[r.partner_id], items[r.item_id][0], from_micro(r.qty), items[r.item_id][1], r.lines)
        for r in conn.execute(_REACH, params)
    ]
    if conn.dialect.name == "postgresql":
        # Walk the closure and the on-hand index side by side in lot order (a
        # merge join, 70 ms for a hub) instead of hashing 200,000 closure rows
        # (120 ms); SET LOCAL ends with this read transaction.
        conn.exec_driver_sql("SET LOCAL enable_hashjoin = off")
    stock: dict[tuple[int, int], tuple[int, int]] = {}
    for r in conn.execute(_ON_HAND, params):
        qty, lots = stock.get((r.location_id, r.item_id), (0, 0))
        stock[(r.location_id, r.item_id)] = (qty + r.qty, lots + r.lots)
    on_hand = [
        tr.StockTotal(locations[location], items[item][0], from_micro(qty), items[item][1], lots)
        for (location, item), (qty, lots) in stock.items()
    ]
    return tr.ForwardSummary(
        root=key,
        lots=sum(by_item.values()),
        lots_by_item=dict(sorted(by_item.items())),
        held=conn.execute(_HELD, params).scalar_one(),
        customers=sorted(customers, key=lambda c: (c.customer, c.item)),
        on_hand=sorted(on_hand, key=lambda s: (s.location, s.item)),
    )
