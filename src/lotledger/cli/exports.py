"""`lotledger export fsma204`: FSMA 204's electronic sortable spreadsheet as XLSX or CSV."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, TypeVar

import typer

from lotledger.cli.common import (
    DbOption,
    FromDayOption,
    LotPairOption,
    ToDayOption,
    _app,
    _closed_pipe,
    _progress,
    _refuse,
    _replacing,
    _show,
    _writable,
    app,
    console,
    errors,
)

if TYPE_CHECKING:
    from lotledger.domain.fsma204 import Row
    from lotledger.services.fsma204 import Export

exports = typer.Typer(help="Export records for inspectors and partners.", no_args_is_help=True)
app.add_typer(exports, name="export")
T = TypeVar("T")


class SheetFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@exports.command()
def fsma204(
    format: Annotated[SheetFormat, typer.Option("--format", help="xlsx: a sheet per CTE; csv: one table.")],
    out: Annotated[str, typer.Option("--out", help="The file to write; - for stdout (CSV, or XLSX into a pipe).")],
    start: FromDayOption = None,
    end: ToDayOption = None,
    lot: LotPairOption = None,
    item: Annotated[str | None, typer.Option("--item", help="Only this item (FTL or not).")] = None,
    all_items: Annotated[
        bool, typer.Option("--all-items", help="Every item, not only those on the Food Traceability List.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    db: DbOption = None,
) -> None:
    """FSMA 204 sortable spreadsheet: receipts, shipments and transformations with their KDEs and what is missing.

    Without --item, --lot or --all-items it covers the items flagged as on FDA's Food Traceability List."""
    from lotledger.domain.fields import calendar_date
    from lotledger.domain.model import LotKey

    with _app(db) as ledger_app:
        service = ledger_app.fsma204
        chosen = service.select(
            calendar_date(start, "from"),
            calendar_date(end, "to"),
            item,
            None if lot is None else LotKey(*lot),
            all_items,
        )
        to_stdout = out == "-"
        if to_stdout and format is SheetFormat.xlsx and sys.stdout.isatty():
            errors.print("[red]error:[/red] an XLSX file is not for a terminal; give --out FILE or redirect stdout")
            raise typer.Exit(1)
        target = None if to_stdout else _writable(Path(out), force)
        export = service.export(chosen)
        rows = _with_progress(export.rows(), export.total)
        try:
            if target is None:
                _write(export, rows, format, sys.stdout.buffer)
            else:
                with _replacing(target, force) as handle:
                    _write(export, rows, format, handle)
        except BrokenPipeError:
            raise _closed_pipe() from None
        except OSError as error:  # a full disk: one line, and no half file left
            raise _refuse(f"cannot write {out}: {error.strerror or error}") from None
    _summary(export, None if target is None else target)


def _write(export: Export, rows: Iterator[Row], format: SheetFormat, handle: IO[bytes]) -> None:
    from lotledger.interchange.fsma204 import csv_lines, write_xlsx

    if format is SheetFormat.xlsx:
        write_xlsx(export, rows, handle)
        return
    for chunk in csv_lines(rows):
        handle.write(chunk.encode())
        handle.flush()


def _with_progress(things: Iterable[T], total: Callable[[], int]) -> Iterator[T]:
    """`things` (rows, events), advancing a progress bar on stderr when it is a terminal (`total` asked only then)."""
    return _progress(things, total() if errors.is_terminal else None)


def _summary(export: Export, target: Path | None) -> None:
    """Rows and completeness per CTE: on stdout, or on stderr when stdout carried the file."""
    from lotledger.domain.fsma204 import share
    from lotledger.render import render_rows, show

    figures = export.completeness.figures()
    table = render_rows(
        "FSMA 204 export",
        ["CTE", "rows", "complete", "rows complete", "KDE cells filled"],
        [
            (cte, rows, done, share(done, rows), f"{filled}/{required} ({share(filled, required)})")
            for cte, rows, done, required, filled in figures
        ],
    )
    if target is None:
        show(errors, table)
    else:
        _show(table)
        console.print(f"wrote {target}")
    if export.selection.ftl_only and not export.ftl_items:
        errors.print("no item is flagged as on the Food Traceability List (ftl): name --item, --lot or --all-items")


@exports.command()
def epcis(
    out: Annotated[str, typer.Option("--out", help="The file to write; - for stdout.")],
    start: FromDayOption = None,
    end: ToDayOption = None,
    lot: Annotated[
        tuple[str, str] | None,
        typer.Option("--lot", metavar="SKU LOT", help="Only the events of this lot's backward and forward trace."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    db: DbOption = None,
) -> None:
    """GS1 EPCIS 2.0 document (JSON-LD) of the ledger's events, with the master data they use (docs/epcis.md)."""
    from lotledger.domain.fields import calendar_date
    from lotledger.domain.model import LotKey

    with _app(db) as ledger_app:
        service = ledger_app.epcis_export
        chosen = service.select(
            calendar_date(start, "from"), calendar_date(end, "to"), None if lot is None else LotKey(*lot)
        )
        target = None if out == "-" else _writable(Path(out), force)
        document = service.export(chosen)
        chunks = document.chunks(_with_progress(document.entries(), document.total))
        try:
            if target is None:
                for chunk in chunks:
                    sys.stdout.write(chunk)
                sys.stdout.flush()
            else:
                with _replacing(target, force) as handle:
                    for chunk in chunks:
                        handle.write(chunk.encode())
        except BrokenPipeError:
            raise _closed_pipe() from None
        except OSError as error:  # a full disk: one line, and no half file left
            raise _refuse(f"cannot write {out}: {error.strerror or error}") from None
    summary = f"{document.written} events" + ("" if target is None else f"; wrote {target}")
    (errors if target is None else console).print(summary)
