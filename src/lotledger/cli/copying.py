"""`lotledger copy`: the whole ledger into another database (SQLite to PostgreSQL or back), verified."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lotledger.cli.common import DbOption, _app, app, console, errors

if TYPE_CHECKING:
    from lotledger.services.copying import CopyReport


class _Lines:
    """Progress as plain lines on stderr (a log, a pipe): each step and table, and every 10 s a count."""

    def __init__(self) -> None:
        self.started = self.shown = time.monotonic()
        self.name, self.total, self.done = "", 0, 0

    def _print(self, text: str) -> None:
        errors.print(f"{time.monotonic() - self.started:8.1f} s  {text}", highlight=False)

    def step(self, doing: str) -> None:
        self._print(doing)

    def table(self, name: str, rows: int) -> None:
        self.name, self.total, self.done, self.shown = name, rows, 0, time.monotonic()
        self._print(f"copying {name}: {rows:,} rows")

    def advance(self, rows: int) -> None:
        self.done += rows
        if time.monotonic() - self.shown >= 10:
            self.shown = time.monotonic()
            self._print(f"  {self.name}: {self.done:,} of {self.total:,} rows")


class _Bars:
    """Progress on a terminal: a Rich progress bar per table, in rows."""

    def __init__(self, bars: Any) -> None:
        self.bars, self.task = bars, None

    def step(self, doing: str) -> None:
        self.bars.console.print(doing, highlight=False)

    def table(self, name: str, rows: int) -> None:
        self.task = self.bars.add_task(name, total=rows)

    def advance(self, rows: int) -> None:
        self.bars.advance(self.task, rows)


@app.command(name="copy")
def copy_ledger(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="The database to copy into (postgresql://... or sqlite:///...): new or empty.",
            show_default=False,
        ),
    ],
    replay: Annotated[
        bool,
        typer.Option(
            "--replay", help="Also replay every event on the copy and compare stock, holds, genealogy (long)."
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Copy the whole ledger into another database (SQLite to PostgreSQL or back), then verify the copy.

    The source must be at this version's schema (lotledger init upgrades it); the target must hold no ledger.

    One transaction on the target: stopped or failed, the copy leaves it empty. Exit 3 names any difference."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with _app(db, migrate=False) as ledger_app:
        if errors.is_terminal:
            columns = (TextColumn("[bold]{task.description:<22}"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, TimeRemainingColumn(), console=errors) as bars:
                report = ledger_app.copying.copy(to, _Bars(bars), replay=replay)
        else:
            report = ledger_app.copying.copy(to, _Lines(), replay=replay)
    _summary(report, replay)


def _summary(report: CopyReport, replay: bool) -> None:
    from lotledger.cli.ledger import _verdict

    for table in report.copied.tables:
        console.print(f"{table.name:<22} {table.target:>13,} rows {table.seconds:9.1f} s", highlight=False)
    seconds = report.copied.seconds
    console.print(
        f"copied {report.rows:,} rows in {seconds:.1f} s ({report.rows / max(seconds, 1e-9):,.0f} rows/s); "
        f"source head {report.copied.head}",
        highlight=False,
    )
    for difference in report.differences:
        errors.print(f"[red]{difference}[/red]", highlight=False)
    if report.differences and report.verdict.intact:
        console.print(f"{report.verdict.events} events in the copy's chain; head {report.verdict.head}")
        raise typer.Exit(3)
    _verdict(report.verdict, replay)  # exits 3 unless the copy's chain holds (and its replay agrees)
