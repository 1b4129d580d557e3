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
_SCOPE = """(SELECT descendant_id AS lot_id, item_id FROM lot_closure WHERE ancestor_id = :root
             UNION ALL SELECT id, item_id FROM lots WHERE id = :root) AS scope"""
_ON_HAND = text(
    f"""SELECT b.location_id, scope.item_id, SUM(b.qty) AS qty, COUNT(DISTINCT b.lot_id) AS lots
    FROM {_SCOPE} JOIN balances b ON b.lot_id = scope.lot_id
    WHERE b.qty > 0 GROUP BY b.location_id, scope.item_id"""
)
_HELD = text(
    f"""SELECT COUNT(DISTINCT h.lot_id) FROM {_SCOPE} JOIN holds h ON h.lot_id = scope.lot_id
    WHERE h.released_by IS NULL"""
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
    on_hand = [
        tr.StockTotal(locations[r.location_id], items[r.item_id][0], from_micro(r.qty), items[r.item_id][1], r.lots)
        for r in conn.execute(_ON_HAND, params)
    ]
    return tr.ForwardSummary(
        root=key,
        lots=sum(by_item.values()),
        lots_by_item=dict(sorted(by_item.items())),
        held=conn.execute(_HELD, params).scalar_one(),
        customers=sorted(customers, key=lambda c: (c.customer, c.item)),
        on_hand=sorted(on_hand, key=lambda s: (s.location, s.item)),
    )
