"""Purchase orders from the command line: `lotledger po create`, `list`, `show`, `receive`, `cancel`, `close`.

A line is one quoted value, so that an order of several lines stays one readable command:
the required words first, then `name=value` for what is optional.

    lotledger po create MILLCO --line "FLOUR 10 t expected=2026-12-01" --line "SALT 200 kg" --tolerance 5
    lotledger po receive PO-00042 --location RAW --line "FLOUR F-20001 5000 kg supplier_lot=MIL123 expiry=2027-06-30"
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from lotledger.cli.common import DbOption, Format, FormatOption, _app, _local_admin, _print_json, _show, app, console

if TYPE_CHECKING:
    from lotledger.bootstrap import App
    from lotledger.domain.purchasing import OrderReport

orders = typer.Typer(help="Purchase orders and receipts against them.", no_args_is_help=True)
app.add_typer(orders, name="po")

Number = Annotated[str, typer.Argument(help="The order's number, e.g. PO-00042.")]
ORDER_LINE = 'ITEM QTY [UOM] [expected=YYYY-MM-DD], quoted: "FLOUR 10 t expected=2026-12-01". Repeat for more lines.'
RECEIPT_LINE = (
    'ITEM LOT QTY [UOM] [supplier_lot=X] [expiry=YYYY-MM-DD], quoted: "FLOUR F-20001 5000 kg supplier_lot=MIL123". '
    "Repeat for more lots."
)


def parse_line(text: str, words: tuple[str, ...], options: tuple[str, ...], flag: str) -> dict[str, Any]:
    """One --line: `words` in order (the last, the unit, may be left out), then name=value options."""
    named = [part for part in text.split() if "=" in part]
    plain = [part for part in text.split() if "=" not in part]
    if not len(words) - 1 <= len(plain) <= len(words):
        raise typer.BadParameter(f"{text!r}: expected {' '.join(words)} then name=value", param_hint=flag)
    line: dict[str, Any] = dict(zip(words, plain, strict=False))
    for part in named:
        name, value = part.split("=", 1)
        if name not in options:
            raise typer.BadParameter(f"{text!r}: {name!r} is not one of {', '.join(options)}", param_hint=flag)
        line[name] = value
    return line


def _present(ledger_app: App, report: OrderReport, format: Format) -> None:
    from lotledger.render_purchasing import order_tables

    if format is Format.json:
        _print_json(report)
    else:
        _show(*order_tables(report, ledger_app.settings.zone))


@orders.command("create")
def po_create(
    supplier: Annotated[str, typer.Argument(help="The supplier's partner code.")],
    line: Annotated[list[str], typer.Option("--line", help=ORDER_LINE)],
    tolerance: Annotated[str, typer.Option(help="Over/under-delivery tolerance in percent.")] = "0",
    number: Annotated[str | None, typer.Option(help="The order's own number (default: the next PO-nnnnn).")] = None,
    note: Annotated[str | None, typer.Option(help="A note for the receivers.")] = None,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Create a purchase order (as the planner: the command line administers the database)."""
    lines = [parse_line(text, ("item", "qty", "uom"), ("expected",), "--line") for text in line]
    document: dict[str, Any] = {"supplier": supplier, "lines": lines, "tolerance": tolerance}
    if number is not None:
        document["number"] = number
    if note is not None:
        document["note"] = note
    with _app(db) as ledger_app:
        _present(ledger_app, ledger_app.purchasing.create(document, _local_admin("cli:po")), format)


@orders.command("list")
def po_list(
    status: Annotated[str | None, typer.Option(help="open, 'partly received', received, done or cancelled.")] = None,
    supplier: Annotated[str | None, typer.Option(help="Only this supplier's orders.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many, newest first.")] = 50,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Purchase orders, newest first, with what came of each line and the status the ledger gives them."""
    from lotledger.render_purchasing import orders_table

    with _app(db) as ledger_app:
        found = ledger_app.purchasing.orders(status, supplier, limit)
        zone = ledger_app.settings.zone
    if format is Format.json:
        _print_json(found)
    else:
        _show(orders_table(found, zone))


@orders.command("show")
def po_show(number: Number, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """An order: each line's ordered, received and open quantity, the lots that came, its receive events."""
    with _app(db) as ledger_app:
        _present(ledger_app, ledger_app.purchasing.show(number), format)


@orders.command("receive")
def po_receive(
    number: Number,
    location: Annotated[str, typer.Option(help="Where it arrived (a location code).")],
    line: Annotated[list[str], typer.Option("--line", help=RECEIPT_LINE)],
    supplier_lot: Annotated[
        str | None, typer.Option(help="The supplier's lot code, for every line that names none.")
    ] = None,
    expiry: Annotated[
        str | None, typer.Option(help="Best before (YYYY-MM-DD), for every line that names none.")
    ] = None,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Receive against an order: a receive event with the order's number and supplier; refused beyond a line's
    tolerance, for an item not on the order, or on a cancelled or closed order."""
    lines = [parse_line(text, ("item", "lot", "qty", "uom"), ("supplier_lot", "expiry"), "--line") for text in line]
    for entry in lines:
        if supplier_lot is not None:
            entry.setdefault("supplier_lot", supplier_lot)
        if expiry is not None:
            entry.setdefault("expiry", expiry)
    with _app(db) as ledger_app:
        recorded, report = ledger_app.purchasing.receive(
            number, {"location": location, "lines": lines}, _local_admin("cli:po")
        )
        if format is Format.table:
            console.print(f"recorded receipt {recorded.id} against {number}")
        _present(ledger_app, report, format)


@orders.command("cancel")
def po_cancel(
    number: Number,
    reason: Annotated[str, typer.Option(help="Why the order is cancelled.")],
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Cancel an order nothing was received on (one with receipts is closed short instead)."""
    with _app(db) as ledger_app:
        _present(ledger_app, ledger_app.purchasing.cancel(number, reason, _local_admin("cli:po")), format)


@orders.command("close")
def po_close(number: Number, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """Close an order short: it is done with what came and takes no more receipts."""
    with _app(db) as ledger_app:
        _present(ledger_app, ledger_app.purchasing.close(number, _local_admin("cli:po")), format)
