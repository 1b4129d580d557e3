"""Ledger commands: create, import, trace, balances, verify, back up and restore."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from lotledger.cli.common import (
    DEMO_PASSWORD,
    DEMO_USERS,
    FILE_FORMATS,
    DbOption,
    ForceOption,
    Format,
    FormatOption,
    ItemArgument,
    ListFormat,
    ListFormatOption,
    LotArgument,
    OutOption,
    _answer,
    _app,
    _as_file,
    _attribution,
    _closed_pipe,
    _local_admin,
    _print_json,
    _refuse,
    _show,
    _write_file,
    _write_list,
    app,
    console,
    errors,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from lotledger.bootstrap import App
    from lotledger.domain.model import LotKey
    from lotledger.domain.trace import BackwardTrace, ForwardRows
    from lotledger.interchange.jsonl import Line
    from lotledger.interchange.tables import Table
    from lotledger.services.importing import ImportReport
    from lotledger.services.verification import Verdict


@app.command()
def init(db: DbOption = None) -> None:
    """Create the database (or bring its schema up to date)."""
    with _app(db) as ledger_app:
        console.print(f"Database ready: {ledger_app.settings.db_url}")


def _run_import(ledger_app: App, lines: Iterator[Line], total: int, client: str, unit: str = "line") -> ImportReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from lotledger.services.importing import import_lines

    columns = (TextColumn("[bold]importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(
        *columns, console=errors, transient=False, disable=not errors.is_terminal and "CI" in os.environ
    ) as bar:
        task = bar.add_task("import", total=total)
        done = 0

        def advance(lines: int) -> None:
            nonlocal done
            done += lines
            if done > total:  # more lines than expected (records an EPCIS event creates): the bar stays true
                bar.update(task, total=done)
            bar.advance(task, lines)

        return import_lines(
            ledger_app.recording,
            ledger_app.master_data,
            lines,
            _attribution(client),
            advance,
            ledger_app.refresh_statistics,
            unit,
        )


def _report(report: ImportReport, dry_run: bool = False) -> None:
    would = "dry run, nothing written: would be " if dry_run else ""
    console.print(
        f"{would}{report.events} events stored, {report.duplicates} already recorded, "
        f"{report.master} master-data records saved ({report.master_unchanged} unchanged), "
        f"{report.refused} {report.unit}s refused",
        highlight=False,
    )
    from rich.markup import escape

    if report.created:
        console.print(escape("Created: " + ", ".join(f"{kind} {code}" for kind, code in report.created)))
    for error in report.errors[:50]:
        errors.print(f"[red]{escape(str(error))}[/red]", highlight=False)
    if report.refused > 50:
        errors.print(f"... and {report.refused - 50} more")


@app.command()
def demo(
    db: DbOption = None,
    scale: Annotated[int | None, typer.Option(help="Generate about this many events (for benchmarks).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the generated plant.")] = 7,
    recent: Annotated[
        bool,
        typer.Option("--recent", help="Date the plant to end an hour ago (fresh stock today), not in January 2026."),
    ] = False,
) -> None:
    """Load a demo bakery: suppliers, raw lots, dough, bread, pallets, customers."""
    from lotledger import demo as demo_plant
    from lotledger.interchange.jsonl import Line, parse_record

    cycles = demo_plant.cycles_for(scale) if scale else 40
    start = demo_plant.recent_start(cycles, datetime.now(UTC)) if recent else None
    records = list(demo_plant.plant(cycles, seed, start))
    with _app(db) as ledger_app:
        lines = (Line(n, parse_record(raw)) for n, raw in enumerate(records, start=1))
        report = _run_import(ledger_app, lines, len(records), "cli:demo")
        _report(report)
        if not ledger_app.purchasing.orders(limit=1):  # a second `demo` on the same database adds none
            for order in demo_plant.purchase_orders(datetime.now(ledger_app.settings.zone).date()):
                ledger_app.purchasing.create(order, _local_admin("cli:demo"))
            console.print("Purchase orders: PO-00001 received, PO-00002 partly received, one more open")
        from lotledger import demo_production

        if demo_production.load(ledger_app, cycles, _local_admin("cli:demo")):
            console.print("Recipes for DOUGH, BREAD and BREAD-W; work orders: lotledger wo list")
        from lotledger import demo_selling

        today = datetime.now(ledger_app.settings.zone).date()
        if demo_selling.load(ledger_app, cycles, today, _local_admin("cli:demo")):
            console.print("Sales orders: one shipped, one open with its pick list: lotledger so list")
        known = {u.username for u in ledger_app.accounts.users()}
        for username, role in DEMO_USERS:
            if username not in known:
                ledger_app.accounts.add_user(username, DEMO_PASSWORD, role)
                console.print(
                    f"Demo account: user [bold]{username}[/bold], password [bold]{DEMO_PASSWORD}[/bold] ({role})"
                )
        console.print("Try: [bold]lotledger trace BREAD-W W-0001 --both[/bold]  or  lotledger trace SALT S-HUB --down")


@app.command(name="import")
def import_file(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="JSON Lines, EPCIS 2.0 JSON-LD, CSV or XLSX of events and master data (told by content).",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every line against the ledger's rules and write nothing.")
    ] = False,
    type: Annotated[str | None, typer.Option("--type", help="The type of every row of a CSV (e.g. receive).")] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="A TOML mapping file: column names, type, date format."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Import a file: bad lines (rows) are reported by number and column, good ones stored, re-runs add nothing."""
    from lotledger.interchange.epcis_in import DocumentLines
    from lotledger.interchange.formats import UNITS, read_file
    from lotledger.interchange.sheet_mapping import NO_MAPPING, load_mapping
    from lotledger.services.importing import read_options, rehearse_lines

    client = f"cli:import:{file.name}"
    with _app(db) as ledger_app, file.open("rb") as handle:
        chosen = load_mapping(mapping.read_bytes()) if mapping else NO_MAPPING
        kind, lines = read_file(handle, read_options(ledger_app.settings, ledger_app.master_data, type, chosen))
        unit = UNITS[kind]
        if dry_run:
            report = rehearse_lines(ledger_app.recording, ledger_app.master_data, lines, _attribution(client), unit)
        elif kind == "jsonl":  # streamed: a file of millions of lines is never held whole
            from contextlib import closing

            from lotledger.interchange.read_ahead import read_file_lines

            total = sum(1 for _ in handle)
            # a large file is read, validated and sealed in a second process while this one records
            with closing(read_file_lines(file)) as ahead:
                report = _run_import(ledger_app, ahead, total, client, unit)
        elif isinstance(lines, DocumentLines):  # EPCIS: checked whole, then read one event at a time
            report = _run_import(ledger_app, lines, lines.expected, client, unit)
        else:
            read = list(lines)
            report = _run_import(ledger_app, iter(read), len(read), client, unit)
    _report(report, dry_run)
    if report.errors:
        raise typer.Exit(1)


