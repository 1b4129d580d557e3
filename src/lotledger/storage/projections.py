"""The SQL that keeps the genealogy projections: the closure, customer reach, descendant counts and stock.

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


# Positional: (child). A lot that is new in this write has all its closure pairs
# new: it counts once under each of its ancestors.
COUNT_NEW = """
    INSERT INTO descendant_counts (ancestor_id, item_id, lots)
    SELECT ancestor_id, item_id, 1 FROM lot_closure WHERE descendant_id = ?
    ON CONFLICT (ancestor_id, item_id) DO UPDATE SET lots = descendant_counts.lots + excluded.lots
    """

# Positional: (ancestor, sign, descendant). One closure pair added (sign 1) or removed (-1).
COUNT_PAIR = """
    INSERT INTO descendant_counts (ancestor_id, item_id, lots)
    SELECT ?, item_id, ? FROM lots WHERE id = ?
    ON CONFLICT (ancestor_id, item_id) DO UPDATE SET lots = descendant_counts.lots + excluded.lots
    """

# Positional: (location, delta, delta, lot, location, lot), after the lot's
# balances were written. A lot's net change at one location reaches each of its
# ancestors; it counts as a lot on hand there while its rows there add up to
# more than zero (before the change: that total less the delta).
STOCK_DELTA = """
    INSERT INTO descendant_stock (ancestor_id, location_id, item_id, qty, lots)
    SELECT c.ancestor_id, ?, c.item_id, ?,
      CASE WHEN here.qty > 0 THEN 1 ELSE 0 END - CASE WHEN here.qty - ? > 0 THEN 1 ELSE 0 END
    FROM (SELECT COALESCE(SUM(qty), 0) AS qty FROM balances WHERE lot_id = ? AND location_id = ?) AS here
    CROSS JOIN lot_closure c
    WHERE c.descendant_id = ?
    ON CONFLICT (ancestor_id, location_id, item_id) DO UPDATE SET
      qty = descendant_stock.qty + excluded.qty, lots = descendant_stock.lots + excluded.lots
    """

# Positional: (ancestor, sign, sign, descendant). Moves the descendant's stock on
# hand into (sign 1) or out of (sign -1) the ancestor's, when a closure pair is
# added or removed.
STOCK_SHIFT = """
    INSERT INTO descendant_stock (ancestor_id, location_id, item_id, qty, lots)
    SELECT ?, b.location_id, l.item_id, ? * SUM(b.qty), ?
    FROM balances b JOIN lots l ON l.id = b.lot_id
    WHERE b.lot_id = ? AND b.qty > 0
    GROUP BY b.location_id, l.item_id
    ON CONFLICT (ancestor_id, location_id, item_id) DO UPDATE SET
      qty = descendant_stock.qty + excluded.qty, lots = descendant_stock.lots + excluded.lots
    """

# The projections above computed whole from the ledger's own rows: what migrations
# fill, and what `lotledger verify --replay` compares with what the ledger kept
# (derived_check.py). The closure is checked as a fixed point: every pair one
# step from the kept closure (an edge, or a kept pair and an edge below it),
# at its least depth within MAX_DEPTH. Only the true closure gives itself back
# (a pair's depth always comes from a pair one shorter, down to an edge), and
# a set-based join never walks the loops a rework makes (a recursive walk did:
# each pair below a loop once per depth up to MAX_DEPTH).
CLOSURE_STEP = f"""
    SELECT step.ancestor_id, step.descendant_id, MIN(step.depth) AS depth, l.item_id
    FROM (SELECT parent_id AS ancestor_id, child_id AS descendant_id, 1 AS depth FROM lot_edges
          UNION ALL
          SELECT c.ancestor_id, e.child_id, c.depth + 1 FROM lot_closure c
          JOIN lot_edges e ON e.parent_id = c.descendant_id WHERE c.depth < {MAX_DEPTH}) AS step
    JOIN lots l ON l.id = step.descendant_id
    WHERE step.ancestor_id <> step.descendant_id
    GROUP BY step.ancestor_id, step.descendant_id, l.item_id
    """
# The others from a closure: {closure} is lot_closure, or the closure one step
# from it (CLOSURE_STEP: a pair lost or changed in the kept closure is whole
# again there, so it is not taken for damage in what rests on it).
COUNTS_FROM = "SELECT ancestor_id, item_id, COUNT(*) AS lots FROM {closure} AS c GROUP BY ancestor_id, item_id"
STOCK_FROM = """
    SELECT c.ancestor_id, here.location_id, c.item_id, SUM(here.qty) AS qty, COUNT(*) AS lots
    FROM (SELECT lot_id, location_id, SUM(qty) AS qty FROM balances WHERE qty > 0
          GROUP BY lot_id, location_id) AS here
    JOIN {closure} AS c ON c.descendant_id = here.lot_id
    GROUP BY c.ancestor_id, here.location_id, c.item_id
    """
# A shipment (kind ship, to a partner) counts for its lot and every ancestor; a
# void's reversal carries the same kind and partner with the opposite sign, and
# a shipment voided nets to nothing (kept rows at zero are left out as well).
REACH_FROM = """
    SELECT up.ancestor_id, m.partner_id, l.item_id, -SUM(m.qty) AS qty,
      SUM(CASE WHEN m.qty < 0 THEN 1 ELSE -1 END) AS lines
    FROM movements m JOIN lots l ON l.id = m.lot_id
    JOIN (SELECT ancestor_id, descendant_id FROM {closure} AS c UNION ALL SELECT id, id FROM lots) AS up
      ON up.descendant_id = m.lot_id
    WHERE m.kind = 'ship' AND m.partner_id IS NOT NULL
    GROUP BY up.ancestor_id, m.partner_id, l.item_id
    HAVING SUM(m.qty) <> 0 OR SUM(CASE WHEN m.qty < 0 THEN 1 ELSE -1 END) <> 0
    """
COUNTS_WHOLE = COUNTS_FROM.format(closure="lot_closure")
STOCK_WHOLE = STOCK_FROM.format(closure="lot_closure")
