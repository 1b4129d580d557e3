"""Rich tables for the terminal. Long traces show their first rows and say how many more.

Identifiers (lot codes, SSCCs, supplier lots, references, event ids) are never
cut or wrapped: their columns keep their full width, only free text (names,
notes, reasons) folds. `show` prints a table wider than the terminal rather
than cut it, and in a pipe at its natural width. Times are shown in the
plant's time zone, with the zone named.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.measure import Measurement
from rich.table import Table
from rich.tree import Tree

from lotledger.domain.quantities import format_qty

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod, RenderableType

    from lotledger.domain import trace as tr
    from lotledger.domain.accounts import AuditEntry, Token
    from lotledger.domain.model import LotKey
    from lotledger.domain.records import EventRecord, MassBalance

ROWS = 40
NUMERIC = frozenset({"qty", "depth", "shipments", "lots", "lines"})
FREE_TEXT = frozenset({"name", "names", "note", "notes", "reason", "client"})  # these may fold; nothing else
_UNLIMITED = 1_000_000


def render_rows(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], total: int | None = None) -> Table:
    """A titled table of rows; long ones show their first rows and say how many more.

    Every column but free text is `no_wrap` with its widest cell as minimum width."""
    shown: list[tuple[str, ...]] = []
    for row in rows:
        if len(shown) == ROWS:
            break
        shown.append(tuple("" if v is None else str(v) for v in row))
    table = Table(title=title, title_justify="left", header_style="bold")
    for index, column in enumerate(columns):
        justify: JustifyMethod = "right" if column in NUMERIC else "left"
        if column in FREE_TEXT:
            table.add_column(column, justify=justify, overflow="fold")
        else:
            widest = max((cell_len(row[index]) for row in shown), default=0)
            table.add_column(column, justify=justify, no_wrap=True, min_width=max(widest, cell_len(column)))
    for cells in shown:
        table.add_row(*cells)
    if total is not None and total > len(shown):
        table.caption = f"{len(shown)} of {total} rows shown; use --format json for all"
    return table


def show(console: Console, *renderables: RenderableType) -> None:
    """Print without cutting: in a pipe at the natural width; on a terminal free text folds,
    and what still does not fit is printed wider than the screen (the terminal wraps it)."""
    for renderable in renderables:
        with _wide_enough(console, fit_width(console, renderable)):
            console.print(renderable)


def fit_width(console: Console, renderable: RenderableType) -> int:
    """The width to print `renderable` at on `console` so that no key column is cut."""
    need = Measurement.get(console, console.options.update_width(_UNLIMITED), renderable)
    if not console.is_terminal:
        return max(need.maximum, 1)
    return max(console.width, need.minimum)


@contextmanager
def _wide_enough(console: Console, width: int) -> Iterator[None]:
    saved = console.width
    if width == saved:
        yield
        return
    console.width = width
    try:
        yield
    finally:
        console.width = saved


def _when(value: datetime | None, zone: tzinfo = UTC) -> str:
    """A time in the plant's zone, named: 2026-11-25 16:10 PST. Stored times without a zone are UTC."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def backward_table(trace: tr.BackwardTrace, zone: tzinfo = UTC) -> Table:
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
            (r.lot, r.supplier, r.supplier_lot, r.reference, _when(r.time, zone), f"{format_qty(r.qty)} {r.uom}")
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
                _when(e.time, zone),
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


def forward_tables(trace: tr.ForwardTrace, zone: tzinfo = UTC) -> list[Table]:
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
                _when(c.first, zone),
                _when(c.last, zone),
            )
            for c in trace.customers
        ),
    )
    shipments = render_rows(
        "Shipments",
        ("time", "customer", "reference", "container", "lot", "qty"),
        (
            (_when(s.time, zone), s.customer, s.reference, s.container, s.lot, f"{format_qty(s.qty)} {s.uom}")
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


def history_table(lot: LotKey, entries: list[EventRecord], zone: tzinfo = UTC) -> Table:
    return events_table(f"History of {lot}", entries, zone)


def events_table(title: str, entries: list[EventRecord], zone: tzinfo = UTC) -> Table:
    return render_rows(
        title,
        ("time", "event", "location", "reference", "recorded by", "client", "status", "id"),
        (
            (
                _when(e.time, zone),
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


def tokens_table(tokens: Iterable[Token], zone: tzinfo = UTC) -> Table:
    return render_rows(
        "Tokens",
        ("id", "name", "user", "created", "last used", "expires", "revoked"),
        [
            (
                t.id,
                t.name,
                t.username,
                *(_when(at, zone) for at in (t.created_at, t.last_used_at, t.expires_at, t.revoked_at)),
            )
            for t in tokens
        ],
    )


def audit_table(entries: Iterable[AuditEntry], zone: tzinfo = UTC) -> Table:
    return render_rows(
        "Audit trail",
        ("at", "what", "user", "address", "detail"),
        [(_when(e.at, zone), e.kind, e.username or "", e.address or "", e.detail) for e in entries],
    )
