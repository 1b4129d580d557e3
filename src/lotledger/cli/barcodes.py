"""GS1 barcodes: scan, print lot and pallet labels, allocate SSCCs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lotledger.cli.common import (
    DbOption,
    Format,
    FormatOption,
    _app,
    _local_admin,
    _print_json,
    _show,
    _write_file,
    app,
    console,
)

if TYPE_CHECKING:
    pass


# --- GS1 barcodes -----------------------------------------------------------------

labels = typer.Typer(
    help="Print labels: lots (GS1-128, DataMatrix, Digital Link QR) and pallets (SSCC).", no_args_is_help=True
)
ssccs = typer.Typer(help="Serial Shipping Container Codes from your GS1 company prefix.", no_args_is_help=True)
app.add_typer(labels, name="label")
app.add_typer(ssccs, name="sscc")
LabelFormat = Annotated[str, typer.Option("--format", help="svg, png, pdf or zpl.")]
OutFile = Annotated[Path, typer.Option("--out", help="Where to write the label.", dir_okay=False)]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]


@app.command()
def scan(
    data: Annotated[str, typer.Argument(help="What the scanner sent (GS as <GS> or \\x1d, or the (01)... form).")],
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Read a barcode: what item, lot or pallet it names, its stock and status."""
    with _app(db) as ledger_app:
        found = ledger_app.barcodes.resolve_scan(data.replace("\\x1d", "\x1d"))
    if format is Format.json:
        _print_json(found)
        return
    from lotledger.interchange.jsonout import jsonable
    from lotledger.render import balance_table, render_rows

    facts = {k: v for k, v in jsonable(found.scan).items() if v is not None and k != "raw"}
    _show(render_rows("Scan", ("field", "value"), list(facts.items())))
    if found.item:
        console.print(f"item {found.item.sku}: {found.item.name}", markup=False, highlight=False)
    if found.lot:
        console.print(f"lot {found.lot.lot}: [bold]{found.status}[/bold], expiry {found.lot.expiry or '-'}")
    if found.stock:
        _show(balance_table(found.stock, "Stock now"))


@labels.command("lot")
def label_lot(
    item: str,
    lot: str,
    out: OutFile,
    symbol: Annotated[str, typer.Option(help="gs1-128, datamatrix or qr (GS1 Digital Link).")] = "gs1-128",
    format: LabelFormat = "svg",
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """A lot label: (01) GTIN, (10) lot, (17) expiry; items without a GTIN get their internal identity."""
    from lotledger.barcodes.render import render

    with _app(db) as ledger_app:
        content = render([ledger_app.barcodes.lot_label(item, lot, symbol)], format)
    _write_file(out, content, force)


@labels.command("pallet")
def label_pallet(
    sscc: str, out: OutFile, format: LabelFormat = "pdf", force: ForceOption = False, db: DbOption = None
) -> None:
    """A pallet label: the SSCC in GS1-128 and the contents (item, lot, quantity, best before)."""
    from lotledger.barcodes.render import render

    with _app(db) as ledger_app:
        content = render([ledger_app.barcodes.pallet_label(sscc)], format)
    _write_file(out, content, force)


@ssccs.command("allocate")
def sscc_allocate(
    count: Annotated[int, typer.Option(help="How many.")] = 1,
    prefix: Annotated[str | None, typer.Option(help="GS1 company prefix (default $LOTLEDGER_GS1_PREFIX).")] = None,
    extension: Annotated[
        str | None, typer.Option(help="Extension digit (default $LOTLEDGER_SSCC_EXTENSION or 0).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Allocate new SSCCs: never one handed out before, also with many allocating at once."""
    with _app(db) as ledger_app:
        for code in ledger_app.barcodes.allocate_ssccs(_local_admin("cli:sscc"), count, prefix, extension):
            console.print(code, highlight=False)
