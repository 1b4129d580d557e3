"""Lists as spreadsheets (`--format csv|xlsx` on history, balance, trace, exposure, events), and `lotledger events`."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from lotledger.cli.common import (
    DbOption,
    ForceOption,
    ListFormat,
    ListFormatOption,
    OutOption,
    _app,
    _print_json,
    _progress,
    _refuse,
    _replacing,
    _show,
    _writable,
    app,
    console,
)

if TYPE_CHECKING:
    from lotledger.interchange.tables import Table

FILE_FORMATS = (ListFormat.csv, ListFormat.xlsx)


def write_list(table: Table, format: ListFormat, out: Path | None, force: bool, total: int | None = None) -> None:
    """Write `table` as CSV or XLSX: to --out (whole or not at all, with a progress bar on a terminal)
    or down stdout (CSV, or XLSX into a pipe)."""
    from lotledger.interchange.tables import csv_chunks, write_xlsx

    to_stdout = out is None or str(out) == "-"
    if format is ListFormat.xlsx and out is None:
        raise _refuse("--format xlsx writes a file: give --out FILE (or --out - into a pipe)")
    if format is ListFormat.xlsx and to_stdout and sys.stdout.isatty():
        raise _refuse("an XLSX file is not for a terminal; give --out FILE or redirect stdout")
    target = None if to_stdout or out is None else _writable(out, force)

    def write(handle: IO[bytes], shown: Table) -> None:
        if format is ListFormat.xlsx:
            write_xlsx(shown, handle)
            return
        for chunk in csv_chunks(shown):
            handle.write(chunk)
            handle.flush()

    try:
        if target is None:
            write(sys.stdout.buffer, table)
            sys.stdout.buffer.flush()
            return
        with _replacing(target, force) as handle:
            write(handle, dataclasses.replace(table, rows=_progress(table.rows, total)))
    except OSError as error:  # a full disk, a closed pipe: one line, and no half file left
        raise _refuse(f"cannot write {out}: {error.strerror or error}") from None
    console.print(f"wrote {target}")


@app.command()
def events(
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD, in the plant's zone.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD, included.")] = None,
    lot: Annotated[
        tuple[str, str] | None, typer.Option("--lot", metavar="SKU LOT", help="Only events touching this lot.")
    ] = None,
    item: Annotated[str | None, typer.Option("--item", help="Only events touching this item's lots.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="Only this type of event (receive, ship ...).")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Only events at this location.")] = None,
    db: DbOption = None,
    format: ListFormatOption = ListFormat.table,
    out: OutOption = None,
    force: ForceOption = False,
) -> None:
    """The event log in recording order, filtered: as a table, JSON, CSV or XLSX."""
    from lotledger.domain.fields import calendar_date
    from lotledger.domain.records import EventFilter
    from lotledger.interchange.lists import events_table
    from lotledger.services.queries import day_range

    if lot is not None and item is not None and item != lot[0]:
        raise _refuse(f"item: {item!r} is not the item of --lot {lot[0]} {lot[1]}")
    with _app(db) as ledger_app:
        zone = ledger_app.settings.zone
        since, until = day_range(calendar_date(start, "from"), calendar_date(end, "to"), zone)
        sku = lot[0] if lot is not None else item
        where = EventFilter(type or None, since, until, sku, lot[1] if lot else None, location)
        if format in FILE_FORMATS:
            write_list(events_table(ledger_app.queries.event_log(where)), format, out, force)
            return
        found = list(ledger_app.queries.event_log(where))
    if format is ListFormat.json:
        _print_json(found)
        return
    from lotledger.render import events_table as shown

    _show(shown("Events", found, zone))