@app.command()
def template(
    type: Annotated[str, typer.Argument(help="A record type (receive, produce, ship, item...) or all.")],
    format: Annotated[str, typer.Option("--format", help="csv or xlsx.")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Write here (a CSV goes to the screen without it).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """An import template: lotledger's column names for a record type, with example rows that import as they are."""
    from lotledger.domain.errors import LotledgerError
    from lotledger.interchange.sheet_templates import file_name, template

    if format not in ("csv", "xlsx"):
        raise _refuse(f"--format: expected csv or xlsx, got {format!r}")
    chosen: Literal["csv", "xlsx"] = "csv" if format == "csv" else "xlsx"
    try:
        content = template(type, chosen)
    except LotledgerError as error:
        raise _refuse(str(error)) from None
    if out is None and chosen == "csv":
        console.print(content.decode(), end="", markup=False, highlight=False)
        return
    _write_file(out or Path(file_name(type, chosen)), content, force)


@app.command()
def trace(
    item: Annotated[str, typer.Argument(help="The item's sku.")],
    lot: Annotated[str, typer.Argument(help="The lot code.")],
    up: Annotated[bool, typer.Option("--up", help="Backward: where it came from.")] = False,
    down: Annotated[bool, typer.Option("--down", help="Forward: where it went.")] = False,
    both: Annotated[bool, typer.Option("--both", help="Both directions.")] = False,
    depth: Annotated[int, typer.Option(help="Stop this many production steps away.")] = 256,
    summary: Annotated[
        bool, typer.Option("--summary", help="Forward in totals: lots per item, customers, stock (fast for any lot).")
    ] = False,
    db: DbOption = None,
    format: ListFormatOption = ListFormat.table,
    out: OutOption = None,
    force: ForceOption = False,
) -> None:
    """Trace a lot backward (--up), forward (--down) or both (--both).

    As csv or xlsx, one table: a row per lot reached, genealogy edge, receipt, shipment and stock line."""
    from lotledger.domain.model import LotKey

    key = LotKey(item, lot)
    if summary and format in FILE_FORMATS:
        raise _refuse(f"--summary is totals, not a list: use --format table or json, or drop --summary for {format}")
    up, down = up or both or not (up or down or summary), down or both
    with _app(db) as ledger_app:
        backward = ledger_app.queries.backward(key, depth) if up else None
        totals = ledger_app.queries.forward_summary(key) if summary else None
        if format is not ListFormat.table and down and not summary:
            # Written as the forward trace is read: a hub lot's millions of lots are never records.
            with ledger_app.queries.forward_rows(key, depth) as rows:
                _write_trace(key, backward, rows, format, out, force)
            return
        forward = ledger_app.queries.forward(key, depth) if down and not summary else None
    if _as_file(format, out):
        from lotledger.interchange import lists as listing

        _write_list(listing.trace_table(key, backward, None), format, out, force)
        return
    if format is ListFormat.json:
        _print_json({"lot": key, "backward": backward, "forward": None, "forward_summary": totals})
        return
    from lotledger.render import backward_table, forward_tables, summary_table

    zone = ledger_app.settings.zone
    if totals is not None:
        _show(summary_table(totals))
    if backward is not None:
        _show(backward_table(backward, zone))
    if forward is not None:
        _show(*forward_tables(forward, zone))


def _write_trace(
    key: LotKey, backward: BackwardTrace | None, rows: ForwardRows, format: ListFormat, out: Path | None, force: bool
) -> None:
    """The trace as JSON or one table (CSV, XLSX), the forward part written from its rows as they come."""
    from lotledger.interchange import lists as listing
    from lotledger.interchange.trace_out import ForwardJson

    if _as_file(format, out):
        _write_list(listing.trace_table(key, backward, rows), format, out, force)
        return
    try:
        _print_json({"lot": key, "backward": backward, "forward": ForwardJson(rows), "forward_summary": None})
    except BrokenPipeError:
        raise _closed_pipe() from None


def _lot_list(
    name: str,
    ask: Callable[[App, LotKey], Any],
    sheet: Callable[[LotKey, Any], Table],
    shown: Callable[[ModuleType, LotKey, Any, tzinfo], RenderableType],
    help: str,
) -> None:
    """Register `lotledger NAME SKU LOT`: one lot's list (`ask`) as a table, JSON, CSV or XLSX."""

    def command(
        item: ItemArgument,
        lot: LotArgument,
        db: DbOption = None,
        format: ListFormatOption = ListFormat.table,
        out: OutOption = None,
        force: ForceOption = False,
    ) -> None:
        from lotledger.domain.model import LotKey

        key = LotKey(item, lot)
        with _app(db) as ledger_app:
            found = ask(ledger_app, key)
        if _as_file(format, out):
            _write_list(sheet(key, found), format, out, force)
            return
        _answer(found, format, lambda render: shown(render, key, found, ledger_app.settings.zone))

    app.command(name=name, help=help)(command)


def _listing() -> ModuleType:
    from lotledger.interchange import lists

    return lists


_lot_list(
    "history",
    lambda ledger_app, key: ledger_app.queries.history(key),
    lambda key, entries: _listing().history_table(key, entries),
    lambda render, key, entries, zone: render.history_table(key, entries, zone),
    "Every event that touched a lot, in time order; voided ones marked.",
)


@app.command()
def balance(
    location: Annotated[str | None, typer.Option(help="A location code (includes everything under it).")] = None,
    item: Annotated[str | None, typer.Option(help="An item's sku.")] = None,
    lot: Annotated[str | None, typer.Option(help="A lot code.")] = None,
    db: DbOption = None,
    format: ListFormatOption = ListFormat.table,
    out: OutOption = None,
    force: ForceOption = False,
) -> None:
    """Stock on hand now, by lot, location and container."""
    with _app(db) as ledger_app:
        lines = ledger_app.queries.balances(location=location, sku=item, lot=lot)
    if _as_file(format, out):
        from lotledger.interchange import lists as listing

        _write_list(listing.balances_table(lines, location, item, lot), format, out, force)
        return
    _answer(lines, format, lambda render: render.balance_table(lines))


@app.command()
def massbalance(item: ItemArgument, lot: LotArgument, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """In, out, adjustments and on hand of a lot, and whether they add up."""
    from lotledger.domain.model import LotKey

    with _app(db) as ledger_app:
        result = ledger_app.queries.mass_balance(LotKey(item, lot))
    _answer(result, format, lambda render: render.mass_balance_table(result))


_lot_list(
    "exposure",
    lambda ledger_app, key: ledger_app.queries.exposure(key),
    lambda _, result: _listing().exposure_table(result),
    lambda render, _, result, zone: render.exposure_table(result),
    "How much of a lot reached each downstream lot and each customer (proportional attribution).",
)


@app.command()
def verify(
    head: Annotated[
        str | None,
        typer.Option(help="A head printed by an earlier verify (POSITION:HASH): the chain must still pass it."),
    ] = None,
    replay: Annotated[
        bool, typer.Option(help="Also replay every event and compare the stock, holds, voids, genealogy.")
    ] = True,
    db: DbOption = None,
) -> None:
    """Check the record is intact: the hash chain over every event, and every projection against a replay.

    Exit code 0 when intact, 3 when something was changed behind the ledger's back (the first break is named)."""
    from lotledger.domain.chain import Head

    try:
        expected = Head.parse(head) if head else None
    except ValueError as error:
        errors.print(f"[red]error:[/red] --head: {error}")
        raise typer.Exit(2) from None
    with _app(db) as ledger_app:
        verdict = ledger_app.verification.verify(expected, replay=replay)
    _verdict(verdict, replay)


def _verdict(verdict: Verdict, replay: bool = True) -> None:
    """Print what verification found; exit 3 unless the record is intact."""
    console.print(f"{verdict.events} events in the chain; head {verdict.head}", highlight=False)
    if verdict.chain_break is not None:
        errors.print(f"[red]chain broken at {verdict.chain_break}[/red]", highlight=False)
    if verdict.head_mismatch is not None:
        errors.print(f"[red]head on record not reached: {verdict.head_mismatch}[/red]", highlight=False)
    for difference in verdict.differences:
        errors.print(f"[red]{difference}[/red]", highlight=False)
    if not verdict.intact:
        raise typer.Exit(3)
    if replay:
        console.print(f"intact: {verdict.replayed} events replayed; stock, holds, voids and genealogy agree")
    else:
        console.print("intact: every link holds (projections not replayed)")


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="A new file for the backup (never overwritten).", dir_okay=False)],
    db: DbOption = None,
) -> None:
    """Back the database up while it is in use (SQLite online backup, pg_dump), then verify the copy.

    Never copy lotledger.db by hand while the server runs: events still in its write-ahead log would be missing."""
    with _app(db) as ledger_app:
        verdict = ledger_app.backups.backup(file)
    console.print(f"backup written to {file}", highlight=False)
    _verdict(verdict)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by lotledger backup.", exists=True, dir_okay=False)],
    yes: Annotated[bool, typer.Option("--yes", help="Replace the database's contents without asking.")] = False,
    db: DbOption = None,
) -> None:
    """Replace the database with a backup (stop the server first), then verify what is now there."""
    if not yes and not typer.confirm(f"Replace everything in the database with {file}?"):
        raise typer.Exit(1)
    with _app(db) as ledger_app:
        verdict = ledger_app.backups.restore(file)
    console.print(f"restored from {file}", highlight=False)
    _verdict(verdict)
