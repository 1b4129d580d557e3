"""The SQL that keeps the genealogy projections: the closure and customer reach.

Raw SQL with ? placeholders (`bulk_writes.driver_sql` turns them into the
driver's style), run with executemany: one statement per table per flush, the same text on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from lotledger.storage.trace import MAX_DEPTH

# Positional: (parent, parent, child, child). Adds every (ancestor-of-parent or
# parent) x (child or descendant-of-child) pair, keeping the shortest depth.
CLOSURE_INSERT = f"""
    INSERT INTO lot_closure (ancestor_id, descendant_id, depth, item_id)
    SELECT up.ancestor_id, down.descendant_id, MIN(up.depth + 1 + down.depth), down.item_id
    FROM (SELECT ancestor_id, depth FROM lot_closure WHERE descendant_id = ?
          UNION ALL SELECT ?, 0) AS up
    CROSS JOIN (SELECT descendant_id, depth, item_id FROM lot_closure WHERE ancestor_id = ?
          UNION ALL SELECT id, 0, item_id FROM lots WHERE id = ?) AS down
    WHERE up.ancestor_id <> down.descendant_id AND up.depth + 1 + down.depth <= {MAX_DEPTH}
    GROUP BY up.ancestor_id, down.descendant_id, down.item_id
    ON CONFLICT (ancestor_id, descendant_id) DO UPDATE SET depth =
      CASE WHEN excluded.depth < lot_closure.depth THEN excluded.depth ELSE lot_closure.depth END
    """


# Positional: (partner, item, qty, lines, lot, lot). A shipment counts for the
# lot itself and every ancestor; a void's reversal comes with negative numbers.
REACH_UPSERT = """
    INSERT INTO lot_reach (ancestor_id, partner_id, item_id, qty, lines)
    SELECT up.ancestor_id, ?, ?, ?, ?
    FROM (SELECT ancestor_id FROM lot_closure WHERE descendant_id = ? UNION ALL SELECT ?) AS up
    WHERE true
    ON CONFLICT (ancestor_id, partner_id, item_id) DO UPDATE SET
      qty = lot_reach.qty + excluded.qty, lines = lot_reach.lines + excluded.lines
    """


# Positional: (ancestor, sign, sign, descendant). Moves the descendant's own net
# shipments into (sign -1) or out of (sign 1) the ancestor's reach, when a new
# edge joins the two or a void separates them.
REACH_SHIFT = """
    INSERT INTO lot_reach (ancestor_id, partner_id, item_id, qty, lines)
    SELECT ?, m.partner_id, l.item_id, ? * SUM(m.qty), ? * SUM(CASE WHEN m.qty < 0 THEN -1 ELSE 1 END)
    FROM movements m JOIN lots l ON l.id = m.lot_id
    WHERE m.lot_id = ? AND m.kind = 'ship' AND m.partner_id IS NOT NULL
    GROUP BY m.partner_id, l.item_id
    ON CONFLICT (ancestor_id, partner_id, item_id) DO UPDATE SET
      qty = lot_reach.qty + excluded.qty, lines = lot_reach.lines + excluded.lines
    """
PAIRS = """SELECT ancestor_id, descendant_id FROM lot_closure
    WHERE (ancestor_id = ? OR ancestor_id IN (SELECT ancestor_id FROM lot_closure WHERE descendant_id = ?))
      AND (descendant_id = ? OR descendant_id IN (SELECT descendant_id FROM lot_closure WHERE ancestor_id = ?))"""
