"""Sales orders from the command line: `lotledger so create`, `list`, `show`, `pick`, `ship`, `note`.

lotledger so create SHOP --line "BREAD 40 ea requested=2026-12-01" --min-shelf-days 5
lotledger so pick SO-00001
lotledger so ship SO-00001 --location FG --line "BREAD B-1 30 ea" --container 106141412345678908
lotledger so note SO-00001 --out SO-00001.pdf
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from lotledger.cli.common import DbOption, Format, FormatOption, _app, _local_admin, _print_json, _show, app, console
from lotledger.cli.purchasing import parse_line

if TYPE_CHECKING:
    from lotledger.domain.selling import SalesReport, SalesSummary

orders = typer.Typer(help="Sales orders: FEFO pick lists, shipments, delivery notes.", no_args_is_help=True)
app.add_typer(orders, name="so")

Number = Annotated[str, typer.Argument(help="The order's number, e.g. SO-00042.")]
ORDER_LINE = 'ITEM QTY [UOM] [requested=YYYY-MM-DD], quoted: "BREAD 40 ea requested=2026-12-01". Repeat for more.'
SHIP_LINE = 'ITEM LOT QTY [UOM], quoted: "BREAD B-1 30 ea". Repeat for more lots.'


def _lines_table(orders: list[SalesSummary] | list[SalesReport]) -> Table:
    from lotledger.domain.quantities import format_qty  # pint: only when a table is drawn

    table = Table("Order", "Customer", "Status", "Line", "Item", "Ordered", "Shipped", "Open", title="Sales orders")
    for summary in orders:
        for p in summary.lines:
            unit = p.line.base_uom
            table.add_row(summary.order.number, summary.order.customer, summary.status, str(p.line.line),
                          p.line.item, f"{format_qty(p.line.ordered)} {unit}", f"{format_qty(p.shipped)} {unit}",
                          f"{format_qty(p.open)} {unit}")  # fmt: skip
    return table


def _pick_table(report: SalesReport) -> Table:
    from lotledger.domain.quantities import format_qty  # pint: only when a table is drawn

    headers = ("Line", "Item", "Lot", "Location", "SSCC", "Take", "Best before", "Skipped because")
    table = Table(*headers, title="Pick list")
    for pick in report.pick_list:
        line = pick.line
        for chosen in pick.suggestion.picks:
            stock = chosen.stock
            expiry = stock.expiry.isoformat() if stock.expiry else ""
            table.add_row(str(line.line), line.item, stock.lot, stock.location, stock.container,
                          f"{format_qty(chosen.take)} {line.base_uom}", expiry, "")  # fmt: skip
        for passed in pick.suggestion.skipped:
            stock = passed.stock
            expiry = stock.expiry.isoformat() if stock.expiry else ""
            table.add_row(str(line.line), line.item, stock.lot, stock.location, stock.container, "", expiry,
                          passed.why)  # fmt: skip
        if pick.suggestion.short:
            table.add_row(str(line.line), line.item, "", "", "", f"short {format_qty(pick.suggestion.short)}", "", "")
    return table


def _lots_table(report: SalesReport) -> Table:
    from lotledger.domain.quantities import format_qty  # pint: only when a table is drawn

    table = Table("Item", "Lot", "Quantity", "Best before", "SSCC", title="Shipped")
    for lot in report.lots:
        expiry = lot.expiry.isoformat() if lot.expiry else ""
        table.add_row(lot.item, lot.lot, f"{format_qty(lot.qty)} {lot.uom}", expiry, lot.sscc)
    return table


def _present(report: SalesReport, format: Format) -> None:
    if format is Format.json:
        _print_json(report)
    else:
        _show(_lines_table([report]), _pick_table(report), _lots_table(report))


@orders.command("create")
def so_create(
    customer: Annotated[str, typer.Argument(help="The customer's partner code.")],
    line: Annotated[list[str], typer.Option("--line", help=ORDER_LINE)],
    min_shelf_days: Annotated[int, typer.Option(min=0, help="Days a lot must have left at the requested date.")] = 0,
    number: Annotated[str | None, typer.Option(help="The order's own number (default: the next SO-nnnnn).")] = None,
    note: Annotated[str | None, typer.Option(help="A note for the pickers.")] = None,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Create a sales order (as the planner: the command line administers the database)."""
    lines = [parse_line(text, ("item", "qty", "uom"), ("requested",), "--line") for text in line]
    document: dict[str, Any] = {"customer": customer, "lines": lines, "min_shelf_days": min_shelf_days}
    if number is not None:
        document["number"] = number
    if note is not None:
        document["note"] = note
    with _app(db) as ledger_app:
        _present(ledger_app.selling.create(document, _local_admin("cli:so")), format)


@orders.command("list")
def so_list(
    status: Annotated[str | None, typer.Option(help="open, 'partly shipped', shipped, done or cancelled.")] = None,
    customer: Annotated[str | None, typer.Option(help="Only this customer's orders.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many, newest first.")] = 50,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Sales orders, newest first, with what went out of each line and the status the ledger gives them."""
    with _app(db) as ledger_app:
        found = ledger_app.selling.orders(status, customer, limit)
    if format is Format.json:
        _print_json(found)
    else:
        _show(_lines_table(found))


@orders.command("show")
def so_show(number: Number, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """An order: each line's ordered, shipped and open quantity, the pick list, the lots shipped."""
    with _app(db) as ledger_app:
        _present(ledger_app.selling.show(number), format)


@orders.command("pick")
def so_pick(number: Number, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """The pick list: lots first expired first out, past held, expired and too-short lots, for what is open."""
    with _app(db) as ledger_app:
        report = ledger_app.selling.show(number)
    if format is Format.json:
        _print_json(report.pick_list)
    else:
        _show(_pick_table(report))


@orders.command("ship")
def so_ship(
    number: Number,
    location: Annotated[str, typer.Option(help="Where it leaves from (a location code).")],
    line: Annotated[list[str] | None, typer.Option("--line", help=SHIP_LINE)] = None,
    container: Annotated[list[str] | None, typer.Option("--container", help="A whole pallet, by SSCC.")] = None,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Ship against an order: a ship event with the order's number and customer; a lot the order cannot take
    (not on it, held, expired, too short a shelf life, more than open) is refused with why."""
    lines = [parse_line(text, ("item", "lot", "qty", "uom"), (), "--line") for text in line or []]
    with _app(db) as ledger_app:
        document = {"location": location, "lines": lines, "containers": container or []}
        recorded, report = ledger_app.selling.ship(number, document, _local_admin("cli:so"))
        if format is Format.table:
            console.print(f"recorded shipment {recorded.id} against {number}")
        _present(report, format)


@orders.command("note")
def so_note(
    number: Number,
    out: Annotated[Path, typer.Option(help="Where to write the PDF.")],
    db: DbOption = None,
) -> None:
    """Write the delivery note PDF: the order, the customer's address, lots, best-before dates, SSCCs."""
    with _app(db) as ledger_app:
        out.write_bytes(ledger_app.selling.delivery_note(number))
    console.print(f"wrote {out}")
