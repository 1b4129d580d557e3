"""`lotledger events`: the event log, filtered, as a table, JSON, CSV or XLSX."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from lotledger.cli.common import (
    DbOption,
    ForceOption,
    FromDayOption,
    ListFormat,
    ListFormatOption,
    LotPairOption,
    OutOption,
    ToDayOption,
    _app,
    _as_file,
    _print_json,
    _refuse,
    _show,
    _write_list,
    app,
)

if TYPE_CHECKING:
    pass


@app.command()
def events(
    start: FromDayOption = None,
    end: ToDayOption = None,
    lot: LotPairOption = None,
    item: Annotated[str | None, typer.Option("--item", help="Only events touching this item's lots.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="Only this type of event (receive, ship ...).")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Only events at this location.")] = None,
    db: DbOption = None,
    format: ListFormatOption = ListFormat.table,
    out: OutOption = None,
    force: ForceOption = False,
) -> None:
    """The event log in recording order, filtered: as a table, JSON, CSV or XLSX."""
    from lotledger.domain.exchange import days
    from lotledger.domain.fields import calendar_date
    from lotledger.domain.records import EventFilter
    from lotledger.interchange.lists import events_table

    if lot is not None and item is not None and item != lot[0]:
        raise _refuse(f"item: {item!r} is not the item of --lot {lot[0]} {lot[1]}")
    with _app(db) as ledger_app:
        zone = ledger_app.settings.zone
        since, until = days(zone, calendar_date(start, "from"), calendar_date(end, "to"))
        sku = lot[0] if lot is not None else item
        where = EventFilter(type or None, since, until, sku, lot[1] if lot else None, location)
        if _as_file(format, out):
            _write_list(events_table(ledger_app.queries.event_log(where)), format, out, force)
            return
        if format is ListFormat.json:  # streamed: the log is read a page at a time as it is written
            _print_json(ledger_app.queries.event_log(where))
            return
        found = list(ledger_app.queries.event_log(where))
    from lotledger.render import events_table as shown

    _show(shown("Events", found, zone))
