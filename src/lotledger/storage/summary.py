"""A forward trace in totals, read from the projections kept per ancestor.

Every query here is bounded by the number of items, customers and locations
(descendant_counts, lot_reach, descendant_stock) or of open holds, never by
the number of descendants: a hub lot with 2,000,000 descendant lots reads a
few rows (docs/performance.md).
"""

from __future__ import annotations

from sqlalchemy import Connection, select, text

from lotledger.domain import trace as tr
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro
from lotledger.storage import schema as t

_BY_ITEM = text("SELECT item_id, lots FROM descendant_counts WHERE ancestor_id = :root AND lots <> 0")
_REACH = text(
    "SELECT partner_id, item_id, qty, lines FROM lot_reach WHERE ancestor_id = :root AND (qty <> 0 OR lines <> 0)"
)
# The descendants' stock from their projection, the root's own from its balances.
_ON_HAND = text(
    """SELECT location_id, item_id, qty, lots FROM descendant_stock WHERE ancestor_id = :root AND lots <> 0
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
