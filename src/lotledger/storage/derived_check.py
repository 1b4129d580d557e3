"""The tables the ledger derives from its own rows, checked against the same tables computed whole.

The closure (every ancestor and descendant at the shortest depth), customer
reach, and descendant counts and stock are kept a little at a time as events
arrive (`projections.py`), and traces, hub summaries and recall answers read
them. `lotledger verify --replay` recomputes each one from the genealogy
edges, balances and shipments it rests on (the closure as the fixed point of
one step along the edges) and names every row that differs, so a damaged or
hand-edited table is found before a recall relies on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import Connection

from lotledger.domain.quantities import micro_text
from lotledger.storage.bulk_writes import driver_sql
from lotledger.storage.projections import CLOSURE_STEP, COUNTS_FROM, REACH_FROM, STOCK_FROM


@dataclass(frozen=True, slots=True)
class Derived:
    """One derived table: its kept rows and the same computed whole, column for column."""

    table: str
    columns: tuple[str, ...]  # what each column holds: lot, item, location, partner, qty, or a count
    kept: str
    whole: str


_WHOLE = f"({CLOSURE_STEP})"  # the others are computed from the closure one step from the kept one
DERIVED = (
    Derived(
        "lot_closure",
        ("ancestor lot", "descendant lot", "depth", "item"),
        "SELECT ancestor_id, descendant_id, depth, item_id FROM lot_closure",
        CLOSURE_STEP,
    ),
    Derived(
        "descendant_counts",
        ("ancestor lot", "item", "lots"),
        "SELECT ancestor_id, item_id, lots FROM descendant_counts WHERE lots <> 0",
        COUNTS_FROM.format(closure=_WHOLE),
    ),
    Derived(
        "descendant_stock",
        ("ancestor lot", "location", "item", "qty", "lots"),
        "SELECT ancestor_id, location_id, item_id, qty, lots FROM descendant_stock WHERE qty <> 0 OR lots <> 0",
        STOCK_FROM.format(closure=_WHOLE),
    ),
    Derived(
        "lot_reach",
        ("ancestor lot", "partner", "item", "qty", "lines"),
        "SELECT ancestor_id, partner_id, item_id, qty, lines FROM lot_reach WHERE qty <> 0 OR lines <> 0",
        REACH_FROM.format(closure=_WHOLE),
    ),
)


def derived_differences(conn: Connection, most: int = 20) -> list[str]:
    """Rows a derived table keeps that its sources do not give, and rows they give that it lacks
    (at most `most` of each kind per table), named by lot, item, location and partner codes."""
    found: list[str] = []
    names = _Names(conn)
    for derived in DERIVED:
        extra = _except(conn, derived.kept, derived.whole, most)
        missing = _except(conn, derived.whole, derived.kept, most)
        found += [f"{derived.table}: {names.row(derived, r)} is kept but its sources do not give it" for r in extra]
        found += [f"{derived.table}: {names.row(derived, r)} follows from its sources but is not kept" for r in missing]
    return found


def _except(conn: Connection, rows: str, without: str, most: int) -> list[tuple[Any, ...]]:
    sql = f"SELECT * FROM ({rows}) AS a EXCEPT SELECT * FROM ({without}) AS b ORDER BY 1, 2 LIMIT {int(most)}"
    return [tuple(row) for row in conn.exec_driver_sql(sql)]


class _Names:
    """Codes for the ids in the few rows that differ, each looked up once."""

    _SQL: ClassVar[dict[str, str]] = {
        "lot": "SELECT i.sku || '/' || l.code FROM lots l JOIN items i ON i.id = l.item_id WHERE l.id = ?",
        "item": "SELECT sku FROM items WHERE id = ?",
        "location": "SELECT code FROM locations WHERE id = ?",
        "partner": "SELECT code FROM partners WHERE id = ?",
    }

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.codes: dict[tuple[str, int], str] = {}

    def row(self, derived: Derived, values: tuple[Any, ...]) -> str:
        return ", ".join(
            f"{column} {self._value(column, value)}" for column, value in zip(derived.columns, values, strict=True)
        )

    def _value(self, column: str, value: Any) -> str:
        kind = column.split()[-1]
        if kind == "qty":
            return micro_text(int(value))
        if kind not in self._SQL:
            return str(value)
        key = (kind, int(value))
        if key not in self.codes:
            code = self.conn.exec_driver_sql(driver_sql(self.conn, self._SQL[kind]), (key[1],)).scalar()
            self.codes[key] = f"#{value} (no such {kind})" if code is None else str(code)
        return self.codes[key]
