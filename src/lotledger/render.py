"""Rich tables for the terminal. Long traces show their first rows and say how many more."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from rich.table import Table
from rich.tree import Tree

from lotledger.domain import trace as tr
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import format_qty
from lotledger.domain.records import EventRecord, MassBalance

ROWS = 40


def render_rows(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], total: int | None = None) -> Table:
    """A titled table of rows; long ones show their first rows and say how many more."""
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        table.add_column(
            column, justify="right" if column in ("qty", "depth", "shipments", "lots", "lines") else "left"
        )
    shown = 0
    for row in rows:
        if shown == ROWS:
            break
        table.add_row(*("" if v is None else str(v) for v in row))
        shown += 1
    if total is not None and total > shown:
        table.caption = f"{shown} of {total} rows shown; use --format json for all"
    return table


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def backward_table(trace: tr.BackwardTrace) -> Table:
    rows = [(lot.depth, lot.lot, lot.origin, lot.expiry, "HELD" if lot.held else "") for lot in trace.lots]
    table = render_rows(
        f"Backward trace of {trace.root}: {len(rows)} ancestor lots",
        ("depth", "lot", "origin", "expiry", "status"),
        rows,
        len(rows),
    )
    receipts = render_rows(
        "Receipts at the end of the trace",
        ("lot", "supplier", "supplier lot", "reference", "time", "qty"),
        (
            (r.lot, r.supplier, r.supplier_lot, r.reference, _when(r.time), f"{format_qty(r.qty)} {r.uom}")
            for r in trace.receipts
        ),
        len(trace.receipts),
    )
    edges = render_rows(
        "Genealogy edges",
        ("parent", "consumed", "child", "made", "time"),
        (
            (
                e.parent,
                f"{format_qty(e.parent_qty)} {e.parent_uom}",
                e.child,
                f"{format_qty(e.child_qty)} {e.child_uom}",
                _when(e.time),
            )
            for e in trace.edges
        ),
        len(trace.edges),
    )
    grid = Table.grid(padding=(1, 0))
    for part in (genealogy_tree(trace), table, edges, receipts):
        grid.add_row(part)
    return grid


TREE_NODES = 60


def genealogy_tree(trace: tr.BackwardTrace) -> Tree:
    """The backward genealogy as a tree: each lot with what went into it and how much.

    A lot reached twice (a shared ingredient, a rework loop) is shown once in
    full and then only named, so loops end and big trees stay readable."""
    parents: dict[LotKey, list[tr.TraceEdge]] = defaultdict(list)
    for edge in trace.edges:
        parents[edge.child].append(edge)
    supplier = {
        r.lot: f"{r.supplier} lot {r.supplier_lot}" if r.supplier_lot else str(r.supplier) for r in trace.receipts
    }
    tree = Tree(f"[bold]{trace.root}[/bold]")
    shown: set[LotKey] = {trace.root}
    budget = [TREE_NODES]

    def grow(node: Tree, lot: LotKey) -> None:
        for edge in parents.get(lot, []):
            if budget[0] <= 0:
                node.add("…")
                return
            budget[0] -= 1
            label = f"{edge.parent}  {format_qty(edge.parent_qty)} {edge.parent_uom}"
            if edge.parent in supplier:
                label += f"  [dim]from {supplier[edge.parent]}[/dim]"
            if edge.parent in shown:
                node.add(label + "  [dim](above)[/dim]")
                continue
            shown.add(edge.parent)
            grow(node.add(label), edge.parent)

    grow(tree, trace.root)
    return tree


def forward_tables(trace: tr.ForwardTrace) -> list[Table]:
    by_item = Counter(lot.lot.sku for lot in trace.lots)
    summary = ", ".join(f"{n} {sku}" for sku, n in by_item.most_common())
    lots = render_rows(
        f"Forward trace of {trace.root}: {len(trace.lots)} descendant lots ({summary or 'none'})",
        ("depth", "lot", "expiry", "status"),
        ((lot.depth, lot.lot, lot.expiry, "HELD" if lot.held else "") for lot in trace.lots),
        len(trace.lots),
    )
    customers = render_rows(
        "Customers reached",
        ("customer", "shipments", "lots", "qty", "first", "last"),
        (
            (
                c.customer,
                c.shipments,
                c.lots,
                ", ".join(f"{format_qty(q)} {u}" for u, q in c.qty.items()),
                _when(c.first),
                _when(c.last),
            )
            for c in trace.customers
        ),
    )
    shipments = render_rows(
        "Shipments",
        ("time", "customer", "reference", "container", "lot", "qty"),
        (
            (_when(s.time), s.customer, s.reference, s.container, s.lot, f"{format_qty(s.qty)} {s.uom}")
            for s in trace.shipments
        ),
        len(trace.shipments),
    )
    return [lots, customers, shipments, balance_table(trace.on_hand, "On hand now")]


def balance_table(lines: list[tr.StockLine], title: str = "Stock on hand") -> Table:
    return render_rows(
        title,
        ("lot", "location", "container", "qty"),
        ((s.lot, s.location, s.container, f"{format_qty(s.qty)} {s.uom}") for s in lines),
        len(lines),
    )


def history_table(lot: LotKey, entries: list[EventRecord]) -> Table:
    return render_rows(
        f"History of {lot}",
        ("time", "event", "location", "reference", "recorded by", "client", "status", "id"),
        (
            (
                _when(e.time),
                e.type,
                e.location,
                e.reference,
                e.recorded_by,
                e.client,
                f"VOIDED by {e.voided_by}" if e.voided_by else "",
                e.id,
            )
            for e in entries
        ),
        len(entries),
    )


def mass_balance_table(m: MassBalance) -> Table:
    rows = [
        ("received", m.received),
        ("produced", m.produced),
        ("returned", m.returned),
        ("consumed", m.consumed),
        ("shipped", m.shipped),
        ("adjusted", m.adjusted),
        ("on hand", m.on_hand),
        ("difference", m.difference),
    ]
    return render_rows(f"Mass balance of {m.lot} ({m.uom})", ("", "qty"), ((k, format_qty(v)) for k, v in rows))


def exposure_table(e: tr.Exposure) -> Table:
    lots = sorted(e.lots.items(), key=lambda kv: -kv[1])
    table = render_rows(
        f"Exposure to {e.root}: {e.uom} of it in each lot",
        ("lot", "qty"),
        ((lot, format_qty(q)) for lot, q in lots),
        len(lots),
    )
    customers = render_rows(
        "…reached each customer", ("customer", "qty"), ((c, format_qty(q)) for c, q in sorted(e.customers.items()))
    )
    grid = Table.grid(padding=(1, 0))
    grid.add_row(table)
    grid.add_row(customers)
    return grid


def summary_table(s: tr.ForwardSummary) -> Table:
    by_item = ", ".join(f"{n} {sku}" for sku, n in s.lots_by_item.items()) or "none"
    grid = Table.grid(padding=(1, 0))
    grid.add_row(f"[bold]Forward from {s.root}[/bold]: {s.lots} descendant lots ({by_item}); {s.held} on hold")
    grid.add_row(
        render_rows(
            "Customers reached",
            ("customer", "item", "qty", "lines"),
            ((c.customer, c.item, f"{format_qty(c.qty)} {c.uom}", c.lines) for c in s.customers),
            len(s.customers),
        )
    )
    grid.add_row(
        render_rows(
            "On hand now (this lot and everything made from it)",
            ("location", "item", "lots", "qty"),
            ((o.location, o.item, o.lots, f"{format_qty(o.qty)} {o.uom}") for o in s.on_hand),
            len(s.on_hand),
        )
    )
    return grid
